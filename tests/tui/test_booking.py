"""Booking at the desk, driven with Pilot as a clerk would (issue 12 points 3 and 5): Ctrl+Y on the holder
on screen, items, a day, a slot, the phone, F10, and the slip printed at once; F9 reschedules and F8
cancels, each with a reason; a refused card is refused in the desk's words; a card scanned on arrival
checks in today's appointment; the desk's own timer marks missed the appointments nobody came for."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.queue import AppointmentStatus
from hallterm.services import appointment_slots, appointment_views, appointments, queue, signing, ticket_view
from hallterm.services.context import Services
from hallterm.services.slip_builders import ticket_slip
from hallterm.storage import tickets as ticket_store
from hallterm.storage.tables import events, tickets
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.booking import BookingScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.widgets.reason import ReasonScreen
from hallterm.tui.widgets.toggles import Select, SelectionList
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import hold_lookups, open_calling, scan, settle, type_text, until

TODAY = dt.date(2026, 11, 26)  # Thursday, 10:00 in the hall


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the spool folder and the signing key in the test's own folder."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


def said(app: DeskApp) -> str:
    line = "#booking-message" if isinstance(app.screen, BookingScreen) else "#notice"
    return str(app.screen.query_one(line, Static).render())


async def choose(pilot, selector: str, downs: int) -> None:  # type: ignore[no-untyped-def]
    """Open a Select with Enter, move down ``downs`` options, take it with Enter: as the clerk does."""
    pilot.app.screen.query_one(selector, Select).focus()
    await pilot.press("enter", *["down"] * downs, "enter")
    await settle(pilot)


def booked(svc: Services) -> list[appointment_views.AppointmentView]:
    return [e.appointment for day in (TODAY + dt.timedelta(days=1), TODAY)
            for e in appointment_views.call_list(svc, day, with_cancelled=True)]


async def test_a_clerk_books_reschedules_and_cancels(loaded: Services, cards: dict[str, str],
                                                     desk_app: DeskAppFactory,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    card = cards["valid"]
    # The screen's reload after a booking can be held back: 已有预约 must not wait for it.
    from hallterm.services import booking_desk

    held, released = threading.Event(), threading.Event()
    loads = booking_desk.booking_start

    def slow_start(svc: Services, card_no: str) -> booking_desk.BookingStart:
        if held.is_set():
            released.wait(timeout=10)
        return loads(svc, card_no)

    monkeypatch.setattr(booking_desk, "booking_start", slow_start)
    for back in (10, 20):  # two misses in the last 90 days: the booking screen says so (no ban)
        missed = queue.book_appointment(loaded, card, TODAY - dt.timedelta(days=back), "09:00", "09:30")
        appointments.mark_missed(loaded, None, missed)
    app = desk_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        desk = app.screen
        assert isinstance(desk, DeskScreen)
        # Ctrl+Y right after the scan, its look-up held back: remembered, the booking opens once it lands
        lookup_held, lookup_go = hold_lookups(monkeypatch)
        await type_text(pilot, card, "enter")
        await until(pilot, lookup_held.is_set, "the look-up under way")
        await pilot.press("ctrl+y")
        assert "查到后自动打开预约" in said(app) and app.screen is desk
        lookup_go.set()
        await until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking screen")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BookingScreen)
        assert "已失约 2 次" in str(screen.query_one("#booking-misses", Static).render())
        assert screen.query_one("#booking-phone", Input).value == "138****5678"  # the roster's, masked

        # F10 without a slot: says what is missing, nothing is lost
        await pilot.press("f10")
        assert "请选择日期" in said(app)
        assert screen.focused is screen.query_one("#booking-day", Select)  # the field that is missing
        items = screen.query_one("#booking-items", SelectionList)
        items.focus()
        codes = [items.get_option_at_index(n).value for n in range(items.option_count)]
        labels = [str(items.get_option_at_index(n).prompt) for n in range(items.option_count)]
        assert not any(code in label for code, label in zip(codes, labels, strict=True))  # names, not codes
        await pilot.press(*["down"] * codes.index("QY-GSSL"), "space")
        assert items.selected == ["QY-GSSL"]
        await choose(pilot, "#booking-day", 2)  # past the prompt and today: tomorrow
        assert screen.query_one("#booking-day", Select).value == "2026-11-27"
        await until(pilot, lambda: screen.query_one("#booking-slot", Select)._options[1:] != [], "slots")
        await choose(pilot, "#booking-slot", 1)
        first_slot = str(screen.query_one("#booking-slot", Select).value)
        screen.query_one("#booking-note", Input).focus()
        await type_text(pilot, "电话预约")
        held.set()
        await pilot.press("f10")
        await until(pilot, lambda: "已预约" in said(app), "booked")
        # listed under 已有预约 at once (the reload is still held), by the item's name, not its code
        listed = [str(label) for label, _ in screen.query_one("#booking-which", Select)._options[1:]]
        assert len(listed) == 1 and "公司设立登记" in listed[0] and "QY-GSSL" not in listed[0]
        released.set()
        await until(pilot, lambda: "已预约" in said(app) and "正在" not in said(app), "the slip printed")
        made = [a for a in booked(loaded) if a.status is AppointmentStatus.BOOKED]
        assert len(made) == 1 and made[0].items == ("QY-GSSL",) and made[0].note == "电话预约"
        assert made[0].phone == "13812345678"  # the roster's number, never the stars shown
        assert f"已预约 {made[0].number}" in said(app) and "已保存到" in said(app)  # printed at once (spool)
        assert first_slot.startswith(made[0].slot_start)

        # F9 reschedules the appointment chosen, with a reason
        await pilot.press("f9")
        assert "请先在「已有预约」中选中要改期的预约" in said(app)
        await choose(pilot, "#booking-which", 1)
        await until(pilot, lambda: screen.query_one("#booking-slot", Select)._options[1:] != [], "its section's slots")
        await choose(pilot, "#booking-slot", 2)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ReasonScreen)
        shown = [(k.key_display, k.description) for k in app.screen.query(FooterKey)]
        assert ("Enter", "确定") in shown and ("Esc", "返回") in shown  # its own keys, not the booking screen's
        assert not any("改期" in d or "取消预约" in d for _, d in shown)
        await type_text(pilot, "持卡人来电改期", "enter")
        await settle(pilot)
        await until(pilot, lambda: "已改期" in said(app) and "正在" not in said(app), "rescheduled")
        moved = [a for a in booked(loaded) if a.status is AppointmentStatus.BOOKED]
        assert len(moved) == 1 and moved[0].id == made[0].id
        assert (moved[0].slot_start, moved[0].section) != (made[0].slot_start, made[0].section)

        # F8 cancels it, with a reason; Esc back to the desk, which says what was done
        await choose(pilot, "#booking-which", 1)
        await pilot.press("f8")
        await settle(pilot)
        await type_text(pilot, "持卡人来电取消", "enter")
        await settle(pilot)
        assert "已取消预约" in said(app)
        assert [a.status for a in booked(loaded) if a.id == made[0].id] == [AppointmentStatus.CANCELLED]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and "已取消预约" in said(app)
    with loaded.db.read() as conn:
        reasons = [r.details.get("reason") for r in conn.execute(select(events).where(events.c.kind.in_(
            ["appointment_rescheduled", "appointment_cancelled"])).order_by(events.c.id))]
    assert reasons == ["持卡人来电改期", "持卡人来电取消"]


async def test_refused_cards_arrivals_and_the_missed_timer(loaded: Services, cards: dict[str, str],
                                                          desk_app: DeskAppFactory,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    on_time = appointments.book(loaded, None, cards["valid"], TODAY, "10:30")  # window from 10:00
    gone = queue.book_appointment(loaded, cards["markup"], TODAY, "08:00", "08:30")  # ended 08:30, grace 30
    late = queue.book_appointment(loaded, cards["markup"], TODAY, "09:30", "10:00", item_codes="QY-GSSL")
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # the desk's own timer ran when it connected: nobody came for 08:00, now missed
        await until(pilot, lambda: [a.status for a in booked(loaded) if a.id == gone] == [AppointmentStatus.MISSED],
                    "the 08:00 appointment marked missed")

        await scan(pilot, cards["revoked"])
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        assert said(app).startswith("不能预约：") and "注销" in said(app)
        # Ctrl+Y while the same card is looked up again: nothing opens, the card's refusal shows
        held, go = hold_lookups(monkeypatch)
        await type_text(pilot, cards["revoked"], "enter")
        await until(pilot, held.is_set, "the look-up under way")
        await pilot.press("ctrl+y")
        go.set()
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and "此卡不能走绿色通道" in said(app)

        await scan(pilot, cards["valid"])  # arrives: today's appointment is checked in
        await until(pilot, lambda: "已签到（预约 " in said(app) and "排队号 B001" in said(app), "checked in by card")
        assert "按 F10 打印排队票" in said(app)
        assert [a.status for a in booked(loaded) if a.id == on_time.id] == [AppointmentStatus.CHECKED_IN]
        await scan(pilot, cards["valid"])  # scanned again: nothing more to check in
        assert "持卡人有效" in said(app)

        # the 09:30 slip at 10:00: past its window (09:45), a walk-in ticket and why
        await scan(pilot, signing.appointment_payload(loaded, late, TODAY, "09:30"))
        assert "已迟到：09:30 的预约签到截至 09:45" in said(app) and "已改取现场号 A001" in said(app)
        assert "按 F10 打印排队票" in said(app)

        # the walk-in ticket given instead carries no slot: not on the calling screen, not on the printed ticket
        await open_calling(pilot)
        table = app.screen.query_one("#queue", DataTable)
        notes = {str(table.get_row_at(n)[1]): str(table.get_row_at(n)[6]) for n in range(table.row_count)}
        assert "预约 10:30" in notes["B001"] and "预约" not in notes["A001"]
    with loaded.db.read() as conn:
        a001 = conn.execute(select(tickets.c.id).where(tickets.c.ticket_no == "A001")).scalar_one()
        row = ticket_store.get(conn, a001)
    assert row is not None and row.appointment_id == late  # still the appointment's (checked in, late)
    slip = ticket_slip(loaded, ticket_view._view(row))
    assert (slip.series_name, slip.slot) == ("绿色通道现场取号", "")


async def test_after_a_checked_in_visitors_case_is_routed_f10_prints_the_visit_slip_and_ctrl_y_still_books(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    """Found walking through issue 12: the scan that checked the visitor in left the ticket first in F10's
    preview (the visit slip second), and once the case was routed Ctrl+Y said no card was on screen."""
    from hallterm.tui.desk.print_screens import PrintPreviewScreen

    appointments.book(loaded, None, cards["valid"], TODAY, "10:30")
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await scan(pilot, cards["valid"])
        await until(pilot, lambda: "已签到" in said(app), "checked in by card")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter", "f10")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and app.screen.last_case is not None
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, PrintPreviewScreen), "the preview")
        preview = app.screen
        assert isinstance(preview, PrintPreviewScreen)
        assert "引导单" in preview.printables[0].title and any("排队票" in p.title for p in preview.printables)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+y")  # an early consultation ends with a booking for the next step
        await until(pilot, lambda: isinstance(app.screen, BookingScreen), "the booking screen")


def test_the_slot_list_keeps_to_the_items_section_and_names_the_windows(
        loaded: Services, clock: list[dt.datetime]) -> None:
    from hallterm.services.booking_desk import open_slots
    from hallterm.tui.desk.booking import day_label, slot_label

    found = open_slots(loaded, TODAY, ("QY-GSSL",))  # 企业登记科's item: never 业务协调科's slots
    assert found.section == "企业登记科" and found.slots
    assert {s.section for s in found.slots} == {"企业登记科"}
    both = open_slots(loaded, TODAY)
    assert both.section is None and {s.section for s in both.slots} == {"企业登记科", "业务协调科"}
    labels = [slot_label(s) for s in both.slots]
    assert any("18:30" in x and "延时服务" in x for x in labels) and not any("09:" in x for x in labels)
    assert not any("延时服务" in x or "值班" in x for x in labels if x.startswith(("10:", "14:")))
    saturday = open_slots(loaded, dt.date(2026, 11, 28))
    assert saturday.slots and all("值班" in slot_label(s) for s in saturday.slots)
    clock[0] = dt.datetime(2026, 11, 26, 13, 0, tzinfo=dt.UTC)  # 21:00: today's slots have all passed
    today = appointment_slots.upcoming_days(loaded, days=1)[0]
    assert day_label(today, TODAY).endswith("今天已无可约时段")
