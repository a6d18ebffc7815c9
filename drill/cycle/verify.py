"""The cycle's verifier: what must hold after the scenario ``full-cycle``
(:func:`verify_cycle`), from the :class:`drill.cycle.state.CycleState` its steps filled.

Each check is named for what it proves; a missing piece (a phase not deployed, an event not
counted) fails its check rather than passing it by default.
"""

from __future__ import annotations

from collections.abc import Callable

from drill.cycle.deploy import PhaseDeploy
from drill.cycle.state import CycleState, Instance
from drill.result import Check
from drill.text import counts, listing, yes_no

_DB_TYPES = ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster",
             "aws:rds/globalCluster:GlobalCluster", "aws:dynamodb/table:Table")
_PHASES = ("failed-over", "reverse-replicating", "normal")
#: Provider arguments that keep it from calling its Region when it is configured.
NO_CONFIGURE_CALLS = ("skipCredentialsValidation", "skipRequestingAccountId")

#: Resource types of global services (not in any one Region's APIs).
GLOBAL_TYPES = ("aws:route53/", "aws:iam/")

Verify = Callable[[CycleState], Check]


def _deploy(s: CycleState, phase: str) -> PhaseDeploy | None:
    return s.deploys.get(phase)


def _deploys_ok(s: CycleState) -> Check:
    bad: dict[str, str] = {}
    for phase in _PHASES:
        d = _deploy(s, phase)
        if d is None:
            bad[phase] = "not run"
        elif d.policy_exit_code not in (None, 0):
            bad[phase] = f"the policy pack failed its plan (exit {d.policy_exit_code})"
        elif d.refused:
            bad[phase] = "refused: " + "; ".join(c.why for c in d.of("refused"))
        elif d.failed:
            bad[phase] = "failed: " + "; ".join(f["error"] for f in d.failed[:3])
    return Check("every phase's deploy succeeded (failed-over, reverse-replicating, normal)",
                 not bad, ", ".join(f"{p}: {why}" for p, why in bad.items()) or
                 "; ".join(f"{p}: {counts(d.ops())}" for p, d in s.deploys.items()))


def global_changes(d: PhaseDeploy) -> list[str]:
    """Changes to resources of global services (Route 53, IAM), whose control plane is in
    us-east-1 (:data:`drill.cycle.deploy.GLOBAL_CONTROL_PLANE`)."""
    return [f"{c.name} ({c.op})" for c in d.changes
            if c.type.startswith(GLOBAL_TYPES) and c.op not in ("same", "retain")]


def _failed_over_primary_untouched(s: CycleState) -> Check:
    d = _deploy(s, "failed-over")
    touched = [] if d is None else [f"{c.name} ({c.op})" for c in d.changes
                                    if c.region == s.primary_region and c.op != "same"
                                    and not c.type.startswith(GLOBAL_TYPES)]
    failed = [] if d is None else [f["urn"] for f in d.failed]
    glob = global_changes(d) if d is not None else []
    return Check(f"the failed-over deploy ran with {s.primary_region}'s APIs unreachable and "
                 f"changed nothing in {s.primary_region}",
                 d is not None and d.ok and not touched and not failed,
                 "not deployed" if d is None else
                 f"changed there: {listing(touched, empty='nothing')}; failed: {listing(failed)}; "
                 f"global services (control plane in us-east-1): {listing(glob, empty='nothing')}")


def _provider_offline(s: CycleState) -> Check:
    p = s.primary_provider
    missing = [k for k in NO_CONFIGURE_CALLS if p is None or str(p.get(k)).lower() != "true"]
    return Check(f"the {s.primary_region} provider makes no call there when configured "
                 f"({', '.join(NO_CONFIGURE_CALLS)})", p is not None and not missing,
                 "no provider for the Region in the plan" if p is None else
                 f"missing: {listing(missing)}")


def _same_instance(before: Instance | None, after: Instance | None) -> tuple[bool, str]:
    if before is None or after is None:
        return False, "not read"
    kept = (after.exists and after.identifier == before.identifier
            and after.resource_id == before.resource_id)
    held = (before.orders is not None and after.orders is not None and after.orders >= before.orders)
    return kept and held, (f"{before.identifier} {before.resource_id} -> {after.identifier} "
                           f"{after.resource_id}; orders {before.orders} -> {after.orders}")


def _standby_not_replaced(s: CycleState) -> Check:
    ok, detail = _same_instance(s.standby_before, s.standby_after)
    standalone = s.standby_after is not None and s.standby_after.replica_source is None
    d = _deploy(s, "failed-over")
    made = [] if d is None else [f"{c.name} {c.op}" for c in d.changes
                                 if c.type in _DB_TYPES and c.op in ("create", "replace")]
    return Check("the failed-over deploy kept the promoted standby (same instance, standalone, "
                 "still holding its orders; no database created, replaced, deleted or "
                 "promoted): not replaced",
                 ok and standalone and d is not None and not made and not s.failed_over_db_requests,
                 f"{detail}; replica source "
                 f"{(s.standby_after.replica_source or 'none') if s.standby_after else '-'}; "
                 f"database changes {listing(made)}; requests {counts(s.failed_over_db_requests)}")


def _no_database_replaced(s: CycleState) -> Check:
    bad = [f"{p}: {c.name} {c.op}" for p, d in s.deploys.items() for c in d.changes
           if c.type in _DB_TYPES and (c.op in ("delete", "refused")
                                       or c.op == "replace" and not c.retained)]
    kept = [f"{p}: {c.name}" for p, d in s.deploys.items() for c in d.changes
            if c.type in _DB_TYPES and c.op == "replace" and c.retained]
    return Check("no deploy of the cycle deleted a database or was refused on one (a database "
                 "replaced only with its old instance retained)",
                 bool(s.deploys) and not bad, ("; ".join(bad) or f"{len(s.deploys)} deploy(s)")
                 + (f"; replaced, old instance retained: {listing(kept)}" if kept else ""))


def replicates_from(replica: Instance | None, source: Instance | None) -> bool:
    """Whether ``replica``'s ``ReadReplicaSourceDBInstanceIdentifier`` names ``source``: its
    identifier in its own Region, or (a cross-Region replica) its ARN
    ``arn:aws:rds:<source Region>:<account>:db:<source identifier>``."""
    if replica is None or source is None or not replica.replica_source:
        return False
    named = replica.replica_source
    if named == source.identifier:
        return replica.region == source.region
    parts = named.split(":")
    return (len(parts) == 7 and parts[:3] == ["arn", "aws", "rds"] and parts[3] == source.region
            and parts[5] == "db" and parts[6] == source.identifier)


def _replica_of(replica: Instance | None, source: Instance | None, what: str) -> tuple[bool, str]:
    """Whether ``replica`` is a replica of ``source`` (:func:`replicates_from`) holding at
    least the orders ``source``'s server held when it was read (earlier, before the replica
    was built from it); ``(ok, detail)``."""
    named = replicates_from(replica, source)
    r, src = (replica.orders if replica else None), (source.orders if source else None)
    holds = r is not None and src is not None and r >= src
    name = source.identifier if source else "-"
    return named and holds, (f"replica of the {what} {name}: {yes_no(named)}; holds at least the "
                             f"{src} order(s) {name} held when read: {yes_no(holds)} (it holds "
                             f"{'-' if r is None else r})")


def reverse_declared(s: CycleState) -> Check:
    d, r = _deploy(s, "reverse-replicating"), s.reverse
    created = d is not None and any(c.op == "create" and c.type == _DB_TYPES[0]
                                    and c.region == s.primary_region for c in d.changes)
    streams = (r is not None and r.exists and r.region == s.primary_region
               and r.identifier == s.reverse_identifier and r.in_recovery is True)
    source, detail = _replica_of(r, s.standby_after, "promoted standby")
    return Check(f"the reverse-replicating deploy created the reverse replica in "
                 f"{s.primary_region}, streaming from the promoted standby",
                 created and streams and source,
                 f"created: {yes_no(created)}; streaming: {yes_no(streams)}; {detail}; "
                 f"{r or 'reverse replica not read'}")


def _new_primary_promoted(s: CycleState) -> Check:
    p, r = s.new_primary, s.reverse
    same = (p is not None and r is not None and p.exists and p.identifier == r.identifier
            == s.reverse_identifier and p.region == r.region == s.primary_region
            and p.resource_id == r.resource_id and p.server is not None and p.server == r.server)
    writes = p is not None and p.replica_source is None and p.in_recovery is False
    return Check(f"the failback's new primary is the reverse replication it promoted (the same "
                 f"database and server in {s.primary_region}), standalone and writing",
                 same and writes,
                 f"the same as the reverse replication: {yes_no(same)}; standalone and writing: "
                 f"{yes_no(writes)}; new primary {p or 'not read'}; reverse {r or 'not read'}")


def _failback_lossless(s: CycleState) -> Check:
    e = s.event("planned failback")
    ok = (e is not None and e.status == "failed-back" and e.orders_lost == 0
          and (e.acknowledged_by_old_writer or 0) > 0)
    return Check("the planned failback completed and lost no order (every order the old "
                 "writer acknowledged is on the new primary)", ok,
                 "not run" if e is None else
                 f"status {e.status}; {e.orders_lost} lost of {e.acknowledged_by_old_writer} "
                 "acknowledged by the old writer"
                 + (f" ({listing(e.lost_order_ids[:5])})" if e.lost_order_ids else ""))


def _unplanned_within_rpo(s: CycleState) -> Check:
    bad = [e for e in s.events if e.kind != "planned failback" and (
        e.data_loss_window_seconds is None or e.rpo_seconds is None
        or e.data_loss_window_seconds > e.rpo_seconds)]
    return Check("each unplanned failover's data-loss window is within the RPO target",
                 bool(s.events) and not bad and s.event("unplanned failover") is not None,
                 "; ".join(f"{e.kind}: {e.orders_lost} lost, window {e.data_loss_window_seconds} s"
                           f" (RPO {e.rpo_seconds} s)" for e in s.events if e.kind != "planned failback"))


def old_writer_retained(s: CycleState) -> tuple[bool, str]:
    """Whether the normal deploy retained the old writer (the promoted standby), not reused
    nor emptied: the same instance (``DbiResourceId``), standalone and its server not in
    recovery (a replica of nothing), that server neither the fresh standby's nor the new
    primary's, holding at least the orders it held after the failback
    (``state.old_writer_at_failback``, its last reading before the normal deploy);
    ``(ok, detail)``."""
    old, before, then = s.old_writer, s.standby_before, s.old_writer_at_failback
    same = (old is not None and before is not None and old.exists
            and old.resource_id == before.resource_id)
    standalone = old is not None and old.replica_source is None and old.in_recovery is False
    others = [i.server for i in (s.fresh_standby, s.new_primary) if i is not None and i.server]
    own = old is not None and old.server is not None and old.server not in others
    was, now = (then.orders if then else None), (old.orders if old else None)
    held = was is not None and now is not None and now >= was
    return same and standalone and own and held, (
        f"old writer: the same instance: {yes_no(same)}; standalone, not in recovery: "
        f"{yes_no(standalone)}; a server of its own (not {listing(others)}): {yes_no(own)}; "
        f"orders after the failback {'-' if was is None else was}, now "
        f"{'-' if now is None else now}")


def fresh_standby(s: CycleState) -> Check:
    f, old, before, new = s.fresh_standby, s.old_writer, s.standby_before, s.new_primary
    fresh = (f is not None and before is not None and f.identifier == s.fresh_identifier
             and f.identifier != before.identifier)
    source, detail = True, ""
    if s.standing_standby:
        fresh = fresh and f.exists and f.in_recovery is True  # type: ignore[union-attr]
        source, detail = _replica_of(f, new, "new primary")
    kept, retained = old_writer_retained(s)
    what = ("created a fresh standby replica of the new primary" if s.standing_standby else
            "named a fresh standby identifier (restored at the next failover)")
    return Check(f"the normal deploy {what} and retained the old writer's instance (not "
                 "reused, not deleted)", fresh and source and kept,
                 (f"{detail}; " if detail else "") + f"{retained}; fresh {f or 'not read'}; "
                 f"old writer {old or 'not read'}")


def _second_failover(s: CycleState) -> Check:
    # ``already-failed-over`` means the gate was still tripped: nothing was promoted
    e = s.event("second failover")
    return Check("the second failover completed onto the standby the normal deploy left",
                 e is not None and e.status == "completed",
                 "not run" if e is None else
                 f"status {e.status}{'' if e.status == 'completed' else ' (must be completed)'}; "
                 f"{e.orders_lost} lost")


def restored_from_new_primary(s: CycleState) -> Check:
    """snapshot-restore: the second failover restored a recovery point of the new primary,
    not an older one of the old writer or of the old primary. With a standing standby replica
    nothing is restored: passes when that standby exists."""
    name = "the second failover restored a recovery point of the new primary"
    if s.standing_standby:
        standing = s.fresh_standby is not None and s.fresh_standby.exists
        return Check(name, standing, "a standing standby replica: nothing restored" if standing
                     else "no standby read after the normal deploy")
    got, new = s.second_restored_from or {}, s.new_primary
    of = got.get("of")
    ok = bool(got.get("snapshot")) and new is not None and of == new.identifier
    return Check(name, ok, f"restored from {got.get('snapshot') or 'nothing read'} (of {of}); "
                           f"new primary {new.identifier if new else 'not read'}")


def checks_with(reverse: Verify, normal: Verify, *extra: Verify) -> tuple[Verify, ...]:
    """Every check of the cycle, in the cycle's order, with a strategy's own check of its
    reverse replication (``reverse``), of the standby after the ``normal`` deploy
    (``normal``), and any ``extra`` ones (last)."""
    return (_deploys_ok, _failed_over_primary_untouched, _provider_offline, _standby_not_replaced,
            _no_database_replaced, reverse, _failback_lossless, _new_primary_promoted,
            _unplanned_within_rpo, normal,
            _second_failover, *extra)


#: Every check of the instance strategies' cycle (read-replica, snapshot-restore).
CHECKS: tuple[Verify, ...] = checks_with(reverse_declared, fresh_standby, restored_from_new_primary)


def verify_cycle(s: CycleState, checks: tuple[Verify, ...] = CHECKS) -> list[Check]:
    """Every check of ``checks`` (default: the instance strategies', :data:`CHECKS`) over ``s``."""
    return [check(s) for check in checks]
