"""The queue's pure rules: numbers, the calling order (due appointments, walk-ins, ratio), recalls,
which action applies to which ticket (issue 5, points 1–2)."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.queue import (
    Action,
    CallPolicy,
    Lane,
    QueueError,
    Target,
    TargetKind,
    TicketKind,
    Waiting,
    call_is_live,
    call_order,
    check_action,
    check_transfer,
    decide_recall,
    lane,
    lounge_place,
    speech_text,
    ticket_number,
)

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
WALKIN, APPT = TicketKind.WALKIN, TicketKind.APPOINTMENT


def at(hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return NOW.replace(hour=h, minute=m)


def walkin(tid: int, issued: str, **kw: object) -> Waiting:
    return Waiting(tid, f"A{tid:03d}", WALKIN, at(issued), **kw)  # type: ignore[arg-type]


def appt(tid: int, issued: str, slot: str, slot_end: str | None = None, **kw: object) -> Waiting:
    end = slot_end or (at(slot) + dt.timedelta(minutes=30)).strftime("%H:%M")
    return Waiting(tid, f"B{tid:03d}", APPT, at(issued), at(slot), at(end), **kw)  # type: ignore[arg-type]


def numbers(tickets: list[Waiting]) -> list[str]:
    return [t.number for t in tickets]


def test_ticket_numbers_are_a_letter_and_three_digits() -> None:
    assert ticket_number("A", 17) == "A017"
    assert ticket_number("B", 1) == "B001"
    assert ticket_number("A", 999) == "A999"
    assert ticket_number("A", 1000) == "A1000"  # never wraps to a number already given out today
    with pytest.raises(ValueError):
        ticket_number("A", 0)


def test_walkins_are_called_in_the_order_they_came() -> None:
    waiting = [walkin(3, "09:40"), walkin(1, "09:10"), walkin(2, "09:20")]
    assert numbers(call_order(waiting, now=NOW, counter="G1", policy=CallPolicy())) == ["A001", "A002", "A003"]


def test_due_appointments_go_before_walkins_and_early_ones_after() -> None:
    waiting = [walkin(1, "09:00"), appt(2, "09:30", "10:10"),  # due: within 15 minutes of its slot
               appt(3, "09:20", "11:30"),  # checked in far too early: after the walk-ins
               appt(4, "09:50", "09:45")]  # its slot began first
    order = call_order(waiting, now=NOW, counter="G1", policy=CallPolicy(early_minutes=15))
    assert numbers(order) == ["B004", "B002", "A001", "B003"]


def test_an_appointment_checked_in_after_its_slot_ended_waits_as_a_walkin() -> None:
    late = appt(2, "09:50", "09:00", "09:30")
    assert lane(late, NOW, CallPolicy()) is Lane.WALKIN
    order = call_order([walkin(1, "09:40"), late, walkin(3, "09:55")], now=NOW, counter="G1", policy=CallPolicy())
    assert numbers(order) == ["A001", "B002", "A003"]


def test_the_ratio_lets_a_walkin_through_after_n_appointments_in_a_row() -> None:
    waiting = [walkin(1, "09:00"), appt(2, "09:30", "09:50"), appt(3, "09:31", "09:55")]
    policy = CallPolicy(ratio=2)
    assert numbers(call_order(waiting, now=NOW, counter="G1", policy=policy, recent_kinds=[APPT]))[0] == "B002"
    assert numbers(call_order(waiting, now=NOW, counter="G1", policy=policy, recent_kinds=[APPT, APPT]))[0] == "A001"
    assert numbers(call_order(waiting, now=NOW, counter="G1", policy=policy,
                              recent_kinds=[WALKIN, APPT, APPT]))[0] == "B002"  # the run was broken
    # Ratio 0 (the default): appointments always first.
    assert numbers(call_order(waiting, now=NOW, counter="G1", policy=CallPolicy(),
                              recent_kinds=[APPT] * 9))[0] == "B002"


def test_a_returned_ticket_goes_to_the_front_and_a_transfer_only_to_its_counter() -> None:
    waiting = [walkin(1, "09:00"), appt(2, "09:30", "09:50"),
               walkin(3, "09:45", returned_at=at("09:58")),
               walkin(4, "09:46", returned_at=at("09:59"), for_counter="G2")]
    assert numbers(call_order(waiting, now=NOW, counter="G1", policy=CallPolicy())) == ["A003", "B002", "A001"]
    assert numbers(call_order(waiting, now=NOW, counter="G2", policy=CallPolicy()))[:2] == ["A004", "A003"]


def test_recall_is_limited_then_no_show() -> None:
    first = decide_recall("A017", 0, 3)
    assert (first.no_show, first.recalls) == (False, 1)
    assert "第 1 次" in first.message
    assert decide_recall("A017", 2, 3).recalls == 3
    last = decide_recall("A017", 3, 3)
    assert last.no_show and "过号" in last.message
    assert decide_recall("A017", 0, 0).no_show  # a limit of 0: no recalls at all


@pytest.mark.parametrize("action, status, ok", [
    (Action.CALL, "waiting", True), (Action.CALL, "called", False), (Action.CALL, "finished", False),
    (Action.RECALL, "called", True), (Action.RECALL, "waiting", False),
    (Action.HOLD, "called", True), (Action.RETURN, "held", True), (Action.RETURN, "waiting", False),
    (Action.FINISH, "called", True), (Action.FINISH, "no_show", False), (Action.TRANSFER, "held", False),
])
def test_actions_apply_only_to_tickets_in_the_right_state(action: Action, status: str, ok: bool) -> None:
    if ok:
        check_action(action, "A017", status)
    else:
        with pytest.raises(QueueError, match="A017"):
            check_action(action, "A017", status)


def test_a_counter_cannot_close_another_counters_ticket() -> None:
    with pytest.raises(QueueError, match="其他窗口"):
        check_action(Action.FINISH, "A017", "called", called_here=False)
    check_action(Action.RETURN, "A017", "held", called_here=False)  # the visitor may come back to any counter


def test_transfer_targets() -> None:
    with pytest.raises(QueueError, match="本窗口"):
        check_transfer(Target(TargetKind.COUNTER, "G1"), "G1")
    check_transfer(Target(TargetKind.COUNTER, "G2"), "G1")
    check_transfer(Target(TargetKind.LOUNGE, "L2"), "G1")


def test_places_and_speech() -> None:
    assert lounge_place(2, "业务洽谈室2") == "二楼业务洽谈室2"
    assert speech_text("请{number}号到{place}", "A017", "绿色通道1号窗口") == "请A零一七号到绿色通道1号窗口"


@pytest.mark.parametrize("status, transfer, live", [
    ("called", False, True), ("no_show", False, False), ("finished", False, False), ("held", False, False),
    ("waiting", False, False), ("transferred", True, True), ("transferred", False, False),
])
def test_a_call_invites_its_visitor_only_while_it_stands(status: str, transfer: bool, live: bool) -> None:
    assert call_is_live(status, transfer=transfer) is live
