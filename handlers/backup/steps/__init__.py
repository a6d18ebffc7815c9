"""The steps of one backup run, one module each, every one ``run(ctx: RunContext) -> None``
over :class:`handlers.backup.context.RunContext`, in the order the runner calls them:

1. :mod:`.take_inventory` - list both Regions (timing ``inventory``);
2. :mod:`.preserve_failover` - manual copies of Aurora's unplanned-failover snapshots, when
   there are any (``preserve``), then :mod:`.snapshot_primary` - prune, then snapshot each
   database (``primary``);
3. :mod:`.snapshot_standby` - prune, then copy and snapshot standbys (``standby``);
4. :mod:`.measure_recovery_point` - recovery-point ages (``measure``);

then, whatever happened: :mod:`.publish_metrics` (``metrics``), :mod:`.send_alert` when the
run is not complete (``alert``), and :mod:`.write_record`. Shared Region work (pruning,
outcomes) is in :mod:`.regional`.
"""
