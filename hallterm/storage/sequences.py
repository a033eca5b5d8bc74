"""Daily numbering: one counter row per (series, local day), bumped inside the caller's transaction.

One atomic INSERT … ON CONFLICT DO UPDATE … RETURNING on both SQLite (≥ 3.35) and PostgreSQL:
the row lock it takes serialises concurrent issuers, so numbers never repeat and never skip.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from hallterm.storage.tables import sequences


def next_value(conn: Connection, series: str, day: dt.date) -> int:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (dialect.insert(sequences).values(series=series, day=day, value=1)
            .on_conflict_do_update(index_elements=["series", "day"], set_={"value": sequences.c.value + 1})
            .returning(sequences.c.value))
    return int(conn.execute(stmt).scalar_one())
