"""The cycle's verifier for ``dms`` (:data:`CHECKS`): the checks of :mod:`drill.cycle.verify`,
with the dms reverse pipeline, the replaced forward pipeline and the old primary.

dms never replicates physically: the reverse replication is a reverse DMS task from the
promoted standby into a FRESH instance in the primary Region (never the old primary, which
may hold the orders the unplanned failover lost), and after the failback the ``normal``
deploy replaces the forward pipeline (a fresh standby instance, a new task reading the new
primary). What stands behind each task is the subscription of its target's server to its
source's (``CycleState.cdc``, :func:`drill.cycle.dms.task_facts`).
"""

from __future__ import annotations

from typing import Any

from drill.cycle.state import CycleState, Instance
from drill.cycle.verify import checks_with, old_writer_retained
from drill.result import Check
from drill.text import listing, yes_no

_RDS = "aws:rds/instance:Instance"


def _feeds(task: dict[str, Any] | None, source: Instance | None,
           target: Instance | None) -> tuple[bool, str]:
    """Whether ``task`` runs and its subscription (as the servers' catalogs show it) makes
    ``target``'s server follow ``source``'s, another server (never one following itself), with
    ``target`` holding at least the orders ``source`` held when read."""
    t = task or {}
    wired = (source is not None and target is not None and source.server is not None
             and t.get("status") == "running" and t.get("subscribed") is True
             and t.get("source_server") == source.server
             and target.server is not None and t.get("target_server") == target.server
             and source.server != target.server)
    holds = (source is not None and target is not None and source.orders is not None
             and target.orders is not None and target.orders >= source.orders)
    return wired and holds, (f"task {t.get('task')} {t.get('status')}, subscription "
                             f"{t.get('source_server')} -> {t.get('target_server')} (subscribed: "
                             f"{yes_no(t.get('subscribed'))}); holds at least the "
                             f"{source.orders if source else '-'} order(s) of its source: "
                             f"{yes_no(holds)}")


def reverse_task(s: CycleState) -> Check:
    """The reverse-replicating deploy created a fresh, standalone instance in the primary
    Region (not the old primary, on a server of its own) and the reverse task feeds it from
    the promoted standby."""
    d, r, old = s.deploys.get("reverse-replicating"), s.reverse, s.primary_before
    created = d is not None and any(c.op == "create" and c.type == _RDS
                                    and c.region == s.primary_region for c in d.changes)
    fresh = (r is not None and r.exists and r.region == s.primary_region
             and r.identifier == s.reverse_identifier and r.replica_source is None
             and old is not None and r.identifier != old.identifier
             and r.server is not None and r.server != old.server)
    fed, detail = _feeds(s.cdc.get("reverse"), s.standby_after, r)
    return Check(f"the reverse-replicating deploy created a fresh instance in {s.primary_region} "
                 "(not the old primary) and the reverse DMS task feeds it from the promoted "
                 "standby", created and fresh and fed,
                 f"created: {yes_no(created)}; fresh: {yes_no(fresh)}; {detail}; "
                 f"{r or 'reverse instance not read'}")


def forward_replaced(s: CycleState) -> Check:
    """The normal deploy created a fresh standby instance (a new identifier, a server of its
    own: neither the old writer's nor the old primary's) fed by a new forward task from the
    new primary, and retained the old writer (not reused, not deleted:
    :func:`drill.cycle.verify.old_writer_retained`)."""
    f, before, new, old = s.fresh_standby, s.standby_before, s.new_primary, s.old_writer
    primary = s.primary_before
    fresh = (f is not None and before is not None and f.exists and f.identifier == s.fresh_identifier
             and f.identifier != before.identifier and f.server is not None
             and f.server not in (before.server, primary.server if primary else None))
    fed, detail = _feeds(s.cdc.get("forward"), new, f)
    kept, retained = old_writer_retained(s)
    return Check("the normal deploy created a fresh standby fed by a new forward DMS task from "
                 "the new primary, and retained the old writer's instance (not reused, not "
                 "deleted)", fresh and fed and kept,
                 f"fresh: {yes_no(fresh)}; {detail}; {retained}; fresh {f or 'not read'}; "
                 f"old writer {old or 'not read'}")


def old_primary_untouched(s: CycleState) -> Check:
    """The old primary is retained and never written to: it holds after the normal deploy
    exactly the orders it held when its Region recovered (those the failover lost among
    them), and no task's subscription writes into its server."""
    before, rec, after = s.primary_before, s.old_primary_recovered, s.old_primary_after
    kept = (before is not None and after is not None and after.exists
            and after.resource_id == before.resource_id)
    same = (rec is not None and after is not None and rec.orders is not None
            and after.orders == rec.orders)
    targets = [t.get("target_server") for t in s.cdc.values()]
    unwritten = before is not None and before.server is not None and before.server not in targets
    return Check("the old primary is retained and was never written to (the orders the failover "
                 "lost stay there for reconciliation)", kept and same and unwritten,
                 f"retained: {yes_no(kept)}; orders when its Region recovered "
                 f"{rec.orders if rec else '-'}, after the normal deploy "
                 f"{after.orders if after else '-'}; task targets {listing(targets)}; "
                 f"{after or 'not read'}")


#: Every check of the dms cycle.
CHECKS = checks_with(reverse_task, forward_replaced, old_primary_untouched)
