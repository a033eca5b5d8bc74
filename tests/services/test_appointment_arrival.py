"""Check-in windows and missed appointments (issue 12 point 5), with the injected clock: inside the
window a priority (appointment) ticket, early one that waits behind the walk-ins until due, late a
walk-in ticket and the reason; not checked in by
the slot's end plus the grace period, missed (by the sweep), the seat given back; repeated misses shown."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.queue import AppointmentStatus, QueueError, TicketKind
from hallterm.services import appointment_slots, appointment_views, appointments, queue
from hallterm.services.appointment_sweep import miss_history, sweep_missed
from hallterm.services.context import Services
from tests.conftest import TODAY

TZ = dt.timezone(dt.timedelta(hours=8))


def _at(clock: list[dt.datetime], hhmm: str, day: dt.date = TODAY) -> None:
    hour, minute = map(int, hhmm.split(":"))
    clock[0] = dt.datetime.combine(day, dt.time(hour, minute), TZ).astimezone(dt.UTC)


@pytest.mark.parametrize(("arrive", "kind", "said"), [
    ("10:59", TicketKind.APPOINTMENT, "来早了：11:30 的预约 11:00 起签到，此前按现场顺序排队。已签到"),
    ("11:00", TicketKind.APPOINTMENT, "已签到"),
    ("11:45", TicketKind.APPOINTMENT, "已签到"),
    ("11:46", TicketKind.WALKIN, "已迟到：11:30 的预约签到截至 11:45"),
])
def test_the_check_in_window_decides_the_ticket(loaded: Services, cards: dict[str, str], clock: list[dt.datetime],
                                                arrive: str, kind: TicketKind, said: str) -> None:
    booked = appointments.book(loaded, None, cards["valid"], TODAY, "11:30")
    _at(clock, arrive)
    ticket = queue.check_in(loaded, None, booked.id)
    assert ticket.kind is kind and said in ticket.message
    assert ticket.number.startswith("B" if kind is TicketKind.APPOINTMENT else "A")
    # Either way the appointment was kept: checked in, never marked missed later.
    _at(clock, "18:00")
    assert sweep_missed(loaded).missed == ()
    assert appointment_views.call_list(loaded, TODAY)[0].appointment.status is AppointmentStatus.CHECKED_IN


def test_a_card_scanned_on_arrival_checks_in_todays_appointment(loaded: Services, cards: dict[str, str],
                                                                clock: list[dt.datetime]) -> None:
    assert queue.check_in_card(loaded, None, cards["valid"]) is None  # nothing booked today
    appointments.book(loaded, None, cards["valid"], TODAY, "14:00", items="QY-GSSL")
    appointments.book(loaded, None, cards["valid"], TODAY, "11:00")
    _at(clock, "13:40")  # the 11:00 one is long past its window: the 14:00 one is taken
    ticket = queue.check_in_card(loaded, None, cards["valid"])
    assert ticket is not None and ticket.kind is TicketKind.APPOINTMENT and ticket.slot.startswith("14:00")


def test_unchecked_appointments_are_missed_after_their_end_plus_the_grace(
        loaded: Services, cards: dict[str, str], clock: list[dt.datetime]) -> None:
    first = appointments.book(loaded, None, cards["valid"], TODAY, "10:30")  # 10:30–11:00, grace 30 minutes
    other = appointments.book(loaded, None, cards["markup"], TODAY, "10:30", section=first.section)
    _at(clock, "11:30")
    assert sweep_missed(loaded).missed == ()  # at the minute, not yet
    queue.check_in(loaded, None, other.id)  # late, but checked in: never missed
    _at(clock, "11:31")
    swept = sweep_missed(loaded)
    assert swept.missed == (first.number,) and "1 个预约超时未签到" in swept.message
    assert sweep_missed(loaded).missed == ()  # idempotent
    statuses = {e.appointment.id: e.appointment.status for e in appointment_views.call_list(loaded, TODAY,
                                                                                            with_cancelled=True)}
    assert statuses == {first.id: AppointmentStatus.MISSED, other.id: AppointmentStatus.CHECKED_IN}
    slot = next(s for s in appointment_slots.day_slots(loaded, TODAY, first.section).slots if s.start == "10:30")
    assert slot.booked == 1  # the missed seat is given back


def test_repeated_misses_are_shown_not_enforced(loaded: Services, cards: dict[str, str],
                                                clock: list[dt.datetime]) -> None:
    card = cards["valid"]
    assert miss_history(loaded, card).warning == ""
    for day, items in ((TODAY, ""), (TODAY + dt.timedelta(days=1), "QY-GSSL")):  # one active per item
        appointments.book(loaded, None, card, day, "16:00", items=items)
    _at(clock, "18:00")
    sweep_missed(loaded)
    assert miss_history(loaded, card).misses == 1 and miss_history(loaded, card).warning == ""
    _at(clock, "18:00", TODAY + dt.timedelta(days=1))
    sweep_missed(loaded)
    history = miss_history(loaded, card)
    assert history.warning == "注意：该持卡人近 90 天内已失约 2 次（仅提示，不影响预约）"
    appointments.book(loaded, None, card, TODAY + dt.timedelta(days=2), "09:00")  # no ban
    _at(clock, "18:00", TODAY + dt.timedelta(days=92))
    assert miss_history(loaded, card).misses == 0  # out of the window


def test_an_old_slip_says_what_became_of_its_appointment(loaded: Services, cards: dict[str, str],
                                                         clock: list[dt.datetime]) -> None:
    from hallterm.domain.cards import ScanError
    from hallterm.services import signing
    from hallterm.services.check_in import check_scan

    friday, monday = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=4)
    moved = appointments.book(loaded, None, cards["valid"], friday, "09:00")
    old_slip = signing.appointment_payload(loaded, moved.id, friday, "09:00")
    appointments.reschedule(loaded, None, moved.id, monday, "10:00", reason="来电改期")
    with pytest.raises(ScanError, match=r"回执已过时：预约 \d{6} 已改到 2026-11-30 10:00"):
        check_scan(loaded, old_slip)  # before its day: not "come back on the day"
    appointments.cancel(loaded, None, moved.id, reason="来电取消")
    with pytest.raises(ScanError, match=r"预约 \d{6} 已取消，这张回执作废"):
        check_scan(loaded, old_slip)
    # On the day: cancelled and missed are told apart, and neither is a "repeat" check-in.
    cancelled = appointments.book(loaded, None, cards["valid"], TODAY, "11:30")
    appointments.cancel(loaded, None, cancelled.id, reason="来电取消")
    missed = appointments.book(loaded, None, cards["markup"], TODAY, "11:30")
    appointments.mark_missed(loaded, None, missed.id)
    with pytest.raises(QueueError, match="已取消，不能签到") as said_cancelled:
        queue.check_in(loaded, None, cancelled.id)
    with pytest.raises(QueueError, match="已失约") as said_missed:
        queue.check_in(loaded, None, missed.id)
    assert "重复" not in str(said_cancelled.value) + str(said_missed.value)


def test_check_in_names_the_appointment_and_the_queue_number_apart(loaded: Services, cards: dict[str, str]) -> None:
    from hallterm.services import signing
    from hallterm.services.check_in import SlipScan, check_scan

    booked = appointments.book(loaded, None, cards["valid"], TODAY, "10:30")
    result = check_scan(loaded, signing.appointment_payload(loaded, booked.id, TODAY, "10:30"))
    assert isinstance(result, SlipScan) and result.ticket is not None
    assert f"已签到（预约 {booked.number}），排队号 {result.ticket.number}" in result.message
    assert result.title == f"预约回执 {booked.number}"
    assert dict(result.lines)["预约编号"] == booked.number and dict(result.lines)["排队号"] == result.ticket.number
