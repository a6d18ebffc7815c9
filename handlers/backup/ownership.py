"""Which snapshots are ours: the one test used before we prune, copy or measure a snapshot.

A ``managed-by`` tag alone is not proof. Tags travel: a standby instance restored from one
of our copies during a pilot-light failover can carry our tags, and with
``CopyTagsToSnapshot`` every snapshot an operator then takes of it (``pre-migration-0``,
say) carries them too. Deleting those would destroy the operator's recovery points of the
new production database. So a snapshot is ours only when ALL of these hold:

1. its ``managed-by`` tag is this stack's value (:func:`contract.names.managed_by_value`);
2. its identifier is exactly one the backup handler generates
   (:func:`handlers.backup.naming.parse_id`: ``<instance>-dr-<YYYYmmddHHMM>`` or that
   followed by ``-copy``);
3. its ``dr:database`` tag names a protected database, and the identifier's instance part
   is that database (kind ``primary``, or ``copy`` for the ``-copy`` form) or its configured
   standby instance (kind ``standby``), matching the ``dr:kind`` tag;
4. the snapshot's own ``DBInstanceIdentifier`` (its source DB), when RDS reports one, is
   that same instance.

Anything else is foreign: never pruned, never copied, never counted as a recovery point
(it still counts toward the manual-snapshot quota, as RDS counts it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from handlers.backup.inventory import Snapshot
from handlers.backup.naming import DATABASE_TAG, Kind, parse_id


@dataclass(frozen=True)
class Ownership:
    """``managed_by``: our tag value; ``standby_of``: ``{protected db id: standby id or
    None}`` (from ``PROTECTED_DATABASES``)."""

    managed_by: str
    standby_of: Mapping[str, str | None] = field(default_factory=dict)

    def expected_kinds(self, snapshot: Snapshot) -> frozenset[Kind]:
        """The kinds our scheme allows for ``snapshot``'s identifier and ``dr:database``
        (two when a standby has its primary's identifier, in the other Region); empty when
        the identifier / database tag / source DB do not fit together."""
        parsed = parse_id(snapshot.identifier)
        database = snapshot.tags.get(DATABASE_TAG)
        if parsed is None or database is None or database not in self.standby_of:
            return frozenset()
        if snapshot.instance and snapshot.instance != parsed.instance:
            return frozenset()
        if parsed.copy:
            return frozenset({Kind.COPY}) if parsed.instance == database else frozenset()
        kinds = set()
        if parsed.instance == database:
            kinds.add(Kind.PRIMARY)
        if parsed.instance == self.standby_of[database]:
            kinds.add(Kind.STANDBY)
        return frozenset(kinds)

    def owns(self, snapshot: Snapshot) -> bool:
        """True only for a snapshot the backup handler of this stack made (rules 1-4)."""
        return (snapshot.is_ours(self.managed_by)
                and snapshot.kind in {k.value for k in self.expected_kinds(snapshot)})
