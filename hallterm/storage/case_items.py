"""The items of a case as the checklist works on them: their state, the materials ticked, and the
special-procedure pauses of their clocks (``case_items``, ``material_checks``, ``item_pauses``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from hallterm.domain.deadlines import Pause
from hallterm.storage.tables import case_items, cases, item_pauses, items, material_checks


@dataclass(frozen=True)
class ItemRow:
    """A case item with the catalog terms it is judged by."""

    id: int
    case_id: int
    item_code: str
    status: str
    fees_paid: bool
    accepted_on: dt.date | None
    due_on: dt.date | None
    due_estimated: bool
    supplement_due_on: dt.date | None
    decision: str
    commitment_signed: bool
    commitment_breached: bool
    name: str
    department: str
    promised_days: int
    allow_conditional: bool
    clock_exempt: str  # comma-separated
    decision_no: str = ""  # 决定文书号, once decided (issue 13)
    closed_on: dt.date | None = None


@dataclass(frozen=True)
class CheckRow:
    """What was recorded of one material of one item."""

    received: bool
    form: str  # original | copy | ""
    note: str
    received_at: dt.datetime | None
    applies: bool


@dataclass(frozen=True)
class OverdueItem:
    id: int
    case_id: int
    item_code: str
    supplement_due_on: dt.date
    holder_id: int


def _items_query():
    return (select(case_items, items.c.name, items.c.department, items.c.promised_days, items.c.allow_conditional,
                   items.c.clock_exempt)
            .join(items, items.c.code == case_items.c.item_code))


def _item(r: Any) -> ItemRow:
    return ItemRow(r.id, r.case_id, r.item_code, r.status, r.fees_paid, r.accepted_on, r.due_on, r.due_estimated,
                   r.supplement_due_on, r.decision, r.commitment_signed, r.commitment_breached, r.name,
                   r.department, r.promised_days, r.allow_conditional, r.clock_exempt, r.decision_no, r.closed_on)


def items_of_case(conn: Connection, case_id: int) -> list[ItemRow]:
    rows = conn.execute(_items_query().where(case_items.c.case_id == case_id).order_by(case_items.c.id))
    return [_item(r) for r in rows]


def get_item(conn: Connection, case_item_id: int) -> ItemRow | None:
    r = conn.execute(_items_query().where(case_items.c.id == case_item_id)).first()
    return _item(r) if r is not None else None


def set_item(conn: Connection, case_item_id: int, **values: object) -> None:
    conn.execute(update(case_items).where(case_items.c.id == case_item_id).values(**values))


def move_item(conn: Connection, case_item_id: int, expected_status: str, **values: object) -> bool:
    """Update the item only if it is still in ``expected_status``: two terminals taking the same step
    at once (two windows handing out one result) cannot both succeed, on PostgreSQL as on SQLite."""
    result = conn.execute(update(case_items).where(case_items.c.id == case_item_id,
                                                   case_items.c.status == expected_status).values(**values))
    return bool(result.rowcount)


def checks_of(conn: Connection, case_item_ids: Sequence[int]) -> dict[tuple[int, int], CheckRow]:
    """(case item id, material id) → what was recorded."""
    rows = conn.execute(select(material_checks).where(material_checks.c.case_item_id.in_(list(case_item_ids))))
    return {(c.case_item_id, c.material_id): CheckRow(c.received, c.form, c.note, c.received_at, c.applies)
            for c in rows}


def check_of(conn: Connection, case_item_id: int, material_id: int) -> CheckRow | None:
    return checks_of(conn, [case_item_id]).get((case_item_id, material_id))


def save_check(conn: Connection, case_item_id: int, material_id: int, values: dict[str, object]) -> None:
    """Update the material's record of this item, or create it."""
    done = conn.execute(update(material_checks).where(material_checks.c.case_item_id == case_item_id,
                                                      material_checks.c.material_id == material_id)
                        .values(**values)).rowcount
    if not done:
        conn.execute(insert(material_checks).values(case_item_id=case_item_id, material_id=material_id, **values))


# --- pauses of the clock (special procedures, S6) --------------------------------------------------


def pauses_of(conn: Connection, case_item_ids: Sequence[int]) -> dict[int, list[Pause]]:
    """case item id → its pauses, oldest first."""
    found: dict[int, list[Pause]] = {}
    for p in conn.execute(select(item_pauses).where(item_pauses.c.case_item_id.in_(list(case_item_ids)))
                          .order_by(item_pauses.c.id)):
        found.setdefault(p.case_item_id, []).append(Pause(p.procedure, p.started_on, p.ended_on))
    return found


def has_running_pause(conn: Connection, case_item_id: int) -> bool:
    return conn.execute(select(item_pauses.c.id).where(item_pauses.c.case_item_id == case_item_id,
                                                       item_pauses.c.ended_on.is_(None))).first() is not None


def start_pause(conn: Connection, case_item_id: int, procedure: str, started_on: dt.date,
                staff_id: str | None) -> None:
    conn.execute(insert(item_pauses).values(case_item_id=case_item_id, procedure=procedure, started_on=started_on,
                                            staff_id=staff_id))


def end_pauses(conn: Connection, case_item_id: int, ended_on: dt.date) -> int:
    """End the item's running pause; how many were running."""
    return int(conn.execute(update(item_pauses).where(item_pauses.c.case_item_id == case_item_id,
                                                      item_pauses.c.ended_on.is_(None))
                            .values(ended_on=ended_on)).rowcount)


# --- across cases (the sweep, the desk's counts) ---------------------------------------------------


def overdue_conditional(conn: Connection, statuses: Sequence[str], decision: str,
                        today: dt.date) -> list[OverdueItem]:
    """Items in ``statuses`` still of ``decision`` (容缺受理, supplements owed, perhaps already in
    review) whose supplement deadline is before ``today``."""
    rows = conn.execute(select(case_items.c.id, case_items.c.case_id, case_items.c.item_code,
                               case_items.c.supplement_due_on, cases.c.holder_id)
                        .join(cases, cases.c.id == case_items.c.case_id)
                        .where(case_items.c.status.in_(list(statuses)), case_items.c.decision == decision,
                               case_items.c.supplement_due_on < today))
    return [OverdueItem(r.id, r.case_id, r.item_code, r.supplement_due_on, r.holder_id) for r in rows]


def estimated_item_ids(conn: Connection, statuses: Sequence[str]) -> list[int]:
    """Items in ``statuses`` whose due date was estimated past the holiday data."""
    return list(conn.execute(select(case_items.c.id).where(case_items.c.due_estimated,
                                                           case_items.c.status.in_(list(statuses)))).scalars())


def count_in_status(conn: Connection, case_id: int, statuses: Sequence[str]) -> int:
    return int(conn.execute(select(func.count()).where(case_items.c.case_id == case_id,
                                                       case_items.c.status.in_(list(statuses)))).scalar_one())


def with_due_dates(conn: Connection, statuses: Sequence[str]) -> list[ItemRow]:
    """Accepted items in ``statuses`` that have a due date, of cases still open.

    A closed case's items keep their status (已受理): without the case's state every case a hall ever
    closed would count as overdue, and classifying years of them held the desk for minutes."""
    rows = conn.execute(_items_query().join(cases, cases.c.id == case_items.c.case_id)
                        .where(case_items.c.status.in_(list(statuses)), case_items.c.accepted_on.is_not(None),
                               case_items.c.due_on.is_not(None), cases.c.closed_at.is_(None)))
    return [_item(r) for r in rows]


def statuses_of_case(conn: Connection, case_id: int) -> list[str]:
    return list(conn.execute(select(case_items.c.status).where(case_items.c.case_id == case_id)).scalars())


def item_states(conn: Connection, case_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """case id → (item name, status) of each of its items, in the case's order (one query)."""
    found: dict[int, list[tuple[str, str]]] = {}
    if not case_ids:
        return found
    rows = conn.execute(select(case_items.c.case_id, items.c.name, case_items.c.status)
                        .join(items, items.c.code == case_items.c.item_code)
                        .where(case_items.c.case_id.in_(list(case_ids))).order_by(case_items.c.id))
    for r in rows:
        found.setdefault(r.case_id, []).append((r.name, r.status))
    return found
