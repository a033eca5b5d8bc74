"""Joint review (S8) and duty-shift rules at their edges: dates, times, limits, the next shift."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.joint_reviews import (
    MAX_DEPARTMENTS,
    MAX_PLACE,
    MAX_TEXT,
    Conclusion,
    JointReviewError,
    Opinion,
    ReviewStatus,
    check_opinion,
    check_outcome,
    check_schedule,
    minutes_number,
    parse_day,
    parse_departments,
    parse_time,
)
from hallterm.domain.shifts import next_start, on_duty, parse_window

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, 30)  # a Thursday
CATALOG = tuple(f"部门{i}" for i in range(MAX_DEPARTMENTS + 1))


@pytest.mark.parametrize(("text", "day"), [
    ("2026-12-08", dt.date(2026, 12, 8)), (" 2026/12/08 ", dt.date(2026, 12, 8)), ("20261208", dt.date(2026, 12, 8)),
])
def test_days_as_typed(text: str, day: dt.date) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["2026-02-30", "20260230", "2026128", "202612081", "", "明天", "２０２６１２０８"])
def test_days_refused(text: str) -> None:
    with pytest.raises(JointReviewError, match="应写成 2026-12-08"):
        parse_day(text)


@pytest.mark.parametrize(("text", "time"), [
    ("00:00", "00:00"), ("23:59", "23:59"), ("0930", "09:30"), ("930", "09:30"), (" 9:05 ", "09:05"),
    ("9：30", "09:30"),
])
def test_times_as_typed(text: str, time: str) -> None:
    assert parse_time(text) == time


@pytest.mark.parametrize("text", ["24:00", "23:60", "9:5", "93", "09300", "9", ":30", "9:", "a9:30", "９:30", "9:３０"])
def test_times_refused(text: str) -> None:
    with pytest.raises(JointReviewError, match="应写成 HH:MM"):
        parse_time(text)


def test_minutes_number() -> None:
    assert minutes_number(2026, 7) == "会商〔2026〕第0007号"


TODAY = NOW.date()


def schedule(day: dt.date = TODAY, start: str = "14:30", place: str = "二楼洽谈室",
             departments: tuple[str, ...] = ("部门1",)):  # type: ignore[no-untyped-def]
    return check_schedule(day, start, place, departments, local_now=NOW.replace(tzinfo=TZ), catalog=CATALOG,
                          case_active=True, case_no="N", pending="")


def test_a_meeting_this_very_minute_or_a_year_ahead_can_be_held() -> None:
    plan = schedule(start="10:00", place="  二楼   洽谈室 ")
    assert (plan.day, plan.start, plan.place, plan.departments) == (NOW.date(), "10:00", "二楼 洽谈室", ("部门1",))
    assert schedule(day=NOW.date() + dt.timedelta(days=366)).day == dt.date(2027, 11, 27)


def test_schedule_limits() -> None:
    with pytest.raises(JointReviewError, match="已经过去"):
        schedule(start="09:59")
    with pytest.raises(JointReviewError, match="超过一年"):
        schedule(day=NOW.date() + dt.timedelta(days=367))
    assert len(schedule(place="室" * MAX_PLACE).place) == MAX_PLACE
    with pytest.raises(JointReviewError, match=f"最多 {MAX_PLACE} 个字"):
        schedule(place="室" * (MAX_PLACE + 1))
    assert len(schedule(departments=CATALOG[:MAX_DEPARTMENTS]).departments) == MAX_DEPARTMENTS
    with pytest.raises(JointReviewError, match=f"最多邀请 {MAX_DEPARTMENTS} 个部门"):
        schedule(departments=CATALOG)
    with pytest.raises(JointReviewError, match="请勾选至少一个受邀部门"):
        schedule(departments=(" ", ""))


def test_every_schedule_problem_at_once() -> None:
    with pytest.raises(JointReviewError) as info:
        schedule(start="09:00", place="", departments=())
    assert str(info.value).count("；") == 2


def test_opinion_text_is_cleaned_and_limited() -> None:
    invited = ("部门1",)
    assert check_opinion(ReviewStatus.SCHEDULED, "N", "部门1", invited, Opinion.CONDITIONAL, " 先 补 ") == "先 补"
    longest = "好" * MAX_TEXT
    assert check_opinion(ReviewStatus.SCHEDULED, "N", "部门1", invited, Opinion.AGREE, longest) == longest
    with pytest.raises(JointReviewError, match=f"最多 {MAX_TEXT} 个字，现在 {MAX_TEXT + 1} 个"):
        check_opinion(ReviewStatus.SCHEDULED, "N", "部门1", invited, Opinion.AGREE, "好" * (MAX_TEXT + 1))


def outcome(opinions: dict[str, Opinion | None], conclusion: Conclusion = Conclusion.APPROVED, text: str = "同意",
            now: dt.datetime = dt.datetime(2026, 11, 26, 14, 30), status: ReviewStatus = ReviewStatus.SCHEDULED) -> str:
    return check_outcome(status, "N", dt.date(2026, 11, 26), "14:30", now, opinions, conclusion, text)


def test_outcome_at_the_meeting_s_start_with_one_opinion() -> None:
    assert outcome({"部门1": Opinion.AGREE, "部门2": None}) == "同意"
    assert outcome({"部门1": Opinion.AGREE}, now=dt.datetime(2026, 11, 27, 8, 0, tzinfo=TZ)) == "同意"
    with pytest.raises(JointReviewError, match="开会后"):
        outcome({"部门1": Opinion.AGREE}, now=dt.datetime(2026, 11, 26, 14, 29))


def test_outcome_refusals() -> None:
    with pytest.raises(JointReviewError, match="还没有任何部门的意见"):
        outcome({"部门1": None})
    with pytest.raises(JointReviewError, match="部门1、部门3不同意"):
        outcome({"部门1": Opinion.DISAGREE, "部门2": Opinion.AGREE, "部门3": Opinion.DISAGREE})
    for conclusion in (Conclusion.CONDITIONAL, Conclusion.REJECTED, Conclusion.DEFERRED):
        assert outcome({"部门1": Opinion.DISAGREE}, conclusion) == "同意"
    with pytest.raises(JointReviewError, match="请写明会商结论"):
        outcome({"部门1": Opinion.AGREE}, text=" ")
    assert outcome({"部门1": Opinion.AGREE}, text="字" * MAX_TEXT) == "字" * MAX_TEXT
    with pytest.raises(JointReviewError, match=f"现在 {MAX_TEXT + 1} 个"):
        outcome({"部门1": Opinion.AGREE}, text="字" * (MAX_TEXT + 1))
    with pytest.raises(JointReviewError, match="不能再改"):
        outcome({"部门1": Opinion.AGREE}, status=ReviewStatus.CONCLUDED)


def test_the_department_catalog() -> None:
    assert parse_departments('departments = [" 市发改委 ", "市自然资源局"]') == ("市发改委", "市自然资源局")
    for text in ("departments = []", 'departments = "x"', 'departments = ["a", " "]', "departments = [1]", "x = 1"):
        with pytest.raises(JointReviewError, match="非空的部门名称列表"):
            parse_departments(text, "d.toml")
    with pytest.raises(JointReviewError, match=r"d\.toml：部门名称有重复"):
        parse_departments('departments = ["a", " a"]', "d.toml")
    with pytest.raises(JointReviewError, match=r"d\.toml 格式错误"):
        parse_departments("departments = [", "d.toml")


# --- shifts ----------------------------------------------------------------------------------------

WEEKDAYS = parse_window("mon,tue,wed,thu,fri,", "08:30", "17:00")
SATURDAY = parse_window("sat", "09:00", "12:00")


def test_a_window_from_its_start_up_to_its_end() -> None:
    assert WEEKDAYS.days == frozenset({"mon", "tue", "wed", "thu", "fri"})
    thursday = dt.datetime(2026, 11, 26, 8, 30)
    assert WEEKDAYS.covers(thursday) and WEEKDAYS.covers(thursday.replace(hour=16, minute=59))
    assert not WEEKDAYS.covers(thursday.replace(minute=29)) and not WEEKDAYS.covers(thursday.replace(hour=17, minute=0))
    assert not WEEKDAYS.covers(dt.datetime(2026, 11, 28, 10, 0))  # a Saturday


def test_on_duty_unless_the_day_is_closed() -> None:
    at = dt.datetime(2026, 11, 26, 10, 0)
    assert on_duty([SATURDAY, WEEKDAYS], at)
    assert not on_duty([SATURDAY], at)
    assert not on_duty([WEEKDAYS], at, closed=lambda day: day == at.date())
    assert on_duty([WEEKDAYS], at, closed=lambda day: day != at.date())


def test_the_next_shift_start() -> None:
    thursday = dt.datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    assert next_start([WEEKDAYS], thursday) == dt.datetime(2026, 11, 26, 8, 30, tzinfo=TZ)
    assert next_start([WEEKDAYS], thursday.replace(hour=8, minute=30)) == dt.datetime(2026, 11, 27, 8, 30, tzinfo=TZ)
    friday_evening = dt.datetime(2026, 11, 27, 18, 0, tzinfo=TZ)
    assert next_start([WEEKDAYS, SATURDAY], friday_evening) == dt.datetime(2026, 11, 28, 9, 0, tzinfo=TZ)
    assert next_start([WEEKDAYS], friday_evening) == dt.datetime(2026, 11, 30, 8, 30, tzinfo=TZ)
    assert next_start([], friday_evening) is None


def test_the_next_shift_skips_closed_days_up_to_two_weeks() -> None:
    start = dt.datetime(2026, 9, 30, 18, 0)  # a Wednesday, before a week-long break
    golden_week = {dt.date(2026, 10, d) for d in range(1, 8)}
    assert next_start([WEEKDAYS], start, closed=golden_week.__contains__) == dt.datetime(2026, 10, 8, 8, 30)
    fourteen_closed = {start.date() + dt.timedelta(days=d) for d in range(14)}
    assert next_start([parse_window("mon,tue,wed,thu,fri,sat,sun", "08:00", "09:00")], start,
                      closed=fourteen_closed.__contains__) == dt.datetime(2026, 10, 14, 8, 0)
    fifteen_closed = {start.date() + dt.timedelta(days=d) for d in range(15)}
    assert next_start([WEEKDAYS], start, closed=fifteen_closed.__contains__) is None
