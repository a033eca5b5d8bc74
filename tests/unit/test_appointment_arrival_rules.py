"""The arrival rules of appointments (issue 12 point 5), pure: the check-in window, when an appointment is
missed, and the line for a holder who often does not come."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.appointments import missed_after, outside_window, repeated_misses

DAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(("hhmm", "walk_in", "why"), [
    ("08:59", False, "来早了：09:30 的预约 09:00 起签到，此前按现场顺序排队"),
    ("09:00", False, ""),
    ("09:45", False, ""),
    ("09:46", True, "已迟到：09:30 的预约签到截至 09:45"),
])
def test_the_window_runs_from_early_to_late_around_the_start(hhmm: str, walk_in: bool, why: str) -> None:
    hour, minute = map(int, hhmm.split(":"))
    now = dt.datetime.combine(DAY, dt.time(hour, minute), dt.timezone(dt.timedelta(hours=8)))
    assert outside_window(DAY, "09:30", now, 30, 15) == (walk_in, why)


def test_missed_after_the_end_plus_the_grace_even_past_midnight() -> None:
    assert missed_after(DAY, "10:00", 30) == dt.datetime(2026, 11, 26, 10, 30)
    assert missed_after(DAY, "23:30", 45) == dt.datetime(2026, 11, 27, 0, 15)


def test_repeated_misses_say_so_from_the_threshold_on() -> None:
    assert repeated_misses(1, 2, 90) == ""
    assert repeated_misses(3, 2, 90) == "注意：该持卡人近 90 天内已失约 3 次（仅提示，不影响预约）"
