"""The responsibility list's rules (责任清单, S10): late or unheld duties first, then the earliest due date
(none last), then the case number; lateness in working days (S6),
said in words that name the unit (逾期3个工作日, short 逾3工作日); the section filter."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hallterm.domain.responsibility import (
    UNASSIGNED,
    Duty,
    DutyKind,
    WorkingDayCounter,
    filtered,
    ordered,
    timing,
)
from hallterm.domain.workdays import WorkCalendar

D = dt.date
TODAY = D(2026, 12, 2)  # a Wednesday


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


def duty(cal: WorkCalendar, case_no: str, due: dt.date | None, *, who: str | None = "S1001",
         kind: DutyKind = DutyKind.ITEM, section: str = "企业登记科", person_section: str = "业务协调科") -> Duty:
    return Duty(kind, f"{case_no}/{kind}", 1, case_no, "王*", section, who, "王芳" if who else "", person_section,
                due, timing(cal, due, TODAY))


def test_late_and_unheld_come_first_then_due_date_then_case_number(cal: WorkCalendar) -> None:
    on_time_early = duty(cal, "0001", D(2026, 12, 3))
    on_time_later = duty(cal, "0002", D(2026, 12, 9))
    no_due = duty(cal, "0000", None)
    late_a = duty(cal, "0009", D(2026, 11, 27))
    late_b = duty(cal, "0003", D(2026, 12, 1))
    late_same_day = duty(cal, "0002", D(2026, 12, 1))
    unheld_no_due = duty(cal, "0005", None, who=None, kind=DutyKind.PROXY)
    unheld_future = duty(cal, "0004", D(2026, 12, 10), who=None, kind=DutyKind.FOLLOW_UP)
    got = ordered([on_time_later, no_due, unheld_no_due, on_time_early, late_b, unheld_future, late_a, late_same_day])
    assert [d.case_no for d in got] == ["0009", "0002", "0003", "0004", "0005", "0001", "0002", "0000"]
    assert [d.flagged for d in got] == [True] * 5 + [False] * 3


def test_within_a_case_and_a_day_the_case_comes_before_its_parts(cal: WorkCalendar) -> None:
    due = D(2026, 12, 1)
    parts = [duty(cal, "0001", due, kind=k) for k in (DutyKind.SUPPLEMENT, DutyKind.FOLLOW_UP, DutyKind.CASE,
                                                      DutyKind.ITEM, DutyKind.PROXY)]
    assert [d.kind for d in ordered(parts)] == [DutyKind.CASE, DutyKind.ITEM, DutyKind.SUPPLEMENT, DutyKind.PROXY,
                                                DutyKind.FOLLOW_UP]


def test_lateness_is_counted_in_working_days_and_said_in_words(cal: WorkCalendar) -> None:
    # Due Friday 27 November, seen on Wednesday 2 December: Mon, Tue, Wed → 3 working days late.
    late = duty(cal, "0001", D(2026, 11, 27))
    assert (late.late, late.late_days, late.state, late.short_state) == (True, 3, "逾期3个工作日", "逾3工作日")
    # Due Friday, seen on Saturday: late, but no working day has passed yet.
    weekend = Duty(DutyKind.ITEM, "x", 1, "0001", "王*", "s", "S1", "王芳", "", D(2026, 11, 27),
                   timing(cal, D(2026, 11, 27), D(2026, 11, 28)))
    assert (weekend.late, weekend.late_days, weekend.state, weekend.short_state) == (True, 0, "已逾期", "已逾期")
    assert duty(cal, "0001", TODAY).state == duty(cal, "0001", TODAY).short_state == "今日到期"
    left = duty(cal, "0001", D(2026, 12, 4))
    assert (left.state, left.short_state) == ("剩2个工作日", "剩2工作日")
    assert duty(cal, "0001", None).state == "在办" and duty(cal, "0001", None).late_days is None
    unheld = duty(cal, "0001", D(2026, 12, 1), who=None)
    assert unheld.state == f"{UNASSIGNED}，逾期1个工作日" and unheld.person == UNASSIGNED
    assert unheld.short_state == "逾1工作日"  # the 责任人 column says 未指定 on screen
    assert duty(cal, "0001", None, who=None).state == UNASSIGNED
    assert duty(cal, "0001", None).person == "王芳（S1001）"
    # Past the holiday data the count is an estimate, and says so.
    far = Duty(DutyKind.ITEM, "x", 1, "0001", "王*", "s", "S1", "王芳", "", D(2031, 3, 3),
               timing(cal, D(2031, 3, 3), D(2031, 3, 5)))
    assert (far.state, far.short_state) == ("逾期2个工作日（估算）", "逾2工作日(估)")


def test_the_section_filter_takes_the_department_or_the_holders_section(cal: WorkCalendar) -> None:
    item = duty(cal, "0001", None, section="企业登记科", person_section="业务协调科")
    proxy = duty(cal, "0002", None, section="政务服务中心帮办代办部", person_section="政务服务中心帮办代办部",
                 who="S1201")
    both = [item, proxy]
    assert filtered(both, section="企业登记科") == (item,)
    assert filtered(both, section="业务协调科") == (item,)
    assert filtered(both, section="政务服务中心帮办代办部") == (proxy,)
    assert filtered(both, person="s1201") == (proxy,)
    assert filtered(both) == tuple(both)
    assert dataclasses.replace(item, person_id=None).unassigned


def test_the_span_counter_agrees_with_the_calendar_across_holidays_and_estimates(cal: WorkCalendar) -> None:
    # 2026's Spring Festival and National Day, and 2027 past the package's data (estimated).
    start, end = D(2025, 12, 20), D(2027, 3, 1)
    counter = WorkingDayCounter(cal, start, end)
    days = [start + dt.timedelta(days=n) for n in range(0, (end - start).days + 1, 17)]
    for a in days:
        for b in days:
            if a <= b:
                assert counter.between(a, b) == cal.working_days_between_estimated(a, b), (a, b)
    for due in days:
        assert timing(cal, due, D(2026, 12, 2), counter) == timing(cal, due, D(2026, 12, 2))
    # A date outside the span is counted on the calendar itself, never read off the wrong end.
    assert timing(cal, D(2025, 1, 2), D(2026, 12, 2), counter) == timing(cal, D(2025, 1, 2), D(2026, 12, 2))
