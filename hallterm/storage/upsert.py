"""INSERT … ON CONFLICT DO UPDATE on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    updates = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates) if updates \
        else stmt.on_conflict_do_nothing(index_elements=list(keys))
    # SQLite caps bound parameters per statement; chunk so 100,000 rows go through.
    chunk = max(1, 30000 // max(1, len(rows[0])))
    for start in range(0, len(rows), chunk):
        conn.execute(stmt, list(rows[start:start + chunk]))
