"""The hall's queue display: the number now called, large, and where to go; the last calls; how many
wait; free lounge seats; date and time (S4, S6, S9; issue 5 point 3).

Read-only and keyboard-free. A thread worker polls the events log's last id every
``[queue] display_poll_ms`` and reloads the picture only when it moved (or the day changed); the
next poll is scheduled when the last one is done, so polls never pile up (research/textual.md,
pitfall 4). A database that cannot be reached shows "连接中断，正在重试" and the polling goes on
until it answers again. Names are masked and no ID number is ever read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from hallterm.config import Settings
from hallterm.domain.terminal_text import visible
from hallterm.domain.weekdays import weekday_name
from hallterm.tui.display import bigtext
from hallterm.tui.display.speech import Announcer, speak_in_browser
from hallterm.tui.faults import LoggedFaults

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.services.queue_views import CallShown, DisplaySnapshot

STYLES = Path(__file__).resolve().parent.parent / "styles"
OUTAGE = "连接中断，正在重试"
FLASHES = 6  # half-second steps a new call blinks for
RETRY_S = 1.0  # while the database is away, try again this often at most


@dataclass
class Polled(Message):
    snapshot: DisplaySnapshot | None  # None: nothing moved since the last poll


@dataclass
class PollFailed(Message):
    reason: str


class BigNumber(Widget):
    """The called number in block letters, as large as the space allows (plain text when tiny)."""

    DEFAULT_CSS = "BigNumber { content-align: center middle; height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""
        self.faded = False

    def show(self, text: str, *, faded: bool = False) -> None:
        self.text = text
        self.faded = faded
        self.refresh()

    def render(self) -> Text:
        if not self.text:
            return Text("")
        width, height = self.content_size
        h = bigtext.fit(self.text, width, height)
        style = "dim" if self.faded else ""  # a call that ended: still readable, no longer calling
        if h == 0:
            return Text(self.text, style=f"bold {style}".strip())
        return Text("\n".join(bigtext.render(self.text, h)), justify="left", style=style)


class DisplayApp(LoggedFaults):
    program = "叫号显示屏"
    TITLE = "叫号显示"
    CSS_PATH = STYLES / "display.tcss"  # absolute: subclasses elsewhere (the bench) find it too
    ENABLE_COMMAND_PALETTE = False
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [Binding("ctrl+q", "quit", "退出", show=False, priority=True)]

    def __init__(self, settings: Settings, *, services: Services | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.services: Services | None = services
        self._owns_services = services is None
        q = settings.queue
        self.poll_s = q.display_poll_ms / 1000
        self.announcer = Announcer(q.speech_command, q.speech_voice, q.speech_template, q.speech)
        self.snapshot: DisplaySnapshot | None = None
        self.seen_event_id = -1  # the events log's last id when the picture was drawn
        self.seen_day: dt.date | None = None
        self.last_call_id: int | None = None  # newest call shown; None until the first picture
        self.outage = ""
        self.announced: list[str] = []  # what was spoken (or would have been), newest last
        self._flash_left = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static(Text(self.settings.hall.name + "　绿色通道"), id="hall-name")
            yield Static("", id="clock")
        yield Static(Text(OUTAGE), id="banner")
        with Horizontal(id="main"):
            with Vertical(id="now"):
                yield Static("请", id="now-title")
                yield BigNumber(id="big")
                yield Static("", id="place")
                yield Static("", id="who")
            with Vertical(id="recent"):
                yield Static("最近叫号", id="recent-title")
                yield Static("", id="recent-list")
        with Vertical(id="bottom"):
            yield Static("", id="waiting")
            yield Static("", id="lounges")

    def on_mount(self) -> None:
        self._tick()
        self.set_interval(1.0, self._tick)
        self._show_empty("正在连接数据库……")
        self.poll()

    def on_unmount(self) -> None:
        if self._owns_services and self.services is not None:
            self.services.close()

    # -- polling ----------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="poll")
    def poll(self) -> None:
        # lazy: the services load SQLAlchemy (~0.5 s), here in the worker, after the display is drawn
        from hallterm.services import queue_views

        try:
            if self.services is None:
                from hallterm.services.context import Services  # lazy: as above, in the worker

                # Never migrates: the display only reads; the desk creates and upgrades the database.
                self.services = Services.open(self.settings, upgrade=False)
            svc = self.services
            moved = queue_views.last_event_id(svc) != self.seen_event_id or svc.today() != self.seen_day or self.outage
            self.post_message(Polled(queue_views.display_snapshot(svc) if moved else None))
        except Exception as exc:  # the database is away: say so, keep polling
            # lazy: services load SQLAlchemy (~0.5 s); the display imports it in its poll worker
            from hallterm.services.errors import explain, is_expected

            # The hall reads this screen: a fault shows its kind only, never its text.
            self.post_message(PollFailed(explain(exc) if is_expected(exc) else type(exc).__name__))

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        if not self.query("#now-title"):
            return  # the answer of a poll that was under way while the display closed
        # The next poll first: a fault drawing this picture (faults.py: logged, the display goes on) must not
        # stop the polling; the next change is drawn.
        self.set_timer(self.poll_s, self.poll)
        if self.outage:
            self.outage = ""
            self.query_one("#banner").remove_class("-shown")
        if message.snapshot is not None:
            self._draw(message.snapshot)

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        if not self.query("#banner"):
            return  # as in _polled: the display is closing
        self.set_timer(max(self.poll_s, RETRY_S), self.poll)  # first, as in _polled
        self.outage = message.reason
        banner = self.query_one("#banner", Static)
        banner.update(Text(f"{OUTAGE}　{message.reason}" if message.reason else OUTAGE))
        banner.add_class("-shown")

    # -- drawing ----------------------------------------------------------------------------

    def _draw(self, snap: DisplaySnapshot) -> None:
        self.snapshot = snap
        self.seen_event_id = snap.last_event_id
        self.seen_day = snap.day
        if snap.calls:
            self._show_call(snap.calls[0])
        else:
            self._show_empty("今日尚未叫号")
        recent = Text()
        gap = "\n\n" if self.size.width >= 120 else "\n"  # a TV: spread the list down the screen
        for n, call in enumerate(snap.calls[1:]):
            if n:
                recent.append(gap)
            recent.append(f"{call.number:<4}", style="bold")
            if call.no_show:  # a late visitor finds their number here: it is void, they take a new one
                recent.append(" 过号", style="bold red")
                recent.append(f" {call.place}", style="dim")
                continue
            recent.append(f" {call.place}")
            if call.name:
                recent.append(f" {visible(call.name)}", style="dim")
        self.query_one("#recent-list", Static).update(recent)
        waiting = Text("等候　")
        for w in snap.waiting:
            waiting.append(f"{w.series} {w.label} ", style="bold")
            waiting.append(f"{w.waiting} 人　")
        self.query_one("#waiting", Static).update(waiting)
        lounges = Text("洽谈室空位　")
        for lounge in snap.lounges:
            lounges.append(f"{lounge.name.replace('业务', '')} ")
            lounges.append(f"{lounge.free}/{lounge.capacity}　", style="bold" if lounge.free else "dim")
        self.query_one("#lounges", Static).update(lounges)
        self._announce_new(snap.calls)

    def _show_call(self, now: CallShown) -> None:
        """The newest call, large. Once it ended (过号, finished, held) it no longer says 请…到…."""
        title = self.query_one("#now-title", Static)
        place = self.query_one("#place", Static)
        if now.live:
            title.update(Text("请" + ("（重呼）" if now.recall else "")))
            self.query_one(BigNumber).show(now.number)
            place.update(Text(f"到 {now.place}", style="bold"))
            self.query_one("#who", Static).update(Text(visible(now.name)))  # a masked name, escaped (issue 16 point 2)
            return
        self.query_one(BigNumber).show(now.number, faded=True)
        self.query_one("#who", Static).update("")
        if now.no_show:
            title.update(Text(now.ended, style="bold red"))
            place.update(Text(f"{now.number} 号未到，已作废；如需办理请重新取号", style="bold"))
        else:
            title.update(Text(now.ended))
            place.update(Text("请留意下一位叫号", style="dim"))

    def _show_empty(self, text: str) -> None:
        self.query_one("#now-title", Static).update(Text(text))
        self.query_one(BigNumber).show("")
        self.query_one("#place", Static).update("")
        self.query_one("#who", Static).update("")

    def _announce_new(self, calls: list[CallShown]) -> None:
        newest = calls[0].event_id if calls else 0
        if self.last_call_id is None:  # the first picture: what was called before is not news
            self.last_call_id = newest
            return
        fresh = [c for c in calls if c.event_id > self.last_call_id]
        self.last_call_id = max(newest, self.last_call_id)
        if not fresh:
            return
        self.bell()
        self._flash_left = FLASHES
        self.query_one("#now").add_class("-flash")
        self.set_timer(0.5, self._flash)
        for call in reversed(fresh):  # oldest first, as they were called
            words = self.announcer.text(call.number, call.place)
            self.announced.append(words)
            if self.is_web:  # display --serve: the TV's browser speaks (serve.py SAY_META), not the server PC
                if self.settings.queue.speech:
                    speak_in_browser(self, words)
            elif self.announcer.available:
                self.run_worker(lambda c=call: self.announcer.say(c.number, c.place), thread=True,
                                group="speech", exit_on_error=False)

    def _flash(self) -> None:
        self._flash_left -= 1
        now = self.query("#now")
        if not now:  # the app is shutting down: a timer may still fire after the widgets are gone
            return
        now.first().set_class(self._flash_left > 0 and self._flash_left % 2 == 0, "-flash")
        if self._flash_left > 0:
            self.set_timer(0.5, self._flash)

    def _tick(self) -> None:
        from hallterm.services.context import utc_now  # lazy: services.context loads SQLAlchemy (see poll)

        now = (self.services.now() if self.services is not None else utc_now()).astimezone(self.settings.hall.tz)
        clock = self.query("#clock")
        if clock:  # a timer may fire once more while the app shuts down
            clock.first(Static).update(Text(f"{now:%Y-%m-%d} {weekday_name(now)} {now:%H:%M:%S}"))

