"""What is held now, for the responsibility list (责任清单, S10): open cases, their open items, open proxy
tasks and open 差评 follow-ups, each with the staff member who holds it, as plain rows.

Each query starts from an index on the open state (``ix_cases_status``, ``ix_case_items_status``,
``ix_proxy_tasks_owner_state``, ``ix_rating_follow_ups_closed_at``): years of closed cases are never read.
Holders' names come out as stored; the service masks them before anything shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.sql import Select

from hallterm.storage.tables import (
    card_holders,
    case_items,
    cases,
    items,
    proxy_tasks,
    rating_follow_ups,
    staff,
)


@dataclass(frozen=True)
class HeldBy:
    staff_id: str | None
    name: str
    section: str


@dataclass(frozen=True)
class OpenCase:
    id: int
    case_no: str
    holder_name: str
    status: str
    coordinator: HeldBy
    proxy: HeldBy


@dataclass(frozen=True)
class OpenItem:
    id: int
    case_id: int
    item_code: str
    name: str
    department: str
    status: str
    decision: str
    accepted_on: dt.date | None
    promised_days: int
    due_on: dt.date | None
    supplement_due_on: dt.date | None


@dataclass(frozen=True)
class OpenProxyTask:
    id: int
    case_id: int
    case_no: str
    holder_name: str
    kind: str
    state: str
    owner: HeldBy
    due_on: dt.date


@dataclass(frozen=True)
class OpenFollowUp:
    id: int
    case_id: int
    case_no: str
    holder_name: str
    task: str
    owner: HeldBy
    due_on: dt.date


def _held(staff_id: str | None, name: str | None, section: str | None) -> HeldBy:
    return HeldBy(staff_id, name or "", section or "")


def open_cases(conn: Connection, active_statuses: Sequence[str]) -> list[OpenCase]:
    coord = staff.alias("coord")
    prox = staff.alias("prox")
    query: Select = (
        select(cases.c.id, cases.c.case_no, card_holders.c.name.label("holder_name"), cases.c.status,
               cases.c.coordinator_id, coord.c.name.label("c_name"), coord.c.section.label("c_section"),
               cases.c.proxy_staff_id, prox.c.name.label("p_name"), prox.c.section.label("p_section"))
        .join(card_holders, card_holders.c.id == cases.c.holder_id)
        .outerjoin(coord, coord.c.staff_id == cases.c.coordinator_id)
        .outerjoin(prox, prox.c.staff_id == cases.c.proxy_staff_id)
        .where(cases.c.status.in_(list(active_statuses)))
        .order_by(cases.c.id))
    return [OpenCase(r.id, r.case_no, r.holder_name, r.status, _held(r.coordinator_id, r.c_name, r.c_section),
                     _held(r.proxy_staff_id, r.p_name, r.p_section)) for r in conn.execute(query)]


def open_items(conn: Connection, active_statuses: Sequence[str], statuses: Sequence[str]) -> list[OpenItem]:
    """The items in ``statuses`` of the cases in ``active_statuses``, by case and in the case's order.

    Reached from the open cases (``ix_cases_status``, then ``ix_case_items_case_id``): every item a hall
    ever accepted keeps a status in ``statuses`` (a closed case's items stay 已受理), so the item's own
    status index would read them all: filtering on ``status || ''`` keeps the planner off it (measured on
    the bench's million cases, SQLite: 2 s by the status index, 0.09 s from the open cases)."""
    status = case_items.c.status
    query = (select(case_items.c.id, case_items.c.case_id, case_items.c.item_code, items.c.name,
                    items.c.department, status, case_items.c.decision, case_items.c.accepted_on,
                    items.c.promised_days, case_items.c.due_on, case_items.c.supplement_due_on)
             .join(cases, cases.c.id == case_items.c.case_id)
             .join(items, items.c.code == case_items.c.item_code)
             .where(cases.c.status.in_(list(active_statuses)), status.concat("").in_(list(statuses)))
             .order_by(case_items.c.case_id, case_items.c.id))
    return [OpenItem(r.id, r.case_id, r.item_code, r.name, r.department, r.status, r.decision, r.accepted_on,
                     r.promised_days, r.due_on, r.supplement_due_on) for r in conn.execute(query)]


def open_proxy_tasks(conn: Connection, open_states: Sequence[str]) -> list[OpenProxyTask]:
    query = (select(proxy_tasks.c.id, proxy_tasks.c.case_id, cases.c.case_no,
                    card_holders.c.name.label("holder_name"), proxy_tasks.c.kind, proxy_tasks.c.state,
                    proxy_tasks.c.owner_id, staff.c.name.label("o_name"), staff.c.section.label("o_section"),
                    proxy_tasks.c.due_on)
             .join(cases, cases.c.id == proxy_tasks.c.case_id)
             .join(card_holders, card_holders.c.id == cases.c.holder_id)
             .outerjoin(staff, staff.c.staff_id == proxy_tasks.c.owner_id)
             .where(proxy_tasks.c.state.in_(list(open_states)))
             .order_by(proxy_tasks.c.id))
    return [OpenProxyTask(r.id, r.case_id, r.case_no, r.holder_name, r.kind, r.state,
                          _held(r.owner_id, r.o_name, r.o_section), r.due_on) for r in conn.execute(query)]


def open_follow_ups(conn: Connection) -> list[OpenFollowUp]:
    query = (select(rating_follow_ups.c.id, rating_follow_ups.c.case_id, cases.c.case_no,
                    card_holders.c.name.label("holder_name"), rating_follow_ups.c.task,
                    rating_follow_ups.c.owner_id, staff.c.name.label("o_name"),
                    staff.c.section.label("o_section"), rating_follow_ups.c.due_on)
             .join(cases, cases.c.id == rating_follow_ups.c.case_id)
             .join(card_holders, card_holders.c.id == cases.c.holder_id)
             .outerjoin(staff, staff.c.staff_id == rating_follow_ups.c.owner_id)
             .where(rating_follow_ups.c.closed_at.is_(None))
             .order_by(rating_follow_ups.c.id))
    return [OpenFollowUp(r.id, r.case_id, r.case_no, r.holder_name, r.task, _held(r.owner_id, r.o_name, r.o_section),
                         r.due_on) for r in conn.execute(query)]


def sections(conn: Connection, *, active_only: bool = True) -> list[str]:
    """Every section of an active staff member (of any staff member, one who has left included, when not
    ``active_only``: they may still hold a case)."""
    query = select(staff.c.section).distinct()
    if active_only:
        query = query.where(staff.c.active)
    return sorted(s for s in conn.execute(query).scalars() if s)


def departments(conn: Connection) -> list[str]:
    """The approving departments of the item catalog: a duty's 责任部门 (e.g. 市政公用审批科), whose staff need
    not be on this hall's roster."""
    return sorted(s for s in conn.execute(select(items.c.department).distinct()).scalars() if s)
