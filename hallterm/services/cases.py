"""Opening a case and routing it to a lounge and a coordinator (S1, S1', S2, S3, S4, S9).

Each public call is one write transaction that also appends its events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from hallterm.domain.auth import AuthError
from hallterm.domain.cases import (
    ACTIVE_STATUSES,
    VISIT_STATUSES,
    CaseDraft,
    CaseInputError,
    CaseStatus,
    case_number,
    check_draft,
)
from hallterm.domain.events import EventKind
from hallterm.domain.holders import assess
from hallterm.domain.ids import is_valid_uscc
from hallterm.domain.jurisdiction import JurisdictionError, decide, requires_proxy
from hallterm.domain.routing import PROXY_SECTION, StaffLoad, coordinator_section, pick_lounge, pick_staff
from hallterm.domain.service_mode import MODE_NAMES, PROXY_MODES, ServiceMode, needs_proxy, suggest
from hallterm.domain.waits import seconds_between
from hallterm.domain.weekdays import weekday_name
from hallterm.services.after_hours import DUTY_NAMES, duty_receiver
from hallterm.services.case_views import CaseEvent, CaseView, case_at, case_event, find_case_views
from hallterm.services.context import Services
from hallterm.services.day_end import ENTERPRISE_DEPARTMENT, Callback, close_queue, closed_days
from hallterm.services.deadline_sweep import worst_deadlines
from hallterm.services.staff import StaffSession
from hallterm.storage import case_items, events, holders, sequences
from hallterm.storage import cases as store
from hallterm.storage import catalog as catalog_store
from hallterm.storage import proxy_tasks as proxy_task_store
from hallterm.storage import staff as staff_store

CASE_SERIES = "case"


@dataclass(frozen=True)
class CatalogItem:
    code: str
    name: str
    department: str
    promised_days: int
    jurisdiction: str
    allow_conditional: bool


def catalog(svc: Services) -> list[CatalogItem]:
    """The active approval items, for picking when a case is opened."""
    with svc.db.read() as conn:
        rows = catalog_store.active_items(conn)
    return [CatalogItem(r.code, r.name, r.department, r.promised_days, r.jurisdiction, r.allow_conditional)
            for r in rows]


def open_case(svc: Services, session: StaffSession, draft: CaseDraft, *,
              within: Callable[[Connection, int, str], None] | None = None) -> CaseView:
    """Check, number, route and save a case in one transaction; raise CaseInputError for bad input.

    ``within(conn, case_id, case_no)`` runs inside that transaction (an early consultation links the case it
    became there, S5): what it raises undoes the case too."""
    session.require("open_case")
    suggested = suggest(draft.flags, draft.materials_complete)
    problems = check_draft(draft, suggested)
    if problems:
        raise CaseInputError("；".join(problems))
    mode = draft.mode or suggested
    now = svc.now()
    with svc.db.write() as conn:
        if draft.request_key and (sent := store.case_of_request(conn, draft.request_key)) is not None:
            # The same form again: its first sending committed but the answer was lost (an outage).
            earlier = case_at(conn, sent)
            assert earlier is not None
            return earlier
        holder = holders.find(conn, draft.card_no)
        verdict = assess(holder, draft.card_no, svc.today(), svc.settings.cards.eligible_tiers)
        if holder is None:
            raise CaseInputError(verdict.message)
        if not verdict.ok:
            if not draft.card_override_reason.strip():
                raise CaseInputError(f"{verdict.message}。如需特批，请督查人员填写理由后放行")
            session.require("override_card")
        catalog_rows = store.active_items(conn, draft.item_codes)
        unknown = [c for c in draft.item_codes if c not in catalog_rows]
        if unknown:
            raise CaseInputError(f"事项 {', '.join(unknown)} 不在事项清单中或已停用")
        try:
            jurisdiction = decide(draft.enterprise_kind, [v[1] for v in catalog_rows.values()],
                                  draft.district, draft.handling)
        except JurisdictionError as exc:
            raise CaseInputError(str(exc)) from None
        # S3: an item only the proxy service files makes the case 全程代办, as the form says before F10.
        full_proxy = draft.full_proxy or requires_proxy(v[1] for v in catalog_rows.values())
        seq = sequences.next_value(conn, CASE_SERIES, svc.today())
        case_no = case_number(svc.settings.hall.region_code, svc.today(), seq)
        holder_row = store.holder_id(conn, draft.card_no)
        case_id = store.insert_case(conn, {
            "case_no": case_no, "holder_id": holder_row, "kind": draft.kind.value,
            "enterprise_name": draft.enterprise_name.strip(), "project_name": draft.project_name.strip(),
            "enterprise_kind": draft.enterprise_kind.value, "uscc": draft.uscc.strip().upper(),
            "jurisdiction": jurisdiction.bureau.value, "district": jurisdiction.district,
            "handling": jurisdiction.handling.value, "flags": draft.flags.codes(), "service_mode": mode.value,
            "full_proxy": full_proxy, "status": CaseStatus.QUEUED.value,
            "first_contact_id": session.staff_id, "opened_at": now, "request_key": draft.request_key or None,
        }, draft.item_codes)
        log: dict[str, Any] = {"staff_id": session.staff_id, "case_id": case_id, "card_no": draft.card_no}
        if not verdict.ok:
            events.append(conn, EventKind.CARD_OVERRIDE, now, verdict=verdict.verdict.value,
                          reason=draft.card_override_reason.strip(), **log)
        events.append(conn, EventKind.CASE_OPENED, now, case_no=case_no, items=list(draft.item_codes), mode=mode.value,
                      suggested=suggested.value, flags=draft.flags.codes(), bureau=jurisdiction.bureau.value,
                      district=jurisdiction.district, handling=jurisdiction.handling.value,
                      full_proxy=full_proxy, materials=_materials_word(draft.materials_complete), **log)
        if mode is not suggested:
            events.append(conn, EventKind.SERVICE_MODE_CHANGED, now, suggested=suggested.value, chosen=mode.value,
                          reason=draft.mode_reason.strip(), **log)
        if draft.uscc and not is_valid_uscc(draft.uscc) and draft.uscc_override_reason.strip():
            events.append(conn, EventKind.USCC_OVERRIDE, now, uscc=draft.uscc.strip().upper(),
                          reason=draft.uscc_override_reason.strip(), **log)
        enterprise_items = any(v[2] == ENTERPRISE_DEPARTMENT for v in catalog_rows.values())
        _route(svc, conn, case_id, mode_value=mode.value, enterprise_items=enterprise_items,
               full_proxy=full_proxy, staff_id=session.staff_id)
        if within is not None:
            within(conn, case_id, case_no)
        view = case_at(conn, case_id)
    assert view is not None
    return view


def _materials_word(complete: bool | None) -> str:
    """What the desk knew of the papers when the case opened, for the record (S1)."""
    return "unchecked" if complete is None else "complete" if complete else "incomplete"


def _route(svc: Services, conn: Connection, case_id: int, *, mode_value: str, enterprise_items: bool,
           full_proxy: bool, staff_id: str | None) -> str:
    """Give a queued case a seat and a coordinator (and a proxy when S1/S3 say so); "" when it got
    them, else why it still waits: which of the two is missing (S9), and when a coordinator comes."""
    mode = ServiceMode(mode_value)
    local_now = svc.now().astimezone(svc.settings.hall.tz)
    store.lock_seats(conn)
    lounge = pick_lounge(store.lounge_loads(conn))
    section = coordinator_section(mode, enterprise_items)
    closed = closed_days(svc)
    # S6: after hours the duty roster (assets/staff.toml [[duty]]) says who receives the case.
    duty = duty_receiver(svc, conn, local_now, staff_id)
    coordinator: StaffLoad | None
    if duty is not None:
        coordinator = StaffLoad(duty.staff_id, duty.name, section, duty.extension, 0, None, True)
    else:
        coordinator = pick_staff(store.staff_loads(conn, section=section, roles=("coordinator",),
                                                   local_now=local_now, closed=closed))
    if lounge is None or coordinator is None:
        why = "业务洽谈室已满" if lounge is None else f"{section}暂无在岗协调员"
        # ``cause`` and ``comes`` say the same as ``why`` in fields: the visit slip words it shorter.
        cause, comes = "lounge_full", None
        if coordinator is None:
            rooms = "业务洽谈室已满，且" if lounge is None else ""
            comes = store.next_on_duty(conn, section=section, roles=("coordinator",), local_now=local_now,
                                       closed=closed)
            rest = _rest_day(svc, local_now.date())
            if comes is None:
                why, cause = f"{rooms}{section}没有排班的协调员，请联系管理员", "no_roster"
            elif comes.date() != local_now.date() and rest:
                # A Sunday or a holiday is not an evening: nobody of the section works today at all.
                why = (f"{rooms}今天{rest}，{section}无人值班，最早 {comes:%m月%d日}（{weekday_name(comes)}）"
                       f"{comes:%H:%M} 到岗；可请持卡人届时再来或预约")
                cause = "rest_day"
            elif comes.date() != local_now.date():
                why = f"{rooms}{section}协调员已下班，最早 {comes:%m月%d日 %H:%M} 到岗；可请持卡人届时再来或预约"
                cause = "off_duty"
            else:
                why, cause = f"{rooms}{section}协调员 {comes:%H:%M} 到岗", "returns_today"
        events.append(conn, EventKind.CASE_QUEUED, svc.now(), staff_id=staff_id, case_id=case_id, reason=why,
                      cause=cause, lounge_full=lounge is None, comes=comes.isoformat() if comes else None)
        return why
    values: dict[str, object] = {"lounge_code": lounge.code, "coordinator_id": coordinator.staff_id,
                                 "status": CaseStatus.WAITING.value}
    proxy_id = None
    handling = store.handling_of(conn, case_id)
    if needs_proxy(mode, full_proxy) or handling == "proxy":
        proxy = pick_staff(store.staff_loads(conn, section=PROXY_SECTION, roles=("proxy",), local_now=local_now,
                                             column="proxy_staff_id", closed=closed))
        proxy_id = proxy.staff_id if proxy else None
        values["proxy_staff_id"] = proxy_id
    store.set_case(conn, case_id, **values)
    duty_fields: dict[str, Any] = {}
    if duty is not None:
        duty_fields = {"duty": duty.kind.value, "duty_name": DUTY_NAMES[duty.kind]}
    events.append(conn, EventKind.CASE_ROUTED, svc.now(), staff_id=staff_id, case_id=case_id, lounge=lounge.code,
                  coordinator=coordinator.staff_id, proxy=proxy_id, mode=MODE_NAMES[mode], **duty_fields)
    if "proxy_staff_id" in values and proxy_id is None:
        _proxy_pending(svc, conn, case_id, local_now, closed, staff_id)
    return ""


def _proxy_pending(svc: Services, conn: Connection, case_id: int, local_now: dt.datetime,
                   closed: Callable[[dt.date], bool], staff_id: str | None) -> None:
    """The form promised 派帮办代办专人 (S1, S3) and nobody of the section is on duty: say so and when the
    first one comes. The case keeps no proxy; F8 gives it one once someone is on duty (``route_queued``)."""
    comes = store.next_on_duty(conn, section=PROXY_SECTION, roles=("proxy",), local_now=local_now, closed=closed)
    if comes is None:
        why = "帮办代办人员没有排班，暂未分派专人，请联系管理员"
    elif comes.date() != local_now.date():
        why = f"帮办代办人员已下班，最早 {comes:%m月%d日 %H:%M} 到岗，届时分派专人（F8 分配排队）"
    else:
        why = f"帮办代办人员暂不在岗，{comes:%H:%M} 到岗后分派专人（F8 分配排队）"
    events.append(conn, EventKind.PROXY_PENDING, svc.now(), staff_id=staff_id, case_id=case_id, reason=why,
                  comes=comes.isoformat() if comes else None)


def _assign_pending_proxies(svc: Services, conn: Connection, staff_id: str | None) -> int:
    """Give each case still owed a 帮办代办 staff member one, now that one is on duty; how many got one."""
    local_now = svc.now().astimezone(svc.settings.hall.tz)
    closed = closed_days(svc)
    assigned = 0
    for case_id in store.awaiting_proxy_ids(conn, [m.value for m in PROXY_MODES]):
        proxy = pick_staff(store.staff_loads(conn, section=PROXY_SECTION, roles=("proxy",), local_now=local_now,
                                             column="proxy_staff_id", closed=closed))
        if proxy is None:
            break  # nobody on duty: the pending note stays as it was
        store.set_case(conn, case_id, proxy_staff_id=proxy.staff_id)
        # Proxy tasks added while nobody was on duty had no owner: they go to the one now assigned (S3, S10).
        tasks = proxy_task_store.own_unowned(conn, case_id, proxy.staff_id, svc.now())
        events.append(conn, EventKind.PROXY_ASSIGNED, svc.now(), staff_id=staff_id, case_id=case_id,
                      proxy=proxy.staff_id, tasks=tasks)
        assigned += 1
    return assigned


def _rest_day(svc: Services, day: dt.date) -> str:
    """"星期日" / "国庆节（星期日）" when ``day`` is not a working day (the hall's calendar), else ""."""
    info = svc.work_calendar.day(day, estimate=True)
    if info.working:
        return ""
    return f"{info.note}（{weekday_name(day)}）" if info.note else f"{weekday_name(day)}休息"


@dataclass(frozen=True)
class QueueRouting:
    """What ``F8`` did: how many got a seat, how many still wait and why, who left at the day's end."""

    routed: int
    waiting: int  # still queued after this routing
    blocked: str  # why the first of them still waits ("" when nobody does)
    left: list[Callback] = field(default_factory=list)  # queued on an earlier day: off the queue, to call back
    proxies: int = 0  # routed cases owed a 帮办代办 staff member that got one now


def route_queued(svc: Services, session: StaffSession) -> QueueRouting:
    """Route waiting visitors in the order they came, as seats and coordinators free up. The first
    routing of a day first takes off the queue whoever waited on an earlier day (S9: they went home)."""
    session.require("reassign")  # F8's right, checked here as well as on the screen (issue 16 point 9)
    return _route_waiting(svc, session.staff_id)


def _route_waiting(svc: Services, staff_id: str) -> QueueRouting:
    """``route_queued`` without the role check: a visit ending frees a seat, whoever ends it (S9)."""
    routed = 0
    blocked = ""
    with svc.db.write() as conn:
        store.lock_seats(conn)  # before reading the queue: another terminal may be routing its head
        left = close_queue(svc, conn, tonight=False, staff_id=staff_id)
        queued = store.queued_case_ids(conn)
        for case_id in queued:
            mode_value, full_proxy = store.mode_of(conn, case_id)
            enterprise_items = store.has_items_of_department(conn, case_id, ENTERPRISE_DEPARTMENT)
            blocked = _route(svc, conn, case_id, mode_value=mode_value, enterprise_items=enterprise_items,
                             full_proxy=full_proxy, staff_id=staff_id)
            if blocked:
                break  # first come, first served: nobody jumps the visitor at the head
            routed += 1
        proxies = _assign_pending_proxies(svc, conn, staff_id)
    return QueueRouting(routed, len(queued) - routed, blocked, left, proxies)


def reassign(svc: Services, session: StaffSession, case_id: int, *, lounge_code: str | None = None,
             coordinator_id: str | None = None, reason: str) -> CaseView:
    """Move a case to another lounge and/or coordinator; the reason is required and logged (S10)."""
    session.require("reassign")
    if not reason.strip():
        raise CaseInputError("改派须填写理由")
    if lounge_code is None and coordinator_id is None:
        raise CaseInputError("请选择新的洽谈室或协调员")
    with svc.db.write() as conn:
        before = case_at(conn, case_id)
        if before is None:
            raise CaseInputError("办件不存在")
        if session.role == "coordinator":  # the desk routes and re-routes anyone's; a coordinator only their own
            _require_own(session, before, "改派")
        move_case(svc, conn, session.staff_id, before, lounge_code=lounge_code, coordinator_id=coordinator_id,
                  reason=reason.strip())
        view = case_at(conn, case_id)
    assert view is not None
    return view


def move_case(svc: Services, conn: Connection, staff_id: str | None, before: CaseView, *,
              lounge_code: str | None, coordinator_id: str | None, reason: str) -> None:
    """F7's move, inside the caller's transaction (the counter's transfer to a lounge uses it too):
    a case sent to a lounge takes a seat there, so the seat counts and the hall display follow (S9)."""
    if before.status not in [s.value for s in ACTIVE_STATUSES]:
        raise CaseInputError(f"办件 {before.case_no} 已办结，不能改派")
    seated = before.status in [s.value for s in VISIT_STATUSES]
    values: dict[str, object] = {}
    # Back to the lounge it was routed to, after leaving it, the visitor needs a seat there again.
    if lounge_code is not None and (lounge_code != before.lounge_code or not seated):
        store.lock_seats(conn)
        loads = {x.code: x for x in store.lounge_loads(conn)}
        if lounge_code not in loads:
            raise CaseInputError(f"洽谈室 {lounge_code} 不存在")
        if loads[lounge_code].free <= 0:
            raise CaseInputError(f"{loads[lounge_code].name}已满，请选择其他洽谈室")
        values["lounge_code"] = lounge_code
    if coordinator_id is not None and (before.coordinator is None or coordinator_id != before.coordinator.staff_id):
        if not staff_store.is_active_coordinator(conn, coordinator_id):
            raise CaseInputError(f"协调员 {coordinator_id} 不存在或已停用")
        values["coordinator_id"] = coordinator_id
    if not values:
        raise CaseInputError("新的分配与原来相同")
    new_lounge = values.get("lounge_code", before.lounge_code)
    new_coord = values.get("coordinator_id", before.coordinator.staff_id if before.coordinator else None)
    if "lounge_code" in values and not seated:
        # Sent to a lounge, the visitor sits there waiting for the coordinator: the move takes a seat
        # (the seat counts and the hall display follow), so it needs the coordinator who will come (S9).
        if not new_coord:
            raise CaseInputError("改派到洽谈室须同时选择协调员：持卡人在洽谈室等协调员来接待")
        values["status"] = CaseStatus.WAITING.value
    elif before.status == CaseStatus.QUEUED.value and new_lounge and new_coord:
        values["status"] = CaseStatus.WAITING.value
    store.set_case(conn, before.id, **values)
    events.append(conn, EventKind.CASE_REASSIGNED, svc.now(), staff_id=staff_id, case_id=before.id, reason=reason,
                  lounge_from=before.lounge_code, lounge_to=new_lounge,
                  coordinator_from=before.coordinator.staff_id if before.coordinator else None,
                  coordinator_to=new_coord)


# Roles that serve visitors of their own: they act on their own cases only (issue 16 point 9; S10: who is
# responsible for a case is the one it was routed or reassigned to, not whoever claims it).
SERVING_ROLES = frozenset({"coordinator", "proxy", "after_hours"})


def _require_own(session: StaffSession, case: CaseView, act: str) -> None:
    """A coordinator (or proxy, or duty desk) acts on the cases routed to them; a supervisor reassigns."""
    if session.role not in SERVING_ROLES:
        return
    mine = {p.staff_id for p in (case.coordinator, case.proxy) if p is not None}
    if session.staff_id not in mine:
        owner = case.coordinator.name if case.coordinator is not None else "未分配"
        raise AuthError(f"办件 {case.case_no} 由{owner}负责，您不能{act}：如需接手，请督查人员先改派给您")


def mark_met(svc: Services, session: StaffSession, case_id: int) -> CaseView:
    """The coordinator has met the visitor: the wait ends (S9)."""
    session.require("mark_met")
    now = svc.now()
    with svc.db.write() as conn:
        before = case_at(conn, case_id)
        if before is None or before.status != CaseStatus.WAITING.value:
            raise CaseInputError("只有在洽谈室等候中的办件可以标记为已接待")
        _require_own(session, before, "标记已接待")
        store.set_case(conn, case_id, status=CaseStatus.MET.value, met_at=now)
        waited = seconds_between(before.opened_at, now)
        events.append(conn, EventKind.VISITOR_MET, now, staff_id=session.staff_id, case_id=case_id, waited_s=waited,
                      lounge=before.lounge_code)
        view = case_at(conn, case_id)
    assert view is not None
    return view


def end_visit(svc: Services, session: StaffSession, case_id: int) -> CaseView:
    """The visitor leaves the lounge (the case goes on): the seat frees for whoever waits next."""
    session.require("end_visit")
    with svc.db.write() as conn:
        before = case_at(conn, case_id)
        if before is None or before.status not in [s.value for s in VISIT_STATUSES]:
            raise CaseInputError("该办件不在洽谈室中")
        if session.role in ("coordinator", "proxy"):  # the desks (day and evening) see anyone out
            _require_own(session, before, "结束洽谈")
        store.set_case(conn, case_id, status=CaseStatus.IN_PROGRESS.value)
        events.append(conn, EventKind.VISIT_ENDED, svc.now(), staff_id=session.staff_id, case_id=case_id,
                      lounge=before.lounge_code)
    _route_waiting(svc, session.staff_id)
    with svc.db.read() as conn:
        view = case_at(conn, case_id)
    assert view is not None
    return view


def get_case(svc: Services, case_id: int) -> CaseView | None:
    with svc.db.read() as conn:
        return case_at(conn, case_id)


def open_cases_of_holder(svc: Services, card_no: str) -> list[CaseView]:
    """The holder's cases still in progress, newest first: what the desk's keys act on after a scan."""
    with svc.db.read() as conn:
        found = find_case_views(conn, card_no=card_no, statuses=[s.value for s in ACTIVE_STATUSES])
    return found[::-1]


@dataclass(frozen=True)
class CoordinatorBoard:
    waiting: list[CaseView]  # visitors waiting in a lounge for this coordinator
    open_cases: list[CaseView]  # everything else still active
    deadlines: dict  # case id → its most urgent DeadlineState (S6: due soon and overdue stand out)
    whole_hall: bool = False  # a supervisor sees every coordinator's visitors and cases
    # case id → (item name, status) per item: where each item stands after acceptance (issue 13)
    items: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


# Roles that oversee the hall rather than serve visitors of their own (S10: supervision).
HALL_ROLES = frozenset({"supervisor", "admin"})


def coordinator_board(svc: Services, session: StaffSession) -> CoordinatorBoard:
    whole_hall = session.role in HALL_ROLES
    with svc.db.read() as conn:
        mine = find_case_views(conn, coordinator_id=None if whole_hall else session.staff_id,
                                statuses=[s.value for s in ACTIVE_STATUSES], limit=2000 if whole_hall else 200)
        waiting = [c for c in mine if c.status == CaseStatus.WAITING.value]
        others = [c for c in mine if c.status != CaseStatus.WAITING.value]
        states = case_items.item_states(conn, [c.id for c in others])
    return CoordinatorBoard(waiting, others, worst_deadlines(svc, [c.id for c in others]), whole_hall, states)


def history(svc: Services, case_id: int) -> list[CaseEvent]:
    """The case's events, oldest first (S10: who did what, when)."""
    with svc.db.read() as conn:
        return [case_event(e) for e in reversed(events.recent(conn, case_id=case_id, limit=1000))]


def staff_names(svc: Services) -> dict[str, str]:
    """staff ID → name, for showing who did what."""
    with svc.db.read() as conn:
        return staff_store.names(conn)


def lounge_names(svc: Services) -> dict[str, str]:
    """lounge code → name (inactive ones too: old events name them), for showing where a case went."""
    with svc.db.read() as conn:
        return store.lounge_names(conn)


@dataclass(frozen=True)
class ReassignOptions:
    lounges: list  # LoungeLoad
    coordinators: list  # StaffLoad, on duty first


def reassign_options(svc: Services) -> ReassignOptions:
    local_now = svc.now().astimezone(svc.settings.hall.tz)
    with svc.db.read() as conn:
        lounges = store.lounge_loads(conn)
        people = store.staff_loads(conn, section=None, roles=("coordinator",), local_now=local_now,
                                   closed=closed_days(svc))
    people.sort(key=lambda s: (not s.on_duty, s.active_cases, s.staff_id))
    return ReassignOptions(lounges, people)
