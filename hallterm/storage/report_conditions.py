"""What each figure of the supervision report counts, as SQL conditions (issue 14; S10): one definition
shared by the counts (``report_queries``) and the lists of what they count (``report_lines``), so a figure
and its drill-down can never disagree.

``person`` is the case's responsible person: its coordinator, else its 帮办代办 (proxy) staff — the case's
*current* assignment, so a reassigned case counts once, for whoever holds it now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, literal, not_, or_, select
from sqlalchemy.sql import ColumnElement

from hallterm.domain.checklist import CLOCK_STATUSES as DOMAIN_CLOCK_STATUSES
from hallterm.domain.checklist import Decision, ItemStatus
from hallterm.domain.proxy_tasks import OPEN_STATES, ProxyTaskState
from hallterm.storage.tables import case_items, cases, item_pauses, proxy_tasks

# The statuses in which an item's clock runs, and those in which a 容缺 item may still owe its supplements
# (domain.checklist: CLOCK_STATUSES, owes_supplement).
CLOCK_STATUSES = tuple(s.value for s in DOMAIN_CLOCK_STATUSES)
OWES_SUPPLEMENT = (ItemStatus.CONDITIONAL.value, ItemStatus.IN_REVIEW.value)


def person_of_case() -> ColumnElement[Any]:
    """The responsible person of a case: the coordinator, or the proxy when there is none."""
    return func.coalesce(cases.c.coordinator_id, cases.c.proxy_staff_id)


def person_in(persons: list[str | None]) -> ColumnElement[bool]:
    """The cases of ``persons`` (None: the cases nobody holds)."""
    named = [p for p in persons if p is not None]
    parts: list[ColumnElement[bool]] = [person_of_case().in_(named)] if named else []
    if None in persons:
        parts.append(person_of_case().is_(None))
    return or_(*parts) if parts else literal(False)


# -- items: on time, overdue ---------------------------------------------------------------------------


def decided_in(first: dt.date, last: dt.date) -> tuple[ColumnElement[bool], ...]:
    """Accepted items decided on a day of [first, last]."""
    return (case_items.c.decided_on >= first, case_items.c.decided_on <= last,
            case_items.c.accepted_on.is_not(None), case_items.c.due_on.is_not(None))


def running_pause() -> ColumnElement[bool]:
    return (select(item_pauses.c.id).where(item_pauses.c.case_item_id == case_items.c.id,
                                           item_pauses.c.ended_on.is_(None)).exists())


def overdue_now(today: dt.date, last: dt.date) -> tuple[ColumnElement[bool], ...]:
    """Items whose clock runs (no special procedure running), not closed, due before ``today`` and on or
    before ``last`` (the period's end)."""
    return (case_items.c.status.in_(CLOCK_STATUSES), case_items.c.closed_on.is_(None),
            case_items.c.due_on < today, case_items.c.due_on <= last, not_(running_pause()))


# -- 容缺 (S7) ----------------------------------------------------------------------------------------


def owing_supplement(last: dt.date) -> tuple[ColumnElement[bool], ...]:
    """容缺 items accepted by ``last`` still owing their supplements now (not returned)."""
    return (case_items.c.decision == Decision.CONDITIONAL.value, case_items.c.status.in_(OWES_SUPPLEMENT),
            case_items.c.commitment_breached.is_(False), case_items.c.accepted_on <= last)


def breached_in(first: dt.date, last: dt.date) -> tuple[ColumnElement[bool], ...]:
    """容缺 items the nightly sweep returned (commitment breached) on a day of [first, last]."""
    return (case_items.c.commitment_breached.is_(True), case_items.c.closed_on >= first,
            case_items.c.closed_on <= last)


# -- proxy tasks (S3) ---------------------------------------------------------------------------------


def proxy_parts(first: dt.date, last: dt.date, today: dt.date) -> dict[str, ColumnElement[bool]]:
    """The parts of the proxy figures: open now (added by ``last``), done in [first, last] on time or late,
    open now past the due day."""
    c = proxy_tasks.c
    open_ = and_(c.state.in_([state.value for state in OPEN_STATES]), c.added_on <= last)
    done = and_(c.state == ProxyTaskState.DONE.value, c.closed_on >= first, c.closed_on <= last)
    return {"open": open_, "done_on_time": and_(done, c.closed_on <= c.due_on),
            "done_late": and_(done, c.closed_on > c.due_on),
            "open_late": and_(open_, c.due_on < today)}
