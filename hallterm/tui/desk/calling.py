"""The counter's calling screen (叫号): call next, call a chosen ticket, recall, no-show, hold,
transfer, finish, and issue a walk-in ticket — each on a key shown in the footer (S4, S6, S9; issue 5).
An issued ticket (its dialog: walkin_ticket.py) is printed at once (issue 6); Ctrl+R opens the reprint
list, as on the desk.

The staff member first picks the green-channel counter they sit at. The queue on screen is in this
counter's calling order (its first row is what "call next" takes) and follows the events log: it
reloads when another counter or the ticket desk changes something.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hallterm.domain.terminal_text import visible
from hallterm.domain.waits import minutes_text, minutes_waited
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys, FitsFooter
from hallterm.tui.desk.messages import Done, Failed, ServeCalledHolder, ServicesReady
from hallterm.tui.desk.print_screens import TicketPrinted
from hallterm.tui.desk.walkin_ticket import IssueScreen
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.choice import ChoiceScreen as PickScreen
from hallterm.tui.widgets.confirm import ConfirmScreen
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine

if TYPE_CHECKING:
    from hallterm.services.queue_views import CounterBoard, TransferOptions
    from hallterm.services.ticket_view import TicketView
    from hallterm.tui.desk.app import DeskApp

POLL_SECONDS = 1.0
# The counter each staff member last sat at, for this terminal's session (asked again after a restart).
_COUNTER_OF: dict[str, str] = {}


class CounterBoardLoaded(Done):
    """``result``: this counter's ``CounterBoard``, or None when nothing moved since the last poll."""


class CountersLoaded(Done):
    """``result``: the green-channel counters to choose from."""


class TransferOptionsLoaded(Done):
    """``result``: where the ticket being served can be transferred to."""


class TicketActed(Done):
    """A call, recall, no-show, hold, return, transfer or finish was done: ``result`` is the ``TicketView``."""


def board_if_moved(svc: Any, counter_code: str, seen_event_id: int, force: bool) -> CounterBoard | None:
    """The counter's board, or None when the events log has not moved since ``seen_event_id``."""
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.queue_views import counter_board, green_counters, last_event_id

    if not force and last_event_id(svc) == seen_event_id:
        return None
    # The held list names the counter as the hall does (绿色通道1号窗口), not by its code (G1).
    names = {c.code: c.name for c in green_counters(svc)}
    return dataclasses.replace(counter_board(svc, counter_code), counter_names=names)


def _minutes(view: TicketView, now: Any) -> str:
    return minutes_text(minutes_waited(view.issued_at, now))


class CallingScreen(CarriesOn, WithMessageLine, FitsFooter, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/calling.tcss"
    BINDINGS = [
        Binding("n", "call_next", "叫下一位", id="call_next"),
        Binding("c", "call_chosen", "叫选中号", id="call_chosen"),
        Binding("r", "recall", "重呼", id="recall"),
        Binding("x", "no_show", "过号", id="no_show"),
        Binding("h", "hold", "暂挂", id="hold"),
        Binding("b", "return_held", "回到队首", id="return_held"),
        Binding("t", "transfer", "转移", id="transfer"),
        Binding("f", "finish", "办结", id="finish"),
        Binding("o", "open_holder", "打开持卡人", id="open_holder"),
        Binding("i", "issue", "取号", id="issue"),
        Binding("w", "choose_counter", "换窗口", id="choose_counter"),
        Binding("ctrl+r", "reprint", "补打", id="calling_reprint"),
        Binding("escape", "back", "返回", id="calling_back"),
    ]
    app: DeskApp

    def __init__(self) -> None:
        super().__init__()
        self.counter_code: str | None = None
        self.board: CounterBoard | None = None
        self._seen_event_id = -1
        self._polling = False
        # A forced reload asked for while a routine poll is under way: that poll may have read the board
        # before the clerk's action committed, so one more runs when it returns (else H or O right after
        # N could answer "no ticket being served" for up to a poll interval).
        self._reload_after = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="counter-line")
        yield Static("", id="current", classes="-idle")
        yield Static("等候（按本窗口叫号顺序，第一行即“叫下一位”）", classes="section-title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static("暂挂（补材料）", classes="section-title")
        yield DataTable(id="held", cursor_type="row")
        yield MessageLine(id="calling-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#queue", DataTable).add_columns("顺序", "号码", "类别", "持卡人", "取号时间", "已等候", "说明")
        self.query_one("#held", DataTable).add_columns("号码", "持卡人", "暂挂窗口", "取号时间")
        self.query_one("#queue", DataTable).focus()
        session = self.app.session
        self.sub_title = f"叫号　{session.name}（{session.staff_id}）" if session else "叫号"
        self.counter_code = _COUNTER_OF.get(session.staff_id) if session else None
        self.set_interval(POLL_SECONDS, self._poll)
        if self.counter_code is None:
            self.call_after_refresh(self.action_choose_counter)
        else:
            self._poll(force=True)

    @on(ServicesReady)
    def _ready(self) -> None:
        self._poll(force=True)

    def why_not(self, action: str) -> str:
        """Footer keys only when they apply: the called-ticket actions need a ticket at this counter. A key
        pressed when it does not apply says why (ExplainsKeys)."""
        current = self.board.current if self.board else None
        if action in {"recall", "no_show", "hold", "transfer", "finish", "open_holder"} and current is None:
            return "本窗口没有正在接待的号：先按 N 叫下一位"
        if action in {"call_next", "call_chosen"}:
            if self.counter_code is None:
                return "还没有选择窗口：按 W 选择您所在的窗口"
            if current is not None:
                return f"正在接待 {current.number} 号：先按 F 办结、H 暂挂或 T 转移，再叫下一位"
        if action == "return_held" and not (self.board and self.board.held):
            return "没有暂挂的号"
        return ""

    # -- following the queue ---------------------------------------------------------------

    def _poll(self, force: bool = False) -> None:
        if self.counter_code is None or self.app.services is None:
            return
        if self._polling:
            self._reload_after = self._reload_after or force
            return
        self._polling = True
        self._load(self.counter_code, force)

    def _poll_done(self) -> None:
        self._polling = False
        if self._reload_after:
            self._reload_after = False
            self._poll(force=True)

    def _load(self, counter_code: str, force: bool) -> None:
        run_use_case(self, CounterBoardLoaded, board_if_moved, self.app.services, counter_code,
                     self._seen_event_id, force, group="calling-poll")

    def on_counter_board_loaded(self, message: CounterBoardLoaded) -> None:
        if message.result is not None:
            self._show(message.result)
        self._poll_done()

    def on_counters_loaded(self, message: CountersLoaded) -> None:
        self._pick_counter(message.result)

    def on_transfer_options_loaded(self, message: TransferOptionsLoaded) -> None:
        self._pick_target(message.result)

    def on_ticket_acted(self, message: TicketActed) -> None:
        self.say(message.result.message)
        self._poll(force=True)

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)
        if message.request is CounterBoardLoaded:
            self._poll_done()
        else:
            self._poll(force=True)

    def _show(self, board: CounterBoard) -> None:
        assert self.app.services is not None
        self.board = board
        self._seen_event_id = board.last_event_id
        now = self.app.services.now()
        tz = self.app.settings.hall.tz
        session = self.app.session
        who = f"　{session.name}（{session.staff_id}）" if session else ""
        extra = f"　另有 {board.others} 个号已转给其他窗口" if board.others else ""
        line = f"{board.counter.name}{who}　等候 {len(board.waiting)} 人{extra}"
        self.query_one("#counter-line", Static).update(Text(line))
        current = self.query_one("#current", Static)
        c = board.current
        if c is None:
            current.update(Text("空闲：按 N 叫下一位，或选中一行按 C 叫该号"))
            current.add_class("-idle")
        else:
            serving = Text()
            serving.append(f"正在接待 {c.number}", style="bold")
            serving.append(f"　{visible(c.holder_name or '（未登记持卡人）')}　{c.kind_name}")
            if c.slot:
                serving.append(f"　预约 {c.slot}")
            if c.called_at:
                serving.append(f"　{c.called_at.astimezone(tz):%H:%M} 叫号")
            if c.recalls:
                serving.append(f"　已重呼 {c.recalls} 次")
            serving.append("\nO 打开持卡人（办件）　F 办结　R 重呼　X 过号　H 暂挂（补材料）　T 转移", style="dim")
            current.update(serving)
            current.remove_class("-idle")
        table = self.query_one("#queue", DataTable)
        keep = table.cursor_row
        table.clear()
        for n, t in enumerate(board.waiting, start=1):
            note = t.lane or ""
            if t.slot:
                note = f"{note} 预约 {t.slot}".strip()
            table.add_row(str(n), t.number, t.kind_name, Text(visible(t.holder_name or "")),
                          f"{t.issued_at.astimezone(tz):%H:%M}", _minutes(t, now), Text(note), key=str(t.id))
        if board.waiting:
            table.move_cursor(row=min(keep, len(board.waiting) - 1))
        held = self.query_one("#held", DataTable)
        held.clear()
        for t in board.held:
            where = board.counter_names.get(t.counter_code, "其他窗口") if t.counter_code else ""
            held.add_row(t.number, Text(visible(t.holder_name or "")), where, f"{t.issued_at.astimezone(tz):%H:%M}",
                         key=str(t.id))
        self.refresh_bindings()

    # -- the counter -----------------------------------------------------------------------

    def action_choose_counter(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.queue_views import green_counters

        if self.app.services is None:
            self.say("正在连接数据库……", Level.ERROR)
            return
        run_use_case(self, CountersLoaded, green_counters, self.app.services)

    def _pick_counter(self, counters: list) -> None:
        def chosen(code: str | None) -> None:
            if code is None:
                if self.counter_code is None:
                    self.app.pop_screen()  # no counter, nothing to call from
                return
            self.counter_code = code
            if self.app.session is not None:
                _COUNTER_OF[self.app.session.staff_id] = code
            self.board = None
            self.say("")
            self._poll(force=True)

        if not counters:
            self.say("大厅布局中没有绿色通道窗口（assets/hall.toml 中 kind = \"green\"）", Level.ERROR)
            return
        self.app.push_screen(PickScreen("您在哪个窗口？", [(c.name, c.code) for c in counters]), chosen)

    # -- actions ---------------------------------------------------------------------------

    def _act(self, fn_name: str, *args: Any, **kwargs: Any) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services import queue

        if self.app.services is None or self.app.session is None or self.counter_code is None:
            return
        run_use_case(self, TicketActed, getattr(queue, fn_name), self.app.services, self.app.session,
                     self.counter_code, *args, **kwargs)

    def _current_id(self) -> int | None:
        current = self.board.current if self.board else None
        if current is None:
            self.say("本窗口没有正在接待的号：先按 N 叫下一位", Level.ERROR)
            return None
        return current.id

    def _selected(self, table_id: str) -> int | None:
        table = self.query_one(table_id, DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def action_call_next(self) -> None:
        self._act("call_next")

    def action_call_chosen(self) -> None:
        ticket_id = self._selected("#queue")
        if ticket_id is None or self.board is None:
            self.say("没有选中的号", Level.ERROR)
            return
        ahead = [t for t in self.board.waiting if t.id != ticket_id]
        position = next(i for i, t in enumerate(self.board.waiting) if t.id == ticket_id)
        chosen = self.board.waiting[position]
        note = f"前面还有 {position} 个号排在它之前（{ahead[0].number} 等）。" if position else "它就是下一位。"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._act("call_ticket", ticket_id)

        self.app.push_screen(ConfirmScreen(f"叫 {chosen.number} 号？{note}"), confirmed)

    def action_recall(self) -> None:
        current = self.board.current if self.board else None
        if self._current_id() is None or current is None:
            return
        limit = self.app.settings.queue.recall_limit
        if current.recalls < limit:
            self._act("recall", current.id)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._act("recall", current.id, no_show_at_limit=True)

        # One more recall would end the ticket: a 过号 is never done without asking (it cannot be undone).
        self.app.push_screen(ConfirmScreen(f"{current.number} 号已重呼 {current.recalls} 次，按过号处理？\n"
                                           "过号后此号作废，持号人需重新取号。"), confirmed)

    def action_no_show(self) -> None:
        current = self.board.current if self.board else None
        if self._current_id() is None or current is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._act("no_show", current.id)

        self.app.push_screen(ConfirmScreen(f"{current.number} 号过号？\n过号后此号作废，持号人需重新取号。"),
                             confirmed)

    def action_hold(self) -> None:
        if (ticket_id := self._current_id()) is not None:
            self._act("hold", ticket_id)

    def action_finish(self) -> None:
        if (ticket_id := self._current_id()) is not None:
            self._act("finish", ticket_id)

    def action_open_holder(self) -> None:
        """Calling and the case are one flow: the served ticket's holder opens on the desk, where their
        case, checklist (F12) and history (F6) are; Esc or F11 there comes back here (issue 11 point 4)."""
        current = self.board.current if self.board else None
        if self._current_id() is None or current is None:
            return
        if not current.card_no:
            self.say(f"{current.number} 号取号时没有扫描钢都英才卡：请按 Esc 回到前台扫描持卡人的卡", Level.ERROR)
            return
        # This screen is opened from the desk's scan screen only (F11): the screen below is the desk.
        self.app.pop_screen()
        self.app.screen.post_message(ServeCalledHolder(current.card_no, current.number))

    def action_return_held(self) -> None:
        ticket_id = self._selected("#held")
        if ticket_id is None:
            self.say("没有暂挂的号", Level.ERROR)
            return
        self._act("return_to_queue", ticket_id)

    def action_transfer(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.queue_views import transfer_options

        if self._current_id() is None or self.app.services is None or self.counter_code is None:
            return
        run_use_case(self, TransferOptionsLoaded, transfer_options, self.app.services, self.counter_code)

    def _pick_target(self, options: TransferOptions) -> None:
        # lazy: off the desk's start path: only this action needs it
        from hallterm.domain.floors import floor_name
        from hallterm.domain.queue import Target, TargetKind

        entries: list[tuple[str, str]] = [(f"counter:{c.code}", f"窗口　{c.name}") for c in options.counters]
        entries += [(f"lounge:{x.code}", f"洽谈室　{floor_name(x.floor)}{x.name}（空 {x.free}/{x.capacity}）")
                    for x in options.lounges if x.free > 0]
        entries += [(f"coordinator:{p.staff_id}",
                     f"协调员　{p.name} {p.section}（{'在岗' if p.on_duty else '不在岗'}，在办 {p.active_cases}）")
                    for p in options.coordinators]
        current = self.board.current if self.board else None

        def chosen(key: str | None) -> None:
            if key is None or current is None:
                return
            kind, code = key.split(":", 1)
            self._act("transfer", current.id, Target(TargetKind(kind), code))

        number = current.number if current else ""
        self.app.push_screen(PickScreen(f"把 {number} 号转移到：", [(label, key) for key, label in entries]), chosen)

    def action_issue(self) -> None:
        def issued(view: TicketView | None) -> None:
            if view is not None:
                self._print_ticket(view)
                self._poll(force=True)

        if self.app.services is None:
            self.say("正在连接数据库……", Level.ERROR)
            return
        self.app.push_screen(IssueScreen(), issued)

    def _print_ticket(self, view: TicketView) -> None:
        """The ticket is issued (committed): say its number now, then print it in a worker."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import print_ticket

        self.say(f"{view.message}。正在打印排队票……", Level.BUSY)
        print_ticket(self, view)

    @on(TicketPrinted)
    def _ticket_printed(self, message: TicketPrinted) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import ticket_printed_text

        self.say(*ticket_printed_text(message))

    def action_reprint(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import ReprintScreen

        self.app.push_screen(ReprintScreen())

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = ["CallingScreen", "ConfirmScreen", "PickScreen"]
