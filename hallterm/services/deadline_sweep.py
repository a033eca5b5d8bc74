"""Deadlines across the hall: the nightly sweep that closes conditional items past their supplement
deadline (S7), and the counts and worst deadlines the desk and the coordinators see (S6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection

from hallterm.domain.checklist import (
    CLOCK_STATUSES,
    OPEN_ITEM_STATUSES,
    Decision,
    ItemStatus,
    bar_until,
)
from hallterm.domain.deadlines import DeadlineState, DeadlineStatus, classify, due_date
from hallterm.domain.events import EventKind
from hallterm.domain.workdays import HolidayDataMissing
from hallterm.services.checklist_sheet import load_in, work_calendar
from hallterm.services.context import Services
from hallterm.services.day_end import Callback, close_queue
from hallterm.services.progress import close_if_finished
from hallterm.services.staff import system_session
from hallterm.storage import case_items, events, holders
from hallterm.storage.case_items import ItemRow


def store_due(svc: Services, conn: Connection, case_item_id: int) -> None:
    """Keep due_on (for lists and reports) equal to the computed due date, pauses included."""
    row = case_items.get_item(conn, case_item_id)
    assert row is not None
    if row.accepted_on is None:
        return
    pauses = case_items.pauses_of(conn, [case_item_id]).get(case_item_id, [])
    deadline = due_date(work_calendar(svc), row.accepted_on, row.promised_days, pauses, as_of=svc.today())
    case_items.set_item(conn, case_item_id, due_on=deadline.due, due_estimated=deadline.estimated)


# -- the sweep (nightly, and when a desk starts) ----------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    returned: int  # conditional items closed as 退件办结
    barred_holders: int
    recomputed: int  # estimated deadlines recomputed now that holiday data covers them
    left_queue: list[Callback] = field(default_factory=list)  # visitors still queued at the day's end (S9)


# The sweep is the hall's rules running on their own (S7, S9): its events are the system's, recorded as such
# (issue 16 point 9). It needs no right of a person: nothing it does is a clerk's action.
SWEEPER = system_session("sweep", "夜间巡检")


def sweep(svc: Services, *, day_end: bool = False) -> SweepResult:
    """Close conditional items whose supplement deadline passed (S7): 退件办结, commitment breached,
    holder barred from 容缺 for ``bar_months``; recompute estimated deadlines; take off the queue the
    visitors queued on an earlier day, and with ``day_end`` (the nightly run) today's too once their
    section has nobody coming back today (S9). Idempotent."""
    today = svc.today()
    now = svc.now()
    returned = barred = recomputed = 0
    with svc.db.write() as conn:
        left = close_queue(svc, conn, tonight=day_end, staff_id=SWEEPER.staff_id)
        # 容缺 supplements owed, whether or not review has started (边办边补, S7)
        for r in case_items.overdue_conditional(conn, (ItemStatus.CONDITIONAL, ItemStatus.IN_REVIEW),
                                                Decision.CONDITIONAL.value, today):
            case_items.set_item(conn, r.id, status=ItemStatus.RETURNED, closed_on=today, commitment_breached=True)
            until = bar_until(today)
            current = holders.conditional_barred_until(conn, r.holder_id)
            if current is None or current < until:
                holders.bar_conditional(conn, r.holder_id, until)
                barred += 1
            events.append(conn, EventKind.CONDITIONAL_RETURNED, now, staff_id=SWEEPER.staff_id,
                          case_id=r.case_id, item=r.item_code,
                          supplement_due_on=r.supplement_due_on.isoformat(), barred_until=until.isoformat())
            returned += 1
            _close_case_if_done(conn, r.case_id, now)
        for item_id in case_items.estimated_item_ids(conn, OPEN_ITEM_STATUSES):
            try:
                before = _item_row_any(conn, item_id).due_on
                store_due(svc, conn, item_id)
                after = _item_row_any(conn, item_id)
            except HolidayDataMissing:
                continue
            if not after.due_estimated:
                recomputed += 1
                events.append(conn, EventKind.DEADLINE_RECOMPUTED, now, staff_id=SWEEPER.staff_id,
                              item_id=item_id, before=str(before),
                              after=str(after.due_on))
        if returned or recomputed or left:
            events.append(conn, EventKind.SWEEP, now, staff_id=SWEEPER.staff_id,
                          returned=returned, recomputed=recomputed, left_queue=len(left))
    return SweepResult(returned, barred, recomputed, left)


def _item_row_any(conn: Connection, case_item_id: int) -> ItemRow:
    row = case_items.get_item(conn, case_item_id)
    assert row is not None
    return row


def _close_case_if_done(conn: Connection, case_id: int, now: dt.datetime) -> None:
    close_if_finished(conn, case_id, now, None)


# -- what the desk counts -----------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineCounts:
    due_soon: int
    overdue: int
    calendar_warning: str  # "" when the next 365 days have holiday data


def deadline_counts(svc: Services) -> DeadlineCounts:
    """Due-soon (≤ 2 working days) and overdue accepted items, and the holiday-data banner (S6)."""
    cal = work_calendar(svc)
    today = svc.today()
    due_soon = overdue = 0
    with svc.db.read() as conn:
        rows = case_items.with_due_dates(conn, CLOCK_STATUSES)
        pauses = case_items.pauses_of(conn, [r.id for r in rows])
    for r in rows:
        assert r.accepted_on is not None
        state = classify(cal, due_date(cal, r.accepted_on, r.promised_days, pauses.get(r.id, ()), as_of=today),
                         today)
        due_soon += state.status is DeadlineStatus.DUE_SOON
        overdue += state.status is DeadlineStatus.OVERDUE
    missing = cal.missing_years(today, today + dt.timedelta(days=365))
    warning = (f"缺少{missing[0]}年节假日安排，落在该年的期限为估算（已除去法定节假日，调休未计）；"
               f"国务院公布后添加 assets/calendar/{missing[0]}.toml") if missing else ""
    return DeadlineCounts(due_soon, overdue, warning)


_SEVERITY = {DeadlineStatus.OVERDUE: 3, DeadlineStatus.DUE_SOON: 2, DeadlineStatus.PAUSED: 1,
             DeadlineStatus.ON_TRACK: 0}


def worst_deadlines(svc: Services, case_ids: list[int]) -> dict[int, DeadlineState]:
    """For each case, its most urgent accepted item's deadline state (for colouring lists)."""
    out: dict[int, DeadlineState] = {}
    with svc.db.read() as conn:
        for case_id in case_ids:
            states = [i.deadline_state for i in load_in(svc, conn, case_id).items if i.deadline_state is not None]
            if states:
                out[case_id] = max(states, key=lambda s: (_SEVERITY[s.status], -s.working_days_left))
    return out
