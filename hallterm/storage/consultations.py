"""Early consultations (S5): rows in, plain rows out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, insert, or_, select, update

from hallterm.storage.tables import card_holders, cases, consultations


@dataclass(frozen=True)
class ConsultationRow:
    id: int
    channel: str
    card_no: str  # "" for a company not yet carded
    holder_name: str
    holder_phone: str
    company_name: str
    uscc: str
    section: str
    topic: str
    notes: str
    follow_up_on: dt.date
    status: str
    staff_id: str | None
    logged_at: dt.datetime
    appointment_id: int | None
    case_id: int | None
    case_no: str
    converted_at: dt.datetime | None
    closed_note: str


def _query() -> Select[Any]:
    return (select(consultations, card_holders.c.card_no, card_holders.c.name.label("holder_name"),
                   card_holders.c.phone.label("holder_phone"), cases.c.case_no)
            .select_from(consultations.outerjoin(card_holders, card_holders.c.id == consultations.c.holder_id)
                         .outerjoin(cases, cases.c.id == consultations.c.case_id)))


def _row(r: Any) -> ConsultationRow:
    return ConsultationRow(r.id, r.channel, r.card_no or "", r.holder_name or "", r.holder_phone or "",
                           r.company_name, r.uscc, r.section, r.topic, r.notes, r.follow_up_on, r.status, r.staff_id,
                           r.logged_at, r.appointment_id, r.case_id, r.case_no or "", r.converted_at, r.closed_note)


def insert_consultation(conn: Connection, **values: Any) -> int:
    key = conn.execute(insert(consultations).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def get(conn: Connection, consultation_id: int, *, lock: bool = False) -> ConsultationRow | None:
    query = _query().where(consultations.c.id == consultation_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=consultations)
    row = conn.execute(query).first()
    return _row(row) if row is not None else None


def set_values(conn: Connection, consultation_id: int, *, expect_status: str, **values: Any) -> bool:
    """Update when the status is still ``expect_status``; False when another terminal changed it first."""
    result = conn.execute(update(consultations)
                          .where(consultations.c.id == consultation_id, consultations.c.status == expect_status)
                          .values(**values))
    return result.rowcount == 1


def find(conn: Connection, *, text: str = "", statuses: list[str] | None = None, due_by: dt.date | None = None,
         card_no: str | None = None, limit: int = 200) -> list[ConsultationRow]:
    """Newest first; ``text`` matches the holder's name or card number, the company, its code or the topic;
    ``due_by`` keeps the follow-ups due on or before that day, oldest due first."""
    query = _query()
    if text.strip():
        word = text.strip()
        query = query.where(or_(card_holders.c.name.icontains(word, autoescape=True),
                                card_holders.c.card_no.icontains(word, autoescape=True),
                                consultations.c.company_name.icontains(word, autoescape=True),
                                consultations.c.uscc.icontains(word, autoescape=True),
                                consultations.c.topic.icontains(word, autoescape=True)))
    if statuses:
        query = query.where(consultations.c.status.in_(statuses))
    if card_no is not None:
        query = query.where(card_holders.c.card_no == card_no)
    if due_by is not None:
        query = query.where(consultations.c.follow_up_on <= due_by).order_by(consultations.c.follow_up_on,
                                                                             consultations.c.id)
    else:
        query = query.order_by(consultations.c.id.desc())
    return [_row(r) for r in conn.execute(query.limit(limit))]


def of_case(conn: Connection, case_id: int) -> list[ConsultationRow]:
    """The consultations a case came from (``hallterm cases show``)."""
    return [_row(r) for r in conn.execute(_query().where(consultations.c.case_id == case_id)
                                          .order_by(consultations.c.id))]
