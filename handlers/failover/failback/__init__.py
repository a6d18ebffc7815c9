"""Operator failback: a planned switchover back to the primary Region, never automatic.

``{"action": "failback", "reason": ...}`` starts it; it runs the steps of
:mod:`handlers.failover.failback.steps` (``check_reverse`` -> ``pause_writes`` -> ``drain`` ->
``promote_reverse`` -> ``release``) under the failover lock, resumable across invocations
(:mod:`handlers.failover.failback.run`), recording a :class:`~handlers.failover.records.
FailbackRecord` with its step timeline. What it promotes is the strategy's reverse replication
(:mod:`handlers.failover.failback.reverse`): the declared reverse read replica
(REVERSE_REPLICA_IDENTIFIER), the reverse CDC task, or the rejoined Aurora primary.

Allowed only when the gate is tripped and no failover is in progress. A forced failover
while a failback is in progress ends it (:func:`~handlers.failover.failback.run.supersede`).
Nothing is deleted: the old writer is retained for the operator.
"""

from handlers.failover.failback.run import failback, supersede

__all__ = ["failback", "supersede"]
