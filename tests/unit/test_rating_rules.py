"""好差评 rules (国办发〔2019〕51号; Liaoning's 1 and 15 working days): levels, reasons, which ratings open
follow-ups and when those are due over weekends and holidays, and which hand-out the pad may rate."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.rating import (
    REASONS,
    FollowUpKind,
    HandOut,
    Level,
    RatingRefused,
    check_note,
    check_reason,
    follow_up_plan,
    is_late,
    level_of,
    rateable,
    replaced_at,
)
from hallterm.domain.workdays import WorkCalendar

CALENDAR = WorkCalendar()  # chinese-calendar's data: 2026 is covered


def test_five_levels_from_best_to_worst_and_only_the_two_lowest_are_poor() -> None:
    labels = [level.label for level in sorted(Level, reverse=True)]
    assert labels == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert {level for level in Level if level.is_poor} == {Level.DISSATISFIED, Level.VERY_DISSATISFIED}
    assert level_of("5") is Level.VERY_SATISFIED and level_of(1) is Level.VERY_DISSATISFIED


@pytest.mark.parametrize("bad", ["0", "6", "", "x", "５", "-1"])
def test_anything_but_1_to_5_is_refused_with_the_scale(bad: str) -> None:
    with pytest.raises(RatingRefused, match="1–5"):
        level_of(bad)


def test_a_reason_only_for_a_poor_rating_and_only_from_the_list() -> None:
    assert set(REASONS.values()) >= {"办事效率低", "态度不好", "材料要求多", "多次跑动", "其他"}
    assert check_reason(Level.DISSATISFIED, "attitude") == "attitude"
    assert check_reason(Level.VERY_DISSATISFIED, " ") == ""  # the reason is optional
    with pytest.raises(RatingRefused, match="无需原因"):
        check_reason(Level.SATISFIED, "slow")
    with pytest.raises(RatingRefused, match="从列表中选择"):
        check_reason(Level.DISSATISFIED, "the clerk was rude")


def test_a_good_rating_opens_no_follow_up() -> None:
    for level in (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED):
        assert follow_up_plan(level, dt.date(2026, 11, 26), CALENDAR, call_back_days=1, put_right_days=15) == []


def test_a_poor_rating_on_a_friday_is_called_back_on_monday_and_put_right_three_weeks_later() -> None:
    plans = follow_up_plan(Level.DISSATISFIED, dt.date(2026, 11, 27), CALENDAR, call_back_days=1, put_right_days=15)
    assert [(p.kind, p.due_on) for p in plans] == [
        (FollowUpKind.CALL_BACK, dt.date(2026, 11, 30)),  # Saturday and Sunday do not count
        (FollowUpKind.PUT_RIGHT, dt.date(2026, 12, 18)),  # 15 working days: three full weeks
    ]


def test_the_national_day_holiday_and_its_makeup_saturday_count_as_the_calendar_says() -> None:
    # 2026: 10-01…10-07 off; Saturday 10-10 is a 调休 working day (chinese-calendar).
    assert not CALENDAR.is_working_day(dt.date(2026, 10, 5)) and CALENDAR.is_working_day(dt.date(2026, 10, 10))
    plans = follow_up_plan(Level.VERY_DISSATISFIED, dt.date(2026, 9, 30), CALENDAR, call_back_days=1,
                           put_right_days=15)
    assert plans[0].due_on == dt.date(2026, 10, 8)  # the whole holiday is skipped
    assert plans[1].due_on == CALENDAR.add_working_days(dt.date(2026, 9, 30), 15) == dt.date(2026, 10, 27)


def test_late_means_open_after_the_due_day_or_closed_after_it() -> None:
    due = dt.date(2026, 11, 30)
    assert not is_late(due, dt.date(2026, 11, 30))
    assert is_late(due, dt.date(2026, 12, 1))
    assert not is_late(due, dt.date(2026, 12, 9), closed_on=dt.date(2026, 11, 30))
    assert is_late(due, dt.date(2026, 12, 9), closed_on=dt.date(2026, 12, 1))


def test_a_follow_up_closes_only_with_a_note() -> None:
    assert check_note("  已电话回访，致歉并当场补办  ") == "已电话回访，致歉并当场补办"
    with pytest.raises(RatingRefused, match="处理情况"):
        check_note("   ")
    with pytest.raises(RatingRefused, match="500"):
        check_note("字" * 501)


NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
GRACE = dt.timedelta(seconds=60)
MAX_AGE = dt.timedelta(minutes=30)


def ago(seconds: int) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


def test_the_pad_takes_the_newest_unrated_hand_out_once() -> None:
    a = HandOut(10, ago(600))
    assert rateable([a], set(), NOW, replace_after=GRACE, max_age=MAX_AGE) == a
    assert rateable([a], {10}, NOW, replace_after=GRACE, max_age=MAX_AGE) is None  # 一次一评


def test_a_newer_hand_out_takes_over_an_unrated_one_only_after_the_grace() -> None:
    a, b = HandOut(10, ago(600)), HandOut(11, ago(20))
    assert rateable([a, b], set(), NOW, replace_after=GRACE, max_age=MAX_AGE) == a  # its visitor may be rating
    assert replaced_at([a, b], a, replace_after=GRACE) == b.at + GRACE
    later = NOW + dt.timedelta(seconds=40)
    assert rateable([a, b], set(), later, replace_after=GRACE, max_age=MAX_AGE) == b  # a can no longer be rated
    assert rateable([a, b], {10}, NOW, replace_after=GRACE, max_age=MAX_AGE) == b  # a rated: b at once


def test_a_hand_out_too_old_cannot_be_rated() -> None:
    assert rateable([HandOut(10, ago(31 * 60))], set(), NOW, replace_after=GRACE, max_age=MAX_AGE) is None
