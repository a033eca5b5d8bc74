"""Working days (S6; research/domain.md §4c): the 2026 schedule, rest-day starts, years without data,
the hall's year files and local closures."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from hallterm.config_locations import DEFAULT_ASSETS
from hallterm.domain.calendar_files import LocalAdjustments, LocalDay, build_calendar, parse_year_file
from hallterm.domain.workdays import HolidayDataMissing, WorkCalendar
from hallterm.services.calendar import default_calendar

D = dt.date

# Test data only, in the year-file format: NOT the real 2027 schedule (unknown until the State
# Council publishes it). New Year 2027-01-01 (Fri) to 01-03, a make-up Saturday 2027-01-09.
FAKE_2027 = """
year = 2027
source = "test data, not a real notice"
makeup_workdays = [2027-01-09]

[[holidays]]
name = "元旦"
start = 2027-01-01
end = 2027-01-03

[[holidays]]
name = "春节"
start = 2027-02-05
end = 2027-02-11
"""


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()  # the package alone


def with_2027() -> WorkCalendar:
    return build_calendar([parse_year_file(FAKE_2027, "2027.toml", 2027)])


# ---------- the verified example and rest-day starts ----------


def test_five_working_days_after_saturday_2026_03_07_is_friday_03_13(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 13)


def test_find_workday_really_is_off_by_one_from_a_rest_day(cal: WorkCalendar) -> None:
    """Why we do not use the package's helper (research/domain.md §4c gotcha 1)."""
    assert chinese_calendar.find_workday(5, D(2026, 3, 7)) == D(2026, 3, 16)
    assert cal.add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 13)
    # On a working day both agree.
    assert chinese_calendar.find_workday(5, D(2026, 3, 9)) == cal.add_working_days(D(2026, 3, 9), 5)


@pytest.mark.parametrize("start", [D(2026, 3, 6), D(2026, 3, 7), D(2026, 3, 8)], ids=["fri", "sat", "sun"])
def test_friday_saturday_and_sunday_starts_reach_the_same_day(cal: WorkCalendar, start: dt.date) -> None:
    # The start day is never counted; from a rest day counting begins on the next working day.
    assert cal.add_working_days(start, 1) == D(2026, 3, 9)
    assert cal.add_working_days(start, 5) == D(2026, 3, 13)


def test_a_monday_start_is_not_counted(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D(2026, 3, 9), 1) == D(2026, 3, 10)
    assert cal.add_working_days(D(2026, 3, 9), 5) == D(2026, 3, 16)


def test_zero_days_is_the_start_and_negative_is_refused(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 7)
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 3, 7), -1)


def test_a_datetime_is_refused_rather_than_silently_missing_every_holiday(cal: WorkCalendar) -> None:
    # datetime(2026, 2, 16) != date(2026, 2, 16): set lookups would treat 春节 as a working Monday.
    with pytest.raises(TypeError):
        cal.is_working_day(dt.datetime(2026, 2, 16, 9, 0))
    with pytest.raises(TypeError):
        cal.add_working_days(dt.datetime(2026, 2, 13), 1)


# ---------- 2026 Spring Festival and National Day ----------


@pytest.mark.parametrize("day", [D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)])
def test_spring_festival_2026_is_nine_rest_days(cal: WorkCalendar, day: dt.date) -> None:
    assert not cal.is_working_day(day)
    assert cal.day(day).note == "春节"


@pytest.mark.parametrize("day", [D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10), D(2026, 1, 4)])
def test_make_up_weekends_are_working_days(cal: WorkCalendar, day: dt.date) -> None:
    assert day.weekday() >= 5
    assert cal.is_working_day(day)
    assert cal.day(day).note.endswith("调休上班")


@pytest.mark.parametrize(("start", "n", "due"), [
    (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday → the make-up Saturday
    (D(2026, 2, 14), 1, D(2026, 2, 24)),  # from the make-up Saturday over the whole break
    (D(2026, 2, 12), 3, D(2026, 2, 24)),  # 13, 14 (Sat), then 24
    (D(2026, 2, 15), 5, D(2026, 2, 28)),  # a Sunday inside the break: 24–27, then the make-up Saturday
    (D(2026, 2, 18), 1, D(2026, 2, 24)),  # a Wednesday inside the break
    (D(2026, 2, 23), 5, D(2026, 2, 28)),
])
def test_counting_across_the_spring_festival(cal: WorkCalendar, start: dt.date, n: int, due: dt.date) -> None:
    assert cal.add_working_days(start, n) == due


@pytest.mark.parametrize(("start", "n", "due"), [
    (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Saturday → the make-up Sunday 09-20
    (D(2026, 9, 24), 1, D(2026, 9, 28)),  # 中秋 09-25 (Fri) to 09-27
    (D(2026, 9, 30), 1, D(2026, 10, 8)),  # over 国庆 10-01..07
    (D(2026, 9, 30), 3, D(2026, 10, 10)),  # 10-08, 10-09, then the make-up Saturday 10-10
    (D(2026, 10, 3), 5, D(2026, 10, 13)),  # a Saturday inside the break: 8, 9, 10, 12, 13
    (D(2026, 9, 28), 5, D(2026, 10, 10)),  # 29, 30, 8, 9, 10
])
def test_counting_across_national_day(cal: WorkCalendar, start: dt.date, n: int, due: dt.date) -> None:
    assert cal.add_working_days(start, n) == due


def test_national_day_2026_is_seven_rest_days(cal: WorkCalendar) -> None:
    assert [cal.is_working_day(D(2026, 10, d)) for d in range(1, 11)] == [False] * 7 + [True] * 3


def test_every_day_agrees_with_the_package(cal: WorkCalendar) -> None:
    """The calendar copies the package's tables: the same answer on every covered day."""
    day = D(2004, 1, 1)
    while day <= D(2026, 12, 31):
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_2026_has_248_working_days(cal: WorkCalendar) -> None:
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_adding_and_counting_agree_every_day_of_2026(cal: WorkCalendar) -> None:
    start = D(2026, 1, 1)
    while start <= D(2026, 11, 30):
        for n in range(1, 8):
            due = cal.add_working_days(start, n)
            assert cal.is_working_day(due)
            assert cal.working_days_between(start, due) == n
            assert cal.working_days_between(start, due - dt.timedelta(days=1)) == n - 1
        start += dt.timedelta(days=1)


def test_working_days_between_counts_the_half_open_span(cal: WorkCalendar) -> None:
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28
    assert cal.working_days_between(D(2026, 2, 28), D(2026, 2, 13)) == -6
    assert cal.working_days_between(D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert cal.working_days_between(D(2026, 3, 6), D(2026, 3, 8)) == 0  # Fri → Sun


# ---------- years without data ----------


def test_a_count_running_into_2027_raises_naming_2027(cal: WorkCalendar) -> None:
    with pytest.raises(HolidayDataMissing) as info:
        cal.add_working_days(D(2026, 12, 28), 5)
    assert info.value.year == 2027
    assert isinstance(info.value, LookupError)
    assert "缺少 2027 年的节假日安排" in str(info.value)
    assert "assets/calendar/2027.toml" in str(info.value)


@pytest.mark.parametrize(("day", "year"), [(D(2027, 1, 4), 2027), (D(2003, 12, 31), 2003), (D(2030, 6, 3), 2030)])
def test_a_single_day_without_data_raises(cal: WorkCalendar, day: dt.date, year: int) -> None:
    with pytest.raises(HolidayDataMissing, match=str(year)):
        cal.is_working_day(day)


def test_counting_inside_2026_up_to_new_years_eve_still_works(cal: WorkCalendar) -> None:
    assert cal.add_working_days(D(2026, 12, 28), 3) == D(2026, 12, 31)


def test_the_estimate_counts_monday_to_friday_past_the_data_less_the_certain_holidays(cal: WorkCalendar) -> None:
    # 12-29, 12-30, 12-31 from the data; 2027-01-01 (Fri) is 元旦 whatever the notice says; 01-04, 01-05.
    assert cal.add_working_days_estimated(D(2026, 12, 28), 5) == (D(2027, 1, 5), True)
    # A 容缺 deadline (5 working days) opened on 2026-12-29 no longer lands on a holiday (issue 11 point 8).
    deadline, estimated = cal.add_working_days_estimated(D(2026, 12, 29), 5)
    assert (deadline, estimated) == (D(2027, 1, 6), True) and deadline.weekday() < 5
    assert cal.add_working_days_estimated(D(2026, 3, 7), 5) == (D(2026, 3, 13), False)
    assert cal.working_days_between_estimated(D(2026, 12, 31), D(2027, 1, 11)) == (6, True)  # 4–8, 11
    new_year = cal.day(D(2027, 1, 1), estimate=True)
    assert new_year.estimated and not new_year.working and new_year.note == "元旦"
    assert cal.day(D(2027, 1, 2), estimate=True).estimated


def test_the_estimate_skips_the_lunar_holidays_of_2027(cal: WorkCalendar) -> None:
    # 2027: 除夕 2-5 (Fri), 初一–初三 2-6..2-8, 清明 4-5 (Mon), 5-1/5-2 (weekend), 端午 6-9 (Wed),
    # 中秋 9-15 (Wed), 国庆 10-1 (Fri). Only the weekdays among them change the count.
    for day, name in [(D(2027, 2, 5), "春节"), (D(2027, 2, 8), "春节"), (D(2027, 4, 5), "清明节"),
                      (D(2027, 6, 9), "端午节"), (D(2027, 9, 15), "中秋节"), (D(2027, 10, 1), "国庆节")]:
        info = cal.day(day, estimate=True)
        assert (info.working, info.estimated, info.note) == (False, True, name), day
    assert cal.day(D(2027, 2, 9), estimate=True).working  # 初四: a 调休 day perhaps, unknown until the notice
    # Thursday 2-4 + 5 working days: 2-5 and 2-8 are 春节, so 2-9..2-12 and 2-15.
    assert cal.add_working_days_estimated(D(2027, 2, 4), 5) == (D(2027, 2, 15), True)


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_certain_holidays_agree_with_the_published_schedule(year: int) -> None:
    """Every day the 2025 rules fix is a rest day in the State Council's notice for that year."""
    from hallterm.domain.statutory_holidays import certain_holidays

    days = certain_holidays(year)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3
    package = WorkCalendar()
    assert [d for d in days if package.is_working_day(d)] == []
    assert certain_holidays(2024) == {}  # other rules before 2025: never guessed


def test_covered_until_and_missing_years(cal: WorkCalendar) -> None:
    assert cal.covered_until() == D(2026, 12, 31)
    assert cal.missing_years(D(2026, 11, 26), D(2027, 11, 26)) == [2027]
    assert cal.missing_years(D(2026, 1, 1), D(2026, 12, 31)) == []
    with pytest.raises(HolidayDataMissing, match="2027"):
        cal.require_covered(D(2026, 11, 26), D(2027, 11, 26))


# ---------- the hall's year files ----------


def test_a_year_file_makes_2027_covered() -> None:
    cal = with_2027()
    assert cal.covered_until() == D(2027, 12, 31)
    assert cal.missing_years(D(2026, 11, 26), D(2027, 11, 26)) == []
    # 12-29, 12-30, 12-31, then 01-01..03 rest, 01-04, 01-05.
    assert cal.add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 5)
    assert cal.add_working_days_estimated(D(2026, 12, 28), 5) == (D(2027, 1, 5), False)
    assert cal.is_working_day(D(2027, 1, 9))  # the declared make-up Saturday
    assert not cal.is_working_day(D(2027, 1, 16))  # an ordinary Saturday
    assert not cal.is_working_day(D(2027, 2, 8))  # a Monday in the declared break
    assert cal.day(D(2027, 2, 8)).note == "春节"
    assert cal.file_years == {2027}
    with pytest.raises(HolidayDataMissing, match="2028"):
        cal.is_working_day(D(2028, 1, 3))


def test_a_gap_year_stops_covered_until() -> None:
    text = FAKE_2027.replace("2027", "2028").replace("2028-01-09", "2028-01-08")  # a Saturday in 2028
    cal = build_calendar([parse_year_file(text, "2028.toml", 2028)])
    assert cal.covered_until() == D(2026, 12, 31)
    assert cal.missing_years(D(2026, 6, 1), D(2028, 6, 1)) == [2027]
    assert not cal.is_working_day(D(2028, 1, 3))  # 2028 itself is known


def test_a_year_file_wins_over_the_package_for_its_year() -> None:
    # A (fake) correction of 2026: the file declares 2026 with only one holiday, so 春节 is gone.
    text = """
year = 2026
source = "test"
[[holidays]]
name = "元旦"
start = 2026-01-01
"""
    cal = build_calendar([parse_year_file(text, "2026.toml", 2026)])
    assert cal.is_working_day(D(2026, 2, 16))
    assert not cal.is_working_day(D(2026, 1, 1))
    assert not cal.is_working_day(D(2026, 2, 14))  # no make-up day declared: a plain Saturday
    assert cal.is_working_day(D(2025, 12, 31))  # other years still come from the package


# ---------- local closures and extra workdays ----------


def local(*days: LocalDay) -> LocalAdjustments:
    return LocalAdjustments(days)


def test_a_local_closure_pushes_a_deadline() -> None:
    cal = build_calendar([], local(LocalDay(D(2026, 3, 12), False, "大厅停电检修")))
    assert cal.add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 16)
    assert cal.day(D(2026, 3, 12)).note == "大厅停电检修"
    assert WorkCalendar().add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 13)


def test_a_local_extra_workday_pulls_a_deadline_in() -> None:
    cal = build_calendar([], local(LocalDay(D(2026, 3, 8), True, "全市集中办公日")))
    assert cal.add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 12)


def test_local_adjustments_win_over_the_package_and_year_files() -> None:
    cal = build_calendar([parse_year_file(FAKE_2027, "2027.toml", 2027)],
                         local(LocalDay(D(2026, 2, 16), True, "加班"), LocalDay(D(2027, 1, 9), False, "闭厅")))
    assert cal.is_working_day(D(2026, 2, 16))  # a 春节 day made a working day
    assert not cal.is_working_day(D(2027, 1, 9))  # the make-up Saturday closed locally


def test_a_local_closure_in_a_year_without_data_answers_only_that_day() -> None:
    cal = build_calendar([], local(LocalDay(D(2027, 3, 1), False, "闭厅")))
    assert not cal.is_working_day(D(2027, 3, 1))
    with pytest.raises(HolidayDataMissing):
        cal.is_working_day(D(2027, 3, 2))


# ---------- the default calendar and the README's example ----------


def test_default_reads_the_shipped_files_and_ships_no_guessed_year() -> None:
    cal = default_calendar(DEFAULT_ASSETS)  # the services build the hall's calendar
    assert cal.add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 13)
    shipped = sorted(p.name for p in (DEFAULT_ASSETS / "calendar").glob("*.toml"))
    assert shipped == ["local.toml"]  # 2027 is unknown until the State Council publishes it
    assert cal.file_years == frozenset()


def test_the_readme_example_is_exactly_the_packages_2026() -> None:
    readme = (DEFAULT_ASSETS / "calendar" / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml", 1)[1].split("```", 1)[0]
    from_file = build_calendar([parse_year_file(block, "README.md", 2026)])
    package = WorkCalendar()
    assert from_file.file_years == {2026}
    day = D(2026, 1, 1)
    while day.year == 2026:
        assert from_file.is_working_day(day) == package.is_working_day(day), day
        day += dt.timedelta(days=1)
