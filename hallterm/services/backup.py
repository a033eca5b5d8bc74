"""Backups that restore, and the move from one PC to a server (issue 15, points 1, 2 and 6).

- ``backup_database``: a consistent copy while desks keep writing, always a SQLite file 0600 (SQLite's
  online backup API; on PostgreSQL one REPEATABLE READ snapshot copied into a file the migrations
  built). Written under a temporary name, synced, then renamed: a half-written backup never carries
  the final name.
- ``restore_database``: only into a database with no rows (nothing there can be lost), after checking
  that the file is a sound hallterm backup of a schema this program knows (an older one is migrated
  on a temporary copy first); one transaction, then the integrity check.
- ``copy_database``: the same copy from the hall's database into another, empty one (SQLite → PostgreSQL).

Each act is an event on the database it leaves changed, with the operating-system user who ran it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from hallterm.config import sqlite_url
from hallterm.config_locations import DEFAULT_DB_DIR
from hallterm.domain.errors import Refused
from hallterm.domain.events import EventKind
from hallterm.domain.os_errors import os_error_words
from hallterm.services.context import Services
from hallterm.services.integrity import check_database
from hallterm.services.who import actor, os_user
from hallterm.storage import backup as store
from hallterm.storage import events, migrate
from hallterm.storage.engine import Database, safe_url

SWEEP_NAME = re.compile(r"hallterm-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3")  # the sweep prunes only files it named


class BackupRefused(Refused):
    """A backup, restore or copy that cannot be done; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class BackupDone:
    path: Path
    taken_at: dt.datetime
    rows: int
    size: int


@dataclass(frozen=True)
class RestoreDone:
    info: store.BackupInfo
    rows: dict[str, int]
    problems: list[str]  # what ``db check`` found afterwards (empty: all sound)


# ---------------------------------------------------------------- backup


def backup_database(svc: Services, target: Path) -> BackupDone:
    target = target.expanduser()
    if target.exists():
        raise BackupRefused(f"备份文件已存在：{target}。请换一个文件名，或先移走旧文件（备份不会覆盖已有文件）")
    if not target.parent.is_dir():
        raise BackupRefused(f"备份目录不存在：{target.parent}。请先创建该目录")
    revision = migrate.current_revision(svc.db)
    if revision != migrate.head_revision():
        raise BackupRefused("数据库结构不是本程序的版本：请先运行 hallterm db upgrade，再备份")
    taken_at = svc.now()
    staging = _staging_file(target.parent, target.name)
    try:
        if svc.db.is_sqlite:
            store.sqlite_online_backup(_sqlite_path(svc.db), staging)
        else:
            _snapshot_into(svc.db, staging)
        store.write_info(staging, store.BackupInfo(revision, "sqlite" if svc.db.is_sqlite else "postgresql",
                                                   taken_at.astimezone(dt.UTC).isoformat(), os_user()))
        counted = sqlite3.connect(staging)
        try:
            rows = sum(store.row_counts_sqlite(counted).values())
        finally:
            counted.close()
        _sync_and_rename(staging, target)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise BackupRefused(f"备份失败：{os_error_words(exc)}（{target.parent}）。数据库未受影响") from exc
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    with svc.db.write() as conn:
        events.append(conn, EventKind.DATABASE_BACKED_UP, taken_at, **actor(None), file=target.name, rows=rows)
    return BackupDone(target, taken_at, rows, target.stat().st_size)


def _snapshot_into(db: Database, staging: Path) -> None:
    """PostgreSQL: every table read in one REPEATABLE READ snapshot, into a SQLite file of the same schema."""
    copy = Database(sqlite_url(staging))
    try:
        migrate.upgrade(copy)
        with db.engine.connect() as source:
            source = source.execution_options(isolation_level="REPEATABLE READ")
            with source.begin():
                source.exec_driver_sql("SET TRANSACTION READ ONLY")
                with copy.write() as target:
                    store.copy_rows(source, target)
    finally:
        copy.dispose()
    for suffix in ("-wal", "-shm"):  # the copy's engine is closed: fold the file into one
        Path(f"{staging}{suffix}").unlink(missing_ok=True)


def _staging_file(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(fd)
    os.chmod(tmp, 0o600)  # the hall's personal data: its owner only, from the first byte
    os.unlink(tmp)  # SQLite makes the file itself; the name is reserved for us by its randomness
    return Path(tmp)


def _sync_and_rename(staging: Path, target: Path) -> None:
    os.chmod(staging, 0o600)
    with open(staging, "rb") as fh:
        os.fsync(fh.fileno())
    if target.exists():  # someone made it meanwhile: never overwrite
        raise FileExistsError(17, "exists", str(target))
    os.replace(staging, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the new name itself survives a power cut
    finally:
        os.close(dir_fd)


def _sqlite_path(db: Database) -> Path:
    return Path(make_url(db.url).database or "")


# ---------------------------------------------------------------- restore and copy


def restore_database(svc: Services, backup: Path) -> RestoreDone:
    backup = backup.expanduser()
    info = _read_backup(backup)
    with _restorable_copy(backup, info) as source_file:
        source = Database(sqlite_url(source_file))
        try:
            rows = _copy_into_empty(source, svc.db, what="恢复")
        finally:
            source.dispose()
    with svc.db.write() as conn:
        events.append(conn, EventKind.DATABASE_RESTORED, svc.now(), **actor(None), file=backup.name,
                      taken_at=info.taken_at, rows=sum(rows.values()))
    return RestoreDone(info, rows, check_database(svc.db))


def copy_database(svc: Services, to_url: str) -> dict[str, int]:
    if migrate.current_revision(svc.db) != migrate.head_revision():
        raise BackupRefused("本数据库结构不是本程序的版本：请先运行 hallterm db upgrade，再复制")
    target = Database(to_url, busy_timeout_ms=svc.settings.db.busy_timeout_ms)
    try:
        if target.url == svc.db.url:
            raise BackupRefused("目标数据库就是当前数据库：请给出另一个空数据库的地址")
        rows = _copy_into_empty(svc.db, target, what="复制")
        with target.write() as conn:
            events.append(conn, EventKind.DATABASE_COPIED, svc.now(), **actor(None),
                          source=safe_url(svc.db.url), rows=sum(rows.values()))
    finally:
        target.dispose()
    return rows


def _copy_into_empty(source: Database, target: Database, *, what: str) -> dict[str, int]:
    migrate.ensure_current(target)
    with target.write() as dst:
        if busy := store.non_empty_tables(dst):
            shown = "、".join(busy[:6]) + ("等" if len(busy) > 6 else " ")
            raise BackupRefused(f"目标数据库不是空的（{shown}表中已有数据），不能{what}到这里："
                                f"请{what}到一个新建的空数据库，已有的数据未被改动")
        with source.read() as src:
            rows = store.copy_rows(src, dst)
        if not target.is_sqlite:
            store.reset_pg_sequences(dst)
    return rows


def _read_backup(path: Path) -> store.BackupInfo:
    if not path.is_file():
        raise BackupRefused(f"备份文件不存在：{path}。请检查文件名")
    try:
        info = store.read_info(path)
        damaged = store.sqlite_file_problems(path) if info is not None else []
    except sqlite3.DatabaseError:
        raise BackupRefused(f"{path.name} 不是 hallterm 的备份文件（不是数据库文件，或已损坏）：请换一个备份") from None
    if info is None:
        raise BackupRefused(f"{path.name} 不是 hallterm 的备份文件（由 hallterm db backup 生成的文件才能恢复）")
    if damaged:
        raise BackupRefused(f"备份文件 {path.name} 已损坏（可能没有复制完整）：请换一个备份")
    if not migrate.is_known_revision(info.revision):
        raise BackupRefused(f"备份文件 {path.name} 来自更新版本的 hallterm（数据库结构 {info.revision}）："
                            "请先把本机的 hallterm 升级到同一版本，再恢复")
    return info


@contextmanager
def _restorable_copy(path: Path, info: store.BackupInfo) -> Iterator[Path]:
    """The backup itself when its schema is this program's; else a migrated temporary copy (never the original)."""
    if info.revision == migrate.head_revision():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="hallterm-restore-") as folder:
        copy = Path(folder) / "restore.sqlite3"
        shutil.copyfile(path, copy)
        db = Database(sqlite_url(copy))
        try:
            migrate.upgrade(db)
        finally:
            db.dispose()
        yield copy


# ---------------------------------------------------------------- the nightly backup


def backup_folder(svc: Services) -> Path:
    if svc.settings.backup.dir:
        return Path(svc.settings.backup.dir).expanduser()
    if svc.db.is_sqlite:
        return _sqlite_path(svc.db).parent / "backups"
    return DEFAULT_DB_DIR / "backups"


def _taken_order(path: Path) -> tuple[str, int]:
    match = SWEEP_NAME.fullmatch(path.name)
    assert match is not None
    return match[1], int(match[2] or 1)


def nightly_backup(svc: Services) -> tuple[BackupDone, list[Path]]:
    """The sweep's backup into the settings' folder; keeps the newest ``backup.keep`` of its own files."""
    folder = backup_folder(svc)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupRefused(f"无法创建备份目录 {folder}：{os_error_words(exc)}。请检查 [backup] dir 设置") from exc
    stamp = svc.now().astimezone(svc.settings.hall.tz).strftime("%Y%m%d-%H%M%S")
    target = folder / f"hallterm-{stamp}.sqlite3"
    n = 1
    while target.exists():  # a second sweep within the same second (the timer and a hand run)
        n += 1
        target = folder / f"hallterm-{stamp}-{n}.sqlite3"
    done = backup_database(svc, target)
    ours = sorted((p for p in folder.iterdir() if SWEEP_NAME.fullmatch(p.name)), key=_taken_order)
    removed = ours[:-svc.settings.backup.keep] if len(ours) > svc.settings.backup.keep else []
    for old in removed:
        old.unlink(missing_ok=True)
    return done, removed
