"""Booking, rescheduling and cancelling the appointments of the holder on the desk (S6 预约服务, issue 12
point 3), and the desk's own timer that marks missed the appointments nobody came for (point 5).

Opened from the desk (Ctrl+Y) for the holder whose card is on screen; a card the desk refuses never gets
here (the desk's key says why, in the desk's words, and the service refuses it again). The slip prints as
soon as the booking (or the new slot) is saved: the visitor on the phone gets it at the counter later, by
reprint (Ctrl+R), and the one at the counter takes it away.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from hallterm.domain.ids import mask_phone
from hallterm.domain.weekdays import weekday_name
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine
from hallterm.tui.widgets.toggles import Select, SelectionList

if TYPE_CHECKING:
    from hallterm.domain.holders import Holder
    from hallterm.services.appointment_slots import DayFree, SlotView
    from hallterm.services.appointment_views import AppointmentView
    from hallterm.services.booking_desk import BookingStart, OpenSlots
    from hallterm.services.cases import CatalogItem
    from hallterm.services.consultations import ConsultationView
    from hallterm.services.context import Services
    from hallterm.services.print_jobs import PrintOutcome
    from hallterm.tui.desk.app import DeskApp

log = logging.getLogger(__name__)



class BookingLoaded(Done):
    """``result``: the holder's appointments, the days ahead and their misses (BookingStart)."""


class SlotsLoaded(Done):
    """``result``: the day's open slots (``OpenSlots``), for the items chosen."""


class AppointmentBooked(Done):
    """``result``: the appointment just booked."""


class AppointmentRescheduled(Done):
    """``result``: the appointment in its new slot."""


class AppointmentCancelled(Done):
    """``result``: the cancelled appointment."""


class SlipPrinted(Done):
    """``result``: how printing the appointment slip went."""


def day_label(day: DayFree, today: dt.date | None = None) -> str:
    h = day.hours
    if day.capacity:
        seats = f"空 {day.free}/{day.capacity}"
    elif day.slots:  # open, but every slot has started (today, late) or is past the cut-off
        seats = "今天已无可约时段" if h.day == today else "已无可约时段"
    else:
        seats = "不接受预约"
    return f"{h.day:%m-%d} {weekday_name(h.day)}　{h.label}　{seats}"


def slot_label(slot: SlotView) -> str:
    # lazy: the names come with the domain's hours, which only this screen needs
    from hallterm.domain.hours import WINDOW_NAMES, WindowKind

    # Evening slots are 延时服务, weekend and holiday ones 值班, as ``hallterm appointments slots`` says.
    window = "" if slot.window is WindowKind.REGULAR else f"　{WINDOW_NAMES[slot.window]}"
    return f"{slot.start}–{slot.end}　{slot.section}{window}　空 {slot.free}/{slot.capacity}"


class BookingScreen(CarriesOn, WithMessageLine, ExplainsKeys, Screen[str | None]):
    """Dismissed with the last thing done ("" when nothing was), for the desk's message line."""

    CSS_PATH = "../styles/booking.tcss"
    BINDINGS = [
        Binding("f10", "book", "预约", id="bk_book", priority=True),
        Binding("f9", "reschedule", "改期", id="bk_reschedule", priority=True),
        Binding("f8", "cancel_appointment", "取消预约", id="bk_cancel", priority=True),
        Binding("escape", "back", "返回", id="bk_back"),
    ]
    app: DeskApp

    def __init__(self, holder: Holder, catalog: list[CatalogItem], *,
                 consultation: ConsultationView | None = None) -> None:
        super().__init__()
        self.holder = holder
        # Turned from an early consultation (S5): its section preset, and the appointment linked to it.
        self.consultation = consultation
        self.catalog = catalog
        self.masked_phone = mask_phone(holder.phone) if holder.phone else ""
        self.booked: dict[int, AppointmentView] = {}
        self.done = ""  # the last booking, move or cancellation, for the desk

    def compose(self) -> ComposeResult:
        h = self.holder
        yield Header()
        with VerticalScroll(id="booking"):
            yield Static(Text(f"为 {h.name}（{h.card_no}）预约" + self._from_consultation()), id="booking-title")
            yield Static("", id="booking-misses")
            yield Static("已有预约（选中一个可改期 F9 或取消 F8）", classes="booking-label")
            yield Select([], prompt="新预约", id="booking-which")
            yield Static("办理事项（空格勾选；不选即为咨询）", classes="booking-label")
            yield SelectionList[str](*[(f"{i.name}（{i.department}）", i.code) for i in self.catalog],
                                     id="booking-items")
            yield Static("日期与时段", classes="booking-label")
            yield Select([], prompt="日期（载入中……）", id="booking-day")
            yield Select([], prompt="时段（请先选日期）", id="booking-slot")
            yield Static("联系电话（名册中的号码，遮挡显示；改写后此预约用新号码）与备注", classes="booking-label")
            yield Input(self.masked_phone, placeholder="联系电话（可改）", id="booking-phone", max_length=20)
            yield Input(placeholder="备注（可不填，最多 200 字）", id="booking-note", max_length=200)
        yield MessageLine(id="booking-message")
        yield Footer()

    def _from_consultation(self) -> str:
        c = self.consultation
        return f"　由咨询 {c.number} 转：{c.section}，{c.topic}" if c else ""

    def on_mount(self) -> None:
        self.sub_title = "预约服务"
        if self.consultation is not None:
            self.query_one("#booking-note", Input).value = f"提前介入咨询 {self.consultation.number}"
        self.query_one("#booking-misses", Static).display = False
        self.say("正在载入可预约的日期……", Level.BUSY)
        self._load()
        self.query_one("#booking-items", SelectionList).focus()

    def _load(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.booking_desk import booking_start

        run_use_case(self, BookingLoaded, booking_start, self.app.services, self.holder.card_no)

    # -- what the keys do now ---------------------------------------------------------------------

    def _selected(self) -> AppointmentView | None:
        value = self.query_one("#booking-which", Select).value
        return self.booked.get(value) if isinstance(value, int) else None

    def why_not(self, action: str) -> str:
        if not self.is_mounted:
            return ""
        chosen = self._selected()
        if action == "book" and chosen is not None:
            return f"已选中预约 {chosen.number}：改期按 F9，取消按 F8；要新约，请在「已有预约」中选「新预约」"
        if action in ("reschedule", "cancel_appointment") and chosen is None:
            what = "改期" if action == "reschedule" else "取消"
            return f"请先在「已有预约」中选中要{what}的预约" if self.booked else f"该持卡人没有可{what}的预约"
        return ""

    @on(Select.Changed, "#booking-which")
    def _which_changed(self) -> None:
        chosen = self._selected()
        # Rescheduling moves the slot only: the items and the phone stay as booked.
        self.query_one("#booking-items", SelectionList).disabled = chosen is not None
        self._load_slots()  # the slots of the chosen appointment's section, or the ticked items'
        if chosen is not None:
            self.say(f"已选中预约 {chosen.number}：选新的日期和时段后按 F9 改期，或按 F8 取消（都需填写原因）")
        self.refresh_bindings()

    @on(Select.Changed, "#booking-day")
    def _day_changed(self) -> None:
        self._load_slots()

    @on(SelectionList.SelectedChanged, "#booking-items")
    def _items_changed(self) -> None:
        self._load_slots()  # the items' own section decides which slots are offered

    def _slot_items(self) -> tuple[str, ...]:
        """The items the slots are for: the appointment chosen to move, else the ones ticked."""
        chosen = self._selected()
        if chosen is not None:
            return chosen.items
        return tuple(str(v) for v in self.query_one("#booking-items", SelectionList).selected)

    def _load_slots(self) -> None:
        day = self.query_one("#booking-day", Select).value
        slot = self.query_one("#booking-slot", Select)
        slot.set_options([])
        if not isinstance(day, str):
            return
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.booking_desk import open_slots

        slot.prompt = "时段（载入中……）"
        run_use_case(self, SlotsLoaded, open_slots, self.app.services, dt.date.fromisoformat(day), self._slot_items())

    # -- results ----------------------------------------------------------------------------------

    def on_booking_loaded(self, message: BookingLoaded) -> None:
        start: BookingStart = message.result
        misses = self.query_one("#booking-misses", Static)
        misses.update(Text(start.misses.warning))
        misses.display = bool(start.misses.warning)
        self._list_booked(list(start.appointments))
        day = self.query_one("#booking-day", Select)
        chosen = day.value
        day.prompt = "日期"
        today = start.days[0].hours.day if start.days else None  # the list starts today
        day.set_options([(day_label(d, today), d.hours.day.isoformat()) for d in start.days])
        if isinstance(chosen, str):
            day.value = chosen  # reloaded after a booking: the slots of the same day, seats updated
        if not self.done:
            self.say("选择事项、日期和时段，按 F10 预约" + ("；已有预约可选中后改期或取消" if self.booked else ""))
        self.refresh_bindings()

    def _list_booked(self, views: list[AppointmentView]) -> None:
        """Fill 已有预约, keeping the one chosen when it is still there."""
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.booking_desk import appointment_line

        self.booked = {a.id: a for a in sorted(views, key=lambda a: (a.day, a.slot_start, a.id))}
        which = self.query_one("#booking-which", Select)
        kept = which.value
        which.set_options([(appointment_line(a), a.id) for a in self.booked.values()])
        if isinstance(kept, int) and kept in self.booked:
            which.value = kept

    def on_slots_loaded(self, message: SlotsLoaded) -> None:
        found: OpenSlots = message.result
        current = self.query_one("#booking-day", Select).value
        if current != found.day.isoformat() or found.items != self._slot_items():
            return  # another day or other items were chosen meanwhile: their own list is on its way
        select = self.query_one("#booking-slot", Select)
        slots = list(found.slots)
        if self.consultation is not None:  # the consultation's section, when it takes appointments that day
            mine = [s for s in slots if s.section == self.consultation.section]
            slots = mine or slots
        only = f"（仅{found.section}：所选事项由该科室办理）" if found.section else ""
        select.prompt = f"时段{only}" if slots else f"当天已无可预约的时段{only}，请选其他日期"
        select.set_options([(slot_label(s), f"{s.start}|{s.section}") for s in slots])

    def on_appointment_booked(self, message: AppointmentBooked) -> None:
        self._saved(message.result)

    def on_appointment_rescheduled(self, message: AppointmentRescheduled) -> None:
        self._saved(message.result)

    def _saved(self, view: AppointmentView) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.printables import print_appointment

        self.done = view.message
        self.say(f"{view.message}。正在打印预约回执……", Level.BUSY)
        self.query_one("#booking-which", Select).clear()
        # Listed at once, not only when the reload below comes back (it may be slow, or fail quietly
        # behind the slip's message): the clerk sees the new or moved appointment under 已有预约 now.
        self._list_booked([a for a in self.booked.values() if a.id != view.id] + [view])
        self.query_one("#booking-note", Input).value = ""
        session = self.app.session
        run_use_case(self, SlipPrinted, print_appointment, self.app.services, view.id,
                     staff_id=session.staff_id if session else None)
        self._load()

    def on_appointment_cancelled(self, message: AppointmentCancelled) -> None:
        self.done = message.result.message
        self.query_one("#booking-which", Select).clear()
        self.say(self.done)
        self._load()

    def on_slip_printed(self, message: SlipPrinted) -> None:
        outcome: PrintOutcome = message.result
        self.say(f"{self.done}。{outcome.message}", Level.INFO if outcome.ok else Level.ERROR)

    def on_failed(self, message: Failed) -> None:
        if message.request is SlipPrinted:
            self.say(f"{self.done}，但预约回执未能打印：{message.reason}。可在前台按 Ctrl+R 补打", Level.ERROR)
            return
        self.say(message.reason, Level.ERROR)  # what was chosen and typed stays, to correct and resubmit

    # -- the keys ---------------------------------------------------------------------------------

    def _slot(self) -> tuple[dt.date, str, str] | None:
        """The chosen day, slot start and section; None after saying which is missing."""
        day = self.query_one("#booking-day", Select).value
        slot = self.query_one("#booking-slot", Select).value
        if not isinstance(day, str):
            self.say("请选择日期（列表中有各天的空位）", Level.ERROR)
            self.query_one("#booking-day", Select).focus()
            return None
        if not isinstance(slot, str):
            self.say("请选择时段", Level.ERROR)
            self.query_one("#booking-slot", Select).focus()
            return None
        start, _, section = slot.partition("|")
        return dt.date.fromisoformat(day), start, section

    def action_book(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.appointments import book

        chosen = self._slot()
        if chosen is None:
            return
        day, start, section = chosen
        items = ",".join(str(v) for v in self.query_one("#booking-items", SelectionList).selected)
        typed = self.query_one("#booking-phone", Input).value.strip()
        # The roster's number is shown masked; left as it is, the roster's is kept (never the stars).
        phone = None if self.masked_phone and typed == self.masked_phone else typed
        note = self.query_one("#booking-note", Input).value
        self.say("正在预约……", Level.BUSY)
        if self.consultation is not None:
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.consultations import book_from_consultation

            run_use_case(self, AppointmentBooked, book_from_consultation, self.app.services, self.app.session,
                         self.consultation.id, day, start, section=section, items=items, phone=phone, note=note)
            return
        run_use_case(self, AppointmentBooked, book, self.app.services, self.app.session, self.holder.card_no, day,
                     start, section=section, items=items, phone=phone, note=note)

    def action_reschedule(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.widgets.reason import ReasonScreen

        current = self._selected()
        chosen = self._slot()
        if current is None or chosen is None:
            return
        day, start, section = chosen

        def with_reason(reason: str | None) -> None:
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.appointments import reschedule

            if reason:
                self.say("正在改期……", Level.BUSY)
                run_use_case(self, AppointmentRescheduled, reschedule, self.app.services, self.app.session,
                             current.id, day, start, reason=reason, section=section)

        self.app.push_screen(ReasonScreen(
            f"预约 {current.number}（{current.day:%m-%d} {current.slot_start}）改到 {day:%m-%d} {start} {section}\n"
            "请填写改期原因（将记入记录）", "例如：持卡人来电改期"), with_reason)

    def action_cancel_appointment(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.widgets.reason import ReasonScreen

        current = self._selected()
        if current is None:
            return

        def with_reason(reason: str | None) -> None:
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.appointments import cancel

            if reason:
                self.say("正在取消……", Level.BUSY)
                run_use_case(self, AppointmentCancelled, cancel, self.app.services, self.app.session, current.id,
                             reason=reason)

        self.app.push_screen(ReasonScreen(
            f"取消预约 {current.number}（{current.day:%m-%d} {current.slot_start}–{current.slot_end}）\n"
            "请填写取消原因（将记入记录）", "例如：持卡人来电取消"), with_reason)

    def action_back(self) -> None:
        self.dismiss(self.done)


# --- the desk's own timer for missed appointments (issue 12 point 5) ------------------------------------


def start_missed_sweep(screen: Screen[None], services: Services) -> None:
    """Mark missed, now and every few minutes, the appointments past their end plus the grace period
    (``hallterm sweep`` does it too, nightly). Quietly: a locked database waits for the next round."""

    def work() -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.appointment_sweep import sweep_missed

        try:
            done = sweep_missed(services)
        except Exception:  # the next round tries again; the clerk has nothing to do about it
            log.warning("marking missed appointments failed", exc_info=True)
        else:
            if done.missed:
                log.info("marked missed: %s", ", ".join(done.missed))

    def sweep() -> None:
        screen.run_worker(work, thread=True, exit_on_error=False, group="missed-sweep", name="missed_sweep")

    if screen not in _SWEEPING:  # once per desk, however often its services reconnect
        _SWEEPING.add(screen)
        sweep()
        screen.set_interval(services.settings.appointments.missed_sweep_seconds, sweep)


_SWEEPING: weakref.WeakSet[Screen[None]] = weakref.WeakSet()
