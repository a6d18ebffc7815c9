"""A run's alert reaches every Region's topic however many errors it lists (SNS refuses a
message over 262,144 bytes); the run record keeps every error."""

from __future__ import annotations

import pytest

from emulator.clients import RecordingClients
from handlers.backup.runner import run_backup
from handlers.backup.steps import snapshot_primary
from handlers.shared.alerts import MAX_MESSAGE_BYTES, TRUNCATED_KEY
from tests.backup.world import PERIOD, PRIMARY, STANDBY, World


def test_an_alert_listing_thousands_of_errors_is_delivered(
        world: World, recorder: RecordingClients, monkeypatch: pytest.MonkeyPatch) -> None:
    real = snapshot_primary.run

    def many_errors(ctx) -> None:  # e.g. hundreds of databases, each refused
        real(ctx)
        for i in range(3000):
            ctx.record.error(region=PRIMARY, step="snapshot", database=f"db-{i:04d}",
                             code="AccessDenied", message="not authorized: " + "x" * 100)

    monkeypatch.setattr(snapshot_primary, "run", many_errors)
    rec = run_backup(world.settings(), period=PERIOD, run_id="big", clients=recorder)

    assert rec.status == "partial"
    assert rec.alerts == {PRIMARY: "published", STANDBY: "published"}
    (sent,) = [p for r, _s, op, p in recorder.log if op == "Publish" and r == STANDBY]
    assert len(sent["Message"].encode()) <= MAX_MESSAGE_BYTES
    (alert,) = world.alerts(STANDBY)
    assert "the run record s3://dr-metadata-prod/runs/202603011000/big.json" in alert[
        TRUNCATED_KEY]
    (stored,) = world.metadata()
    assert len(stored["errors"]) == 3000  # the record keeps them all
