"""The watcher that tells the display of a commit as it happens (issue 17 point 2), on SQLite (``PRAGMA
data_version`` on its own connection) and on PostgreSQL (LISTEN; ``events.append`` NOTIFYs in the
writing transaction)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from hallterm.domain.events import EventKind
from hallterm.services.context import Services
from hallterm.storage import events, live


class Rollback(Exception):
    pass


def test_a_commit_is_heard_and_a_rollback_is_not(any_db: Services) -> None:
    watcher = live.open_watcher(any_db.settings.db.url)
    assert watcher is not None
    try:
        assert not watcher.wait(0.2)  # nothing committed since it started
        with pytest.raises(Rollback), any_db.db.write() as conn:
            events.append(conn, EventKind.CARD_SCANNED, dt.datetime.now(dt.UTC))
            raise Rollback
        assert not watcher.wait(0.3)  # a rolled-back write sends nothing, changes nothing
        with any_db.db.write() as conn:
            events.append(conn, EventKind.CARD_SCANNED, dt.datetime.now(dt.UTC))
            events.append(conn, EventKind.CARD_SCANNED, dt.datetime.now(dt.UTC))
        assert watcher.wait(10)
        assert not watcher.wait(0.2)  # the two events of one transaction were one piece of news
        with any_db.db.write() as conn:
            events.append(conn, EventKind.CARD_SCANNED, dt.datetime.now(dt.UTC))
        assert watcher.wait(10)
    finally:
        watcher.close()


def test_a_read_only_query_is_not_news(any_db: Services) -> None:
    watcher = live.open_watcher(any_db.settings.db.url)
    assert watcher is not None
    try:
        with any_db.db.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() >= 0
        assert not watcher.wait(0.3)
    finally:
        watcher.close()


def test_no_watcher_for_an_in_memory_database_and_none_creates_a_file(tmp_path: Path) -> None:
    assert live.open_watcher("sqlite://") is None
    assert live.open_watcher("sqlite:///:memory:") is None
    missing = tmp_path / "not-yet.sqlite3"
    with pytest.raises(sqlite3.OperationalError):  # the desk creates the database file, not the display
        live.open_watcher(f"sqlite:///{missing}")
    assert not missing.exists()


def test_a_transaction_of_many_events_sends_one_notification(pg_url: str) -> None:
    """Issue 17 point 5: each NOTIFY is a round trip; a checklist's ten events need one wake-up, and each
    later transaction (after a commit or a rollback) its own."""
    from sqlalchemy import event

    from tests.storage.conftest import settings_for

    svc = Services.open(settings_for(pg_url), upgrade=False)
    sent: list[str] = []
    event.listen(svc.db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: sent.append(statement) if "pg_notify" in statement else None)
    try:
        with pytest.raises(Rollback), svc.db.write() as conn:
            events.append(conn, EventKind.CARD_SCANNED, dt.datetime.now(dt.UTC))
            raise Rollback
        for _ in range(2):
            with svc.db.write() as conn:
                for _ in range(10):
                    events.append(conn, EventKind.CARD_SCANNED, dt.datetime.now(dt.UTC))
        assert len(sent) == 3
    finally:
        svc.close()
