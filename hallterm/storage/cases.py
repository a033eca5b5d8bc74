"""Case queries and writes, returning plain rows (never ORM rows; ``services.case_views`` reads them for screens)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, and_, func, insert, select, text, update
from sqlalchemy.orm import aliased

from hallterm.domain.cases import ACTIVE_STATUSES, VISIT_STATUSES, CaseStatus
from hallterm.domain.checklist import ItemStatus
from hallterm.domain.events import EventKind
from hallterm.domain.routing import LoungeLoad, StaffLoad
from hallterm.domain.shifts import ClosedDay, next_start, on_duty, parse_window
from hallterm.storage.tables import card_holders, case_items, cases, events, items, lounges, staff, staff_shifts


@dataclass(frozen=True)
class Person:
    staff_id: str
    name: str
    extension: str


@dataclass(frozen=True)
class CaseRow:
    """A case as stored, with its holder's, lounge's and staff's names (codes are strings as stored)."""

    id: int
    case_no: str
    card_no: str
    holder_name: str
    kind: str
    enterprise_name: str
    project_name: str
    enterprise_kind: str
    uscc: str
    jurisdiction: str
    district: str
    handling: str
    flags: str
    service_mode: str
    full_proxy: bool
    status: str
    lounge_code: str | None
    lounge_name: str | None
    lounge_floor: int | None
    coordinator: Person | None
    proxy: Person | None
    first_contact: Person | None
    opened_at: dt.datetime
    met_at: dt.datetime | None
    item_names: tuple[str, ...]
    queue_position: int | None = None  # 1 = next to be routed, when the case waits for a seat/coordinator
    queue_reason: str = ""
    proxy_reason: str = ""  # why the 帮办代办 promised is not assigned yet, and when one comes


def lock_seats(conn: Connection) -> None:
    """Make this transaction the only one giving out lounge seats and coordinators until it ends: a seat
    read as free and the case that takes it are one step. SQLite's write transaction already is; on
    PostgreSQL two desks ending visits at once both routed the head of the queue (found by ``hallterm
    simulate`` with 50 desks), so a transaction-scoped advisory lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('hallterm.seats'))"))


def lounge_loads(conn: Connection) -> list[LoungeLoad]:
    occupied = (select(func.count()).where(and_(cases.c.lounge_code == lounges.c.code,
                                                cases.c.status.in_([s.value for s in VISIT_STATUSES])))
                .scalar_subquery())
    rows = conn.execute(select(lounges.c.code, lounges.c.name, lounges.c.floor, lounges.c.capacity,
                               occupied.label("occupied")).where(lounges.c.active).order_by(lounges.c.code))
    return [LoungeLoad(r.code, r.name, r.floor, r.capacity, r.occupied) for r in rows]


def staff_loads(conn: Connection, *, section: str | None, roles: Sequence[str], local_now: dt.datetime,
                column: str = "coordinator_id", closed: ClosedDay | None = None) -> list[StaffLoad]:
    """Staff of a section with their active cases, last assignment and whether on duty now."""
    ref = cases.c[column]
    active = (select(func.count()).where(and_(ref == staff.c.staff_id,
                                              cases.c.status.in_([s.value for s in ACTIVE_STATUSES])))
              .scalar_subquery())
    last = select(func.max(cases.c.opened_at)).where(ref == staff.c.staff_id).scalar_subquery()
    query = (select(staff.c.staff_id, staff.c.name, staff.c.section, staff.c.extension,
                    active.label("active"), last.label("last"))
             .where(staff.c.active, staff.c.role.in_(list(roles))))
    if section is not None:
        query = query.where(staff.c.section == section)
    people = conn.execute(query).all()
    windows: dict[str, list] = {}
    for sid, days, start, end in conn.execute(select(staff_shifts.c.staff_id, staff_shifts.c.days,
                                                     staff_shifts.c.start, staff_shifts.c.end)):
        windows.setdefault(sid, []).append(parse_window(days, start, end))
    out = []
    for p in people:
        last_at = p.last
        if last_at is not None and last_at.tzinfo is None:  # SQLite's max() bypasses the column type
            last_at = dt.datetime.fromisoformat(str(last_at)).replace(tzinfo=dt.UTC)
        out.append(StaffLoad(p.staff_id, p.name, p.section, p.extension, p.active, last_at,
                             on_duty(windows.get(p.staff_id, []), local_now, closed)))
    return out


def next_on_duty(conn: Connection, *, section: str, roles: Sequence[str],
                 local_now: dt.datetime, closed: ClosedDay | None = None) -> dt.datetime | None:
    """The next shift start of anyone in the section, e.g. tomorrow 08:30 after hours."""
    rows = conn.execute(select(staff_shifts.c.days, staff_shifts.c.start, staff_shifts.c.end)
                        .join(staff, staff.c.staff_id == staff_shifts.c.staff_id)
                        .where(staff.c.active, staff.c.section == section, staff.c.role.in_(list(roles))))
    return next_start([parse_window(d, s, e) for d, s, e in rows], local_now, closed)


def holder_id(conn: Connection, card_no: str) -> int | None:
    return conn.execute(select(card_holders.c.id).where(card_holders.c.card_no == card_no)).scalar_one_or_none()


def case_id_of(conn: Connection, case_no: str) -> int | None:
    return conn.execute(select(cases.c.id).where(cases.c.case_no == case_no)).scalar_one_or_none()


def handling_of(conn: Connection, case_id: int) -> str:
    return str(conn.execute(select(cases.c.handling).where(cases.c.id == case_id)).scalar_one())


def mode_of(conn: Connection, case_id: int) -> tuple[str, bool]:
    """The case's service mode and whether it is fully by proxy."""
    row = conn.execute(select(cases.c.service_mode, cases.c.full_proxy).where(cases.c.id == case_id)).one()
    return row.service_mode, row.full_proxy


def awaiting_proxy_ids(conn: Connection, proxy_modes: Sequence[str]) -> list[int]:
    """Active cases that need a 帮办代办 staff member (全程代办, a proxy-filed item or a proxy mode)
    and have none yet: routed when none was on duty. Oldest first, as they came."""
    needs = (cases.c.full_proxy | (cases.c.handling == "proxy") | cases.c.service_mode.in_(list(proxy_modes)))
    return list(conn.execute(select(cases.c.id).where(cases.c.proxy_staff_id.is_(None), needs,
                                                      cases.c.status.in_([s.value for s in ACTIVE_STATUSES]),
                                                      cases.c.status != CaseStatus.QUEUED.value)
                             .order_by(cases.c.opened_at, cases.c.id)).scalars())


def has_items_of_department(conn: Connection, case_id: int, department: str) -> bool:
    return bool(conn.execute(select(items.c.code).join(case_items, case_items.c.item_code == items.c.code)
                             .where(case_items.c.case_id == case_id, items.c.department == department)
                             .limit(1)).first())


def lounge_names(conn: Connection) -> dict[str, str]:
    """lounge code → name, inactive ones too (old events name them)."""
    return {r.code: r.name for r in conn.execute(select(lounges.c.code, lounges.c.name))}


def active_items(conn: Connection, codes: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """code → (name, jurisdiction scope, department) for the active catalog items asked for."""
    rows = conn.execute(select(items.c.code, items.c.name, items.c.jurisdiction, items.c.department)
                        .where(items.c.code.in_(list(codes)), items.c.active))
    return {r.code: (r.name, r.jurisdiction, r.department) for r in rows}


def insert_case(conn: Connection, values: dict[str, object], item_codes: Sequence[str]) -> int:
    key = conn.execute(insert(cases).values(**values)).inserted_primary_key
    assert key is not None
    case_id = int(key[0])
    conn.execute(insert(case_items), [{"case_id": case_id, "item_code": code, "status": ItemStatus.RECEIVED.value,
                                       "fees_paid": False} for code in item_codes])
    return case_id


def case_of_request(conn: Connection, request_key: str) -> int | None:
    """The case a form with this key opened already, if any."""
    return conn.execute(select(cases.c.id).where(cases.c.request_key == request_key)).scalar_one_or_none()


def set_case(conn: Connection, case_id: int, **values: object) -> None:
    conn.execute(update(cases).where(cases.c.id == case_id).values(**values))


def queued_case_ids(conn: Connection, *, opened_before: dt.datetime | None = None) -> list[int]:
    """The queue in its order; ``opened_before`` (UTC): only those queued since before then."""
    query = select(cases.c.id).where(cases.c.status == CaseStatus.QUEUED.value)
    if opened_before is not None:
        query = query.where(cases.c.opened_at < opened_before)
    return list(conn.execute(query.order_by(cases.c.opened_at, cases.c.id)).scalars())


@cache  # built once: a select is immutable (.where() makes a new one), and building it cost ~5 ms a call
def _view_query() -> Select[Any]:
    coord = aliased(staff)
    proxy = aliased(staff)
    first = aliased(staff)
    return (select(cases, card_holders.c.card_no, card_holders.c.name.label("holder_name"),
                   lounges.c.name.label("lounge_name"), lounges.c.floor.label("lounge_floor"),
                   coord.c.name.label("c_name"), coord.c.extension.label("c_ext"),
                   proxy.c.name.label("p_name"), proxy.c.extension.label("p_ext"),
                   first.c.name.label("f_name"), first.c.extension.label("f_ext"))
            .join(card_holders, card_holders.c.id == cases.c.holder_id)
            .outerjoin(lounges, lounges.c.code == cases.c.lounge_code)
            .outerjoin(coord, coord.c.staff_id == cases.c.coordinator_id)
            .outerjoin(proxy, proxy.c.staff_id == cases.c.proxy_staff_id)
            .outerjoin(first, first.c.staff_id == cases.c.first_contact_id))


def _item_names(conn: Connection, case_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    rows = conn.execute(select(case_items.c.case_id, items.c.name)
                        .join(items, items.c.code == case_items.c.item_code)
                        .where(case_items.c.case_id.in_(list(case_ids))).order_by(case_items.c.id))
    for cid, name in rows:
        out.setdefault(cid, []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def _to_view(r, names: tuple[str, ...]) -> CaseRow:
    def person(sid: str | None, name: str | None, ext: str | None) -> Person | None:
        return Person(sid, name or "", ext or "") if sid else None

    return CaseRow(r.id, r.case_no, r.card_no, r.holder_name, r.kind, r.enterprise_name, r.project_name,
                    r.enterprise_kind, r.uscc, r.jurisdiction, r.district, r.handling, r.flags, r.service_mode,
                    r.full_proxy, r.status, r.lounge_code, r.lounge_name, r.lounge_floor,
                    person(r.coordinator_id, r.c_name, r.c_ext), person(r.proxy_staff_id, r.p_name, r.p_ext),
                    person(r.first_contact_id, r.f_name, r.f_ext), r.opened_at, r.met_at, names)


def get_case(conn: Connection, case_id: int) -> CaseRow | None:
    row = conn.execute(_view_query().where(cases.c.id == case_id)).first()
    if row is None:
        return None
    view = _to_view(row, _item_names(conn, [case_id]).get(case_id, ()))
    if view.status == CaseStatus.QUEUED.value:
        ahead = queued_case_ids(conn)
        if case_id not in ahead:
            # Routed by another terminal between the two statements (PostgreSQL reads each statement's
            # committed state): read it again as it is now — seen under load by ``hallterm simulate``.
            return get_case(conn, case_id)
        reason = conn.execute(select(events.c.details).where(events.c.case_id == case_id,
                                                             events.c.kind == EventKind.CASE_QUEUED.value)
                              .order_by(events.c.id.desc()).limit(1)).scalar_one_or_none()
        view = dataclasses.replace(view, queue_position=ahead.index(case_id) + 1,
                                   queue_reason=(reason or {}).get("reason", ""))
    elif view.proxy is None:
        pending = conn.execute(select(events.c.details).where(events.c.case_id == case_id,
                                                              events.c.kind == EventKind.PROXY_PENDING.value)
                               .order_by(events.c.id.desc()).limit(1)).scalar_one_or_none()
        view = dataclasses.replace(view, proxy_reason=(pending or {}).get("reason", ""))
    return view


def find_cases(conn: Connection, *, coordinator_id: str | None = None, card_no: str | None = None,
               statuses: Sequence[str] | None = None, limit: int = 200) -> list[CaseRow]:
    query = _view_query().order_by(cases.c.opened_at, cases.c.id).limit(limit)
    if coordinator_id is not None:
        query = query.where((cases.c.coordinator_id == coordinator_id) | (cases.c.proxy_staff_id == coordinator_id))
    if card_no is not None:
        query = query.where(card_holders.c.card_no == card_no)
    if statuses is not None:
        query = query.where(cases.c.status.in_(list(statuses)))
    rows = conn.execute(query).all()
    names = _item_names(conn, [r.id for r in rows])
    return [_to_view(r, names.get(r.id, ())) for r in rows]
