"""What the demo reads and clears directly, and whether a file is a demo's.

The demo's history is made by the use cases (``services.demo_month``); only clearing the previous
demo's cases and finding the staff happen here. A demo database carries a ``demo_built`` event, which
is what lets ``hallterm demo`` overwrite it and nothing else.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, create_engine, delete, inspect, select, text

from hallterm.storage.tables import case_items, cases, staff


def clear_cases(conn: Connection) -> None:
    conn.execute(delete(case_items))
    conn.execute(delete(cases))


def active_staff_ids(conn: Connection, role: str | None = None) -> list[str]:
    query = select(staff.c.staff_id).where(staff.c.active).order_by(staff.c.staff_id)
    if role is not None:
        query = query.where(staff.c.role == role)
    return list(conn.execute(query).scalars())


def sqlite_file_kind(path: Path) -> str:
    """``"empty"`` (no tables but Alembic's), ``"demo"``, ``"data"`` (a real hall's), or ``"not_sqlite"``.

    Read with the sqlite3 module directly: the file may be any file at all, and must not be migrated.
    """
    try:
        with sqlite3.connect(path) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            demo = "events" in tables and conn.execute(
                "SELECT 1 FROM events WHERE kind = 'demo_built' LIMIT 1").fetchone() is not None
    except sqlite3.DatabaseError:
        return "not_sqlite"
    if demo:
        return "demo"
    return "data" if tables - {"alembic_version"} else "empty"


def server_database_kind(url: str) -> str:
    """Like ``sqlite_file_kind``, for a database on a server (PostgreSQL): ``"empty"``, ``"demo"`` or
    ``"data"``. Looked at without migrating it; the connection is closed before the demo opens its own."""
    engine = create_engine(url, hide_parameters=True)  # as storage.engine: no row data in errors
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            demo = "events" in tables and conn.execute(
                text("SELECT 1 FROM events WHERE kind = 'demo_built' LIMIT 1")).first() is not None
    finally:
        engine.dispose()
    if demo:
        return "demo"
    return "data" if tables - {"alembic_version"} else "empty"


def copy_sqlite_file(source: Path, target: Path) -> None:
    """A consistent copy of one SQLite file into another (SQLite's online backup), readable by its owner only."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    target.chmod(0o600)
