"""Proxy tasks (全程代办, S3) and their notes: plain rows in, plain rows out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.orm import aliased

from hallterm.domain.proxy_tasks import OPEN_STATES
from hallterm.storage.tables import card_holders, case_items, cases, items, proxy_task_notes, proxy_tasks, staff


@dataclass(frozen=True)
class ProxyTaskRow:
    id: int
    case_id: int
    case_no: str
    case_status: str
    holder_name: str
    kind: str
    state: str
    owner_id: str | None
    owner_name: str | None
    added_on: dt.date
    due_on: dt.date
    due_estimated: bool
    closed_on: dt.date | None
    cancel_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class NoteRow:
    id: int
    task_id: int
    at: dt.datetime
    staff_id: str | None
    staff_name: str | None
    text: str


@dataclass(frozen=True)
class ProxyPerson:
    staff_id: str
    name: str
    extension: str


_owner = aliased(staff)


def _select() -> Any:
    return (select(proxy_tasks, cases.c.case_no, cases.c.status.label("case_status"),
                   card_holders.c.name.label("holder_name"), _owner.c.name.label("owner_name"))
            .join(cases, cases.c.id == proxy_tasks.c.case_id)
            .join(card_holders, card_holders.c.id == cases.c.holder_id)
            .outerjoin(_owner, _owner.c.staff_id == proxy_tasks.c.owner_id))


def _row(r: Any) -> ProxyTaskRow:
    return ProxyTaskRow(r.id, r.case_id, r.case_no, r.case_status, r.holder_name, r.kind, r.state, r.owner_id,
                        r.owner_name, r.added_on, r.due_on, r.due_estimated, r.closed_on, r.cancel_reason,
                        r.created_at, r.updated_at)


def insert_task(conn: Connection, values: dict[str, Any]) -> int:
    key = conn.execute(insert(proxy_tasks).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def get_task(conn: Connection, task_id: int, *, for_update: bool = False) -> ProxyTaskRow | None:
    """One task; ``for_update`` locks its row on PostgreSQL (SQLite's write transaction is already exclusive),
    so two terminals moving the same task one after the other see each other's step."""
    query = _select().where(proxy_tasks.c.id == task_id)
    if for_update:
        query = query.with_for_update(of=proxy_tasks)
    r = conn.execute(query).first()
    return _row(r) if r is not None else None


def tasks_of_case(conn: Connection, case_id: int) -> list[ProxyTaskRow]:
    query = _select().where(proxy_tasks.c.case_id == case_id).order_by(proxy_tasks.c.id)
    return [_row(r) for r in conn.execute(query)]


def tasks_of_owner(conn: Connection, owner_id: str | None, states: Sequence[str], *,
                   limit: int = 2000) -> list[ProxyTaskRow]:
    """Tasks in ``states`` owned by ``owner_id`` (everyone's when None), earliest due first."""
    query = _select().where(proxy_tasks.c.state.in_(list(states)))
    if owner_id is not None:
        query = query.where(proxy_tasks.c.owner_id == owner_id)
    query = query.order_by(proxy_tasks.c.due_on, proxy_tasks.c.id).limit(limit)
    return [_row(r) for r in conn.execute(query)]


def count_open(conn: Connection, case_id: int, open_states: Sequence[str]) -> int:
    """How many of the case's tasks are still to be done (pending or in progress)."""
    return int(conn.execute(select(func.count()).select_from(proxy_tasks).where(
        proxy_tasks.c.case_id == case_id, proxy_tasks.c.state.in_(list(open_states)))).scalar_one())


def update_task(conn: Connection, task_id: int, **values: Any) -> None:
    conn.execute(update(proxy_tasks).where(proxy_tasks.c.id == task_id).values(**values))


def own_unowned(conn: Connection, case_id: int, owner_id: str, at: dt.datetime) -> list[int]:
    """Give the case's open tasks without an owner to ``owner_id``; their ids."""
    open_states = [s.value for s in OPEN_STATES]
    ids = list(conn.execute(select(proxy_tasks.c.id).where(
        proxy_tasks.c.case_id == case_id, proxy_tasks.c.owner_id.is_(None),
        proxy_tasks.c.state.in_(open_states))).scalars())
    if ids:
        conn.execute(update(proxy_tasks).where(proxy_tasks.c.id.in_(ids)).values(owner_id=owner_id, updated_at=at))
    return ids


def add_note(conn: Connection, task_id: int, at: dt.datetime, staff_id: str | None, text: str) -> int:
    key = conn.execute(insert(proxy_task_notes).values(task_id=task_id, at=at, staff_id=staff_id,
                                                       text=text)).inserted_primary_key
    assert key is not None
    return int(key[0])


def notes_of(conn: Connection, task_ids: Iterable[int]) -> dict[int, list[NoteRow]]:
    """task id → its notes, oldest first."""
    ids = list(task_ids)
    out: dict[int, list[NoteRow]] = {i: [] for i in ids}
    if not ids:
        return out
    query = (select(proxy_task_notes, staff.c.name.label("staff_name"))
             .outerjoin(staff, staff.c.staff_id == proxy_task_notes.c.staff_id)
             .where(proxy_task_notes.c.task_id.in_(ids)).order_by(proxy_task_notes.c.id))
    for r in conn.execute(query):
        out[r.task_id].append(NoteRow(r.id, r.task_id, r.at, r.staff_id, r.staff_name, r.text))
    return out


def proxy_people(conn: Connection) -> list[ProxyPerson]:
    """The active 帮办代办 staff (role proxy), by staff ID."""
    query = (select(staff.c.staff_id, staff.c.name, staff.c.extension)
             .where(staff.c.active, staff.c.role == "proxy").order_by(staff.c.staff_id))
    return [ProxyPerson(r.staff_id, r.name, r.extension or "") for r in conn.execute(query)]


def staff_role(conn: Connection, staff_id: str) -> str | None:
    """The role of a staff member, inactive ones too (None when there is none)."""
    return conn.execute(select(staff.c.role).where(staff.c.staff_id == staff_id)).scalar_one_or_none()


@dataclass(frozen=True)
class CaseForTasks:
    id: int
    case_no: str
    status: str
    full_proxy: bool
    handling: str
    proxy_staff_id: str | None
    holder_name: str


def case_for_tasks(conn: Connection, case_id: int) -> CaseForTasks | None:
    r = conn.execute(select(cases.c.id, cases.c.case_no, cases.c.status, cases.c.full_proxy, cases.c.handling,
                            cases.c.proxy_staff_id, card_holders.c.name)
                     .join(card_holders, card_holders.c.id == cases.c.holder_id)
                     .where(cases.c.id == case_id)).first()
    if r is None:
        return None
    return CaseForTasks(r.id, r.case_no, r.status, r.full_proxy, r.handling, r.proxy_staff_id, r.name)


def item_scopes(conn: Connection, case_id: int) -> list[tuple[str, str]]:
    """(jurisdiction, clock_exempt) of each item of the case, as the catalog stores them."""
    query = (select(items.c.jurisdiction, items.c.clock_exempt).join(case_items, case_items.c.item_code == items.c.code)
             .where(case_items.c.case_id == case_id).order_by(case_items.c.id))
    return [(r.jurisdiction, r.clock_exempt or "") for r in conn.execute(query)]
