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
* ``primary-recovers``: after the failover, the primary endpoint answers again and the
  watchdog keeps ticking: the gate must stay tripped (no automatic failback).
"""

from __future__ import annotations

from dataclasses import dataclass


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

    @property
    def alarm_trigger(self) -> bool:
        """The us-east-1 alarm forwarder only delivers while its Region works."""
        return not self.primary_region_down


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
    Scenario("primary-recovers", "primary answers again after the failover; no failback",
             primary_recovers=True),
)}

def get(name: str) -> Scenario:
    """The scenario called ``name``.

    Raises:
        ValueError: unknown name; the message lists the allowed ones.
    """
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}") from None
