"""Results handed out at the 统一发证窗口 (``handouts``) and the items waiting there (S9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from hallterm.storage.tables import card_holders, case_items, cases, handouts, items


@dataclass(frozen=True)
class ReadyItem:
    """An item of a case waiting at the issuing window (or any item, with its status)."""

    case_item_id: int
    case_id: int
    case_no: str
    item_code: str
    item_name: str
    status: str
    decision_no: str


@dataclass(frozen=True)
class HandoutRow:
    id: int
    case_id: int
    item_codes: tuple[str, ...]
    recipient_kind: str
    recipient_name: str
    recipient_id_masked: str
    power_of_attorney: bool
    staff_id: str
    counter_code: str
    handed_out_at: dt.datetime


def _item_query():
    return (select(case_items.c.id, case_items.c.case_id, cases.c.case_no, case_items.c.item_code, items.c.name,
                   case_items.c.status, case_items.c.decision_no)
            .join(cases, cases.c.id == case_items.c.case_id)
            .join(items, items.c.code == case_items.c.item_code)
            .order_by(cases.c.id, case_items.c.id))


def items_in_status(conn: Connection, *, card_no: str | None = None, case_id: int | None = None,
                    statuses: Sequence[str]) -> list[ReadyItem]:
    """A holder's (or a case's) items in ``statuses``, oldest case first."""
    query = _item_query().where(case_items.c.status.in_(list(statuses)))
    if card_no is not None:
        query = (query.join(card_holders, card_holders.c.id == cases.c.holder_id)
                 .where(card_holders.c.card_no == card_no))
    if case_id is not None:
        query = query.where(case_items.c.case_id == case_id)
    return [ReadyItem(r.id, r.case_id, r.case_no, r.item_code, r.name, r.status, r.decision_no)
            for r in conn.execute(query)]


def items_by_id(conn: Connection, case_item_ids: Sequence[int]) -> list[ReadyItem]:
    rows = conn.execute(_item_query().where(case_items.c.id.in_(list(case_item_ids))))
    return [ReadyItem(r.id, r.case_id, r.case_no, r.item_code, r.name, r.status, r.decision_no) for r in rows]


def insert_handout(conn: Connection, *, case_id: int, item_codes: Sequence[str], recipient_kind: str,
                   recipient_name: str, recipient_id_masked: str, power_of_attorney: bool, staff_id: str,
                   counter_code: str, at: dt.datetime) -> int:
    result = conn.execute(insert(handouts).values(
        case_id=case_id, item_codes=",".join(item_codes), recipient_kind=recipient_kind,
        recipient_name=recipient_name, recipient_id_masked=recipient_id_masked,
        power_of_attorney=power_of_attorney, staff_id=staff_id, counter_code=counter_code, handed_out_at=at))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def handouts_of_case(conn: Connection, case_id: int) -> list[HandoutRow]:
    rows = conn.execute(select(handouts).where(handouts.c.case_id == case_id).order_by(handouts.c.id))
    return [HandoutRow(r.id, r.case_id, tuple(filter(None, r.item_codes.split(","))), r.recipient_kind,
                       r.recipient_name, r.recipient_id_masked, r.power_of_attorney, r.staff_id, r.counter_code,
                       r.handed_out_at) for r in rows]


def holder_identity(conn: Connection, card_no: str) -> tuple[str, str] | None:
    """(name, resident ID) of a card holder, as the roster holds them: for the recipient check."""
    r = conn.execute(select(card_holders.c.name, card_holders.c.id_number)
                     .where(card_holders.c.card_no == card_no)).first()
    return (r.name, r.id_number) if r is not None else None


def card_of_case(conn: Connection, case_no: str) -> str | None:
    return conn.execute(select(card_holders.c.card_no).join(cases, cases.c.holder_id == card_holders.c.id)
                        .where(cases.c.case_no == case_no)).scalar_one_or_none()
