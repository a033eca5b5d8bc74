"""Backups that restore (issue 15, points 1, 2 and 6), on SQLite and PostgreSQL.

A backup is taken while another real process keeps issuing tickets; restored into an empty database
it holds every ticket committed before the backup began, and the events log row for row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.cli import main
from hallterm.config import BackupSettings, sqlite_url
from hallterm.domain.events import EventKind
from hallterm.services import queue
from hallterm.services.backup import BackupRefused, backup_database, copy_database, nightly_backup, restore_database
from hallterm.services.context import Services
from hallterm.services.integrity import SEAL_AFTER, check_database, seal_events
from hallterm.storage import backup as store
from hallterm.storage import migrate
from hallterm.storage.engine import Database
from hallterm.storage.tables import events, tickets
from tests.sessions import DESK
from tests.storage.conftest import settings_for

WRITER = """
import pathlib, sys
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import issue_walkin
from hallterm.services.staff import StaffSession
DESK = StaffSession("S1401", "测试前台", "desk", "综合窗口", "")
log, stop = map(pathlib.Path, sys.argv[1:3])
svc = Services.open(load_settings(), upgrade=False)
with log.open("a") as out:
    while not stop.exists():
        number = issue_walkin(svc, DESK, count_ahead=False).number  # returns once committed
        out.write(number + "\\n")
        out.flush()
"""


def _committed(log: Path) -> set[str]:
    return {line for line in log.read_text().split("\n") if line}


def _wait_for(log: Path, n: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and len(_committed(log)) >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"the writer committed fewer than {n} tickets in 60 s")


def _numbers(svc: Services) -> set[str]:
    with svc.db.read() as conn:
        return set(conn.execute(select(tickets.c.ticket_no)).scalars())


def _events(svc: Services) -> list[tuple[object, ...]]:
    with svc.db.read() as conn:
        return [tuple(r) for r in conn.execute(select(events).order_by(events.c.id))]


def test_a_backup_taken_while_tickets_are_issued_restores_every_committed_row(
        any_hall: Services, empty_db_url: str, tmp_path: Path) -> None:
    log, stop = tmp_path / "issued.txt", tmp_path / "stop"
    env = {**os.environ, "HALLTERM_DB_URL": any_hall.db.url}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(log), str(stop)], env=env,
                              stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(log, 30)
        before = _committed(log)  # committed before the backup began
        done = backup_database(any_hall, tmp_path / "hall-backup.sqlite3")
        _wait_for(log, len(before) + 10)  # the desks kept writing all along
    finally:
        stop.touch()
        _, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert done.path.stat().st_mode & 0o777 == 0o600

    target = Services.open(settings_for(empty_db_url))
    try:
        restored = restore_database(target, done.path)
        assert restored.problems == []
        numbers = _numbers(target)
        assert before <= numbers, f"lost: {sorted(before - numbers)}"
        assert numbers <= _numbers(any_hall)  # nothing the source never had
        source_events = _events(any_hall)
        restored_events = _events(target)[:-1]  # the last one records the restore itself
        assert restored_events == source_events[:len(restored_events)]  # the log intact, row for row
        assert _events(target)[-1][2] == EventKind.DATABASE_RESTORED
        # The restored hall goes on: the next ticket is new, its id past every restored one.
        assert queue.issue_walkin(target, DESK, count_ahead=False).number not in numbers
    finally:
        target.close()


def test_restore_refuses_files_that_are_not_sound_backups_and_databases_that_are_not_empty(
        loaded: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = backup_database(loaded, tmp_path / "good.sqlite3").path
    target = tmp_path / "new.sqlite3"

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(os.urandom(8192))
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute(f"UPDATE {store.INFO_TABLE} SET value = '9999_from_the_future' WHERE key = 'revision'")
    conn.close()

    for file, words in ((garbage, "不是 hallterm 的备份文件"), (truncated, "已损坏"),
                        (foreign, "不是 hallterm 的备份文件"), (newer, "更新版本"),
                        (tmp_path / "missing.sqlite3", "不存在")):
        assert main(["--db", str(target), "db", "restore", str(file)]) == 1, file
        err = capsys.readouterr().err
        assert words in err, (file, err)
        assert "Traceback" not in err

    assert main(["--db", str(target), "db", "restore", str(good)]) == 0
    assert "未发现问题" in capsys.readouterr().out
    with sqlite3.connect(target) as conn:
        holders_before = conn.execute("SELECT COUNT(*) FROM card_holders").fetchone()[0]
    conn.close()
    # A second restore into the now full database is refused, naming tables, and changes nothing.
    assert main(["--db", str(target), "db", "restore", str(good)]) == 1
    assert "不是空的" in capsys.readouterr().err
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT COUNT(*) FROM card_holders").fetchone()[0] == holders_before
    conn.close()
    # A backup never overwrites a file.
    assert main(["--db", loaded.db.url.removeprefix("sqlite:///"), "db", "backup", str(good)]) == 1
    assert "已存在" in capsys.readouterr().err


def test_a_backup_of_an_older_schema_is_migrated_on_a_copy_and_restored(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"  # as a hallterm of migration 0011 would have written it
    db = Database(sqlite_url(old))
    migrate.upgrade(db, "0011")
    db.dispose()
    with sqlite3.connect(old) as conn:
        conn.execute("INSERT INTO events (at, kind, details) VALUES ('2026-11-02 01:00:00', 'demo_built', '{}')")
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    store.write_info(old, store.BackupInfo("0011", "sqlite", "2026-11-02T01:00:00+00:00", "admin"))
    before = old.read_bytes()
    target = Services.open(settings_for(sqlite_url(tmp_path / "new.sqlite3")))
    try:
        done = restore_database(target, old)
        assert done.problems == []
        assert done.rows["events"] == 1
        assert [e[2] for e in _events(target)] == ["demo_built", EventKind.DATABASE_RESTORED]
    finally:
        target.close()
    assert old.read_bytes() == before  # the backup itself is never changed


def test_copy_moves_a_sqlite_hall_to_an_empty_postgresql_database(
        loaded: Services, pg_empty_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        queue.issue_walkin(loaded, DESK, count_ahead=False)
    assert seal_events(loaded.db, loaded.now() + SEAL_AFTER) > 0  # the seals must verify on the server too
    with loaded.db.read() as conn:
        counts = store.row_counts(conn)
    source_events = _events(loaded)

    monkeypatch.setenv("HALLTERM_COPY_TO_URL", pg_empty_url)  # the password stays off the command line
    sqlite_file = loaded.db.url.removeprefix("sqlite:///")
    assert main(["--db", sqlite_file, "db", "copy"]) == 0
    out = capsys.readouterr().out
    assert f"共 {sum(counts.values())} 行" in out

    target = Services.open(settings_for(pg_empty_url), clock=loaded.clock)
    try:
        with target.db.read() as conn:
            assert store.row_counts(conn) == {**counts, "events": counts["events"] + 1}
        assert _events(target)[:-1] == source_events
        assert _events(target)[-1][2] == EventKind.DATABASE_COPIED
        assert check_database(target.db) == []
        # Sequences and counters moved on: the next ticket neither clashes nor repeats a number.
        numbers = _numbers(target)
        assert queue.issue_walkin(target, DESK, count_ahead=False).number not in numbers
        # A second copy into it is refused: it is no longer empty.
        with pytest.raises(BackupRefused, match="不是空的"):
            copy_database(loaded, pg_empty_url)
    finally:
        target.close()


def test_the_nightly_backup_keeps_the_newest_n_of_its_own_files(
        loaded: Services, clock: list[dt.datetime], tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    mine = folder / "notes.txt"  # not the sweep's: never deleted
    mine.write_text("hall notes")
    svc = dataclasses.replace(loaded, settings=dataclasses.replace(
        loaded.settings, backup=BackupSettings(dir=str(folder), keep=2)))
    made = []
    for day in range(3):
        clock[0] += dt.timedelta(days=1)
        done, removed = nightly_backup(svc)
        made.append(done.path)
        assert removed == ([made[0]] if day == 2 else [])
    assert sorted(p.name for p in folder.iterdir()) == sorted([made[1].name, made[2].name, "notes.txt"])
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in made[1:])
    with svc.db.read() as conn:
        kinds = list(conn.execute(select(events.c.kind).where(events.c.kind == EventKind.DATABASE_BACKED_UP)))
    assert len(kinds) == 3
    # Two sweeps in the same second (the timer and a hand run): the second gets its own name, and is newest.
    done, removed = nightly_backup(svc)
    assert done.path.name == made[2].name.replace(".sqlite3", "-2.sqlite3")
    assert removed == [made[1]]
