"""The drill's data plane: real PostgreSQL in two "Regions", a shop, customers, loss counted.

Everything runs on 127.0.0.1 under one caller-given run directory, owned by a
:class:`dataplane.plane.DataPlane` that stops whatever it started (and, as a last resort,
an :mod:`atexit` hook and a parent-death signal on every server).

Modules, one job each:

* :mod:`~dataplane.plane`: the run (directory layout, service user, ownership of everything).
* :mod:`~dataplane.server`: one PostgreSQL server (initdb, start, stop, crash, timeline).
* :mod:`~dataplane.link`: the inter-Region network (one-way delay, cut, restore).
* :mod:`~dataplane.physical`: ``read-replica`` (streaming replica, ``pg_promote``).
* :mod:`~dataplane.logical`: ``dms`` (publication/subscription, stop and open the target).
* :mod:`~dataplane.snapshots`: ``snapshot-restore`` (base backup, cross-Region copy, restore).
* :mod:`~dataplane.lag`: ``AWS/RDS ReplicaLag`` and ``AWS/DMS CDCLatency*`` from PostgreSQL.
* :mod:`~dataplane.schema`: the shop's table and role; reading order ids directly.
* :mod:`~dataplane.shop`: the HTTP app of a Region; :mod:`~dataplane.customers`: the workload.
* :mod:`~dataplane.loss`: orders lost, data-loss window, stranded orders, outage.
* :mod:`~dataplane.measure`: ``python -m dataplane.measure`` prints each operation's time.

How a drill step drives it (``read-replica``; the others differ only where noted)::

    with DataPlane(reports_dir / "dataplane") as plane:
        primary = plane.new_primary("primary", "us-east-1")
        pair = PhysicalReplica.create(plane, primary, standby_region="us-west-2")
        #   dms:              task = LogicalReplication.create(plane, primary, target_region=...)
        #   snapshot-restore: no standby; take_snapshot(primary, snapshot_store(plane, east), name)
        #                     then copy_snapshot(snap, snapshot_store(plane, west), link=link)
        east = plane.own(ShopApp("us-east-1", primary).start())
        west = plane.own(ShopApp("us-west-2", pair.standby).start())   # read-only until promoted
        customers = plane.own(Customers(name, resolve, clock=clock).start())
        ...  # publish pair.lag() as ReplicaLag (task.lag() as CDCLatencySource/Target)
        failure_at = clock(); pair.link.cut(); primary.crash()        # the Region fails
        replayed = order_ids(pair.standby)                            # before promotion
        pair.promote()          # dms: task.stop(); snapshot-restore: restore_snapshot(...)
        ...  # the resolver now answers west; customers keep ordering
        customers.stop()
        report = count_loss_from(customers.acks, customers.failures, failure_at=failure_at,
                                 old_primary=primary, new_writer=pair.standby,
                                 replayed_ids=replayed)
"""
