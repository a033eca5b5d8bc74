"""Booking rules of appointments (issue 12 point 2): capacity, the one-per-item rule, the desk's card
checks, the hours, the cut-off and the horizon; cancel and missed give the seat back; every change
is an event. SQLite here; the concurrent case on both databases is tests/storage/test_appointment_processes.py."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.domain.appointments import AppointmentError, SlotFull
from hallterm.domain.auth import AuthError
from hallterm.domain.queue import AppointmentStatus
from hallterm.services import appointment_slots, appointment_views, appointments, queue
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import appointments as store
from hallterm.storage.tables import events
from tests.conftest import TODAY

FRIDAY = TODAY + dt.timedelta(days=1)  # TODAY is Thursday 2026-11-26, the clock 10:00 in the hall


def _events(svc: Services, kind: str) -> list[dict[str, object]]:
    with svc.db.read() as conn:
        return [dict(r.details) | {"staff_id": r.staff_id}
                for r in conn.execute(select(events).where(events.c.kind == kind).order_by(events.c.id))]


def test_booking_fills_a_slot_to_its_capacity_then_refuses_with_the_free_ones(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession) -> None:
    first = appointments.book(loaded, desk_session, cards["valid"], FRIDAY, "9:00", items="QY-GSSL",
                              note="电话预约")
    assert first.number == f"{first.id:06d}" and first.section == "企业登记科"  # the item's own department
    assert (first.slot_start, first.slot_end, first.phone) == ("09:00", "09:30", "13812345678")
    second = appointments.book(loaded, None, cards["markup"], FRIDAY, "09:00", section="企业登记科",
                               phone="0412-5551234")
    assert second.phone == "0412-5551234"
    with pytest.raises(SlotFull, match=r"已约满（每时段 2 位）.*09:30"):
        appointments.book(loaded, None, cards["valid"], FRIDAY, "09:00", section="企业登记科")
    view = appointment_slots.day_slots(loaded, FRIDAY, "企业登记科").slots[0]
    assert (view.start, view.booked, view.capacity, view.free) == ("09:00", 2, 2, 0)
    assert view.open and not view.bookable and view.as_json()["bookable"] is False  # full: nothing to book
    booked = _events(loaded, "appointment_booked")
    assert [e["section"] for e in booked] == ["企业登记科", "企业登记科"]
    assert booked[0]["staff_id"] == desk_session.staff_id and booked[0]["items"] == ["QY-GSSL"]

    # cancelling frees the seat at once, with a reason in the events log
    with pytest.raises(AppointmentError, match="需要填写原因"):
        appointments.cancel(loaded, None, first.id, reason="  ")
    cancelled = appointments.cancel(loaded, desk_session, first.id, reason="持卡人来电取消")
    assert cancelled.status is AppointmentStatus.CANCELLED
    assert _events(loaded, "appointment_cancelled")[0]["reason"] == "持卡人来电取消"
    third = appointments.book(loaded, None, cards["valid"], FRIDAY, "09:00", section="企业登记科")
    with pytest.raises(AppointmentError, match="已取消，不能取消"):
        appointments.cancel(loaded, None, first.id, reason="再取消一次")

    # rescheduling takes the new seat and gives the old one back; missed gives it back too
    moved = appointments.reschedule(loaded, None, third.id, FRIDAY, "10:00", reason="改到十点")
    assert (moved.slot_start, moved.section) == ("10:00", "企业登记科")
    assert _events(loaded, "appointment_rescheduled")[0]["reason"] == "改到十点"
    appointments.mark_missed(loaded, None, second.id)
    with loaded.db.read() as conn:
        seats = store.seats_of_day(conn, FRIDAY)
        assert seats[("企业登记科", "09:00")] == 0 == store.count_booked(conn, FRIDAY, "企业登记科", "09:00")
        assert seats[("企业登记科", "10:00")] == 1
    assert [e.appointment.id for e in appointment_views.call_list(loaded, FRIDAY)] == [third.id]


def test_one_active_appointment_per_holder_and_item(loaded: Services, cards: dict[str, str]) -> None:
    first = appointments.book(loaded, None, cards["valid"], FRIDAY, "14:00", items="QY-GSSL")
    with pytest.raises(AppointmentError, match=f"已有 公司设立登记 的预约（{first.number}"):
        appointments.book(loaded, None, cards["valid"], FRIDAY + dt.timedelta(days=3), "09:00", items="qy-gssl")
    appointments.book(loaded, None, cards["valid"], FRIDAY, "14:00", section="业务协调科")  # a consultation
    with pytest.raises(AppointmentError, match="已有 咨询 的预约"):
        appointments.book(loaded, None, cards["valid"], FRIDAY, "15:00", section="业务协调科")
    with pytest.raises(AppointmentError, match="NOPE 不在事项清单中"):
        appointments.book(loaded, None, cards["valid"], FRIDAY, "15:00", items="NOPE")


@pytest.mark.parametrize("label", ["revoked", "expired", "expired_status", "tier_e", "future"])
def test_cards_the_desk_refuses_are_refused_in_the_desks_words(loaded: Services, cards: dict[str, str],
                                                               label: str) -> None:
    from hallterm.services.cards import check_card

    desk_words = check_card(loaded, cards[label]).message
    with pytest.raises(AppointmentError) as caught:
        appointments.book(loaded, None, cards[label], FRIDAY, "09:00")
    assert desk_words in str(caught.value)
    assert _events(loaded, "appointment_booked") == []


def test_outside_the_hours_started_slots_and_the_horizon_are_refused(loaded: Services, cards: dict[str, str],
                                                                    clock: list[dt.datetime]) -> None:
    card = cards["valid"]
    with pytest.raises(AppointmentError, match=r"没有 12:30 开始的时段.*可选 09:00、09:30"):
        appointments.book(loaded, None, card, FRIDAY, "12:30")
    with pytest.raises(AppointmentError, match="已开始"):  # today 09:30, and it is 10:00
        appointments.book(loaded, None, card, TODAY, "09:30")
    with pytest.raises(AppointmentError, match="30 天以内"):
        appointments.book(loaded, None, card, TODAY + dt.timedelta(days=31), "09:00")
    with pytest.raises(AppointmentError, match="企业登记科 2026-11-28 没有预约时段"):  # Saturday: no duty slots
        appointments.book(loaded, None, card, dt.date(2026, 11, 28), "09:00", section="企业登记科")
    with pytest.raises(AppointmentError, match="不接受预约：可选 业务协调科、企业登记科"):
        appointments.book(loaded, None, card, FRIDAY, "09:00", section="财务科")
    with pytest.raises(AppointmentError, match="应写成 HH:MM"):
        appointments.book(loaded, None, card, FRIDAY, "9点")
    evening = appointments.book(loaded, None, card, TODAY, "18:30")  # 延时服务 tonight, still ahead
    assert evening.after_hours
    saturday = appointment_slots.day_slots(loaded, dt.date(2026, 11, 28))
    assert saturday.hours.label == "周末" and [s.start for s in saturday.slots][:2] == ["09:00", "10:00"]
    today = appointment_slots.day_slots(loaded, TODAY, "业务协调科").slots
    assert [s.bookable for s in today if s.start in ("09:30", "10:00", "10:30")] == [False, False, True]


def test_roles_and_the_card_expiring_before_the_day(loaded: Services, cards: dict[str, str],
                                                   desk_session: StaffSession) -> None:
    with pytest.raises(AuthError):
        appointments.book(loaded, replace(desk_session, role="proxy"), cards["valid"], FRIDAY, "09:00")
    with loaded.db.write() as conn:
        from sqlalchemy import update

        from hallterm.storage.tables import card_holders
        conn.execute(update(card_holders).where(card_holders.c.card_no == cards["valid"])
                     .values(expires_on=FRIDAY + dt.timedelta(days=2)))
    with pytest.raises(AppointmentError, match="到那天此卡已于 2026-11-29 过期"):
        appointments.book(loaded, None, cards["valid"], FRIDAY + dt.timedelta(days=4), "09:00")


def test_a_booked_appointment_checks_in_as_before(loaded: Services, cards: dict[str, str]) -> None:
    booked = appointments.book(loaded, None, cards["valid"], TODAY, "10:30")  # 10:00: its window has opened
    ticket = queue.check_in(loaded, None, booked.id)
    assert ticket.number.startswith("B")
    with pytest.raises(AppointmentError, match="已签到，不能取消"):
        appointments.cancel(loaded, None, booked.id, reason="来不了")


def test_a_closure_of_the_calendar_closes_the_hall_for_appointments(loaded: Services, cards: dict[str, str],
                                                                    tmp_path: Path) -> None:
    from hallterm.config import PathSettings

    assets = tmp_path / "assets"
    (assets / "calendar").mkdir(parents=True)
    for name in ("hall.toml", "staff.toml", "items.toml", "hours.toml"):
        shutil.copy(loaded.settings.paths.assets_dir / name, assets / name)
    (assets / "calendar" / "local.toml").write_text(
        '[[closures]]\nstart = 2026-11-27\nend = 2026-11-27\nreason = "大厅停电检修"\n', encoding="utf-8")
    closed = Services(replace(loaded.settings, paths=PathSettings(str(assets))), loaded.db, loaded.clock)
    friday = appointment_slots.day_slots(closed, FRIDAY)
    assert friday.slots == () and friday.hours.label == "闭厅（大厅停电检修）"
    with pytest.raises(AppointmentError, match="闭厅（大厅停电检修），不接受预约"):
        appointments.book(closed, None, cards["valid"], FRIDAY, "09:00")
    assert appointment_slots.day_slots(loaded, FRIDAY).slots  # the shipped assets: open


def test_the_days_ahead_with_their_free_seats(loaded: Services, cards: dict[str, str]) -> None:
    appointments.book(loaded, None, cards["valid"], FRIDAY, "09:00", section="企业登记科")
    days = appointment_slots.upcoming_days(loaded, "企业登记科", days=3)
    assert [(d.hours.day, d.hours.label) for d in days] == [
        (TODAY, "工作日"), (FRIDAY, "工作日"), (dt.date(2026, 11, 28), "周末"), (dt.date(2026, 11, 29), "周末")]
    assert (days[2].free, days[2].capacity) == (0, 0)  # open (duty), but 企业登记科 takes no weekend slots
    # Thursday from 10:00: 10:30–11:30 and the afternoon (2 seats each), the evening hour (1 seat)
    assert (days[0].free, days[0].capacity) == (2 * (3 + 7) + 2, 2 * (3 + 7) + 2)
    assert (days[1].free, days[1].capacity) == (2 * 13 + 2 - 1, 2 * 13 + 2)
    assert len(appointment_slots.upcoming_days(loaded)) == 31  # the 30-day horizon, today included


def test_closing_a_booked_day_warns_and_marks_its_bookings_to_call(
        loaded: Services, cards: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hallterm.cli_appointments import write_csv
    from hallterm.cli_hall import reference_load
    from hallterm.config import PathSettings

    booked = appointments.book(loaded, None, cards["valid"], FRIDAY, "09:00")
    assets = tmp_path / "assets"
    shutil.copytree(loaded.settings.paths.assets_dir, assets)
    hours = assets / "hours.toml"
    hours.write_text(hours.read_text(encoding="utf-8").replace(
        "[hours]", '[[closed]]\ndate = 2026-11-27\nreason = "大厅停电检修"\n\n[hours]', 1), encoding="utf-8")
    closed = Services(replace(loaded.settings, paths=PathSettings(str(assets))), loaded.db, loaded.clock)
    assert reference_load(closed) == 0
    said = capsys.readouterr().out
    assert "2026-11-27 已设为闭厅（大厅停电检修），仍有 1 个预约" in said
    assert "hallterm appointments list --day 2026-11-27" in said
    entries = appointment_views.call_list(closed, FRIDAY)
    assert [(e.appointment.number, e.status_text) for e in entries] == [(booked.number, "闭厅，待电话通知改约")]
    write_csv(tmp_path / "calls.csv", entries)
    assert "闭厅，待电话通知改约" in (tmp_path / "calls.csv").read_text(encoding="utf-8-sig")
    assert appointment_views.call_list(loaded, FRIDAY)[0].status_text == "已预约"  # the shipped hours: open


def test_refusals_say_what_is_wrong_with_the_slot_or_the_phone(loaded: Services, cards: dict[str, str]) -> None:
    with pytest.raises(AppointmentError) as between:  # inside the hours, between two slot starts; it is 10:00
        appointments.book(loaded, None, cards["valid"], TODAY, "10:45", section="企业登记科")
    said = str(between.value)
    assert "不在" not in said and "每 30 分钟一段" in said and "如 10:30 或 11:00" in said
    assert "可选 10:30、11:00" in said and "09:00" not in said  # started slots are not offered
    with pytest.raises(AppointmentError, match="位数不对（3 位）"):
        appointments.book(loaded, None, cards["valid"], FRIDAY, "09:00", phone="123")
    with pytest.raises(AppointmentError, match="应为数字"):
        appointments.book(loaded, None, cards["valid"], FRIDAY, "09:00", phone="138abc")
