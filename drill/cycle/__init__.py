"""The DR cycle on the emulator (scenario ``full-cycle``): deploys of the program in each
``failover.phase`` over what an earlier deploy created (:mod:`drill.cycle.diff`,
:mod:`drill.cycle.deploy`), the data-plane side of the cross-Region replicas a phase declares
(:mod:`drill.cycle.replicas`), the planned failback and what it lost (:mod:`drill.cycle.loss`),
and the cycle's verifier (:mod:`drill.cycle.verify`, :mod:`drill.cycle.verify_aurora`). What
differs per strategy is one table of hooks (:mod:`drill.cycle.tiers`: :mod:`drill.cycle.instance`,
:mod:`drill.cycle.aurora`). The steps are in :mod:`drill.steps.cycle`."""
