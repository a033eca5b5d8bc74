"""Moving an accepted item on (issue 13; S4, S6, S9): into review, the decision (准予许可 with the
decision's document number, or 不予许可 with a reason), ready at the 统一发证窗口. The hand-out itself
is ``services.handout``. The allowed steps are ``domain.progress``; each call here is one write
transaction with one event, and closes the case (``case_closed``) once every item has ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from hallterm.domain.cases import CaseStatus
from hallterm.domain.checklist import ITEM_STATUS_NAMES, ItemStatus, owes_supplement
from hallterm.domain.deadlines import Pause
from hallterm.domain.events import EventKind
from hallterm.domain.progress import (
    STEP_NAMES,
    TRANSITIONS,
    ItemFacts,
    ProgressError,
    Step,
    case_finished,
    check_decision_no,
    check_reason,
    next_status,
)
from hallterm.domain.proxy_tasks import OPEN_STATES
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import case_items, events
from hallterm.storage import cases as case_store
from hallterm.storage import proxy_tasks as proxy_task_store
from hallterm.storage.case_items import ItemRow


@dataclass(frozen=True)
class ItemProgress:
    """One item of a case as the coordinator moves it on."""

    case_item_id: int
    case_id: int
    item_code: str
    item_name: str
    status: ItemStatus
    decision_no: str
    due_on: dt.date | None
    paused: bool
    owes_supplement: bool

    @property
    def status_name(self) -> str:
        return ITEM_STATUS_NAMES[self.status]


@dataclass(frozen=True)
class StepResult:
    item: ItemProgress
    case_closed: bool
    message: str  # one Chinese line for the message bar


def _progress(row: ItemRow, pauses: list[Pause]) -> ItemProgress:
    return ItemProgress(row.id, row.case_id, row.item_code, row.name, ItemStatus(row.status), row.decision_no,
                        row.due_on, any(p.running for p in pauses), owes_supplement(row.status, row.decision))


def items_of_case(svc: Services, case_id: int) -> list[ItemProgress]:
    with svc.db.read() as conn:
        rows = case_items.items_of_case(conn, case_id)
        pauses = case_items.pauses_of(conn, [r.id for r in rows])
    return [_progress(r, pauses.get(r.id, [])) for r in rows]


def start_review(svc: Services, session: StaffSession, case_item_id: int) -> StepResult:
    """受理 → 审查中: the approval section has the file (S9: the coordinator organises it)."""
    return _step(svc, session, case_item_id, Step.REVIEW, EventKind.ITEM_IN_REVIEW, {}, {})


def decide(svc: Services, session: StaffSession, case_item_id: int, *, approved: bool, decision_no: str = "",
           reason: str = "") -> StepResult:
    """审查中 → 准予许可 (the decision's document number required) or 不予许可 (a reason required; the
    item ends). Refused while a special procedure runs (S6) or 容缺 supplements are owed (S7)."""
    if approved:
        number = check_decision_no(decision_no)
        why = ""
    else:
        why = check_reason(reason)
        number = check_decision_no(decision_no) if decision_no.strip() else ""
    # decided_on: where the item's clock ends, for the report's on-time rate (S6; issue 14)
    values: dict[str, object] = {"decision_no": number, "decided_on": svc.today()}
    if not approved:
        values["closed_on"] = svc.today()
    return _step(svc, session, case_item_id, Step.APPROVE if approved else Step.REFUSE, EventKind.ITEM_DECIDED,
                 values, {"approved": approved, "decision_no": number, "reason": why})


def mark_ready(svc: Services, session: StaffSession, case_item_id: int) -> StepResult:
    """准予许可 → 待领取: the result (licence, certificate, 决定书) is at the 统一发证窗口 (S9)."""
    return _step(svc, session, case_item_id, Step.READY, EventKind.ITEM_READY, {}, {})


def _step(svc: Services, session: StaffSession, case_item_id: int, step: Step, kind: EventKind,
          values: dict[str, object], details: dict[str, Any]) -> StepResult:
    session.require("item_progress")
    now = svc.now()
    with svc.db.write() as conn:
        row = case_items.get_item(conn, case_item_id)
        if row is None:
            raise ProgressError("办件事项不存在")
        pauses = case_items.pauses_of(conn, [case_item_id]).get(case_item_id, [])
        running = next((p for p in pauses if p.running), None)
        facts = ItemFacts(ItemStatus(row.status), running is not None, running.name if running else "",
                          owes_supplement(row.status, row.decision))
        target = next_status(facts, step)
        if not case_items.move_item(conn, case_item_id, row.status, status=target.value, **values):
            raise ProgressError("该事项刚被其他终端处理过：请刷新后再试")
        events.append(conn, kind, now, staff_id=session.staff_id, case_id=row.case_id, item=row.item_code,
                      before=row.status, after=target.value, **details)
        closed = close_if_finished(conn, row.case_id, now, session.staff_id)
        after = case_items.get_item(conn, case_item_id)
        assert after is not None
        item = _progress(after, pauses)
    message = f"{item.item_name}：{STEP_NAMES[step]}，现为“{item.status_name}”"
    if item.decision_no:
        message += f"（{item.decision_no}）"
    if closed:
        message += "；全部事项已办结，办件自动办结"
    return StepResult(item, closed, message)


def close_if_finished(conn: Connection, case_id: int, now: dt.datetime, staff_id: str | None) -> bool:
    """Close the case (``case_closed``) when every item has ended — handed out, refused, returned or
    left with a one-time notice — and no proxy task still runs. True when it closed now. Every path that
    ends an item or a task asks here: one rule for when a case is done."""
    row = case_store.get_case(conn, case_id)
    if row is None or row.status == CaseStatus.CLOSED.value:
        return False
    statuses = case_items.statuses_of_case(conn, case_id)
    running = proxy_task_store.count_open(conn, case_id, [s.value for s in OPEN_STATES])
    if not case_finished(statuses, running):
        return False
    case_store.set_case(conn, case_id, status=CaseStatus.CLOSED.value, closed_at=now)
    reason = ("handed_out" if ItemStatus.HANDED_OUT.value in statuses
              else "returned" if ItemStatus.RETURNED.value in statuses else "ended")
    events.append(conn, EventKind.CASE_CLOSED, now, staff_id=staff_id, case_id=case_id, reason=reason)
    return True


@dataclass(frozen=True)
class StepChoice:
    """The items of a case, and those ``step`` can be taken for now (for the coordinator's keys)."""

    step: Step
    case_id: int
    items: tuple[ItemProgress, ...]
    eligible: tuple[ItemProgress, ...]


def choices_for(svc: Services, case_id: int, step: Step) -> StepChoice:
    found = tuple(items_of_case(svc, case_id))
    return StepChoice(step, case_id, found, tuple(i for i in found if (i.status, step) in TRANSITIONS))
