"""``make drill``: a DR drill on an embedded AWS emulator, with the real handlers.

``python -m offline.drill --stack prod --scenario happy-path [--strategy read-replica]``
runs the policy gate, starts moto server on 127.0.0.1, stands up the site's existing parts,
deploys the plan recorded from the program under mocks into it, backs up, breaks the
primary, fails over through the failover orchestrator's real triggers, verifies from outside
and writes ``reports/drill-report.{json,md}`` and ``reports/drill-timeline.png``.

Modules: :mod:`.emulator` (moto server, request ledger, throttling), :mod:`.site` (existing
parts), :mod:`.applier` (plan -> emulator), :mod:`.bridges` (named emulator-gap bridges),
:mod:`.dns` (the Route 53 answer), :mod:`.runtime` (Lambda-style invocation),
:mod:`.instrument` (handler clients: Region down, crash, call ledger), :mod:`.scenarios`,
:mod:`.runner` (the drill: step plumbing, run order) with its steps in :mod:`.setup_steps`
(policy gate, emulator, deploy), :mod:`.failure_steps` (baseline, backup, inject, fail over)
and :mod:`.verify_steps` (outside checks), :mod:`.records` (options, step records),
:mod:`.report`, :mod:`.aws_target` (real game days), :mod:`.bench` (figures for
``make bench``).
"""

from .runner import DrillError, DrillOptions, run_drill

__all__ = ["DrillError", "DrillOptions", "run_drill"]
