"""The drill's data side: a real PostgreSQL pair per drill, the shop, customers, loss counted.

The drill builds it with :mod:`dataplane` on 127.0.0.1 once the plan is deployed
(:func:`drill.data.build.build_world`): the primary's server, the standby per strategy
(``read-replica``: a streaming replica; ``dms``: a logical-replication target; ``snapshot-
restore``: nothing until a restore), one shop per Region behind the site's endpoints, and
customers ordering through the failover name. The emulator's control plane drives it
(:mod:`emulator.data_bridges`, hooks in :mod:`drill.data.bridge`), replication metrics are
published from it (:mod:`drill.data.metrics`), and what was lost is counted from it
(:mod:`drill.data.loss`).

Modules: :mod:`~drill.data.world` (what runs, and its teardown), :mod:`~drill.data.build`,
:mod:`~drill.data.bridge`, :mod:`~drill.data.jobs` (work that must run on the main thread),
:mod:`~drill.data.endpoints` (a shop as a site endpoint), :mod:`~drill.data.resolver` (the
customers' DNS), :mod:`~drill.data.metrics`, :mod:`~drill.data.loss`, :mod:`~drill.data.series`
(the customers' chart).
"""
