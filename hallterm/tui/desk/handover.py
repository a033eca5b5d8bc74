"""The after-hours desk's own pieces (S6 延时服务, issue 12 point 6).

- ``EveningPanel``: on the after-hours desk, tonight's and the coming weekend's appointments, first.
- ``HandoverScreen`` (Ctrl+T on the desk and in the coordinators' view): the handover list (交接单) —
  cases opened after hours, appointments booked after hours, visitors left waiting — to read, print
  (A4/A5) and, for the day shift, acknowledge (one event in the events log).
- ``HandoverBanner``: one line at the top of the coordinators' view while a handover waits for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hallterm.domain.auth import allowed, not_allowed
from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServicesReady
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.after_hours import EveningAppointments, Handover
    from hallterm.services.print_jobs import PrintOutcome
    from hallterm.tui.desk.app import DeskApp

REFRESH_SECONDS = 30.0


def is_evening_desk(app: DeskApp) -> bool:
    """The after-hours desk: signed in with the after_hours role, or started with ``--after-hours``."""
    return app.after_hours or (app.session is not None and app.session.role == "after_hours")


# --- the evening's appointments on the after-hours desk ----------------------------------------------


class EveningLoaded(Done):
    """``result``: the ``EveningAppointments`` from now to the end of the coming weekend."""


class EveningPanel(CarriesOn, VerticalScroll):
    """Tonight's and the coming weekend's appointments, the first thing the after-hours desk shows.

    Every appointment is listed; the panel takes at most 40% of the screen (the desk's scan answer stays in
    view on a 24-line terminal) and scrolls: Tab to it, then ↑↓ or PgUp/PgDn, or the mouse wheel."""

    DEFAULT_CSS = """
    EveningPanel {
        height: auto;
        max-height: 40%;
        margin: 1 2 0 2;
        padding: 0 1;
        border: round $accent;
        border-title-style: bold;
        border-subtitle-style: dim;
    }
    EveningPanel:focus-within {
        border: round $primary;
    }
    EveningPanel > Static {
        height: auto;
    }
    """
    app: DeskApp

    def compose(self) -> ComposeResult:
        yield Static("正在载入今晚及本周末的预约……", id="evening-rows")

    @property
    def text(self) -> str:
        """What the panel lists, as plain text."""
        return str(self.query_one("#evening-rows", Static).render())

    def _show(self, content: Text | str, subtitle: str = "") -> None:
        self.query_one("#evening-rows", Static).update(content)
        self.border_subtitle = subtitle

    def on_mount(self) -> None:
        self.border_title = "今晚及本周末预约"
        self.set_interval(REFRESH_SECONDS, self.load)
        self.load()

    @on(ServicesReady)
    def _ready(self) -> None:
        self.load()

    def load(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.after_hours import evening_appointments

        if self.app.services is not None:
            run_use_case(self, EveningLoaded, evening_appointments, self.app.services)

    def on_evening_loaded(self, message: EveningLoaded) -> None:
        # lazy: off the desk's start path: only this panel needs it
        from hallterm.domain.ids import mask_name
        from hallterm.domain.weekdays import weekday_name

        found: EveningAppointments = message.result
        if not found.appointments:
            self._show(Text(f"今晚至 {found.until:%m月%d日} 没有延时或值班时段的预约"), "Ctrl+T 交接单")
            return
        lines = Text()
        for n, view in enumerate(found.appointments):
            state = "已签到" if view.status == "checked_in" else "待签到"
            lines.append(f"{view.day:%m-%d}（{weekday_name(view.day)}）{view.slot_start}–{view.slot_end}　"
                         f"{view.number}　{visible(mask_name(view.holder_name))}　{view.section}　{state}"
                         + ("\n" if n < len(found.appointments) - 1 else ""))
        self._show(lines, f"共 {len(found.appointments)} 个预约（多于一屏时 Tab 到此处，↑↓ 翻看）· Ctrl+T 交接单")

    def on_failed(self, message: Failed) -> None:
        self._show(Text(f"预约未能载入：{message.reason}"))


# --- the handover list ------------------------------------------------------------------------------


class HandoverLoaded(Done):
    """``result``: the ``Handover`` as it stands now."""


class HandoverAcknowledged(Done):
    """``result``: the ``Handover`` after the acknowledgment (what came in since stays on it)."""


class HandoverPrinted(Done):
    """``result``: the ``PrintOutcome`` of the printed list."""


class HandoverScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/handover.tcss"
    BINDINGS = [
        Binding("a", "acknowledge", "确认交接", id="handover_acknowledge"),
        Binding("p", "print", "打印交接单", id="handover_print"),
        Binding("r", "refresh", "刷新", id="handover_refresh"),
        Binding("escape", "back", "返回", id="handover_back"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.listed: Handover | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("交接单", id="handover-summary")
        yield DataTable(id="handover-table", cursor_type="row", zebra_stripes=True)
        yield MessageLine(id="handover-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "延时服务交接单（晚间、周末、节假日 → 白班）"
        self.query_one(DataTable).add_columns("类别", "编号", "持卡人", "情况")
        self.query_one(DataTable).focus()
        self.say("正在载入交接单……", Level.BUSY)
        self.action_refresh()

    def why_not(self, action: str) -> str:
        role = self.app.session.role if self.app.session else ""
        if action == "acknowledge":
            if not allowed(role, "acknowledge_handover"):
                return not_allowed(role, "acknowledge_handover") + "（交接单由白班接班时确认）"
            if self.listed is not None and not self.listed.entries:
                return "交接单上没有待交接的事项，无需确认"
            if self.listed is not None and self.listed.after_hours:
                return "交接单仍在记录中：须由白班在上班后确认交接（值班人员按 P 打印交白班签收）"
        if action == "print" and self.listed is not None and not self.listed.entries:
            return "交接单上没有待交接的事项，无需打印"
        return ""

    @on(ServicesReady)
    def _ready(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.after_hours import handover

        if self.app.services is not None:
            run_use_case(self, HandoverLoaded, handover, self.app.services)

    def on_handover_loaded(self, message: HandoverLoaded) -> None:
        self._show(message.result)
        listed: Handover = message.result
        if listed.entries:
            keys = "按 A 确认交接，P 打印" if allowed(self._role(), "acknowledge_handover") and not listed.after_hours \
                else "按 P 打印交白班签收"
            self.say(f"共 {len(listed.entries)} 项待交接：{keys}")
        else:
            self.say("交接单上没有待交接的事项")

    def _show(self, listed: Handover) -> None:
        # lazy: off the desk's start path: only this screen needs it
        from hallterm.services.after_hours import HANDOVER_NAMES

        self.listed = listed
        tz = self.app.settings.hall.tz
        since = f"（{listed.since.astimezone(tz):%m月%d日 %H:%M} 上次确认以来）" if listed.since \
            else "（尚未确认过：全部记录）"
        self.query_one("#handover-summary", Static).update(Text(listed.summary + since))
        table = self.query_one(DataTable)
        table.clear()
        for n, entry in enumerate(listed.entries):
            table.add_row(HANDOVER_NAMES[entry.kind], entry.reference, Text(entry.name), Text(entry.text),
                          key=str(n))
        self.refresh_bindings()

    def action_acknowledge(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.after_hours import acknowledge

        if self.listed is None or self.app.session is None:
            return
        self.say("正在确认交接……", Level.BUSY)
        run_use_case(self, HandoverAcknowledged, acknowledge, self.app.services, self.app.session, self.listed.upto)

    def on_handover_acknowledged(self, message: HandoverAcknowledged) -> None:
        done: Handover = message.result
        count = len(self.listed.entries) if self.listed else 0
        self._show(done)
        more = f"；其后新增 {len(done.entries)} 项仍在单上" if done.entries else ""
        self.say(f"{done.acknowledged_by}已确认交接 {count} 项，已记入操作记录{more}")

    def action_print(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.printables import print_handover_list

        self.say("正在打印交接单……", Level.BUSY)
        run_use_case(self, HandoverPrinted, print_handover_list, self.app.services, self.app.session)

    def on_handover_printed(self, message: HandoverPrinted) -> None:
        outcome: PrintOutcome = message.result
        self.say(f"交接单：{outcome.message}", Level.INFO if outcome.ok else Level.ERROR)

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)

    def action_back(self) -> None:
        self.app.pop_screen()

    def _role(self) -> str:
        return self.app.session.role if self.app.session else ""


# --- the coordinators' view --------------------------------------------------------------------------


class PendingLoaded(Done):
    """``result``: the ``Handover`` the day shift has still to acknowledge, or None."""


class HandoverBanner(CarriesOn, Static):
    """One line at the top of the coordinators' view, on the next working day, until the handover is
    acknowledged (S6: what the evening took in is not lost overnight)."""

    DEFAULT_CSS = """
    HandoverBanner {
        height: auto;
        padding: 0 1;
        margin-top: 1;
        background: $warning 20%;
        text-style: bold;
    }
    """
    app: DeskApp

    def on_mount(self) -> None:
        self.display = False
        self.set_interval(REFRESH_SECONDS, self.load)
        self.load()

    @on(ServicesReady)
    def _ready(self) -> None:
        self.load()

    def load(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.after_hours import pending_handover

        if self.app.services is not None:
            run_use_case(self, PendingLoaded, pending_handover, self.app.services)

    def on_pending_loaded(self, message: PendingLoaded) -> None:
        listed: Handover | None = message.result
        self.display = listed is not None
        if listed is not None:
            self.update(Text(f"{listed.summary}。按 Ctrl+T 查看并确认交接"))

    def on_failed(self, message: Failed) -> None:
        self.display = False
