"""Going on after a fault in a handler: the mixin every screen, widget with handlers and app of hallterm
carries. Why, and where the program still exits instead, is said in ``hallterm/tui/faults.py``."""

from __future__ import annotations

import logging

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
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
    """A fault in one of this widget's (screen's, app's) handlers is logged and said; its messages go on."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)
        except Exception as error:
            if isinstance(message, LIFECYCLE) or not self._is_mounted:
                raise  # half built or torn down: the exit path (hallterm/tui/faults.py)
            # A fault raised here, while reporting, leaves this method: Textual's exit path takes it.
            carry_on(self, message, error)


def carry_on(node: MessagePump, message: Message, error: Exception) -> None:
    """Log ``error`` with its traceback and say one line where the clerk looks."""
    app = node.app
    log.error("%s: unexpected error in %s handling %s; carrying on", getattr(app, "program", "hallterm"),
              type(node).__name__, type(message).__name__, exc_info=error)
    line = going_on_line()
    screen = node if isinstance(node, Screen) else node.screen if isinstance(node, Widget) else app.screen
    lines = screen.query(MessageLine)
    if screen is app.screen and lines:
        lines.first().say(line, Level.ERROR)
    else:  # no line of its own (a dialog, the display), or not the screen on top: a notification
        app.notify(line, severity="error", timeout=NOTICE_S, markup=False)
    app.bell()
