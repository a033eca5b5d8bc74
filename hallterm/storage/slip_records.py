"""The record of every slip and notice printed (``slips`` table): what, where in the spool, how it went."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, null, select, update

from hallterm.storage.tables import slips


@dataclass(frozen=True)
class SlipRow:
    id: int
    kind: str  # ticket | appointment | visit | notice
    title: str
    created_at: dt.datetime
    status: str  # pending | printed | spooled | failed
    backend: str
    error: str
    attempts: int
    spool_path: str  # without extension
    files: tuple[str, ...]  # the extensions written: png, pdf, escpos
    case_id: int | None
    ticket_id: int | None
    content: dict[str, Any] | None  # a slip's data, to render it again (notices: None)


def _row(r: Any) -> SlipRow:
    return SlipRow(r.id, r.kind, r.title, r.created_at, r.status, r.backend, r.error, r.attempts, r.spool_path,
                   tuple(e for e in r.files.split(",") if e), r.case_id, r.ticket_id, r.content)


def insert_pending(conn: Connection, *, kind: str, title: str, day: dt.date, created_at: dt.datetime,
                   staff_id: str | None, case_id: int | None, ticket_id: int | None, spool_path: str,
                   files: tuple[str, ...], backend: str, content: dict[str, Any] | None) -> int:
    key = conn.execute(insert(slips).values(
        kind=kind, title=title, day=day, created_at=created_at, staff_id=staff_id, case_id=case_id,
        ticket_id=ticket_id, spool_path=spool_path, files=",".join(files), backend=backend, status="pending",
        error="", attempts=0, content=content,
    )).inserted_primary_key
    assert key is not None
    return int(key[0])


def record_attempt(conn: Connection, slip_id: int, *, status: str, error: str, backend: str,
                   printed_at: dt.datetime | None) -> None:
    """One more attempt at the printer and how it went (``printed_at`` only when it printed)."""
    values: dict[str, Any] = {"status": status, "error": error, "backend": backend,
                              "attempts": slips.c.attempts + 1}
    if printed_at is not None:
        values["printed_at"] = printed_at
    conn.execute(update(slips).where(slips.c.id == slip_id).values(**values))


def set_spool_path(conn: Connection, slip_id: int, spool_path: str) -> None:
    conn.execute(update(slips).where(slips.c.id == slip_id).values(spool_path=spool_path))


def get(conn: Connection, slip_id: int) -> SlipRow | None:
    r = conn.execute(select(slips).where(slips.c.id == slip_id)).first()
    return _row(r) if r is not None else None


def recent(conn: Connection, *, limit: int, failed_only: bool = False) -> list[SlipRow]:
    """The newest first."""
    query = select(slips).order_by(slips.c.id.desc()).limit(limit)
    if failed_only:
        query = query.where(slips.c.status == "failed")
    return [_row(r) for r in conn.execute(query)]


def clear_contents(conn: Connection, created_before: dt.datetime) -> int:
    """Forget the stored content (names, numbers on the slip) of slips printed before ``created_before``;
    the record of who printed what and when stays (issue 16 point 12)."""
    # null(): SQL NULL, not JSON's "null" (which a notice's row holds and is no data either)
    return conn.execute(update(slips).where(slips.c.created_at < created_before, slips.c.kind != "notice",
                                            slips.c.content.is_not(None))
                        .values(content=null())).rowcount
