"""An unexpected error in a screen: one line with the log's path, the traceback in the log, never on the
terminal, and the program goes on (issue 15 point 7).

Use cases run in thread workers (``tui/desk/background.py``): what they raise already becomes one line
on the screen (``services.errors.explain``, which names the log file). An exception raised by a message
handler itself (``on_…``, ``@on``, ``key_…``; and ``action_…`` methods, which Textual runs while the app
handles the key) would end Textual's message loop of that widget, the program with it, and Textual would
print the traceback with its locals (card numbers, names) on the terminal.

``CarriesOn`` (``tui/widgets/carry_on.py``) wraps ``MessagePump._dispatch_message``, the one call through
which a widget's message loop hands each message to its handlers, and the callbacks hallterm hands to
Textual (``set_timer``, ``set_interval``, ``call_next`` — by which a dialog's result callback runs —,
``call_after_refresh``), which Textual runs outside any message and would otherwise end the program with.
A fault there is logged with its traceback (``hallterm.logfile``), the screen's message line (a
notification where there is none) says one line, and the loop takes the next message. The handler
stopped half-way, like any failed key press; what it saved went through services, whose every call is
one transaction (DESIGN "Layers"), so nothing half saved is left behind. Every screen of hallterm, every
widget with handlers of its own, and the apps (``LoggedFaults``) carry it; ``tests/tui/test_faults.py``
fails for a screen or widget without it. The display and the rating pad schedule their next poll before
drawing what a poll brought, so a fault drawing it does not stop their polling. A fault repeating (a
timer's) is logged every time (the log rotates, ``[log] max_kb``) but said and rung once while its line
or notice is still up.

The program still exits (one line, the log's path, ``LoggedFaults._fatal_error``) where going on is unsafe:
- the app starting (``Load``, ``Compose``, ``Mount``, anything before it is mounted), and a screen or
  widget being composed, mounted or unmounted: what is on screen would be half built or half torn down;
- a fault while reporting a fault (the message line cannot be written): nothing would say what happened;
- what Textual itself catches outside the message dispatch and hallterm's callbacks: its own layout and
  refresh, idle handlers, workers with ``exit_on_error=True`` (hallterm's workers catch their own errors,
  see ``background.py``);
- an exception that is not an ``Exception`` (``KeyboardInterrupt``, ``SystemExit``, cancellation).

It overrides private methods of Textual (``MessagePump._dispatch_message``, ``App._handle_exception``,
``App._fatal_error``) and reads ``MessagePump._is_mounted`` (Textual is pinned exactly);
``tests/tui/test_faults.py`` fails if an upgrade renames them or stops dispatching through them.
"""

from __future__ import annotations

import logging

from rich.text import Text
from textual.app import App

from hallterm import logfile
from hallterm.tui import terminal_guard
from hallterm.tui.widgets.carry_on import CarriesOn

log = logging.getLogger("hallterm.tui")
terminal_guard.install()  # every program with a screen derives from LoggedFaults


class LoggedFaults(CarriesOn, App[int]):
    program = "hallterm"  # how the line names the program
    fault_line = ""  # what was left on the terminal after a fault (none: "")

    def _handle_exception(self, error: Exception) -> None:
        log.error("%s: unexpected error in a screen", self.program, exc_info=error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        where = f"，详情已记入日志 {path}" if (path := logfile.current_path()) else ""
        self.fault_line = f"{self.program} 程序内部错误，已退出{where}。请重新启动；已保存的数据不受影响"
        self.bell()
        self._exit_renderables.append(Text(self.fault_line))  # printed once the terminal is restored
        self._close_messages_no_wait()
