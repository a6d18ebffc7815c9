"""What a failback's reverse-replication module reads and reports: the check of the reverse
target, its lag and its promotion (the types of :class:`handlers.failover.failback.reverse.ReverseOps`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.failover.records import ReverseTarget


@dataclass
class ReverseCheck:
    """The answer of :meth:`ReverseOps.check`: the ``target`` to promote, or a ``refusal``
    (why the failback must wait), with the facts read (``detail``, recorded)."""

    target: ReverseTarget | None = None
    refusal: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class LagReading:
    """One drain reading: ``seconds`` (None: no datapoint yet), when it was taken, the metric,
    and the ``threshold`` at or under which the reverse replication counts as drained."""

    seconds: float | None
    at: str | None
    metric: str
    threshold: float

    @property
    def drained(self) -> bool:
        return self.seconds is not None and 0 <= self.seconds <= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {"lag_seconds": self.seconds, "lag_at": self.at, "lag_metric": self.metric,
                "drained_at_or_under_seconds": self.threshold}


@dataclass
class PromotionReading:
    """One read of the target while it is promoted: ``done`` (it takes writes), ``due``
    (a promotion request may be made now, if the one-time request allows one), ``untouched``
    (the target shows no sign of an earlier request), ``blocked`` (a request is due but the
    target's state refuses it: the step fails with this text), ``late`` (what the step says
    when the promotion bound passes: "<what> still <state>"), ``detail`` (recorded)."""

    done: bool
    due: bool
    late: str
    untouched: bool = True
    blocked: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
