"""The report's DR-cycle section: each event's loss and write pause with its basis."""

from __future__ import annotations

from drill.report.cycle import markdown_lines, terminal_lines

CYCLE = {"deploys": {"failed-over": {"ok": True, "ops": {"same": 40, "update": 2}, "not_applied": [],
                                     "changes": [{"name": "standby", "op": "update"}]}},
         "events": [{"kind": "planned failback", "status": "failed-back", "orders_lost": 0,
                     "acknowledged_by_old_writer": 150, "data_loss_window_seconds": 0.0,
                     "rpo_seconds": 3600.0,
                     "write_pause": {"drill_clock_seconds": 95.2, "measured_seconds": 1.25,
                                     "skipped_seconds": 93.95, "failed_orders": 14,
                                     "skipped": ["orchestrator poll wait x3", "DNS TTL"]}}]}


def test_the_section_labels_each_figure() -> None:
    text = "\n".join(markdown_lines({"cycle": CYCLE}))
    assert "| failed-over | yes | 40 same, 2 update: standby update | 0 |" in text
    assert ("| planned failback | failed-back | 0 of 150 acknowledged by the old writer (measured)"
            " | 0.000 s (measured) vs RPO 3600 s (configured) | 1.250 s measured + 94 s modelled, "
            "skipped on the drill's clock (orchestrator poll wait x3, DNS TTL); 14 order(s) "
            "refused |") in text
    assert terminal_lines({"cycle": CYCLE}) == [
        "planned failback: 0 order(s) lost (measured), write pause 1.250 s measured + 94 s "
        "modelled, skipped on the drill's clock (orchestrator poll wait x3, DNS TTL); 14 "
        "order(s) refused"]


def test_no_section_without_a_cycle() -> None:
    assert markdown_lines({"cycle": None}) == [] and terminal_lines({}) == []
