"""An unexpected error in a screen: its traceback goes to the log, never to the terminal (issue 15 point 7).

Use cases run in thread workers (``tui/desk/background.py``): what they raise already becomes one line
on the screen (``services.errors.explain``, which names the log file) and the program carries on. An
exception raised by a message handler itself ends Textual's message loop of that widget, so the program
cannot safely go on; Textual then prints the traceback with its locals (card numbers, names) on the
terminal. ``LoggedFaults`` logs it instead and leaves one Chinese line saying where the log is.

It overrides two private methods of ``textual.app.App`` (Textual is pinned exactly);
``tests/tui/test_faults.py`` fails if a Textual upgrade renames them.
"""

from __future__ import annotations

import logging

from rich.text import Text
from textual.app import App

from hallterm import logfile
from hallterm.tui import terminal_guard

log = logging.getLogger("hallterm.tui")
terminal_guard.install()  # every program with a screen derives from LoggedFaults


class LoggedFaults(App[int]):
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
