"""What the database itself can say about its health (read only; issue 15 point 1, ``hallterm db check``).

Each function returns plain facts; ``services.integrity`` turns them into the Chinese lines a hall's IT
person reads.
"""

from __future__ import annotations

from sqlalchemy import Connection


def sqlite_integrity(conn: Connection) -> list[str]:
    """SQLite's own page-level check: an empty list when the file is sound."""
    rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def sqlite_foreign_key_violations(conn: Connection) -> list[tuple[str, int | None, str]]:
    """(table, rowid, referred table) for every row whose reference points nowhere."""
    return [(str(r[0]), None if r[1] is None else int(r[1]), str(r[2]))
            for r in conn.exec_driver_sql("PRAGMA foreign_key_check")]
