"""The desk through a database outage (issue 15 point 4).

When a use case finds the database unreachable or locked past its timeout, the screen that ran it
says so on its own message line and keeps what was typed; the app shows one standing notice on every
screen, probes the database every ``[db] retry_ms`` and, once it takes a write again, sends what was
parked (in the order it was made, each once) and tells every screen (``DatabaseBack``), so a scan
waiting in the field is looked up again without a key press.

Only use cases that are safe to send twice are parked: their answer may have been lost after their
commit (a server restarted mid-reply). Opening a case carries the form's request key (a second
sending returns the case the first opened); a checklist tick sets a value, and setting it again
records nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.dom import DOMNode
from textual.message import Message
from textual.timer import Timer

from hallterm.tui.desk.messages import Done, Failed

if TYPE_CHECKING:
    from hallterm.tui.desk.app import DeskApp

NOTICE_TITLE = "数据库连接中断"
BACK = "数据库已恢复连接"


@dataclass
class Parked:
    """A use case that met the outage, to be sent again: its answer goes to ``node`` as before."""

    node: DOMNode
    done: type[Done]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class DatabaseDown(Message):
    """From a worker: the database could not be reached (``reason`` in Chinese); ``parked`` waits for it."""

    reason: str
    parked: Parked | None = None


class DatabaseBack(Message):
    """To every screen: the database answers again."""


class Probed(Message):
    """From the probe worker: the database took a write transaction."""


class OutageWatch:
    """The app's view of the database: up, or down since a reason, with what waits for it."""

    def __init__(self, app: DeskApp) -> None:
        self.app = app
        self.reason = ""
        self.parked: list[Parked] = []
        self._timer: Timer | None = None

    @property
    def down(self) -> bool:
        return bool(self.reason)

    def went_down(self, message: DatabaseDown) -> None:
        if message.parked is not None:
            self.parked.append(message.parked)
        if self.down:
            return
        self.reason = message.reason
        self.app.notify(f"{message.reason}。已输入的内容保留；正在自动重试，恢复后自动继续",
                        title=NOTICE_TITLE, severity="error", timeout=24 * 3600)
        self._timer = self.app.set_interval(self.app.settings.db.retry_ms / 1000, self.probe)

    def probe(self) -> None:
        if self.app.services is None:
            return  # the app's own connect retries until the database opens
        services = self.app.services

        def work() -> None:
            try:
                services.db.ping()
            except Exception:  # still down: the standing notice already says so; try again at the next tick
                return
            self.app.post_message(Probed())

        self.app.run_worker(work, thread=True, exclusive=True, exit_on_error=False, group="outage-probe")

    def came_back(self) -> None:
        if not self.down:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.reason = ""
        self.app.clear_notifications()
        waiting, self.parked = self.parked, []
        sent = f"，正在提交中断时未保存的 {len(waiting)} 项操作" if waiting else ""
        self.app.notify(f"{BACK}{sent}", timeout=5)
        if waiting:
            self._send(waiting)
        for screen in self.app.screen_stack:
            screen.post_message(DatabaseBack())

    def _send(self, waiting: list[Parked]) -> None:
        """Send the parked use cases one after the other, in order; a new outage parks the rest again."""

        def work() -> None:
            # lazy: services load SQLAlchemy (~0.5 s); by now the connect worker has imported it
            from hallterm.services.errors import explain, is_outage

            for i, call in enumerate(waiting):
                try:
                    result = call.fn(*call.args, **call.kwargs)
                except Exception as exc:  # each failure goes to the screen that made the call
                    reason = explain(exc)
                    if is_outage(exc):
                        for rest in waiting[i:]:
                            self.app.post_message(DatabaseDown(reason, rest))
                        call.node.post_message(Failed(call.done, reason, parked=True, outage=True))
                        return
                    call.node.post_message(Failed(call.done, reason))
                else:
                    call.node.post_message(call.done(result))

        self.app.run_worker(work, thread=True, exit_on_error=False, group="outage-resend")
