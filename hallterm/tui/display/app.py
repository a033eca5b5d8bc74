"""The hall's queue display: the number now called, large, and where to go; the last calls; how many
wait; free lounge seats; date and time (S4, S6, S9; issue 5 point 3).

Read-only and keyboard-free. A thread worker polls the events log's last id and reloads the picture
only when it moved (or the day changed). It polls when a watcher thread hears that another connection
committed (issue 17 point 2: NOTIFY on PostgreSQL, ``PRAGMA data_version`` every 50 ms on SQLite;
storage/live.py), and every ``[queue] display_poll_ms`` as a safety net for a lost notification; the
next poll is scheduled when the last one is done, so polls never pile up (research/textual.md,
pitfall 4). A database that cannot be reached shows "连接中断，正在重试" and the polling goes on
until it answers again. Names are masked and no ID number is ever read.

Every call gets its turn (issue 17 point 1): a new call becomes the big number, rings, flashes and is
spoken, and stays for ``[queue] display_hold_ms`` before the next call that came meanwhile takes its
place, oldest first. Calls that arrive together all enter the recent list at once but take the big
number one after the other, so no visitor's number is only ever seen in the small list. A recall is a
new call: it gets its turn and is spoken again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
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
RECENT_LISTED = 5  # the recent list under the big number (queue_views.RECENT_CALLS less the one shown large)
RETRY_S = 1.0  # while the database is away, try again this often at most
WATCH_WAIT_S = 0.25  # the watcher looks at the stop flag this often


@dataclass
class Polled(Message):
    snapshot: DisplaySnapshot | None  # None: nothing moved since the last poll


class Changed(Message):
    """Another connection committed: poll now (storage/live.py)."""


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
        self.hold_s = q.display_hold_ms / 1000
        self.announcer = Announcer(q.speech_command, q.speech_voice, q.speech_template, q.speech)
        self.snapshot: DisplaySnapshot | None = None
        self.seen_event_id = -1  # the events log's last id when the picture was drawn
        self.seen_day: dt.date | None = None
        self.last_call_id: int | None = None  # newest call queued for its turn; None until the first picture
        self.turn: CallShown | None = None  # the call shown large now
        self.pending: list[CallShown] = []  # new calls waiting for their turn, oldest first
        self.turns: list[str] = []  # the numbers that had their turn, in order (recalls too)
        self._holding = False  # the current turn's hold has not run out yet
        self._polling = False  # a poll is under way
        self._again = False  # a change was heard during it: poll again when it is done
        self._poll_timer: Timer | None = None  # the safety poll, when none is under way
        self._stop = threading.Event()  # the watcher thread ends
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
        self._start_poll()
        # A plain daemon thread, not a Textual worker: it runs as long as the display, and a worker that
        # never ends would hold up everything that waits for the workers to complete.
        threading.Thread(target=self._watch, name="display-watch", daemon=True).start()

    def on_unmount(self) -> None:
        self._stop.set()
        if self._owns_services and self.services is not None:
            self.services.close()

    # -- pushed changes (issue 17 point 2) --------------------------------------------------

    def _watch(self) -> None:
        """Tell the display the moment another connection commits (storage/live.py): a NOTIFY on
        PostgreSQL, a changed data_version on SQLite. Where the watcher cannot run or its connection
        drops, the safety poll (``display_poll_ms``) goes on alone until it is back."""
        from hallterm.services.queue_views import watch_changes  # lazy: loads SQLAlchemy, in this thread

        watcher = None
        while not self._stop.is_set():
            try:
                if watcher is None:
                    watcher = watch_changes(self.settings)
                    if watcher is None:
                        return  # an in-memory database: nothing to watch, the safety poll alone
                    self.post_message(Changed())  # what happened while it was away
                if watcher.wait(WATCH_WAIT_S):
                    self.post_message(Changed())
            except Exception:  # the connection dropped, the file is not there yet: the safety poll covers
                if watcher is not None:
                    with contextlib.suppress(Exception):  # already broken: nothing more to release
                        watcher.close()
                watcher = None
                self._stop.wait(RETRY_S)
        if watcher is not None:
            watcher.close()

    @on(Changed)
    def _changed(self, _message: Changed) -> None:
        if self.query("#now-title"):  # not while the display closes
            self._start_poll()

    # -- polling ----------------------------------------------------------------------------

    def _start_poll(self) -> None:
        """Poll now, or right after the poll under way: polls never overlap nor pile up."""
        if self._polling:
            self._again = True
            return
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        self._polling, self._again = True, False
        self.poll()

    def _poll_later(self, delay_s: float) -> None:
        self._polling = False
        if self._again:
            self._start_poll()
        else:
            self._poll_timer = self.set_timer(delay_s, self._start_poll)

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
        self._poll_later(self.poll_s)
        if self.outage:
            self.outage = ""
            self.query_one("#banner").remove_class("-shown")
        if message.snapshot is not None:
            self._draw(message.snapshot)

    @on(PollFailed)
    def _poll_failed(self, message: PollFailed) -> None:
        if not self.query("#banner"):
            return  # as in _polled: the display is closing
        self._again = False  # a change heard while the database fails its queries: the retry will see it
        self._poll_later(max(self.poll_s, RETRY_S))  # first, as in _polled
        self.outage = message.reason
        banner = self.query_one("#banner", Static)
        banner.update(Text(f"{OUTAGE}　{message.reason}" if message.reason else OUTAGE))
        banner.add_class("-shown")

    # -- drawing ----------------------------------------------------------------------------

    def _draw(self, snap: DisplaySnapshot) -> None:
        self.snapshot = snap
        self.seen_event_id = snap.last_event_id
        self.seen_day = snap.day
        self._queue_new(snap.calls)
        if not snap.calls:  # a new day: yesterday's calls and their queue are gone
            self.turn, self.pending = None, []
        elif self.turn is not None:  # the call in its turn as it is now (过号, finished…)
            self.turn = next((c for c in snap.calls if c.event_id == self.turn.event_id), self.turn)
        self._show_turn()
        while self.pending and not self._holding:  # without a hold (0 ms) a burst takes its turns at once
            self._next_turn()
        self._draw_recent()
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

    def _draw_recent(self) -> None:
        calls = self.snapshot.calls if self.snapshot is not None else []
        recent = Text()
        gap = "\n\n" if self.size.width >= 120 else "\n"  # a TV: spread the list down the screen
        turn_id = self.turn.event_id if self.turn is not None else None
        # Every call but the one shown large, queued ones included: all calls of a burst are listed at once.
        listed = [c for c in calls if c.event_id != turn_id][:RECENT_LISTED]
        for n, call in enumerate(listed):
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

    def _show_turn(self) -> None:
        if self.turn is not None:
            self._show_call(self.turn)
        elif self.snapshot is not None:
            self._show_empty("今日尚未叫号")

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

    def _queue_new(self, calls: list[CallShown]) -> None:
        """Calls newer than the last one queued wait for their turn, oldest first."""
        newest = calls[0].event_id if calls else 0
        if self.last_call_id is None:  # the first picture: what was called before is not news
            self.last_call_id = newest
            self.turn = calls[0] if calls else None
            return
        fresh = [c for c in calls if c.event_id > self.last_call_id]
        self.last_call_id = max(newest, self.last_call_id)
        self.pending.extend(reversed(fresh))  # oldest first, as they were called

    def _next_turn(self) -> None:
        """The next queued call takes the big number: shown, rung, flashed, spoken, then held."""
        call = self.pending.pop(0)
        if self.snapshot is not None:  # as it is now
            call = next((c for c in self.snapshot.calls if c.event_id == call.event_id), call)
        if not call.live:  # it ended while it waited (过号, finished): no longer an invitation, nothing to say
            return
        self.turn = call
        self.turns.append(call.number)
        self._show_turn()
        if self.hold_s > 0:  # Textual's timer cannot take 0
            self._holding = True
            self.set_timer(self.hold_s, self._hold_over)
        self.bell()
        if self._flash_left <= 0:  # one blinking chain at a time
            self.set_timer(0.5, self._flash)
        self._flash_left = FLASHES
        self.query_one("#now").add_class("-flash")
        words = self.announcer.text(call.number, call.place)
        self.announced.append(words)
        if self.is_web:  # display --serve: the TV's browser speaks (serve.py SAY_META), not the server PC
            if self.settings.queue.speech:
                speak_in_browser(self, words)
        elif self.announcer.available:
            self.run_worker(lambda: self.announcer.say(call.number, call.place), thread=True,
                            group="speech", exit_on_error=False)

    def _hold_over(self) -> None:
        self._holding = False
        if self.pending and self.query("#now"):  # the query: the display may be closing
            while self.pending and not self._holding:
                self._next_turn()
            self._draw_recent()

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

