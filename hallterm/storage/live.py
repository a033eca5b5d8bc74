"""Learning of a commit as soon as it happens, without querying the events log (issue 17 point 2).

PostgreSQL: every event appended sends ``NOTIFY hallterm_events`` in the writing transaction
(``events.append``), so the notification leaves only when, and if, the transaction commits; a watcher
LISTENs on a connection of its own. SQLite: ``PRAGMA data_version`` on a connection of the watcher's
own changes whenever another connection commits; reading it touches only the WAL index in shared
memory, so checking it every ~50 ms costs next to nothing, where a query of the events log each time
would not. Neither replaces the reader's slow safety poll: a notification lost with a dropped connection
is caught by it.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Protocol
from urllib.parse import quote

from sqlalchemy.engine import make_url

from hallterm.storage.engine import PG_CONNECT_ARGS
from hallterm.storage.events import NOTIFY_CHANNEL as CHANNEL

SQLITE_CHECK_S = 0.05  # how often the SQLite watcher reads data_version


class Watcher(Protocol):
    def wait(self, timeout_s: float) -> bool:
        """True as soon as another connection committed a change; False when ``timeout_s`` passed without."""
        ...

    def close(self) -> None: ...


class SqliteWatcher:
    def __init__(self, path: str) -> None:
        # mode=rw: a watcher never creates the database file (the desk does, with its modes). Autocommit: the
        # PRAGMA opens no transaction, so the watcher never holds a read snapshot that would stall checkpoints.
        self.conn = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, check_same_thread=False,
                                    isolation_level=None)
        self.version = self._version()

    def _version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while True:
            version = self._version()
            if version != self.version:
                self.version = version
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(SQLITE_CHECK_S)

    def close(self) -> None:
        self.conn.close()


class PgWatcher:
    def __init__(self, url: str) -> None:
        import psycopg  # lazy: only a PostgreSQL hall needs it

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        # Named, so that pg_stat_activity tells the displays' listeners from the desks' connections.
        self.conn = psycopg.connect(conninfo, autocommit=True, application_name="hallterm-display",
                                    **PG_CONNECT_ARGS)  # type: ignore[arg-type]
        self.conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout_s: float) -> bool:
        heard = False
        for _ in self.conn.notifies(timeout=timeout_s, stop_after=1):
            heard = True
        if heard:  # the rest of a burst is the same news
            for _ in self.conn.notifies(timeout=0):
                pass
        return heard

    def close(self) -> None:
        self.conn.close()


def open_watcher(url: str) -> Watcher | None:
    """A watcher of the database at ``url``; None where there is nothing to watch (an in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PgWatcher(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return SqliteWatcher(database)
