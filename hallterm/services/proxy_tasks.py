"""Proxy tasks of a 全程代办 case (S3): suggest, add, move on, note, reassign; the proxy's own list.

Each public call that changes something is one write transaction that appends its events
(PROXY_TASK_ADDED / _MOVED / _NOTE / _REASSIGNED, with the case and the task). Nothing is created
from a suggestion alone: the desk, the coordinator or the proxy confirms which kinds apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection

from hallterm.domain.cases import CaseStatus
from hallterm.domain.deadlines import DUE_SOON_WORKING_DAYS
from hallterm.domain.events import EventKind
from hallterm.domain.proxy_tasks import (
    KIND_NAMES,
    OPEN_STATES,
    STATE_NAMES,
    CaseItemScope,
    ProxyTaskError,
    ProxyTaskKind,
    ProxyTaskState,
    check_move,
    check_new_kinds,
    check_note,
    next_state,
    suggest_kinds,
    task_due,
    working_days_late,
)
from hallterm.services.context import Services
from hallterm.services.progress import close_if_finished
from hallterm.services.staff import StaffSession
from hallterm.storage import events
from hallterm.storage import proxy_tasks as store
from hallterm.storage.proxy_tasks import ProxyPerson, ProxyTaskRow

# Roles that see every proxy's tasks rather than a list of their own (S10: who holds what, what is late).
ALL_TASK_ROLES = frozenset({"coordinator", "supervisor", "admin", "desk"})


@dataclass(frozen=True)
class NoteView:
    at: dt.datetime
    staff_id: str | None
    staff_name: str | None
    text: str


@dataclass(frozen=True)
class ProxyTaskView:
    id: int
    case_id: int
    case_no: str
    holder_name: str
    kind: ProxyTaskKind
    state: ProxyTaskState
    owner_id: str | None
    owner_name: str | None
    added_on: dt.date
    due_on: dt.date
    due_estimated: bool
    closed_on: dt.date | None
    cancel_reason: str
    days_late: int  # working days past the due date, while open (0: not late)
    days_left: int  # working days in (today, due] while open and not late
    notes: tuple[NoteView, ...] = ()

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def late(self) -> bool:
        return self.days_late > 0

    @property
    def due_soon(self) -> bool:
        return self.is_open and not self.late and self.days_left <= DUE_SOON_WORKING_DAYS

    def as_json(self) -> dict[str, object]:
        """Plain JSON values for scripts (``cases show``'s ``proxy_tasks``, ``proxy list --json``): codes as
        stored, dates as ISO text, each note with who and when. No holder: the caller adds it masked."""
        return {
            "id": self.id, "case_no": self.case_no, "kind": self.kind.value, "kind_name": self.kind_name,
            "state": self.state.value, "state_name": self.state_name, "owner_id": self.owner_id,
            "owner_name": self.owner_name, "added_on": self.added_on.isoformat(), "due_on": self.due_on.isoformat(),
            "due_estimated": self.due_estimated, "days_late": self.days_late,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None, "cancel_reason": self.cancel_reason,
            "notes": [{"at": n.at.isoformat(), "staff_id": n.staff_id, "text": n.text} for n in self.notes],
        }


@dataclass(frozen=True)
class TaskSuggestion:
    """What the add-tasks dialog offers for a case: every kind, the likely ones ticked (S3)."""

    case_id: int
    case_no: str
    holder_name: str
    full_proxy: bool
    suggested: tuple[ProxyTaskKind, ...]
    existing: dict[ProxyTaskKind, ProxyTaskState]  # the case's tasks so far (latest per kind)
    days: dict[ProxyTaskKind, int]  # working days each kind is given (settings [proxy])
    owner_name: str | None  # the case's 帮办代办 staff member, who will own the tasks

    @property
    def addable(self) -> tuple[ProxyTaskKind, ...]:
        """Kinds not yet open or done for the case."""
        return tuple(k for k in ProxyTaskKind
                     if self.existing.get(k) not in (*OPEN_STATES, ProxyTaskState.DONE))


@dataclass(frozen=True)
class TaskList:
    tasks: list[ProxyTaskView]
    whole_hall: bool  # everyone's tasks (coordinator, supervisor) rather than one proxy's own
    owner_id: str | None = None
    late: int = field(default=0)


def _view(svc: Services, row: ProxyTaskRow, notes: list[store.NoteRow] | None = None) -> ProxyTaskView:
    today = svc.today()
    state = ProxyTaskState(row.state)
    late = working_days_late(svc.work_calendar, row.due_on, today, state)
    left = 0
    if state in OPEN_STATES and not late and today <= row.due_on:
        left = svc.work_calendar.working_days_between_estimated(today, row.due_on)[0]
    note_views = tuple(NoteView(n.at, n.staff_id, n.staff_name, n.text) for n in notes or ())
    return ProxyTaskView(row.id, row.case_id, row.case_no, row.holder_name, ProxyTaskKind(row.kind), state,
                         row.owner_id, row.owner_name, row.added_on, row.due_on, row.due_estimated, row.closed_on,
                         row.cancel_reason, late, left, note_views)


def _case(conn: Connection, case_id: int) -> store.CaseForTasks:
    case = store.case_for_tasks(conn, case_id)
    if case is None:
        raise ProxyTaskError("办件不存在：请刷新后重新选择")
    return case


def _existing(conn: Connection, case_id: int) -> dict[ProxyTaskKind, ProxyTaskState]:
    return {ProxyTaskKind(t.kind): ProxyTaskState(t.state) for t in store.tasks_of_case(conn, case_id)}


def suggest_tasks(svc: Services, session: StaffSession, case_id: int) -> TaskSuggestion:
    """The kinds a case probably needs, and what it already has; creates nothing."""
    session.require("proxy_tasks")
    with svc.db.read() as conn:
        case = _case(conn, case_id)
        scopes = [CaseItemScope(j, tuple(c for c in exempt.split(",") if c)) for j, exempt in
                  store.item_scopes(conn, case_id)]
        existing = _existing(conn, case_id)
        owner = next((p.name for p in store.proxy_people(conn) if p.staff_id == case.proxy_staff_id), None)
    days = {k: svc.settings.proxy.days_for(k.value) for k in ProxyTaskKind}
    return TaskSuggestion(case.id, case.case_no, case.holder_name, case.full_proxy, suggest_kinds(scopes),
                          existing, days, owner)


def add_tasks(svc: Services, session: StaffSession, case_id: int, kinds: list[ProxyTaskKind], *,
              suggested: tuple[ProxyTaskKind, ...] = ()) -> list[ProxyTaskView]:
    """Add the confirmed kinds to a 全程代办 case, owned by its 帮办代办 staff member, due in working days."""
    session.require("proxy_tasks")
    now, today = svc.now(), svc.today()
    with svc.db.write() as conn:
        case = _case(conn, case_id)
        if case.status == CaseStatus.CLOSED.value:
            raise ProxyTaskError(f"办件 {case.case_no} 已办结，不能再加代办任务")
        if not case.full_proxy and case.handling != "proxy":
            raise ProxyTaskError(f"办件 {case.case_no} 不是全程代办（S3）："
                                 "申请人要求代办时，请在开办件时勾选“全程代办”")
        chosen = check_new_kinds(kinds, _existing(conn, case_id))
        added: list[int] = []
        for kind in chosen:
            due, estimated = task_due(svc.work_calendar, today, svc.settings.proxy.days_for(kind.value))
            task_id = store.insert_task(conn, {
                "case_id": case_id, "kind": kind.value, "state": ProxyTaskState.PENDING.value,
                "owner_id": case.proxy_staff_id, "added_on": today, "due_on": due, "due_estimated": estimated,
                "cancel_reason": "", "created_at": now, "updated_at": now})
            events.append(conn, EventKind.PROXY_TASK_ADDED, now, staff_id=session.staff_id, case_id=case_id,
                          task_id=task_id, task_kind=kind.value, owner=case.proxy_staff_id, due_on=due.isoformat(),
                          estimated=estimated, suggested=kind in suggested)
            added.append(task_id)
        rows = [t for t in store.tasks_of_case(conn, case_id) if t.id in added]
    return [_view(svc, r) for r in rows]


def move_task(svc: Services, session: StaffSession, task_id: int, target: ProxyTaskState | None = None,
              reason: str = "") -> ProxyTaskView:
    """Move a task on (待办 → 办理中 → 已办结, the next step when ``target`` is None) or cancel it with a
    reason; a wrong step is refused with the reason."""
    session.require("proxy_tasks")
    now = svc.now()
    with svc.db.write() as conn:
        row = _task(conn, task_id)
        kind, current = ProxyTaskKind(row.kind), ProxyTaskState(row.state)
        if target is None:
            target = next_state(current)
            if target is None:
                raise ProxyTaskError(f"{KIND_NAMES[kind]}已{STATE_NAMES[current]}，没有下一步")
        cleaned = check_move(kind, current, target, reason)
        values: dict[str, object] = {"state": target.value, "updated_at": now}
        if target in (ProxyTaskState.DONE, ProxyTaskState.CANCELLED):
            values["closed_on"] = svc.today()
        if target is ProxyTaskState.CANCELLED:
            values["cancel_reason"] = cleaned
        store.update_task(conn, task_id, **values)
        events.append(conn, EventKind.PROXY_TASK_MOVED, now, staff_id=session.staff_id, case_id=row.case_id,
                      task_id=task_id, task_kind=kind.value, from_state=current.value, to_state=target.value,
                      reason=cleaned)
        if target in (ProxyTaskState.DONE, ProxyTaskState.CANCELLED):
            close_if_finished(conn, row.case_id, now, session.staff_id)  # the last thing the case waited for
        return _reload(svc, conn, task_id)


def add_note(svc: Services, session: StaffSession, task_id: int, text: str) -> ProxyTaskView:
    """Append a note (who and when are recorded); notes are never edited."""
    session.require("proxy_tasks")
    cleaned = check_note(text)
    now = svc.now()
    with svc.db.write() as conn:
        row = _task(conn, task_id)
        store.add_note(conn, task_id, now, session.staff_id, cleaned)
        store.update_task(conn, task_id, updated_at=now)
        events.append(conn, EventKind.PROXY_TASK_NOTE, now, staff_id=session.staff_id, case_id=row.case_id,
                      task_id=task_id, task_kind=row.kind, text=cleaned)
        return _reload(svc, conn, task_id)


def reassign_task(svc: Services, session: StaffSession, task_id: int, owner_id: str) -> ProxyTaskView:
    """Give an open task to another 帮办代办 staff member (S10: a named person holds each task)."""
    session.require("proxy_tasks")
    owner_id = owner_id.strip().upper()
    now = svc.now()
    with svc.db.write() as conn:
        row = _task(conn, task_id)
        state = ProxyTaskState(row.state)
        if state not in OPEN_STATES:
            raise ProxyTaskError(f"{KIND_NAMES[ProxyTaskKind(row.kind)]}已{STATE_NAMES[state]}，不能改派")
        people = {p.staff_id: p for p in store.proxy_people(conn)}
        if owner_id not in people:
            raise ProxyTaskError(f"工号 {owner_id} 不是在职的帮办代办人员：请从列表中选择")
        if owner_id == row.owner_id:
            raise ProxyTaskError(f"该任务已由 {people[owner_id].name} 负责，无需改派")
        store.update_task(conn, task_id, owner_id=owner_id, updated_at=now)
        events.append(conn, EventKind.PROXY_TASK_REASSIGNED, now, staff_id=session.staff_id, case_id=row.case_id,
                      task_id=task_id, task_kind=row.kind, owner_from=row.owner_id, owner_to=owner_id)
        return _reload(svc, conn, task_id)


def _task(conn: Connection, task_id: int) -> ProxyTaskRow:
    row = store.get_task(conn, task_id, for_update=True)
    if row is None:
        raise ProxyTaskError("代办任务不存在：请刷新后重新选择")
    return row


def _reload(svc: Services, conn: Connection, task_id: int) -> ProxyTaskView:
    row = store.get_task(conn, task_id)
    assert row is not None
    return _view(svc, row, store.notes_of(conn, [task_id])[task_id])


def task_list(svc: Services, session: StaffSession, *, owner_id: str | None = None,
              include_closed: bool = False) -> TaskList:
    """A proxy's own open tasks, earliest due first; the coordinator and supervisor see everyone's
    (or one proxy's, given ``owner_id``)."""
    session.require("proxy_tasks")
    whole_hall = session.role in ALL_TASK_ROLES and owner_id is None
    return open_tasks(svc, owner_id=owner_id or (None if whole_hall else session.staff_id),
                      include_closed=include_closed)


def open_tasks(svc: Services, *, owner_id: str | None = None, include_closed: bool = False) -> TaskList:
    """The open tasks of one proxy (everyone's when ``owner_id`` is None), earliest due first: the list
    screen's and ``hallterm proxy list``'s (run on the hall's server, where no one signs in)."""
    owner = owner_id.strip().upper() if owner_id else None
    states = [s.value for s in (ProxyTaskState if include_closed else OPEN_STATES)]
    with svc.db.read() as conn:
        if owner is not None and store.staff_role(conn, owner) != "proxy":
            raise ProxyTaskError(f"工号 {owner} 不是帮办代办人员：请核对工号"
                                 "（hallterm proxy list 不带 --staff 列出全部）")
        rows = store.tasks_of_owner(conn, owner, states)
        notes = store.notes_of(conn, [r.id for r in rows])
    views = [_view(svc, r, notes[r.id]) for r in rows]
    return TaskList(views, owner is None, owner, sum(1 for v in views if v.late))


def tasks_of_case(svc: Services, case_id: int) -> list[ProxyTaskView]:
    """Every task of a case with its notes, in the order they were added."""
    with svc.db.read() as conn:
        return case_tasks_in(svc, conn, case_id)


def case_tasks_in(svc: Services, conn: Connection, case_id: int) -> list[ProxyTaskView]:
    """``tasks_of_case`` inside the caller's transaction (``cases show`` reads the whole story in one)."""
    rows = store.tasks_of_case(conn, case_id)
    notes = store.notes_of(conn, [r.id for r in rows])
    return [_view(svc, r, notes[r.id]) for r in rows]


def proxy_staff(svc: Services) -> list[ProxyPerson]:
    """The active 帮办代办 staff, for reassigning a task."""
    with svc.db.read() as conn:
        return store.proxy_people(conn)
