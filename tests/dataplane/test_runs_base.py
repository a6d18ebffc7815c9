"""Where the tests' PostgreSQL runs go: a memory file system with room, else ``reports/``."""

from __future__ import annotations

from pathlib import Path

from tests.runs import REPORTS, runs_base


def test_a_file_system_with_room_is_used(tmp_path: Path) -> None:
    assert runs_base(tmp_path, needed=1 << 20) == tmp_path / "ecommerce-dr-tests"


def test_a_file_system_without_room_falls_back_to_reports(tmp_path: Path) -> None:
    assert runs_base(tmp_path, needed=1 << 60) == REPORTS


def test_a_missing_file_system_falls_back_to_reports(tmp_path: Path) -> None:
    assert runs_base(tmp_path / "absent", needed=1) == REPORTS
