"""The DR drill: the real handlers against an emulated account, or a game day in a real
non-production account (:mod:`drill.aws_target`).

On the emulator (:func:`drill.pipeline.run_drill`, with :class:`drill.options.DrillOptions`;
it returns a :class:`drill.result.DrillResult`) it runs the policy gate, starts moto server
on 127.0.0.1, stands up the site's existing parts, deploys the plan recorded from the program
under mocks, starts a real PostgreSQL pair for the strategy with a shop per Region and
customers ordering through the failover name (:mod:`drill.data`), backs up, breaks the
primary Region, fails over through the failover orchestrator's real triggers, verifies from
outside (PostgreSQL included), counts the orders lost from the new writer and writes
``reports/drill-report.{json,md}`` and ``reports/drill-timeline.png``.

Layout: :mod:`drill.options` (what to drill, errors), :mod:`drill.context` (the explicit state
every step gets), :mod:`drill.steps` (one module per step, :data:`drill.steps.PIPELINE`),
:mod:`drill.pipeline` (runs the steps, records each), :mod:`drill.result` (steps, checks,
measurements), :mod:`drill.measure` (RTO/RPO achieved), :mod:`drill.report` (json, md, png from
the result), :mod:`drill.apply` (plan -> emulator, one module per service area),
:mod:`drill.scenarios`, :mod:`drill.triggers`, :mod:`drill.observe`, :mod:`drill.replication`,
:mod:`drill.dns`, :mod:`drill.clock` (the drill's clock and the waits it skips),
:mod:`drill.data` (the real data side). The emulator itself is :mod:`emulator`.
"""
