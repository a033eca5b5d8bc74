"""What the database itself can say about its health (read only; issue 15 point 1, ``hallterm db check``).

Each function returns plain facts; ``services.integrity`` turns them into the Chinese lines a hall's IT
person reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Connection, func, insert, literal, select, text

from hallterm.domain.queue import sequence_key
from hallterm.storage.tables import event_seals, events, metadata, sequences, tickets


def sqlite_integrity(conn: Connection) -> list[str]:
    """SQLite's own page-level check: an empty list when the file is sound."""
    rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def sqlite_foreign_key_violations(conn: Connection) -> list[tuple[str, int | None, str]]:
    """(table, rowid, referred table) for every row whose reference points nowhere."""
    return [(str(r[0]), None if r[1] is None else int(r[1]), str(r[2]))
            for r in conn.exec_driver_sql("PRAGMA foreign_key_check")]


# ---------------------------------------------------------------- the events log sealed (migration 0013)

APPEND_ONLY_TRIGGERS = {
    "sqlite": {"events_no_update", "events_no_delete", "event_seals_no_update", "event_seals_no_delete"},
    "postgresql": {"events_append_only", "event_seals_append_only"},
}


def _canonical(row: Any) -> bytes:
    """One event as bytes that read the same on SQLite and PostgreSQL (and after a copy between them)."""
    at = row.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return json.dumps([row.id, at, row.kind, row.staff_id, row.case_id, row.ticket_id, row.card_no, row.details],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _digest(conn: Connection, previous: str, first: int, last: int) -> tuple[str, int]:
    h = hashlib.sha256(previous.encode())
    n = 0
    rows = conn.execute(select(events).where(events.c.id.between(first, last)).order_by(events.c.id))
    for row in rows:
        h.update(_canonical(row))
        n += 1
    return h.hexdigest(), n


def seal_events(conn: Connection, upto_id: int, now: dt.datetime) -> int:
    """Seal the events after the last seal up to ``upto_id``; returns how many were sealed (0: nothing new)."""
    last = conn.execute(select(event_seals).order_by(event_seals.c.id.desc()).limit(1)).first()
    first = (last.last_event_id + 1) if last else 1
    if upto_id < first:
        return 0
    digest, n = _digest(conn, last.digest if last else "", first, upto_id)
    if n == 0:
        return 0
    conn.execute(insert(event_seals).values(first_event_id=first, last_event_id=upto_id, events=n,
                                            digest=digest, sealed_at=now))
    return n


def broken_seals(conn: Connection) -> list[tuple[int, int, int, int]]:
    """(first id, last id, events sealed, events found) of every seal whose events no longer match it."""
    broken = []
    previous = ""
    for seal in conn.execute(select(event_seals).order_by(event_seals.c.id)):
        digest, n = _digest(conn, previous, seal.first_event_id, seal.last_event_id)
        if digest != seal.digest:
            broken.append((seal.first_event_id, seal.last_event_id, seal.events, n))
        previous = seal.digest  # chained on what was sealed: one bad range does not condemn the next
    return broken


def first_changed_event(conn: Connection, first: int, last: int) -> int | None:
    """Within a broken seal, nothing says which row changed; the lowest id present is a place to start."""
    return conn.execute(select(events.c.id).where(events.c.id.between(first, last))
                        .order_by(events.c.id).limit(1)).scalar_one_or_none()


def missing_triggers(conn: Connection) -> list[str]:
    if conn.dialect.name == "sqlite":
        have = {str(r[0]) for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    else:
        have = {str(r[0]) for r in conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    return sorted(APPEND_ONLY_TRIGGERS[conn.dialect.name] - have)


def pg_sequences_behind(conn: Connection) -> list[tuple[str, int, int]]:
    """(table, the sequence's next value, the highest id) where the next new row would clash."""
    behind = []
    for table in metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                           {"t": table.name, "c": pk[0].name}).scalar_one()
        if seq is None:
            continue
        last, called = conn.execute(text(f"SELECT last_value, is_called FROM {seq}")).one()
        next_value = int(last) + (1 if called else 0)
        top = conn.execute(select(func.max(pk[0]))).scalar_one()
        if top is not None and next_value <= int(top):
            behind.append((table.name, next_value, int(top)))
    return behind


def ticket_counters_behind(conn: Connection) -> list[tuple[str, dt.date, int, int]]:
    """(series, day, counter, highest number issued) where the next ticket would repeat a number."""
    issued = (select(tickets.c.series, tickets.c.day, func.max(tickets.c.seq).label("top"))
              .group_by(tickets.c.series, tickets.c.day).subquery())
    rows = conn.execute(
        select(issued.c.series, issued.c.day, func.coalesce(sequences.c.value, 0), issued.c.top)
        .select_from(issued.outerjoin(sequences, (sequences.c.series == literal(sequence_key("")) + issued.c.series)
                                      & (sequences.c.day == issued.c.day)))
        .where(func.coalesce(sequences.c.value, 0) < issued.c.top))
    return [(str(r[0]), r[1], int(r[2]), int(r[3])) for r in rows]


def unknown_values(conn: Connection, table_name: str, column: str, known: frozenset[str]) -> list[tuple[str, int]]:
    """(value, rows) for each value of ``table.column`` that this version does not know."""
    table = metadata.tables[table_name]
    col = table.c[column]
    rows = conn.execute(select(col, func.count()).where(col.not_in(sorted(known))).group_by(col))
    return [(str(r[0]), int(r[1])) for r in rows]
