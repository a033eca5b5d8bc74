"""The events log is append-only in the database itself; times go in and come out as aware UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, StatementError

from hallterm.services.context import Services
from hallterm.storage import events
from hallterm.storage.tables import events as events_table

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_append_and_read_back(any_db: Services) -> None:
    with any_db.db.write() as conn:
        first = events.append(conn, "card_scanned", any_db.now(), staff_id="D01", card_no="GD2022A000178",
                              verdict="ok")
        second = events.append(conn, "case_opened", any_db.now(), case_id=None, case_no="210300-1")
    assert second > first
    with any_db.db.read() as conn:
        assert events.last_id(conn) == second
        latest = events.recent(conn, limit=1)[0]
        scans = events.recent(conn, kind="card_scanned")
    assert latest.kind == "case_opened" and latest.details == {"case_no": "210300-1"}
    assert [(e.staff_id, e.card_no, e.details) for e in scans] == [("D01", "GD2022A000178", {"verdict": "ok"})]


@pytest.mark.parametrize("statement", [
    "UPDATE events SET kind = 'tampered'",
    "DELETE FROM events",
])
def test_events_refuse_update_and_delete(any_db: Services, statement: str) -> None:
    with any_db.db.write() as conn:
        events.append(conn, "card_scanned", any_db.now(), card_no="GD2022A000178")
    with pytest.raises(DBAPIError, match="append-only"), any_db.db.write() as conn:
        conn.execute(text(statement))
    with any_db.db.read() as conn:
        rows = conn.execute(select(events_table.c.kind)).scalars().all()
    assert rows == ["card_scanned"]


@pytest.mark.parametrize("given", [
    dt.datetime(2026, 11, 26, 2, 0, 0, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 26, 10, 0, 0, 500, tzinfo=SHANGHAI),  # the hall's local time, stored as UTC
    dt.datetime(2026, 3, 1, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
], ids=["utc", "shanghai", "minus5"])
def test_utc_datetime_round_trips_aware_utc(any_db: Services, given: dt.datetime) -> None:
    with any_db.db.write() as conn:
        event_id = events.append(conn, "probe", given)
    with any_db.db.read() as conn:
        if any_db.db.engine.dialect.name == "postgresql":  # the session's zone must not matter
            conn.execute(text("SET TIME ZONE 'America/New_York'"))
        back = conn.execute(select(events_table.c.at).where(events_table.c.id == event_id)).scalar_one()
    assert back == given
    assert back.utcoffset() == dt.timedelta(0)
    assert back.tzinfo is dt.UTC


def test_sqlite_stores_utc_wall_time(tmp_path, services_factory) -> None:
    from hallterm.config import sqlite_url

    svc = services_factory(sqlite_url(tmp_path / "hall.sqlite3"))
    with svc.db.write() as conn:
        events.append(conn, "probe", dt.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))
    with svc.db.read() as conn:
        raw = conn.exec_driver_sql("SELECT at FROM events").scalar_one()
    assert str(raw).startswith("2026-11-26 02:00:00")


def test_naive_datetime_is_refused(any_db: Services) -> None:
    with pytest.raises((StatementError, ValueError), match="naive"), any_db.db.write() as conn:
        events.append(conn, "probe", dt.datetime(2026, 11, 26, 10, 0))
    with any_db.db.read() as conn:
        assert events.last_id(conn) == 0
