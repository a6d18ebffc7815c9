"""The drill's scenarios: what goes wrong, and how the failover is triggered.

Every scenario backs up, breaks the primary endpoint and sets the health-check alarm to
ALARM; the chaos scenarios add one fault each:

* ``happy-path``: the forwarded alarm event, then watchdog ticks until the failover completes.
* ``primary-region-down``: every handler client for the primary Region points at a closed
  port on 127.0.0.1 (its APIs unreachable); the us-east-1 alarm forwarder is down with its
  Region, so only the standby watchdog's ticks trigger the failover.
* ``throttling-storm``: the emulator answers ``Throttling: Rate exceeded`` to the first
  attempt of every call during the failover; botocore's retries must carry it through.
* ``concurrent-triggers``: 10 invocations at once (5 alarm events, 5 watchdog ticks):
  exactly one promotion must happen.
* ``crash-and-resume``: the container dies right after the strategy's promotion request
  succeeds (``contract.strategies.StrategySpec.promotion_request``; cold start on the next
  trigger); the failover must resume and never promote twice.
* ``primary-recovers``: after the failover, the old primary (its database with its orders,
  and its endpoint) comes back and the watchdog keeps ticking: the gate must stay tripped (no
  automatic failback), no customer order may reach the old primary, and the orders stranded
  on it (never replicated) are reported for reconciliation.
* ``replication-lag``: before the failure the inter-Region link slows down so much that
  nothing crosses it, and stays so for longer than the stack's lag alarm threshold and its
  RPO (:func:`lag_stall_seconds`): the lag alarm must fire, and readiness must refuse to
  promote. With ``--force`` the drill then fails over as an operator would (a manual event
  with ``force: true``) and the orders lost must be those acknowledged while the link was slow.
* ``failback`` (aurora-global only): a failover with the link slowed to 0.5 s just before the
  failure (so a few acknowledged orders are lost, within the RPO), then the primary Region recovers
  and the old primary cluster rejoins the global database as a secondary; the operator's
  ``{"action": "failback"}`` drives the planned switchover back. Orders lost in the failover
  (within the RPO) and none in the switchover; each one's customer-visible write pause.

* ``full-cycle``: ``primary-region-down`` with the replication link slowed as in
  ``failback`` just before the failure (a few acknowledged orders lost, within the RPO), then
  the whole DR cycle with orders placed throughout (:mod:`drill.steps.cycle`): the
  ``failed-over`` deploy with the primary Region still down (the standby kept, not replaced),
  the Region recovers, the ``reverse-replicating`` deploy (the program's reverse replica; on
  aurora-global nothing new, the old primary cluster rejoins), the operator's planned failback
  (no order may be lost), the ``normal`` deploy (a fresh standby and the old writer retained;
  on aurora-global the same clusters), and a second failover. Every strategy (on
  snapshot-restore nothing streams: no link to slow).

The slow link lasts a few real seconds (customers order meanwhile); the rest is *skipped* on
the drill's clock (:mod:`drill.clock`, reported as modelled), so the scenario runs in seconds
on any stack, the prod stack's 900 s threshold and 1 h RPO included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contract.strategies import SPECS, Strategy

#: Strategies the scenario ``full-cycle`` drills: a standby instance promoted or restored,
#: whose reverse replica is a cross-Region read replica, an Aurora global database, whose
#: old primary cluster rejoins as a secondary, and a DMS target, whose reverse replication is
#: a reverse DMS task into a fresh instance (each one's hooks: ``drill.cycle.tiers.TIERS``).
CYCLE_STRATEGIES = (Strategy.READ_REPLICA, Strategy.SNAPSHOT_RESTORE, Strategy.AURORA_GLOBAL,
                    Strategy.DMS)


@dataclass(frozen=True)
class Scenario:
    """One way the primary fails (see the module docstring); the flags say which fault the
    drill adds."""

    name: str
    description: str
    primary_region_down: bool = False
    throttling: bool = False
    concurrent_invocations: int = 0
    crash_mid_failover: bool = False
    primary_recovers: bool = False
    replication_lag: bool = False
    full_cycle: bool = False
    failback: bool = False
    slow_link: bool = False

    @property
    def alarm_trigger(self) -> bool:
        """The us-east-1 alarm forwarder only delivers while its Region works."""
        return not self.primary_region_down

    @property
    def readiness_refusal(self) -> bool:
        """Readiness is expected to refuse the promotion (only ``--force`` fails over)."""
        return self.replication_lag


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("happy-path", "primary endpoint fails; alarm event and watchdog trigger the failover"),
    Scenario("primary-region-down", "primary Region's APIs unreachable; watchdog-only detection",
             primary_region_down=True),
    Scenario("throttling-storm", "first attempt of every AWS call throttled during the failover",
             throttling=True),
    Scenario("concurrent-triggers", "10 simultaneous invocations; exactly one failover",
             concurrent_invocations=10),
    Scenario("crash-and-resume", "container killed right after the promotion call; resumed on "
             "the next trigger", crash_mid_failover=True),
    Scenario("primary-recovers", "old primary comes back with its orders after the failover; "
             "no failback, no order reaches it", primary_recovers=True),
    Scenario("replication-lag", "the inter-Region link stalls beyond the lag alarm threshold; "
             "readiness refuses unless forced", replication_lag=True),
    Scenario("full-cycle", "primary Region down, failover, deploys in every phase, planned "
             "failback with no order lost, a second failover", primary_region_down=True,
             full_cycle=True, slow_link=True),
    Scenario("failback", "unplanned failover, the primary Region recovers and rejoins, then the "
             "operator fails back (switchover, zero orders lost)",
             failback=True, slow_link=True),
)}

#: Real seconds the link stays stalled while customers order (their orders are the ones a
#: forced failover loses: about 20 at the default rate).
STALL_REAL_SECONDS = 2.0
#: Margin, seconds, by which the stall exceeds the alarm threshold and the RPO (one CloudWatch
#: period, so the newest one-minute datapoint is over both).
STALL_MARGIN_SECONDS = 60.0


def lag_stall_seconds(*, alarm_threshold_seconds: float, rpo_seconds: float) -> float:
    """How long the scenario ``replication-lag`` keeps the link stalled, seconds: past both
    the stack's lag alarm threshold and its RPO (readiness refuses a lag over the RPO), by
    :data:`STALL_MARGIN_SECONDS`."""
    return max(alarm_threshold_seconds, rpo_seconds) + STALL_MARGIN_SECONDS


def runs_on(scenario: Scenario) -> str:
    """The strategies ``scenario`` drills, as ``--help`` and the README say it (the drill refuses
    the others: :meth:`drill.context.DrillContext.create`)."""
    if scenario.failback:
        return "aurora-global only (--stack aurora; make drill STACK=aurora)"
    if scenario.full_cycle:
        return _strategies(CYCLE_STRATEGIES)
    if scenario.replication_lag:
        return _strategies(sp.strategy for sp in SPECS.values() if sp.replication_metrics)
    return "every strategy"


def _strategies(found: Iterable[Strategy]) -> str:
    names = [str(s) for s in found]
    return "every strategy" if set(names) == {str(s) for s in Strategy} else ", ".join(names)


def get(name: str) -> Scenario:
    """The scenario called ``name``.

    Raises:
        ValueError: unknown name; the message lists the allowed ones.
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}") from None
