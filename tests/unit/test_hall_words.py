"""Values the hall reads in several places, computed in one: floors, weekdays, minutes waited."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.floors import floor_name
from hallterm.domain.waits import minutes_of, minutes_text, minutes_waited, seconds_between
from hallterm.domain.weekdays import weekday_code, weekday_name, weekday_name_en


@pytest.mark.parametrize(("floor", "name"), [(1, "一楼"), (2, "二楼"), (5, "五楼"), (-1, "地下一层"), (-2, "地下二层"),
                                              (12, "12楼"), (None, "")])
def test_floor_names(floor: int | None, name: str) -> None:
    assert floor_name(floor) == name


def test_weekday_names() -> None:
    monday = dt.date(2026, 11, 30)
    assert [weekday_name(monday + dt.timedelta(days=n)) for n in range(7)] == [
        "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
    assert weekday_name_en(monday) == "Mon" and weekday_code(monday + dt.timedelta(days=6)) == "sun"
    # A local datetime reads its own day, not UTC's.
    late = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert weekday_name(late) == "星期日"


def test_minutes_waited_round_down_and_never_go_negative() -> None:
    at = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    assert minutes_waited(at, at + dt.timedelta(seconds=59)) == 0
    assert minutes_waited(at, at + dt.timedelta(seconds=119)) == 1
    assert minutes_waited(at, at + dt.timedelta(minutes=75)) == 75
    assert minutes_waited(at, at - dt.timedelta(minutes=3)) == 0  # a clock set back
    assert seconds_between(at, at + dt.timedelta(minutes=2, seconds=5)) == 125
    assert minutes_of(125) == 2 and minutes_of(-30) == 0
    assert minutes_text(12) == "12 分钟"
    assert minutes_text(125) == "2 小时 5 分钟" and minutes_text(120) == "2 小时"
    assert minutes_text(54698) == "37 天"  # seen on the coordinator view for a case queued weeks ago
