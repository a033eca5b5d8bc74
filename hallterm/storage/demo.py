"""The rows the demo writes and reads directly: its day of past cases, and whether a file is a demo's.

The demo's past activity is history, not a visit: it is written as closed cases (with their events by
the caller), not through the desk's use cases. A demo database carries a ``demo_built`` event, which
is what lets ``hallterm demo`` overwrite it and nothing else.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, delete, insert, inspect, select, text

from hallterm.storage.tables import card_holders, case_items, cases, items, lounges, staff


@dataclass(frozen=True)
class HallIds:
    """What a demo case needs to point at: holder ids by card number, items, lounges, coordinators."""

    holders: dict[str, int]
    items: list[str]
    lounges: list[str]
    coordinators: list[str]


def clear_cases(conn: Connection) -> None:
    conn.execute(delete(case_items))
    conn.execute(delete(cases))


def hall_ids(conn: Connection) -> HallIds:
    return HallIds(
        {card_no: holder_id for card_no, holder_id in conn.execute(select(card_holders.c.card_no, card_holders.c.id))},
        list(conn.execute(select(items.c.code).where(items.c.active)).scalars()),
        list(conn.execute(select(lounges.c.code).where(lounges.c.active)).scalars()),
        list(conn.execute(select(staff.c.staff_id).where(staff.c.role == "coordinator")).scalars()),
    )


def insert_closed_case(conn: Connection, *, case_no: str, holder_id: int, kind: str, enterprise_name: str,
                       service_mode: str, status: str, lounge_code: str, coordinator_id: str,
                       opened_at: dt.datetime, met_at: dt.datetime, closed_at: dt.datetime,
                       item_code: str, item_status: str, accepted_on: dt.date) -> int:
    case_id: int = conn.execute(insert(cases).returning(cases.c.id).values(
        case_no=case_no, holder_id=holder_id, kind=kind, enterprise_name=enterprise_name,
        service_mode=service_mode, status=status, lounge_code=lounge_code, coordinator_id=coordinator_id,
        opened_at=opened_at, met_at=met_at, closed_at=closed_at,
    )).scalar_one()
    conn.execute(insert(case_items).values(case_id=case_id, item_code=item_code, status=item_status,
                                           fees_paid=True, accepted_on=accepted_on))
    return case_id


def active_staff_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(staff.c.staff_id).where(staff.c.active)).scalars())


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
    engine = create_engine(url)
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
