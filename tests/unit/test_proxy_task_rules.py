"""Proxy tasks (全程代办, S3): every allowed step, each refused one, the suggestion, due dates and
lateness in working days (weekends and the 2026 National Day holiday)."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.proxy_tasks import (
    CaseItemScope,
    ProxyTaskError,
    ProxyTaskKind,
    ProxyTaskState,
    check_move,
    check_new_kinds,
    check_note,
    clean_text,
    next_state,
    suggest_kinds,
    task_due,
    working_days_late,
)
from hallterm.domain.workdays import WorkCalendar

K, S = ProxyTaskKind, ProxyTaskState
D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()  # chinese-calendar's 2026 schedule


@pytest.mark.parametrize(("current", "target"), [
    (S.PENDING, S.IN_PROGRESS), (S.IN_PROGRESS, S.DONE), (S.PENDING, S.CANCELLED), (S.IN_PROGRESS, S.CANCELLED),
])
def test_allowed_steps(current: ProxyTaskState, target: ProxyTaskState) -> None:
    reason = "申请人不再需要" if target is S.CANCELLED else ""
    assert check_move(K.POWER, current, target, reason) == reason


@pytest.mark.parametrize(("current", "target", "words"), [
    (S.PENDING, S.DONE, "尚未开始办理，不能直接办结：请先改为“办理中”"),
    (S.IN_PROGRESS, S.PENDING, "不能从“办理中”改为“待办”"),
    (S.DONE, S.IN_PROGRESS, "已办结，不能再改为“办理中”"),
    (S.DONE, S.CANCELLED, "已办结"),
    (S.CANCELLED, S.PENDING, "已撤销"),
    (S.PENDING, S.PENDING, "已是“待办”"),
])
def test_wrong_steps_are_refused_with_the_reason(current: ProxyTaskState, target: ProxyTaskState,
                                                 words: str) -> None:
    with pytest.raises(ProxyTaskError, match=words) as refused:
        check_move(K.WATER, current, target, "理由")
    assert str(refused.value).startswith("供水报装")


def test_cancelling_needs_a_reason_and_control_characters_are_dropped() -> None:
    with pytest.raises(ProxyTaskError, match="撤销供气报装须填写理由"):
        check_move(K.GAS, S.PENDING, S.CANCELLED, "  \x1b\x07\n ")
    assert check_move(K.GAS, S.PENDING, S.CANCELLED, "误加\x1b[31m\n重复") == "误加[31m 重复"
    with pytest.raises(ProxyTaskError, match="理由最多 200 字"):
        check_move(K.GAS, S.PENDING, S.CANCELLED, "长" * 201)


def test_the_next_step() -> None:
    assert next_state(S.PENDING) is S.IN_PROGRESS
    assert next_state(S.IN_PROGRESS) is S.DONE
    assert next_state(S.DONE) is None and next_state(S.CANCELLED) is None


def test_notes_are_cleaned_and_bounded() -> None:
    assert check_note(" 已向供电公司\t提交申请 ") == "已向供电公司 提交申请"
    assert clean_text("a\u200bb\x07c") == "abc"
    with pytest.raises(ProxyTaskError, match="备注不能为空"):
        check_note(" \x00 ")
    with pytest.raises(ProxyTaskError, match="备注最多 500 字，现在 501 字"):
        check_note("字" * 501)


def test_new_kinds_in_catalogue_order_and_duplicates_refused() -> None:
    assert check_new_kinds([K.GAS, K.MARKET_ACCESS], {}) == (K.MARKET_ACCESS, K.GAS)
    assert check_new_kinds([K.GAS], {K.GAS: S.CANCELLED}) == (K.GAS,)  # a cancelled one may come back
    with pytest.raises(ProxyTaskError, match="请至少勾选一项"):
        check_new_kinds([], {})
    with pytest.raises(ProxyTaskError, match=r"供水报装（办理中）、供气报装（已办结）"):
        check_new_kinds([K.WATER, K.GAS, K.POWER], {K.WATER: S.IN_PROGRESS, K.GAS: S.DONE})


def test_suggestion_follows_the_items() -> None:
    approval = CaseItemScope("enterprise_kind")
    utilities = CaseItemScope("proxy", ("SITE_INSPECTION",))
    forwarded = CaseItemScope("city", ("REFER_UP",))
    assert suggest_kinds([approval]) == (K.MARKET_ACCESS,)
    assert suggest_kinds([utilities]) == (K.WATER, K.POWER, K.GAS)  # heating is never guessed
    assert suggest_kinds([forwarded, utilities]) == (K.MARKET_ACCESS, K.ABOVE_CITY, K.WATER, K.POWER, K.GAS)
    assert suggest_kinds([]) == ()


def test_due_date_skips_the_weekend(cal: WorkCalendar) -> None:
    # Thursday 2026-11-26 + 5 working days: Fri 27, Mon 30, Tue 1, Wed 2, Thu 3 December.
    assert task_due(cal, D(2026, 11, 26), 5) == (D(2026, 12, 3), False)
    assert task_due(cal, D(2026, 11, 28), 1) == (D(2026, 11, 30), False)  # added on a Saturday


def test_due_date_skips_the_national_day_holiday(cal: WorkCalendar) -> None:
    # 2026: 1–7 October off, Saturday 10 October a make-up working day (调休).
    assert task_due(cal, D(2026, 9, 30), 1) == (D(2026, 10, 8), False)
    assert task_due(cal, D(2026, 9, 30), 3) == (D(2026, 10, 10), False)


def test_working_days_late(cal: WorkCalendar) -> None:
    due = D(2026, 11, 27)  # a Friday
    assert working_days_late(cal, due, D(2026, 11, 27), S.PENDING) == 0
    assert working_days_late(cal, due, D(2026, 11, 29), S.PENDING) == 0  # only the weekend has passed
    assert working_days_late(cal, due, D(2026, 12, 1), S.IN_PROGRESS) == 2
    assert working_days_late(cal, due, D(2026, 12, 1), S.DONE) == 0  # finished tasks are never late
    assert working_days_late(cal, D(2026, 9, 30), D(2026, 10, 8), S.PENDING) == 1  # the holiday does not count


def test_negative_days_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ProxyTaskError, match="不能为负数"):
        task_due(cal, D(2026, 11, 26), -1)
