"""Phase hints: which ``failover.phase`` (:class:`contract.phases.Phase`) the stack should be set
to now, with the exact ``pulumi config set`` commands, for the failover's completion alert, the
failback's and the ``status`` report.

The configured phase is FAILOVER_PHASE, as the program deployed it; the orchestrator never
guesses the phase from live AWS state. It reads live state only to say when it disagrees with
the configured phase (``mismatches``) and what to do about it.

==========================================  =============================================
what happened                               suggested phase
==========================================  =============================================
a failover completed (gate tripped)         ``failed-over``
... and the primary Region's APIs answer    ``reverse-replicating``
a failback completed                        ``normal``, with ``database.primaryInstanceArn``
                                            the promoted reverse replica (dms: the reverse
                                            task's fresh target, and its managed secret as
                                            ``database.dms.sourceSecretArn``) and a fresh
                                            ``database.standbyIdentifier`` (never the old
                                            writer's)
nothing (gate not tripped)                  ``normal``
==========================================  =============================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract.phases import (
    DMS_SOURCE_SECRET_KEY,
    PHASE_KEY,
    PRIMARY_CLUSTER_KEY,
    PRIMARY_INSTANCE_KEY,
    REVERSE_REPLICA_KEY,
    Phase,
    config_remove_command,
    config_set_command,
    default_reverse_replica_identifier,
)
from contract.strategies import Standby
from handlers.failover.dms_endpoints import describe, names_new_primary
from handlers.failover.records import FailbackRecord, FailoverRecord, GateLatch
from handlers.failover.settings import FailoverSettings

#: Live reverse-replication states in which a failback may be sent (instance, DMS task,
#: Aurora member).
_REVERSE_READY = frozenset({"available", "running", "secondary"})


@dataclass(frozen=True)
class _Reverse:
    """How the hints name a kind of standby's reverse replication: what ``reverse-replicating``
    brings once the primary Region answers (``arrives``), when the failback may be sent
    (``ready``) and what to do while it is not there (``missing``)."""

    arrives: str
    ready: str
    missing: str


_DECLARED = _Reverse("declare the reverse replica there", "the reverse replica is available and in sync",
                     "pulumi up")
#: Aurora adds the old primary cluster back as a secondary itself; the program declares nothing.
_REVERSE: dict[Standby, _Reverse] = {Standby.CLUSTER: _Reverse(
    "Aurora adds the old primary cluster back to the global database as a secondary (the "
    "program declares nothing new)", "the old primary cluster is a secondary again with a lag "
    "near zero", "wait until Aurora has added the old primary cluster back as a secondary")}


def _reverse(settings: FailoverSettings) -> _Reverse:
    return _REVERSE.get(settings.strategy.standby, _DECLARED)


def config_command(settings: FailoverSettings, key: str, value: str) -> str:
    """``pulumi config set --stack <stack> --path ecommerce-dr:<key> <value>`` for this
    function's stack (:func:`contract.phases.config_set_command`)."""
    return config_set_command(settings.stack_name, key, value)


def phase_command(settings: FailoverSettings, phase: Phase) -> str:
    """The command that sets ``failover.phase`` to ``phase``."""
    return config_command(settings, PHASE_KEY, str(phase))


@dataclass
class PhaseHint:
    """``suggested`` phase (given ``configured``), ``why``, the ``commands`` to run (empty when
    the configuration already says so), what to do ``then``, and ``mismatches``: where live
    state disagrees with the configured phase."""

    configured: Phase
    suggested: Phase
    why: str
    commands: list[str] = field(default_factory=list)
    then: str | None = None
    mismatches: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"configured": str(self.configured), "set": str(self.suggested), "why": self.why,
                "commands": self.commands, "then": self.then, "mismatches": self.mismatches}


def _hint(settings: FailoverSettings, suggested: Phase, why: str, *, then: str | None = None,
          extra: list[str] | None = None, mismatches: list[str] | None = None) -> PhaseHint:
    commands = ([] if settings.failover_phase is suggested else [phase_command(settings, suggested)])
    return PhaseHint(settings.failover_phase, suggested, why, commands + (extra or []), then,
                     mismatches or [])


def after_failover(settings: FailoverSettings) -> PhaseHint:
    """For the failover's completion alert."""
    return _hint(settings, Phase.FAILED_OVER,
                 f"the standby {settings.standby_db_identifier} was promoted and serves traffic",
                 then="pulumi up (it deploys with the primary Region unreachable); once the "
                      "primary Region is back, the status report suggests reverse-replicating")


def _primary_key(settings: FailoverSettings) -> str:
    cluster = settings.strategy.standby is Standby.CLUSTER
    return PRIMARY_CLUSTER_KEY if cluster else PRIMARY_INSTANCE_KEY


def _stale_source(record: FailbackRecord, live: dict[str, Any] | None) -> str | None:
    """Why the forward DMS task may not read the failback's new primary yet (None: its source
    endpoint names the new primary's recorded secret or address). Without ``live`` facts (the
    failback's own completion) the deployed forward task still reads the old primary."""
    target = record.reverse
    if target is None or not target.new_primary_secret_arn:
        return None
    found = (live or {}).get("forward_source")
    if live is None:
        return "the forward DMS task still reads the old primary"
    if not isinstance(found, dict):
        return f"what the forward DMS task reads is not known ({found or 'no forward task'})"
    if names_new_primary(found.get("reads"), target):
        return None
    return (f"the forward DMS task's source endpoint {found.get('endpoint')} reads "
            f"{describe(found.get('reads'))}, not the new primary {target.new_primary_arn} "
            f"(secret {target.new_primary_secret_arn}): a standby it full-loads holds the old "
            "primary's data")


def after_failback(settings: FailoverSettings, record: FailbackRecord, *,
                   status: bool = False, live: dict[str, Any] | None = None) -> PhaseHint:
    """The phase ``normal`` with the identifiers the deployed configuration still lacks, for
    the failback's completion alert and result; with ``status``, for the status report, which
    also lists where the configuration disagrees (``mismatches``). ``live``: the status
    report's facts (dms: ``forward_source``); the ``database.dms.sourceSecretArn`` command
    stays until the forward task's source endpoint reads the new primary."""
    extra, mismatches = [], []
    new_primary = record.reverse.new_primary_arn if record.reverse else None
    if new_primary and new_primary != settings.primary_db_arn:
        extra.append(config_command(settings, _primary_key(settings), new_primary))
        mismatches.append(f"{_primary_key(settings)} is {settings.primary_db_arn}, but the "
                          f"failback made {new_primary} the primary")
    old = record.old_writer
    if old and settings.standby_db_identifier.lower() == old.lower():
        fresh = record.standby_suggestion or f"<a new identifier, not {old}>"
        extra.append(config_command(settings, "database.standbyIdentifier", fresh))
        mismatches.append(f"database.standbyIdentifier is still {old}, the old writer, which "
                          "is never a replica again")
    repoint = bool(new_primary and new_primary != settings.primary_db_arn)
    secret = record.reverse.new_primary_secret_arn if record.reverse else None
    stale = _stale_source(record, live)
    if secret and stale is not None:
        # dms: the forward pipeline reads the new primary from now on (the normal deploy
        # then replaces the source endpoint and starts a fresh forward task).
        extra.append(config_command(settings, DMS_SOURCE_SECRET_KEY, secret))
        mismatches.append(stale)
    if repoint and old and new_primary and (new_primary.rsplit(":", 1)[-1].lower()
                                            != default_reverse_replica_identifier(old)):
        # failover.reverseReplicaIdentifier was set (the new primary is not the default
        # name): left set, it names the primary, which the program refuses.
        extra.append(config_remove_command(settings.stack_name, REVERSE_REPLICA_KEY))
    if settings.failover_phase is not Phase.NORMAL:
        mismatches.insert(0, f"configured {settings.failover_phase}, but failback "
                             f"{record.failback_id} completed: the primary Region writes again")
    hint = _hint(settings, Phase.NORMAL, f"failback {record.failback_id} completed", extra=extra,
                 mismatches=mismatches if status else [])
    if hint.commands:
        hint.then = (_dms_then(record, old) if secret and old else
                     "pulumi up: the program declares a fresh standby replica of the new "
                     f"primary; the old writer {old} is retained (delete it by hand once the new "
                     "standby replicates)" if old else
                     "pulumi up: the global database keeps its topology")
    return hint


def _dms_then(record: FailbackRecord, old: str) -> str:
    # The old primary as the failback recorded it: once primaryInstanceArn is re-pointed, the
    # configured primary is the NEW one, which must never be named for deletion.
    primary = (f"the old primary {record.old_primary}" if record.old_primary else
               "the old primary (the one the failover left)")
    return ("pulumi up: the program declares a fresh standby and a new forward DMS task from "
            "the new primary (a full load, then CDC) and drops the reverse task; the old writer "
            f"{old} is retained (delete it by hand once the new standby replicates); {primary} "
            "was never written to: reconcile the orders the failover lost from it, then delete "
            "it by hand")


def _failed_over(settings: FailoverSettings, live: dict[str, Any]) -> PhaseHint:
    s, configured = settings, settings.failover_phase
    if live.get("primary_api") != "reachable":
        mismatches = {
            Phase.NORMAL: ["configured normal, but a failover completed (the gate is tripped): "
                           "a deploy would declare the standby a replica of the old primary"],
            Phase.REVERSE_REPLICATING: [
                f"configured reverse-replicating, but the primary Region's APIs do not answer "
                f"({live.get('primary_api', 'not read')}): no reverse replica can run there"],
        }.get(configured, [])
        return _hint(s, Phase.FAILED_OVER, "the standby serves (the gate is tripped) and the "
                     f"primary Region ({s.primary_region}) does not answer",
                     then="pulumi up", mismatches=mismatches)
    if configured is not Phase.REVERSE_REPLICATING:
        mismatches = (["configured normal, but a failover completed (the gate is tripped)"]
                      if configured is Phase.NORMAL else [])
        return _hint(s, Phase.REVERSE_REPLICATING, f"the primary Region ({s.primary_region}) "
                     f"answers again: {_reverse(s).arrives}",
                     then=f"pulumi up; once {_reverse(s).ready}, send "
                          '{"action": "failback", "reason": "..."}', mismatches=mismatches)
    reverse = live.get("reverse")
    if isinstance(reverse, dict) and reverse.get("status") in _REVERSE_READY:
        return _hint(s, Phase.REVERSE_REPLICATING, f"the reverse replication runs "
                     f"({reverse['identifier']} {reverse['status']})",
                     then='send {"action": "failback", "reason": "..."}')
    if reverse is None:
        return _hint(s, Phase.REVERSE_REPLICATING, "the reverse replica is not there yet",
                     then=_reverse(s).missing, mismatches=[
                         f"configured reverse-replicating, but no reverse replication of "
                         f"{s.standby_db_identifier} runs in {s.primary_region}"])
    return _hint(s, Phase.REVERSE_REPLICATING, f"the reverse replication is not ready "
                 f"({reverse})", then="wait until it is available, then send the failback")


def _normal(settings: FailoverSettings, live: dict[str, Any]) -> PhaseHint:
    configured, mismatches = settings.failover_phase, []
    if configured is not Phase.NORMAL:
        mismatches.append(f"configured {configured}, but no failover is in force (the gate is "
                          "not tripped)")
    if live.get("standby_role") == "writer":
        mismatches.append(f"the standby {settings.standby_db_identifier} takes writes while no "
                          "failover is in force: it does not replicate from the primary (a "
                          "leftover of an earlier failover? set a fresh database.standbyIdentifier)")
    return _hint(settings, Phase.NORMAL, "the primary serves (the gate is not tripped)",
                 then="pulumi up" if configured is not Phase.NORMAL else None,
                 mismatches=mismatches)


def for_status(settings: FailoverSettings, *, failover: FailoverRecord | None, latch: GateLatch,
               failback: FailbackRecord | None, live: dict[str, Any]) -> PhaseHint:
    """The hint of the ``status`` report, from the state table and the ``live`` facts of
    :meth:`handlers.failover.failback.reverse.ReverseOps.observe`."""
    configured = settings.failover_phase
    if failover is not None and failover.status == "in-progress":
        return PhaseHint(configured, configured, f"failover {failover.failover_id} is in "
                         "progress: its completion alert says what to set")
    if failback is not None and failback.status == "in-progress":
        return PhaseHint(configured, configured, f"failback {failback.failback_id} is in "
                         f"progress (step {failback.current_step})")
    if (failback is not None and failback.status == "completed" and not latch.tripped
            and failback.failover_id == latch.failover_id):
        return after_failback(settings, failback, status=True, live=live)
    if latch.tripped:
        return _failed_over(settings, live)
    return _normal(settings, live)
