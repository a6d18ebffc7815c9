"""The failover state table's items, as typed records.

DynamoDB table ``STATE_TABLE_NAME``, hash key ``pk`` (S), no sort key
(:class:`handlers.failover.state.StateStore` reads and writes it). Times are ISO-8601 UTC
strings; numbers named ``*_epoch`` are seconds since the epoch; other durations are seconds.
A field that is None is not written (absent on the wire). Nothing is ever deleted: the lock
is released by an update.

=======================================  ====================================================
``pk``                                   record
=======================================  ====================================================
``lock``                                 :class:`LockItem` - one failover or failback at a time
``watchdog``                             :class:`WatchdogItem` - what the watchdog has seen
``gate``                                 :class:`GateLatch` - the traffic gate latch
``failover``                             :class:`FailoverRecord` - the current (latest) failover
``failover#<failover_id>``               :class:`FailoverRecord` - a copy of each finished one
``false-positive#<iso time>``            :class:`FalsePositive` - a failover that found none
``failback#<iso time>``                  :class:`FailbackAttempt` - one failback invocation
``failback``                             :class:`FailbackRecord` - the current (latest) failback
``failback-run#<failback_id>``           :class:`FailbackRecord` - a copy of each finished one
=======================================  ====================================================

The wire keys are the field names below, except in :class:`FailoverRecord`: its one-time
requests (:class:`OneTimeRequest`) are flat keys ``<request key>_<field>`` and its strategy
notes are top-level keys (see :meth:`FailoverRecord.to_item`).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

#: Outcome of a step: ``in-progress`` while it runs (or after a crash in it), ``failed``
#: (raised; retried on the next trigger), ``paused`` (out of Lambda time; resumed later),
#: else how it ended. ``ok`` and ``skipped`` steps never run again.
StepOutcome = Literal["in-progress", "ok", "skipped", "aborted", "failed", "paused"]
FailoverStatus = Literal["in-progress", "completed", "not-ready", "false-positive"]
#: ``in-progress`` until it ends; ``refused`` (the reverse replication was not ready: nothing
#: changed), ``aborted`` (writes were paused but the reverse replica did not drain in time: the
#: standby's writes were opened again, nothing promoted) or ``completed``.
FailbackStatus = Literal["in-progress", "completed", "refused", "aborted"]
Trigger = Literal["watchdog", "alarm", "manual"]
RequestState = Literal["intent", "accepted", "failed"]

#: A one-time request key ends with this (e.g. ``promotion_requested``); its fields are
#: stored as ``<key>_state``, ``<key>_epoch``, ``<key>_at``, ``<key>_attempts``, ``<key>_error``.
REQUEST_SUFFIX = "_requested"
_REQUEST_KEY = re.compile(
    rf"^(?P<key>[a-z0-9_]+{REQUEST_SUFFIX})_(?P<field>state|epoch|at|attempts|error)$")


class _Item(BaseModel):
    """A state-table record. Keys this version does not know are kept as they are."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """The record of a table item (plain Python values; ``pk`` dropped).

        Raises:
            pydantic.ValidationError: a known key holds a value of the wrong type.
        """
        return cls.model_validate({k: v for k, v in item.items() if k != "pk"})

    def to_item(self) -> dict[str, Any]:
        """The wire dict without ``pk``; None fields left out."""
        return self.model_dump(exclude_none=True)


class LockItem(_Item):
    """``pk = "lock"``. Taken by a conditional write (``attribute_not_exists(pk) OR
    lease_expires_epoch < :now OR owner = :me``); the holder's heartbeat renews the short
    lease (``lease_expires_epoch``, ``renewed_at``, ``renewals``); a clean exit sets
    ``lease_expires_epoch`` to 0 and ``released_at``. See :mod:`handlers.failover.lease`."""

    PK: ClassVar[str] = "lock"

    owner: str
    failover_id: str
    lease_expires_epoch: float
    acquired_at: str
    renewed_at: str | None = None
    renewals: int | None = None
    released_at: str | None = None


class WatchdogItem(_Item):
    """``pk = "watchdog"``: armed once the primary was seen healthy; the current run of
    consecutive probe failures (newest last, at most CONSECUTIVE_FAILURES, epoch seconds);
    the last probe (``handlers.shared.probe.ProbeResult.as_dict``).

    ``counted_events`` maps the id of each scheduled event already counted to when (epoch
    seconds), for ``handlers.failover.watchdog.EVENT_MEMORY_SECONDS``: a redelivered tick
    counts once. ``version`` is bumped by every write, which is conditional on the version
    read (:meth:`handlers.failover.state.StateStore.save_watchdog`); absent before the first.
    """

    PK: ClassVar[str] = "watchdog"

    armed: bool = False
    armed_at: str | None = None
    recent_failures_epoch: list[float] = Field(default_factory=list)
    last_healthy_at: str | None = None
    last_probe_at: str | None = None
    last_probe_ok: bool | None = None
    last_probe: dict[str, Any] | None = None
    unarmed_failures: int | None = None
    counted_events: dict[str, float] | None = None
    version: int | None = None


class GateLatch(_Item):
    """``pk = "gate"``: the traffic gate latch. ``generation`` is bumped by every trip and
    release (absent before the first); the lock-free watchdog re-publish checks it
    (:func:`handlers.failover.gate.republish`). ``last_published`` is 0 or 1."""

    PK: ClassVar[str] = "gate"

    tripped: bool = False
    tripped_at: str | None = None
    failover_id: str | None = None
    released_at: str | None = None
    release_reason: str | None = None
    last_published: int | None = None
    last_published_at: str | None = None
    generation: int | None = None
    #: The failback's "maintenance": writes paused through the write switch (true from its
    #: ``pause_writes`` step until its ``release`` step, or until it is aborted).
    maintenance: bool | None = None
    maintenance_since: str | None = None
    maintenance_failback_id: str | None = None
    maintenance_ended_at: str | None = None


class StepRecord(_Item):
    """One step of a failover. ``own_seconds`` is the orchestrator's own time,
    ``wait_seconds`` the AWS-side waits, both summed over attempts; ``duration_seconds``
    runs from the first start to the end; ``budget_seconds`` is the step's budget and
    ``over_budget`` whether ``own_seconds`` exceeded it. ``error`` only while failed."""

    #: Fields of a step in a timeline (:func:`handlers.failover.runner.summary`), in order.
    TIMELINE: ClassVar[tuple[str, ...]] = (
        "outcome", "started_at", "ended_at", "duration_seconds", "own_seconds",
        "wait_seconds", "budget_seconds", "over_budget", "attempts", "failures", "error")

    outcome: StepOutcome = "in-progress"
    started_at: str | None = None
    started_epoch: float | None = None
    ended_at: str | None = None
    duration_seconds: float | None = None
    own_seconds: float | None = None
    wait_seconds: float | None = None
    budget_seconds: int | None = None
    over_budget: bool | None = None
    attempts: int = 0
    failures: int | None = None
    error: str | None = None
    detail: dict[str, Any] | None = None

    def timeline(self) -> dict[str, Any]:
        """The :data:`TIMELINE` fields that are set."""
        return self.model_dump(include=set(self.TIMELINE), exclude_none=True)


class StepAlerts(_Item):
    """Alerts of one failing step: ``sent``, ``suppressed`` since the last one sent, and
    when the last one went out."""

    sent: int = 0
    suppressed: int = 0
    last_sent_epoch: float | None = None
    last_sent_at: str | None = None

    def due(self, now: float, repeat_seconds: float) -> bool:
        """Whether a failure alert may go out at ``now`` (epoch seconds): the first one always,
        then at most one per ``repeat_seconds``. A suppressed one is counted."""
        if self.last_sent_epoch is not None and now - self.last_sent_epoch < repeat_seconds:
            self.suppressed += 1
            return False
        return True

    def sent_now(self, now: float, at: str, results: dict[str, str]) -> None:
        """Count an alert published at ``now`` (``at``: its ISO time) when it reached a Region
        (``results``: Region -> ``published`` | ``failed: ...``); one that reached none does
        not count, so the next failure tries again."""
        if any(v == "published" for v in results.values()):
            self.sent, self.last_sent_epoch, self.last_sent_at, self.suppressed = (
                self.sent + 1, now, at, 0)


class OneTimeRequest(_Item):
    """A one-time AWS request of the promote step (:mod:`handlers.failover.once`): its
    ``state``, the latest attempt's ``epoch`` / ``at``, ``attempts`` and latest ``error``.
    All None before the first attempt."""

    state: RequestState | None = None
    epoch: float | None = None
    at: str | None = None
    attempts: int | None = None
    error: str | None = None


class _Run(_Item):
    """What a failover and a failback record share: the step timeline, the step alerts, the
    invocation count, the outcome and the one-time requests (``<x>_requested``)."""

    current_step: str | None = None
    steps: dict[str, StepRecord] = Field(default_factory=dict)
    step_alerts: dict[str, StepAlerts] = Field(default_factory=dict)
    invocations: int = 0
    last_error: str | None = None
    completed_at: str | None = None
    duration_seconds: float | None = None
    alerts: dict[str, str] | None = None
    requests: dict[str, OneTimeRequest] = Field(default_factory=dict)

    def request(self, key: str) -> OneTimeRequest:
        """The one-time request ``key`` (created empty on first use).

        Raises:
            ValueError: ``key`` does not end with ``_requested``.
        """
        if not key.endswith(REQUEST_SUFFIX):
            raise ValueError(f"one-time request key {key!r} must end with {REQUEST_SUFFIX!r}")
        return self.requests.setdefault(key, OneTimeRequest())

    def step(self, name: str) -> StepRecord:
        """The record of step ``name`` (created on first use)."""
        return self.steps.setdefault(name, StepRecord())


class FailoverRecord(_Run):
    """``pk = "failover"`` (the current one) and ``pk = "failover#<failover_id>"`` (a copy
    of each finished one: completed, not-ready, false-positive).

    A step that raises leaves ``status = "in-progress"`` with the step's outcome ``failed``
    and ``last_error``; the next trigger retries it. Its alert goes out on the first
    failure, then at most once per ``runner.ALERT_REPEAT_SECONDS`` (``step_alerts``).
    ``current_step`` names the step running or last run.

    Attributes:
        requests: one-time requests by key (``<x>_requested``), e.g. the promotion; each
            strategy module names its own.
        notes: what a strategy keeps between steps and invocations (e.g. the snapshot it
            chose), by a key its module names.
    """

    PK: ClassVar[str] = "failover"
    ARCHIVE_PREFIX: ClassVar[str] = "failover#"

    failover_id: str
    status: FailoverStatus
    trigger: Trigger
    reason: str = ""
    force: bool = False
    started_at: str
    started_epoch: float
    notes: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        """Fields by name; ``<key>_requested_<field>`` keys into ``requests``; every other
        key into ``notes``.

        Raises:
            pydantic.ValidationError: a field holds a value of the wrong type.
        """
        fields: dict[str, Any] = {"requests": {}, "notes": {}}
        for k, v in item.items():
            m = _REQUEST_KEY.match(k)
            if k == "pk":
                continue
            if k in cls.model_fields and k not in ("requests", "notes"):
                fields[k] = v
            elif m:
                fields["requests"].setdefault(m["key"], {})[m["field"]] = v
            else:
                fields["notes"][k] = v
        return cls.model_validate(fields)

    def to_item(self) -> dict[str, Any]:
        """The wire dict: fields, then ``<key>_<field>`` of each request, then the notes.

        Raises:
            ValueError: a note or request key would overwrite another key.
        """
        item = self.model_dump(exclude_none=True, exclude={"requests", "notes"})
        for key, request in self.requests.items():
            if not key.endswith(REQUEST_SUFFIX):
                raise ValueError(f"one-time request key {key!r} must end with {REQUEST_SUFFIX!r}")
            item |= {f"{key}_{f}": v for f, v in request.to_item().items()}
        clash = sorted(set(self.notes) & (set(item) | set(type(self).model_fields)))
        if clash or any(_REQUEST_KEY.match(k) for k in self.notes):
            raise ValueError(f"failover record notes {sorted(self.notes)} clash with its keys")
        return item | self.notes


class FalsePositive(_Item):
    """``pk = "false-positive#<iso time>"``: a failover whose first step found the primary
    healthy (``detail``: that step's detail)."""

    PREFIX: ClassVar[str] = "false-positive#"

    failover_id: str
    trigger: Trigger
    detail: dict[str, Any] = Field(default_factory=dict)


class FailbackAttempt(_Item):
    """``pk = "failback#<iso time>"``: one invocation of the failback (an operator's, or the
    watchdog resuming one): ``released`` (completed), ``refused`` (``refusal`` says why),
    ``in-progress`` (resumed later), ``step-failed`` (retried) or ``aborted``, of the failover
    that tripped the gate and of failback ``failback_id``."""

    PREFIX: ClassVar[str] = "failback#"

    outcome: Literal["refused", "released", "in-progress", "step-failed", "aborted"]
    reason: str
    refusal: str | None = None
    failover_id: str | None = None
    failback_id: str | None = None


class ReverseTarget(_Item):
    """What a failback promotes, found by its ``check_reverse`` step.

    Attributes:
        kind: ``rds-read-replica`` (an RDS read replica of the promoted standby), ``dms-task`` (a
            CDC task from the standby into a fresh instance in the primary Region;
            ``identifier`` is its ARN) or
            ``aurora-secondary`` (the old primary cluster, rejoined as a secondary).
        identifier: the replica's DB identifier, the task's ARN or the cluster's identifier.
        arn: its ARN.
        region: the Region it runs in (where it is read and promoted).
        source: what it replicates from, as AWS reports it.
        declared: named by REVERSE_REPLICA_IDENTIFIER (the program's), rather than found.
        new_primary_arn: the database that writes once the failback is done.
        new_primary_secret_arn: dms: that database's managed master secret (the forward
            pipeline's source credentials, ``database.dms.sourceSecretArn``, from then on).
        new_primary_address: dms: that database's endpoint address (a DMS endpoint that
            names its database by server rather than by secret).
    """

    kind: Literal["rds-read-replica", "dms-task", "aurora-secondary"]
    identifier: str
    arn: str | None = None
    region: str
    source: str | None = None
    declared: bool = False
    new_primary_arn: str | None = None
    new_primary_secret_arn: str | None = None
    new_primary_address: str | None = None


class FailbackRecord(_Run):
    """``pk = "failback"`` (the current one) and ``pk = "failback-run#<failback_id>"`` (a copy
    of each finished one: completed, refused, aborted): a planned switchover back to the
    primary Region, step by step (``contract.names.FAILBACK_STEPS``), resumed where the last
    invocation stopped.

    Times as in the module docstring; ``writes_paused_epoch`` is when the standby Region's write
    switch was set to ``paused`` (the drain counts lag readings from after it),
    ``drain_started_epoch`` when the drain began (its wait is bounded from then).

    Attributes:
        failover_id: the failover being undone (the one that tripped the gate).
        phase: FAILOVER_PHASE when the failback started.
        reverse: what ``check_reverse`` found (None before).
        writes: Region -> the write switch value this failback last set there.
        requests: one-time requests by key (``reverse_promotion_requested``, ...), as in
            :class:`FailoverRecord` (nested here).
        old_writer: the standby that wrote while failed over; never a replica again.
        old_primary: dms: the primary the failover left (PRIMARY_DB_ARN's identifier when the
            failback checked its reverse task), never written to since: it may hold the
            orders the failover lost.
        standby_suggestion: a fresh ``database.standbyIdentifier`` for phase normal.
        refusal: why ``check_reverse`` refused (status ``refused``).
        abort_reason: why the failback was aborted (status ``aborted``).
    """

    PK: ClassVar[str] = "failback"
    ARCHIVE_PREFIX: ClassVar[str] = "failback-run#"

    failback_id: str
    failover_id: str | None = None
    status: FailbackStatus
    reason: str = ""
    phase: str | None = None
    started_at: str
    started_epoch: float
    reverse: ReverseTarget | None = None
    writes_paused_epoch: float | None = None
    writes_paused_at: str | None = None
    drain_started_epoch: float | None = None
    writes: dict[str, str] = Field(default_factory=dict)
    notes: dict[str, Any] = Field(default_factory=dict)
    old_writer: str | None = None
    old_primary: str | None = None
    standby_suggestion: str | None = None
    refusal: str | None = None
    abort_reason: str | None = None
