"""Appending to the events log (never updating or deleting: the database refuses that too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from hallterm.domain.events import EventKind
from hallterm.storage.tables import events

NOTIFY_CHANNEL = "hallterm_events"  # storage/live.py LISTENs on it


@dataclass(frozen=True)
class Event:
    id: int
    at: dt.datetime
    kind: str  # an EventKind's value; a newer version may have written one this version does not know
    staff_id: str | None
    case_id: int | None
    ticket_id: int | None
    card_no: str | None
    details: dict[str, Any]


def append(conn: Connection, kind: EventKind, at: dt.datetime, *, staff_id: str | None = None,
           case_id: int | None = None, ticket_id: int | None = None, card_no: str | None = None,
           **details: Any) -> int:
    result = conn.execute(insert(events).values(
        at=at, kind=kind, staff_id=staff_id, case_id=case_id, ticket_id=ticket_id,
        card_no=card_no, details=details,
    ))
    key = result.inserted_primary_key
    assert key is not None
    if conn.dialect.name == "postgresql" and not conn.info.get(_NOTIFIED):
        # The display learns of it the moment it commits (issue 17 point 2; storage/live.py). Sent in this
        # transaction: a rollback sends nothing. Once per transaction: a checklist's many events need one
        # wake-up, and each statement is a round trip a 50-desk hall pays for (issue 17 point 5).
        conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
        conn.info[_NOTIFIED] = True
    return int(key[0])


_NOTIFIED = "hallterm.events.notified"  # in the connection's info until its transaction ends


def forget_notified(conn: Connection) -> None:
    """The transaction ended (engine event): the next one notifies again."""
    conn.info.pop(_NOTIFIED, None)


def lock_kind(conn: Connection, kind: EventKind) -> None:
    """Make this transaction the only one appending ``kind`` until it ends, so that a check of the latest
    such event and the append that follows are one step. SQLite's write transaction (BEGIN IMMEDIATE)
    already is; on PostgreSQL a transaction-scoped advisory lock on the kind's name."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:kind))"), {"kind": f"hallterm.events.{kind}"})


def last_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one())


def last_id_at(conn: Connection, at: dt.datetime) -> int:
    """The last event id recorded at or before ``at`` (0 when none)."""
    return int(conn.execute(select(func.coalesce(func.max(events.c.id), 0)).where(events.c.at <= at)).scalar_one())


def recent(conn: Connection, *, kind: EventKind | None = None, case_id: int | None = None,
           limit: int = 100) -> list[Event]:
    query = select(events).order_by(events.c.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(events.c.kind == kind)
    if case_id is not None:
        query = query.where(events.c.case_id == case_id)
    return [Event(r.id, r.at, r.kind, r.staff_id, r.case_id, r.ticket_id, r.card_no, dict(r.details or {}))
            for r in conn.execute(query)]


def of_kinds(conn: Connection, kinds: tuple[EventKind, ...], *, limit: int = 100) -> list[Event]:
    """The newest events of any of ``kinds``, newest first."""
    query = (select(events).where(events.c.kind.in_([k.value for k in kinds])).order_by(events.c.id.desc())
             .limit(limit))
    return [Event(r.id, r.at, r.kind, r.staff_id, r.case_id, r.ticket_id, r.card_no, dict(r.details or {}))
            for r in conn.execute(query)]


def latest_details(conn: Connection, *, case_id: int, kind: str) -> dict[str, Any] | None:
    """The details of the case's latest event of ``kind`` (None when there is none)."""
    details = conn.execute(select(events.c.details).where(events.c.case_id == case_id, events.c.kind == kind)
                           .order_by(events.c.id.desc()).limit(1)).scalar_one_or_none()
    return dict(details) if details is not None else None


def of_kind_between(conn: Connection, kind: EventKind, start: dt.datetime, end: dt.datetime) -> list[Event]:
    """Events of ``kind`` with ``start <= at < end``, oldest first."""
    query = (select(events).where(events.c.kind == kind, events.c.at >= start, events.c.at < end)
             .order_by(events.c.id))
    return [Event(r.id, r.at, r.kind, r.staff_id, r.case_id, r.ticket_id, r.card_no, dict(r.details or {}))
            for r in conn.execute(query)]


def after(conn: Connection, after_id: int, kinds: list[EventKind], *, upto: int | None = None,
          limit: int = 2000) -> list[Event]:
    """Events of ``kinds`` with ``after_id < id <= upto``, oldest first, at most ``limit`` of them (the
    handover list pages through them by id)."""
    query = select(events).where(events.c.id > after_id, events.c.kind.in_([k.value for k in kinds]))
    if upto is not None:
        query = query.where(events.c.id <= upto)
    query = query.order_by(events.c.id).limit(limit)
    return [Event(r.id, r.at, r.kind, r.staff_id, r.case_id, r.ticket_id, r.card_no, dict(r.details or {}))
            for r in conn.execute(query)]
