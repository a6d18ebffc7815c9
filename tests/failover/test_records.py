"""The state table's typed records keep the item shapes on the wire: flat one-time request
keys, strategy notes at the top level, None fields absent, unknown keys kept."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.failover.records import (
    FailbackAttempt,
    FailoverRecord,
    GateLatch,
    LockItem,
    StepRecord,
    WatchdogItem,
)

#: A failover item as the table holds it (the shape earlier versions wrote, too).
ITEM: dict[str, Any] = {
    "pk": "failover", "failover_id": "fo-1", "status": "in-progress", "trigger": "manual",
    "reason": "drill", "force": False, "started_at": "2026-11-29T12:00:00.000+00:00",
    "started_epoch": 1795000000.5, "current_step": "promote", "invocations": 2,
    "steps": {"verify_failure": {"outcome": "ok", "started_at": "t0", "started_epoch": 1.5,
                                 "ended_at": "t1", "duration_seconds": 0.2,
                                 "own_seconds": 0.2, "wait_seconds": 0.0,
                                 "budget_seconds": 30, "over_budget": False, "attempts": 1,
                                 "detail": {"verdict": "primary failure confirmed",
                                            "forced": None}}},
    "step_alerts": {"promote": {"sent": 1, "suppressed": 2, "last_sent_epoch": 3.0,
                                "last_sent_at": "t2"}},
    "promotion_requested_state": "intent", "promotion_requested_epoch": 1795000001.0,
    "promotion_requested_at": "t3", "promotion_requested_attempts": 1,
    "restore_snapshot_id": "shop-primary-dr-202611291100-copy",
    "dms_drain_started_epoch": 1795000002.0,
}


def test_failover_item_round_trips_unchanged() -> None:
    record = FailoverRecord.from_item(ITEM)
    assert record.requests["promotion_requested"].state == "intent"
    assert record.requests["promotion_requested"].attempts == 1
    assert record.notes == {"restore_snapshot_id": "shop-primary-dr-202611291100-copy",
                            "dms_drain_started_epoch": 1795000002.0}
    assert record.steps["verify_failure"].outcome == "ok"
    assert record.step_alerts["promote"].suppressed == 2
    assert record.to_item() == {k: v for k, v in ITEM.items() if k != "pk"}


def test_a_new_request_and_note_are_written_flat() -> None:
    record = FailoverRecord(failover_id="fo-2", status="in-progress", trigger="watchdog",
                            started_at="t", started_epoch=1.0)
    req = record.request("dms_stop_requested")
    req.state, req.attempts = "failed", 1
    req.error = "AccessDeniedFault: not yet"
    record.notes["dms_stopped_at"] = "t9"
    item = record.to_item()
    assert {k: v for k, v in item.items() if k.startswith("dms_")} == {
        "dms_stop_requested_state": "failed", "dms_stop_requested_attempts": 1,
        "dms_stop_requested_error": "AccessDeniedFault: not yet", "dms_stopped_at": "t9"}
    assert "requests" not in item and "notes" not in item
    assert item["steps"] == {} and item["invocations"] == 0
    assert "last_error" not in item and "completed_at" not in item  # None: absent


def test_bad_request_keys_and_clashing_notes_are_refused() -> None:
    record = FailoverRecord.from_item(ITEM)
    with pytest.raises(ValueError, match="must end with '_requested'"):
        record.request("promotion")
    record.notes["status"] = "completed"
    with pytest.raises(ValueError, match="clash"):
        record.to_item()


def test_typed_fields_refuse_values_of_the_wrong_kind() -> None:
    with pytest.raises(ValueError, match="status"):
        FailoverRecord.from_item({**ITEM, "status": "exploded"})
    step = StepRecord()
    with pytest.raises(ValueError, match="outcome"):
        step.outcome = "done"  # type: ignore[assignment]


def test_the_other_items_keep_their_keys() -> None:
    lock = {"owner": "req-1", "failover_id": "fo-1", "lease_expires_epoch": 0,
            "acquired_at": "t", "renewed_at": "t2", "renewals": 3, "released_at": "t3"}
    assert LockItem.from_item({"pk": "lock", **lock}).to_item() == lock
    assert GateLatch().to_item() == {"tripped": False}
    latch = {"tripped": True, "tripped_at": "t", "failover_id": "fo-1", "last_published": 1,
             "last_published_at": "t", "generation": 1}
    assert GateLatch.from_item(latch).to_item() == latch
    assert WatchdogItem().to_item() == {"armed": False, "recent_failures_epoch": []}
    # A key this version does not know is kept for the next write.
    assert WatchdogItem.from_item({"armed": True, "later": 1}).to_item()["later"] == 1
    assert FailbackAttempt(outcome="refused", reason="r", refusal="no replica").to_item() == {
        "outcome": "refused", "reason": "r", "refusal": "no replica"}
