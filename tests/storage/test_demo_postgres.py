"""`hallterm --db URL demo --no-ui` builds into the database given, PostgreSQL too (issue 12 point 7):
an empty one only — a previous demo there cannot be cleared in place (the events log is append-only)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from hallterm.services import after_hours
from hallterm.services.context import Services
from hallterm.storage.tables import appointments
from tests.cli.test_demo_and_staff import hallterm
from tests.storage.conftest import settings_for


def test_the_demo_builds_into_an_empty_postgresql_database_once(pg_empty_url: str, tmp_path: Path) -> None:
    unused = tmp_path / "unused.sqlite3"
    built = hallterm("--db", pg_empty_url, "demo", "--no-ui", "--days", "1", db=unused)
    assert built.returncode == 0, built.stderr
    assert "预约：今天" in built.stdout and not unused.exists()
    svc = Services.open(settings_for(pg_empty_url), upgrade=False)
    try:
        with svc.db.read() as conn:
            assert conn.execute(select(func.count()).select_from(appointments)).scalar_one() > 0
        assert any(e.kind is after_hours.HandoverKind.CASE for e in after_hours.handover(svc).entries)
    finally:
        svc.close()
    again = hallterm("--db", pg_empty_url, "demo", "--no-ui", "--days", "1", db=unused)
    assert again.returncode == 1 and "已有一份演示数据" in again.stderr and "dropdb" in again.stderr
