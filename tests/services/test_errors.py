"""One translation of any failure into the clerk's line (services.errors.explain)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from hallterm.domain.auth import AuthError
from hallterm.domain.cards import ScanError
from hallterm.domain.errors import Refused
from hallterm.domain.queue import QueueError
from hallterm.domain.reference import ReferenceDataError
from hallterm.printing.backends import PrintFailed
from hallterm.services.errors import explain, is_expected
from hallterm.storage.engine import DISK_FULL, Database, DatabaseUnavailable


def test_a_refusal_is_shown_as_it_is_worded() -> None:
    for exc in (AuthError("工号或 PIN 不正确"), ScanError("这不是钢都英才卡号"), QueueError("本窗口没有正在接待的号"),
                PrintFailed("打印机缺纸"), ReferenceDataError("hall.toml", 3, "缺少 name")):
        assert isinstance(exc, Refused)
        assert is_expected(exc)
        assert explain(exc) == str(exc)
    assert explain(ReferenceDataError("hall.toml", 3, "缺少 name")) == "hall.toml 第 3 行：缺少 name"


def test_a_locked_sqlite_file_reads_as_locked(tmp_path: Path) -> None:
    path = tmp_path / "hall.sqlite3"
    db = Database(f"sqlite:///{path}", busy_timeout_ms=50)
    with db.write() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another terminal holds the write lock
    try:
        with pytest.raises(DatabaseUnavailable) as info, db.write() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        line = explain(info.value)
        assert "已锁定" in line and "重试" in line
        # The raw driver error (as at start-up, before the Database wraps it) reads the same.
        with pytest.raises(OperationalError) as raw, db.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        assert explain(raw.value) == line
    finally:
        other.rollback()
        other.close()
        db.dispose()


def test_an_unreachable_postgresql_names_it_without_its_password() -> None:
    url = "postgresql+psycopg://clerk:s3cret@127.0.0.1:1/hall"
    db = Database(url)
    try:
        with pytest.raises(DatabaseUnavailable) as info, db.read() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        db.dispose()
    line = explain(info.value)
    assert line.startswith("无法连接数据库") and "127.0.0.1:1/hall" in line
    assert "s3cret" not in line
    with pytest.raises(OperationalError) as raw:
        Database(url).engine.connect()
    assert explain(raw.value, url) == line


def test_a_fault_gets_the_generic_line_and_its_traceback_goes_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    try:
        {}["lounge"]
    except KeyError as exc:
        with caplog.at_level(logging.ERROR, logger="hallterm.services.errors"):
            line = explain(exc)
        assert not is_expected(exc)
    assert line == "操作失败（程序内部错误，详情已记入日志）。已输入的内容保留，请重试或联系管理员"
    assert caplog.records and caplog.records[0].exc_info is not None
    assert explain(RuntimeError("x"), fault="无法打开数据库", advice="") == \
        "无法打开数据库（程序内部错误，详情已记入日志）"
    spool = PermissionError(13, "Permission denied", "/var/spool/hallterm/S1.png")
    assert explain(spool) == f"操作失败（没有权限：{spool.filename}）。已输入的内容保留，请重试或联系管理员"


def test_a_database_fault_never_shows_the_statement_or_the_values_typed(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    with db.write() as conn:
        conn.execute(text("CREATE TABLE holders (card_no TEXT PRIMARY KEY)"))
        conn.execute(text("INSERT INTO holders VALUES ('GD2024A000017')"))
    with pytest.raises(IntegrityError) as info, db.write() as conn:
        conn.execute(text("INSERT INTO holders VALUES (:card)"), {"card": "GD2024A000017"})
    db.dispose()
    line = explain(info.value)
    assert "GD2024A000017" not in line and "INSERT" not in line
    assert line.startswith("操作失败（数据库拒绝保存：与已有记录冲突）")


def _sqlite_error(message: str, name: str) -> OperationalError:
    orig = sqlite3.OperationalError(message)
    orig.sqlite_errorname = name  # what the driver sets on the errors it raises
    return OperationalError("SELECT 1", {}, orig)


def test_a_disk_io_error_reads_in_chinese_and_as_a_full_disk_when_it_is_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    # The -shm file could not grow: SQLite's sign of a full disk (tests/outage/test_full_disk.py makes it for real).
    assert explain(_sqlite_error("disk I/O error", "SQLITE_IOERR_SHMSIZE"), url) == DISK_FULL
    # Another I/O error on a disk with room: not called full, and not in SQLite's English either.
    line = explain(_sqlite_error("disk I/O error", "SQLITE_IOERR_FSYNC"), url)
    assert line.startswith("数据库文件读写出错") and "I/O error" not in line and str(tmp_path) in line
