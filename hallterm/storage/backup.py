"""Copying a hall's rows between databases: backup, restore and the move to PostgreSQL (issue 15).

One core, ``copy_rows``, serves all three: it reads every table of the schema from one connection
and inserts it into another in foreign-key order, in batches. The events log is only ever inserted
into, so its append-only triggers stay in place on the target.

A backup is always a SQLite file (whatever the hall runs on) holding the schema the migrations
build, the rows, and a small ``hallterm_backup`` table that says what it is: so a restore can tell
a backup from any other file and from a backup of another schema revision.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, func, insert, inspect, select, text

from hallterm.storage.tables import metadata

INFO_TABLE = "hallterm_backup"
BATCH = 500  # rows per INSERT: bounded memory for a million cases, few round trips to a server


def schema_tables() -> list[Table]:
    """Every table of the schema, parents before children (the order rows must go in)."""
    return list(metadata.sorted_tables)


def row_counts(conn: Connection) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in schema_tables()}


def row_counts_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per schema table in a SQLite file opened with the standard library (a backup being written)."""
    return {t.name: int(conn.execute(f'SELECT COUNT(*) FROM "{t.name}"').fetchone()[0]) for t in schema_tables()}


def non_empty_tables(conn: Connection) -> list[str]:
    """Tables of the schema that hold rows (an empty list: nothing to lose by restoring here)."""
    present = set(inspect(conn).get_table_names())
    return [t.name for t in schema_tables()
            if t.name in present and conn.execute(select(t).limit(1)).first() is not None]


def copy_rows(source: Connection, target: Connection) -> dict[str, int]:
    """Copy every row of every schema table; returns rows copied per table."""
    copied: dict[str, int] = {}
    for table in schema_tables():
        n = 0
        for batch in _batches(source, table):
            target.execute(insert(table), batch)
            n += len(batch)
        copied[table.name] = n
    return copied


def _batches(conn: Connection, table: Table) -> Iterator[list[dict[str, object]]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(stream_results=True).execute(select(table).order_by(*order))
    while rows := result.mappings().fetchmany(BATCH):
        yield [dict(r) for r in rows]


def reset_pg_sequences(conn: Connection) -> None:
    """Move each serial column's sequence past the highest id copied in, so the next row gets a new one."""
    for table in schema_tables():
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": column.name}).scalar_one()
            if seq is None:
                continue
            conn.execute(text(f"SELECT setval(:seq, COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1,"
                              " false)"), {"seq": seq})


@dataclass(frozen=True)
class BackupInfo:
    revision: str
    source: str  # "sqlite" or "postgresql"
    taken_at: str  # ISO 8601, UTC
    taken_by: str


def write_info(path: Path, info: BackupInfo) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.executemany(f"INSERT INTO {INFO_TABLE} VALUES (?, ?)",
                         [("revision", info.revision), ("source", info.source),
                          ("taken_at", info.taken_at), ("taken_by", info.taken_by)])
    conn.close()


def read_info(path: Path) -> BackupInfo | None:
    """What the backup file says of itself; None when it is not a hallterm backup.

    Raises sqlite3.DatabaseError when the file is not a SQLite database at all.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (INFO_TABLE,)).fetchone()
        if has is None:
            return None
        values = dict(conn.execute(f"SELECT key, value FROM {INFO_TABLE}").fetchall())
    finally:
        conn.close()
    try:
        return BackupInfo(values["revision"], values["source"], values["taken_at"], values["taken_by"])
    except KeyError:
        return None


def sqlite_file_problems(path: Path) -> list[str]:
    """SQLite's own check of a file (an empty list: sound). A truncated or damaged copy fails here."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows


def sqlite_online_backup(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy while other terminals keep writing.

    Copied in one step under one read transaction: in WAL mode that reader sees one committed state
    and blocks no writer (copying in several steps would restart whenever another terminal writes,
    possibly forever on a busy morning).
    """
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
