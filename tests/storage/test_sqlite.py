"""The embedded SQLite database: WAL, foreign keys, a busy timeout, and writes in BEGIN IMMEDIATE."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event, insert, text
from sqlalchemy.exc import IntegrityError

from hallterm.config import sqlite_url
from hallterm.services.context import Services
from hallterm.storage.engine import DatabaseUnavailable
from hallterm.storage.tables import case_items, lounges

BUSY_MS = 300


@pytest.fixture
def url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path / "hall.sqlite3")


def test_pragmas(url: str, services_factory: Callable[..., Services]) -> None:
    svc = services_factory(url, db_busy_timeout_ms=str(BUSY_MS))
    with svc.db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_MS
    with svc.db.write() as conn:  # every pooled connection, read or write, has them
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(url: str, services_factory: Callable[..., Services]) -> None:
    svc = services_factory(url)
    with pytest.raises(IntegrityError), svc.db.write() as conn:
        conn.execute(insert(case_items).values(case_id=999, item_code="nope", status="open"))


def test_write_transactions_begin_immediate(url: str, services_factory: Callable[..., Services]) -> None:
    svc = services_factory(url)
    seen: list[str] = []
    event.listen(svc.db.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement))
    with svc.db.write() as conn:
        conn.execute(text("SELECT 1"))
    with svc.db.read() as conn:
        conn.execute(text("SELECT 1"))
    begins = [s for s in seen if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_second_writer_waits_then_gets_a_locked_message(url: str,
                                                         services_factory: Callable[..., Services]) -> None:
    """Two terminals on one file: while one holds a write transaction, the other's write waits for
    the busy timeout and then fails with DatabaseUnavailable, before running a single statement
    (BEGIN IMMEDIATE takes the write lock up front). A reader is not blocked meanwhile (WAL)."""
    first = services_factory(url, db_busy_timeout_ms=str(BUSY_MS))
    second = services_factory(url, db_busy_timeout_ms=str(BUSY_MS))
    with first.db.write() as conn:
        conn.execute(insert(lounges).values(code="L9", name="测试室", floor=2, capacity=4, active=True))

        entered = False
        started = time.perf_counter()
        with pytest.raises(DatabaseUnavailable) as caught, second.db.write():
            entered = True  # a deferred BEGIN would get here; BEGIN IMMEDIATE must not
        waited = time.perf_counter() - started
        assert not entered
        assert "锁定" in str(caught.value) and "重试" in str(caught.value)
        assert BUSY_MS / 1000 * 0.8 <= waited < 5, f"waited {waited:.3f} s for a {BUSY_MS} ms busy timeout"

        started = time.perf_counter()
        with second.db.read() as reader:  # the reader sees the last committed state, at once
            assert reader.execute(text("SELECT count(*) FROM lounges WHERE code = 'L9'")).scalar() == 0
        assert time.perf_counter() - started < BUSY_MS / 1000 / 2

    with second.db.write() as conn:  # once the first commits, the second writes
        assert conn.execute(text("SELECT count(*) FROM lounges WHERE code = 'L9'")).scalar() == 1


def test_locked_database_error_carries_the_cause(url: str, services_factory: Callable[..., Services]) -> None:
    first = services_factory(url, db_busy_timeout_ms="50")
    second = services_factory(url, db_busy_timeout_ms="50")
    with first.db.write(), pytest.raises(DatabaseUnavailable) as caught, second.db.write():
        pass
    assert "locked" in str(caught.value.__cause__).lower()
