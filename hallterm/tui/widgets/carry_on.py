"""Going on after a fault in a handler or a callback: the mixin every screen, widget with handlers and app of
hallterm carries. Why, and where the program still exits instead, is said in ``hallterm/tui/faults.py``."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer, TimerCallback
from textual.widget import Widget

from hallterm import logfile
from hallterm.tui.widgets.message_line import Level, MessageLine

log = logging.getLogger("hallterm.tui")

# Messages that build or tear down a widget: a fault in their handlers leaves it half made (exit path).
LIFECYCLE = (events.Load, events.Compose, events.Mount, events.Unmount)
NOTICE_S = 30  # how long a notification stays: long enough to copy the log's path down


def going_on_line() -> str:
    """What the clerk reads after a fault the program went on from."""
    where = f"，详情已记入日志 {path}" if (path := logfile.current_path()) else ""
    return f"程序内部错误{where}。已保存的数据不受影响，可以继续操作"


class CarriesOn(MessagePump):
    """A fault in one of this widget's (screen's, app's) handlers or callbacks is logged and said; it goes on.

    Handlers: every message of the widget's loop passes ``_dispatch_message``. Callbacks: what is handed
    to ``set_timer``/``set_interval`` (a timer calls it outside any message) and to ``call_next``/
    ``call_after_refresh`` (a dialog's result callback is run by ``call_next``; Textual runs these after a
    message, outside the dispatch) is wrapped when it is handed over.
    """

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)
        except Exception as error:
            if isinstance(message, LIFECYCLE) or not self._is_mounted:
                raise  # half built or torn down: the exit path (hallterm/tui/faults.py)
            # A fault raised here, while reporting, leaves this method: Textual's exit path takes it.
            carry_on(self, type(message).__name__, error)

    def set_timer(self, delay: float, callback: TimerCallback | None = None, *, name: str | None = None,
                  pause: bool = False) -> Timer:
        return super().set_timer(delay, callback and self._guarded(callback), name=name, pause=pause)

    def set_interval(self, interval: float, callback: TimerCallback | None = None, *, name: str | None = None,
                     repeat: int = 0, pause: bool = False) -> Timer:
        return super().set_interval(interval, callback and self._guarded(callback), name=name, repeat=repeat,
                                    pause=pause)

    def call_next(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().call_next(self._guarded(partial(callback, *args, **kwargs)))

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        return super().call_after_refresh(self._guarded(partial(callback, *args, **kwargs)))

    def _guarded(self, callback: Callable[[], Any]) -> Callable[[], Awaitable[None]]:
        async def guarded() -> None:
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except Exception as error:
                if not self._is_mounted:
                    raise
                what = getattr(callback, "func", callback)
                carry_on(self, f"callback {getattr(what, '__qualname__', what)!r}", error)

        return guarded


_noticed: WeakKeyDictionary[App[Any], float] = WeakKeyDictionary()  # when each app last notified a fault


def carry_on(node: MessagePump, what: str, error: Exception) -> None:
    """Log ``error`` with its traceback and say one line where the clerk looks."""
    app = node.app
    log.error("%s: unexpected error in %s handling %s; carrying on", getattr(app, "program", "hallterm"),
              type(node).__name__, what, exc_info=error)
    line = going_on_line()
    screen = node if isinstance(node, Screen) else node.screen if isinstance(node, Widget) else app.screen
    lines = screen.query(MessageLine)
    if screen is app.screen and lines:
        shown = lines.first()
        if shown.text == line and shown.level is Level.ERROR:
            return  # it says so already: a fault repeating (a timer's) rings once
        shown.say(line, Level.ERROR)
    else:  # no line of its own (a dialog, the display), or not the screen on top: a notification
        now = time.monotonic()
        if now - _noticed.get(app, -NOTICE_S) < NOTICE_S:
            return  # the same notice is still up: a fault repeating stacks no more of them
        _noticed[app] = now
        app.notify(line, severity="error", timeout=NOTICE_S, markup=False)
    app.bell()
