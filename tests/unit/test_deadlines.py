"""Due dates (S6): promised working days from acceptance, paused by clock-exempt special procedures
(行政许可法 §45), and the status a list colours: on track, due soon, overdue, paused."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.deadlines import (
    Deadline,
    DeadlineError,
    DeadlineStatus,
    Pause,
    classify,
    due_date,
)
from hallterm.domain.workdays import WorkCalendar

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_without_pauses_the_due_date_is_add_working_days(cal: WorkCalendar) -> None:
    deadline = due_date(cal, D(2026, 11, 26), 5)
    assert deadline.due == D(2026, 12, 3) == cal.add_working_days(D(2026, 11, 26), 5)
    assert (deadline.paused_working_days, deadline.estimated, deadline.paused) == (0, False, False)


def test_an_acceptance_on_a_saturday_counts_from_monday(cal: WorkCalendar) -> None:
    assert due_date(cal, D(2026, 3, 7), 5).due == D(2026, 3, 13)


def test_an_immediate_item_is_due_the_same_day(cal: WorkCalendar) -> None:
    assert due_date(cal, D(2026, 11, 26), 0).due == D(2026, 11, 26)


def test_a_pause_adds_its_working_days(cal: WorkCalendar) -> None:
    # Accepted Thursday 11-26; 专家评审 Monday 11-30 to Tuesday 12-01 (both days excluded).
    deadline = due_date(cal, D(2026, 11, 26), 5, [Pause("EXPERT_REVIEW", D(2026, 11, 30), D(2026, 12, 1))])
    assert deadline.paused_working_days == 2
    assert deadline.due == cal.add_working_days(D(2026, 12, 3), 2) == D(2026, 12, 7)


def test_weekend_days_inside_a_pause_add_nothing(cal: WorkCalendar) -> None:
    deadline = due_date(cal, D(2026, 11, 26), 5, [Pause("SITE_INSPECTION", D(2026, 11, 27), D(2026, 11, 30))])
    assert deadline.paused_working_days == 2  # Friday and Monday only
    assert deadline.due == D(2026, 12, 7)


def test_a_pause_over_the_spring_festival_counts_only_working_days(cal: WorkCalendar) -> None:
    # 02-12 to 02-26: 12, 13, 14 (make-up Saturday), then 24, 25, 26 after the break.
    deadline = due_date(cal, D(2026, 2, 10), 5, [Pause("INTERMEDIARY", D(2026, 2, 12), D(2026, 2, 26))])
    assert deadline.paused_working_days == 6
    # Counted: 02-11, then 27, 28 (make-up Saturday), 03-02, 03-03.
    assert deadline.due == D(2026, 3, 3)


def test_overlapping_pauses_are_counted_once(cal: WorkCalendar) -> None:
    pauses = [Pause("EXPERT_REVIEW", D(2026, 11, 30), D(2026, 12, 2)),
              Pause("PUBLIC_NOTICE", D(2026, 12, 1), D(2026, 12, 1))]
    deadline = due_date(cal, D(2026, 11, 26), 5, pauses)
    assert deadline.paused_working_days == 3
    assert deadline.due == D(2026, 12, 8)


def test_a_pause_after_the_due_date_extends_nothing(cal: WorkCalendar) -> None:
    deadline = due_date(cal, D(2026, 11, 26), 5, [Pause("REFER_UP", D(2026, 12, 7), D(2026, 12, 10))])
    assert deadline.due == D(2026, 12, 3)
    assert deadline.paused_working_days == 0


def test_a_pause_starting_on_the_acceptance_day(cal: WorkCalendar) -> None:
    # The acceptance day is never counted, so only 11-27 is a paused working day here.
    deadline = due_date(cal, D(2026, 11, 26), 5, [Pause("HEARING", D(2026, 11, 26), D(2026, 11, 27))])
    assert deadline.paused_working_days == 1
    assert deadline.due == D(2026, 12, 4)


def test_a_running_pause_moves_the_due_date_each_day_it_lasts(cal: WorkCalendar) -> None:
    running = [Pause("EXPERT_REVIEW", D(2026, 11, 30))]
    first = due_date(cal, D(2026, 11, 26), 5, running, as_of=D(2026, 11, 30))
    later = due_date(cal, D(2026, 11, 26), 5, running, as_of=D(2026, 12, 2))
    assert first.paused and later.paused
    assert (first.paused_working_days, first.due) == (1, D(2026, 12, 4))
    assert (later.paused_working_days, later.due) == (3, D(2026, 12, 8))
    # Resumed: the same pause closed on 12-02 gives the same date, and no longer paused.
    closed = due_date(cal, D(2026, 11, 26), 5, [Pause("EXPERT_REVIEW", D(2026, 11, 30), D(2026, 12, 2))],
                      as_of=D(2026, 12, 3))
    assert (closed.due, closed.paused) == (later.due, False)
    assert classify(cal, later, D(2026, 12, 2)).status is DeadlineStatus.PAUSED


def test_a_running_pause_needs_today(cal: WorkCalendar) -> None:
    with pytest.raises(DeadlineError, match="当天日期"):
        due_date(cal, D(2026, 11, 26), 5, [Pause("EXPERT_REVIEW", D(2026, 11, 30))])


@pytest.mark.parametrize(("pause", "fragment"), [
    (Pause("LUNCH", D(2026, 11, 30), D(2026, 12, 1)), "未知的特殊程序"),
    (Pause("EXPERT_REVIEW", D(2026, 12, 2), D(2026, 12, 1)), "早于开始日期"),
    (Pause("SITE_INSPECTION", D(2026, 11, 25), D(2026, 12, 1)), "早于受理日期"),
])
def test_impossible_pauses_are_refused(cal: WorkCalendar, pause: Pause, fragment: str) -> None:
    with pytest.raises(DeadlineError, match=fragment):
        due_date(cal, D(2026, 11, 26), 5, [pause])


def test_a_due_date_past_the_data_is_estimated(cal: WorkCalendar) -> None:
    deadline = due_date(cal, D(2026, 12, 28), 5)
    assert (deadline.due, deadline.estimated) == (D(2027, 1, 5), True)  # 元旦 skipped: 29, 30, 31, 1-4, 1-5
    state = classify(cal, deadline, D(2026, 12, 29))
    assert state.estimated
    assert state.name.endswith("（估算）")


def test_a_due_date_inside_the_data_is_exact_even_late_in_the_year(cal: WorkCalendar) -> None:
    assert due_date(cal, D(2026, 12, 24), 5).estimated is False  # 25, 28, 29, 30, 31


# ---------- status ----------


@pytest.mark.parametrize(("today", "status", "left"), [
    (D(2026, 11, 26), DeadlineStatus.ON_TRACK, 5),
    (D(2026, 11, 28), DeadlineStatus.ON_TRACK, 4),  # a Saturday: 30, 1, 2, 3
    (D(2026, 12, 1), DeadlineStatus.DUE_SOON, 2),
    (D(2026, 12, 2), DeadlineStatus.DUE_SOON, 1),
    (D(2026, 12, 3), DeadlineStatus.DUE_SOON, 0),  # due today: not yet late
    (D(2026, 12, 4), DeadlineStatus.OVERDUE, -1),
    (D(2026, 12, 5), DeadlineStatus.OVERDUE, -1),  # Saturday: still one working day late
    (D(2026, 12, 8), DeadlineStatus.OVERDUE, -3),
])
def test_status_around_a_due_date(cal: WorkCalendar, today: dt.date, status: DeadlineStatus, left: int) -> None:
    state = classify(cal, due_date(cal, D(2026, 11, 26), 5), today)
    assert (state.status, state.working_days_left, state.estimated) == (status, left, False)


def test_due_soon_counts_working_days_not_calendar_days(cal: WorkCalendar) -> None:
    deadline = Deadline(D(2026, 2, 12), 3, D(2026, 2, 24), 0, False, False)
    # Ten calendar days before, but the whole 春节 break lies between: one working day left.
    assert classify(cal, deadline, D(2026, 2, 14)).status is DeadlineStatus.DUE_SOON
    assert classify(cal, deadline, D(2026, 2, 14)).working_days_left == 1
    assert classify(cal, deadline, D(2026, 2, 12)).status is DeadlineStatus.ON_TRACK  # 13, 14, 24


def test_an_overdue_case_stays_overdue_when_a_pause_starts_late(cal: WorkCalendar) -> None:
    deadline = due_date(cal, D(2026, 11, 26), 5, [Pause("REFER_UP", D(2026, 12, 7))], as_of=D(2026, 12, 8))
    assert deadline.due == D(2026, 12, 3)
    assert classify(cal, deadline, D(2026, 12, 8)).status is DeadlineStatus.OVERDUE
