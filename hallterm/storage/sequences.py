"""Daily numbering: one counter row per (series, local day), bumped inside the caller's transaction.

One atomic INSERT … ON CONFLICT DO UPDATE … RETURNING on both SQLite (≥ 3.35) and PostgreSQL:
the row lock it takes serialises concurrent issuers, so numbers never repeat and never skip.
The statement is built once per dialect: ticket issue runs it a thousand times a second (issue 5).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from hallterm.storage.tables import sequences


@cache
def _bump(dialect_name: str) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (dialect.insert(sequences).values(series=bindparam("series"), day=bindparam("day"), value=1)
            .on_conflict_do_update(index_elements=["series", "day"], set_={"value": sequences.c.value + 1})
            .returning(sequences.c.value))


def next_value(conn: Connection, series: str, day: dt.date) -> int:
    stmt = _bump("postgresql" if conn.dialect.name == "postgresql" else "sqlite")
    return int(conn.execute(stmt, {"series": series, "day": day}).scalar_one())
