"""The rating pad (好差评, 国办发〔2019〕51号: 一次一评 on an evaluator facing the visitor; issue 13 point 6).

``hallterm rate --counter F1`` on a small terminal at the issuing window. It has no sign-in: it
shows the case just handed out at that counter (case number, item names, the holder's masked name —
nothing more), takes one key 5…1 (非常满意 … 非常不满意), for a low rating an optional reason from
a short list, says thank you and goes back to waiting.

Like the hall display, a thread worker checks the events log's last id every ``[rating] pad_poll_ms``
and asks for the offer only when it moved (or when a waiting newer hand-out is due to take over);
the next check is scheduled when the last one is done. Nothing on this screen names the rater.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Static

from hallterm.config import Settings
from hallterm.domain.rating import LEVEL_NAMES, REASONS, Level
from hallterm.tui.faults import LoggedFaults

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.services.rating import PadOffer, PadState, RatingGiven

STYLES = Path(__file__).resolve().parent.parent / "styles"
RETRY_S = 1.0  # while the database is away, try again this often at most
REASON_KEYS = dict(zip("12345", REASONS, strict=True))  # key → reason code, in the list's order
WAITING = "欢迎评价我们的服务\n\n窗口办结后，请在此为本次服务评价"


class Step(StrEnum):
    WAITING = "waiting"  # nothing to rate
    LEVEL = "level"  # a hand-out is shown: 5…1
    REASON = "reason"  # a low rating: pick a reason, or none
    SENDING = "sending"
    THANKS = "thanks"


@dataclass
class PadPolled(Message):
    state: PadState | None  # None: nothing moved since the last check


@dataclass
class PadFailed(Message):
    reason: str
    refused: bool = False  # a refusal (unknown counter): said as it is, not as an outage


@dataclass
class Rated(Message):
    given: RatingGiven


@dataclass
class RateRefused(Message):
    reason: str


class RatingPadApp(LoggedFaults):
    program = "评价器"
    TITLE = "服务评价"
    CSS_PATH = STYLES / "rating.tcss"
    ENABLE_COMMAND_PALETTE = False  # a visitor's pad: no staff operations behind a key
    BINDINGS = [
        # One key, two meanings by step (check_action enables one); the footer lists keys in the order first
        # declared, so the reasons (1…5) come first and the levels read 1 非常不满意 … 5 非常满意.
        *(Binding(key, f"reason('{code}')", REASONS[code], id=f"reason_{code}") for key, code in REASON_KEYS.items()),
        *(Binding(str(level.value), f"level({level.value})", LEVEL_NAMES[level], id=f"level_{level.value}")
          for level in Level),
        Binding("enter", "reason('')", "不选原因", key_display="Enter", id="no_reason"),
        Binding("escape", "reselect", "重选", key_display="Esc", id="reselect"),
        Binding("ctrl+q", "quit", "退出", show=False, priority=True),
    ]

    def __init__(self, settings: Settings, counter: str, *, services: Services | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.counter = counter
        self.services: Services | None = services
        self._owns_services = services is None
        self.poll_s = settings.rating.pad_poll_ms / 1000
        self.step = Step.WAITING
        self.offer: PadOffer | None = None
        self.level: Level | None = None
        self.seen_event_id = -1
        self.outage = ""

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.settings.hall.name}　服务评价（好差评）　{self.counter}"), id="pad-title")
        with Vertical(id="pad-body"):
            yield Static("", id="pad-case")
            yield Static("", id="pad-prompt")
        yield Static("", id="pad-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show(Step.WAITING, "正在连接……")
        self.poll()

    def on_unmount(self) -> None:
        if self._owns_services and self.services is not None:
            self.services.close()

    # -- which keys apply now ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "level":
            return self.step == Step.LEVEL
        if action in {"reason", "reselect"}:
            return self.step == Step.REASON
        return True

    # -- polling ----------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="poll")
    def poll(self) -> None:
        # lazy: the services load SQLAlchemy (~0.5 s), here in the worker, after the pad is drawn
        from hallterm.domain.errors import Refused
        from hallterm.services import queue_views, rating

        try:
            if self.services is None:
                from hallterm.services.context import Services  # lazy: as above, in the worker

                # Never migrates: the pad only reads and adds ratings; the desk upgrades the database.
                self.services = Services.open(self.settings, upgrade=False)
                from hallterm.services.rule_settings import note_rule_settings  # lazy: as above

                note_rule_settings(self.services, "hallterm rate")  # issue 15 point 6: the pad's rating window
            svc = self.services
            due = self.offer is not None and self.offer.replaced_at is not None and svc.now() >= self.offer.replaced_at
            expired = self.offer is not None and svc.now() - self.offer.handed_out_at > dt.timedelta(
                minutes=svc.settings.rating.max_age_minutes)
            moved = queue_views.last_event_id(svc) != self.seen_event_id or due or expired or self.outage
            self.post_message(PadPolled(rating.pad_state(svc, self.counter) if moved else None))
        except Refused as exc:
            self.post_message(PadFailed(str(exc), refused=True))
        except Exception as exc:  # the database is away: say so, keep polling
            from hallterm.services.errors import explain, is_expected  # lazy: as above, in the worker

            # The visitor reads this screen: a fault shows its kind only, never its text.
            self.post_message(PadFailed(explain(exc) if is_expected(exc) else type(exc).__name__))

    @on(PadPolled)
    def _polled(self, message: PadPolled) -> None:
        if not self.query("#pad-case"):
            return  # the answer of a check that was under way while the pad closed
        # The next check first: a fault showing this one (faults.py: logged, the pad goes on) must not stop them.
        self.set_timer(self.poll_s, self.poll)
        if self.outage:
            self.outage = ""
            self._say("")
        state = message.state
        if state is not None:
            self.seen_event_id = state.last_event_id
            self._offer(state.offer)

    @on(PadFailed)
    def _poll_failed(self, message: PadFailed) -> None:
        if not self.query("#pad-notice"):
            return
        self.set_timer(max(self.poll_s, RETRY_S), self.poll)  # first, as in _polled
        self.outage = message.reason
        if message.refused:  # e.g. a counter code the hall does not have: said as it is
            self._show(Step.WAITING, "评价器暂不可用，请联系窗口工作人员")
            self._say(message.reason)
        else:
            self._say("连接中断，正在重试" + (f"　{message.reason}" if message.reason else ""))

    def _offer(self, offer: PadOffer | None) -> None:
        """Show what is on offer now, unless the visitor is sending or being thanked."""
        if self.step in {Step.SENDING, Step.THANKS}:
            return
        same = offer is not None and self.offer is not None and offer.hand_out_event_id == self.offer.hand_out_event_id
        self.offer = offer
        if same:
            return  # keep the step the visitor is at (a reason being picked stays)
        if offer is None:
            self._show(Step.WAITING, WAITING)
            return
        self.level = None
        self._show(Step.LEVEL, self._levels_text())

    # -- the visitor's keys -----------------------------------------------------------------

    def action_level(self, value: int) -> None:
        level = Level(value)
        if level.is_poor:
            self.level = level
            self._show(Step.REASON, self._reasons_text(level))
            return
        self._send(level, "")

    def action_reason(self, code: str) -> None:
        if self.level is not None:
            self._send(self.level, code)

    def action_reselect(self) -> None:
        self.level = None
        self._show(Step.LEVEL, self._levels_text())

    def _send(self, level: Level, reason: str) -> None:
        if self.offer is None or self.services is None:
            return
        self._show(Step.SENDING, "正在提交……")
        self._rate(self.offer.hand_out_event_id, level, reason)

    @work(thread=True, exit_on_error=False, group="rate")
    def _rate(self, hand_out_event_id: int, level: Level, reason: str) -> None:
        from hallterm.domain.errors import Refused  # lazy: as in poll
        from hallterm.services import rating  # lazy: as in poll

        assert self.services is not None
        try:
            self.post_message(Rated(rating.rate(self.services, self.counter, hand_out_event_id, int(level), reason)))
        except Refused as exc:
            self.post_message(RateRefused(str(exc)))
        except Exception as exc:
            from hallterm.services.errors import explain, is_expected  # lazy: as in poll

            self.post_message(RateRefused(explain(exc) if is_expected(exc) else "评价未能提交，请稍后再试"))

    @on(Rated)
    def _rated(self, message: Rated) -> None:
        self.set_timer(self.settings.rating.thanks_s, self._wait_again)  # first: after a fault too, the pad waits again
        self.offer = None
        self.level = None
        self._show(Step.THANKS, f"感谢您的评价！\n\n您的评价：{message.given.level.label}")

    @on(RateRefused)
    def _refused(self, message: RateRefused) -> None:
        self.set_timer(self.settings.rating.thanks_s, self._wait_again)  # first, as in _rated
        self.offer = None
        self.level = None
        self._show(Step.THANKS, message.reason)

    def _wait_again(self) -> None:
        if not self.query("#pad-case"):
            return
        self.seen_event_id = -1  # ask again at the next check: the offer may have changed meanwhile
        self._show(Step.WAITING, WAITING)

    # -- drawing ----------------------------------------------------------------------------

    def _show(self, step: Step, prompt: str) -> None:
        self.step = step
        case = self.query_one("#pad-case", Static)
        offer = self.offer
        if offer is not None and step in {Step.LEVEL, Step.REASON, Step.SENDING}:
            text = Text()
            text.append("办件号　", style="dim")
            text.append(offer.case_no + "\n", style="bold")
            text.append("事　项　", style="dim")
            text.append("、".join(offer.item_names) + "\n")
            text.append("办理人　", style="dim")
            text.append(offer.holder)
            case.update(text)
            case.display = True
        else:
            case.update("")
            case.display = False
        self.query_one("#pad-prompt", Static).update(Text(prompt))
        self.refresh_bindings()

    def _say(self, text: str) -> None:
        self.query_one("#pad-notice", Static).update(Text(text))

    @staticmethod
    def _levels_text() -> str:
        options = "\n".join(f"  {level.value}　{level.label}" for level in Level)
        return f"请为本次服务评价（按数字键）：\n\n{options}"

    @staticmethod
    def _reasons_text(level: Level) -> str:
        options = "\n".join(f"  {key}　{REASONS[code]}" for key, code in REASON_KEYS.items())
        return (f"您选择了“{level.label}”。请告诉我们原因（可不选）：\n\n{options}\n\n"
                "  Enter　不选原因，直接提交　　Esc　重新选择")
