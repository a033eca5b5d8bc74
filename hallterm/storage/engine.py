"""The database handle: one engine, read and write transactions.

SQLite (the embedded default) runs in WAL mode with foreign keys and a busy timeout; every write
transaction starts with ``BEGIN IMMEDIATE`` so that two terminals never deadlock upgrading a read
lock to a write lock. PostgreSQL uses ordinary transactions; counters take a row lock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from hallterm.domain.errors import Refused
from hallterm.domain.redaction import redact_url
from hallterm.storage import events

_WRITE = "hallterm_write"

# SQLite in WAL mode (issue 15 point 3): with synchronous=NORMAL a commit is durable against a crash
# of the program but may be rolled back by a power cut or an OS crash (the WAL is synced only at
# checkpoints); with FULL the WAL is synced at every commit, so a ticket whose number has been
# printed is still there after the power comes back and its number is never issued twice.
# The cost (one fsync per commit) is measured by `hallterm bench` (README, "Durability").
SQLITE_SYNCHRONOUS = "FULL"


DISK_FULL = "磁盘已满，数据库无法写入：请清理磁盘空间（或联系管理员）后重试；已保存的内容不会丢失"
# A SQLite "disk I/O error" is taken for a full disk when the database's folder has less than this free:
# opening a database whose WAL is gone (every terminal closed) on a full disk fails creating the -shm file
# (SQLITE_IOERR_SHMSIZE, "disk I/O error"), not with SQLITE_FULL (seen on a full tmpfs, issue 15 point 4).
LOW_SPACE_BYTES = 1 << 20
PG_CONNECT_TIMEOUT_S = 5
PG_CONNECT_ARGS: dict[str, int] = {"connect_timeout": PG_CONNECT_TIMEOUT_S, "keepalives": 1,
                                   "keepalives_idle": 10, "keepalives_interval": 3, "keepalives_count": 3}


class DatabaseUnavailable(Refused):
    """The database cannot be reached or is locked; ``str()`` is the Chinese message. It passes: the
    desk keeps what was typed, probes, and sends it again when the database answers."""


class DiskFull(Refused):
    """The disk under the database is full: nothing was written; retrying by itself would not help."""


class Database:
    """One engine. ``hide_parameters``: a failed statement's error never quotes its values (a resident ID
    number, a name, a phone number) into a message or the log (issue 16 point 4; PIPL)."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 5000, echo: bool = False, pool_size: int = 1,
                 max_overflow: int = 4) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            self._ensure_sqlite_file(url)
            self.engine = create_engine(
                url, echo=echo, hide_parameters=True, connect_args={"timeout": busy_timeout_ms / 1000}
            )
            _install_sqlite_pragmas(self.engine, busy_timeout_ms)
        else:
            # A server that is gone must fail in seconds, not hang a desk's worker for minutes: connecting
            # gives up after PG_CONNECT_TIMEOUT_S, and TCP keepalives notice a cut cable under an idle or
            # waiting connection (issue 15 point 4). pool_pre_ping replaces connections a restart broke.
            # A hall of ~50 terminals on one server: each keeps ``pool_size`` connections (one by default) and
            # opens up to ``max_overflow`` more at a busy moment, waiting at most PG_CONNECT_TIMEOUT_S for one.
            self.engine = create_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True,
                                        pool_size=pool_size, max_overflow=max_overflow,
                                        pool_timeout=PG_CONNECT_TIMEOUT_S,
                                        connect_args={**PG_CONNECT_ARGS, "application_name": "hallterm"})
            event.listen(self.engine, "begin", events.forget_notified)
        self._writes = threading.local()  # write transactions open in this thread

    @property
    def writing(self) -> bool:
        """A write transaction of this thread is open: what it wrote is not committed, let alone durable."""
        return bool(getattr(self._writes, "depth", 0))

    @staticmethod
    def _ensure_sqlite_file(url: str) -> None:
        """The folder (0700) and an empty database file (0600) made before SQLite opens it: SQLite would
        create the file 0644 less the umask, and its -wal and -shm take the database file's mode, so all
        three are the owner's only whatever the umask (issue 16 point 5: the file holds ID numbers)."""
        database = make_url(url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return
        path = Path(database)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # an existing database keeps the mode its owner gave it
        except OSError:
            pass  # a folder that cannot be written: SQLite says so in its own words (describe_operational_error)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._translate(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: BEGIN IMMEDIATE on SQLite, committed on success."""
        self._writes.depth = getattr(self._writes, "depth", 0) + 1
        try:
            with self._translate(), self.engine.connect() as conn:
                conn = conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    yield conn
        finally:
            self._writes.depth -= 1

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless the database takes a write transaction now (on SQLite a
        reader gets in past a writer's lock; a desk that lost the database must know it can write)."""
        with self.write() as conn:
            conn.exec_driver_sql("SELECT 1")

    @contextmanager
    def _translate(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            reason = describe_operational_error(exc, self.url)
            raise (DiskFull if reason == DISK_FULL else DatabaseUnavailable)(reason) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def describe_operational_error(exc: OperationalError, url: str) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "disk is full" in lowered or "no space left" in lowered or "disk full" in lowered:
        return DISK_FULL
    code = str(getattr(exc.orig, "sqlite_errorname", ""))  # SQLITE_IOERR_SHMSIZE …; "" off SQLite
    io_error = code.startswith("SQLITE_IOERR") or "disk i/o error" in lowered
    # SQLite documents SQLITE_IOERR_SHMSIZE (the -shm file could not grow) as a sign of a full disk.
    if code == "SQLITE_IOERR_SHMSIZE" or (io_error and _little_space_beside(url)):
        return DISK_FULL
    if io_error:
        return (f"数据库文件读写出错（{safe_url(url) if url else '磁盘 I/O 错误'}）：请检查磁盘空间和磁盘是否正常，"
                "或联系管理员；已保存的内容不会丢失")
    if "locked" in lowered or "busy" in lowered:
        return "数据库正被其他终端占用（已锁定），请稍候重试；已填写的内容不会丢失"
    if "role" in lowered and "does not exist" in lowered:
        return f"数据库用户不存在（{safe_url(url)}）：请检查 HALLTERM_DB_URL 中的用户名，或请管理员创建该用户"
    if "database" in lowered and "does not exist" in lowered:
        return f"数据库不存在（{safe_url(url)}）：请管理员先创建数据库（createdb）"
    if "password authentication failed" in lowered:
        return f"数据库密码错误（{safe_url(url)}）：请检查 HALLTERM_DB_URL"
    if "unable to open" in lowered:
        return f"无法打开数据库文件（{safe_url(url)}）：请检查路径和写权限"
    if "connection" in lowered or "could not" in lowered or "refused" in lowered:
        return f"无法连接数据库（{safe_url(url)}）：请检查网络和数据库服务是否运行"
    return f"数据库出错：{text.splitlines()[0] if text else type(exc).__name__}"


def _little_space_beside(url: str) -> bool:
    """The disk holding a SQLite database (``url``) has less than LOW_SPACE_BYTES free for its user."""
    if not url or not url.startswith("sqlite"):
        return False
    database = make_url(url).database
    if not database or database == ":memory:":
        return False
    try:
        return shutil.disk_usage(Path(database).parent).free < LOW_SPACE_BYTES
    except OSError:
        return False


def safe_url(url: str) -> str:
    """The URL without its password (user-info or ``?password=``), for messages: issue 16 point 6."""
    return redact_url(url)


def _install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's begin event decide how a transaction starts (the pysqlite recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute(f"PRAGMA synchronous={SQLITE_SYNCHRONOUS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
