"""The display's Textual driver under ``display --serve``: textual's WebDriver, made to end when it should.

textual-serve runs one display process per browser with textual's WebDriver. Left as it is, that
process outlived its server: the WebDriver's input thread returns quietly at the end of its stdin (its
server is gone) and the display goes on drawing for nobody, forever. And SIGTERM only reached it
through an asyncio signal handler, which runs when the event loop is free: a loop stuck in a write to a
pipe nobody reads (the WebDriver writes from the loop, blocking) or waiting at exit for a thread
worker blocked in a database call never ran it, so only SIGKILL ended the process.

``ServedDriver`` (chosen by ``TEXTUAL_DRIVER`` in the environment ``serve._DisplayProcess`` gives
each display process) ends it on any of:

* the end of its stdin: the server is gone (killed with -9, crashed) or dropped the session. This is the
  main guard because it cannot miss: the kernel closes the server's end of the pipe whatever ended the
  server, only the server holds that end (asyncio starts each process with close_fds), it needs no
  parent pid that may already have changed, and it is the same on every POSIX system;
* SIGTERM, SIGINT or SIGHUP (systemd's stop, Ctrl+C in the server's terminal, the server's shutdown);
* on Linux, its parent's death, which the kernel turns into a SIGTERM (``PR_SET_PDEATHSIG``): a second
  guard that needs no thread of ours to be alive, for a parent that died without its pipe closing.

Each of them asks the app to exit as the WebDriver's own handler does, and a watchdog thread ends the
process with ``os._exit`` if it has not ended ``EXIT_GRACE`` seconds later: a display shows, it holds
nothing to save, so a hang on the way out must not keep it alive. The signal handler only writes a
byte to a pipe the watchdog reads (a write is safe in a handler; taking a lock there could deadlock).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
import threading
from typing import Any

from textual import messages
from textual.drivers.web_driver import WebDriver

EXIT_GRACE = 3.0  # seconds from the first reason to end to os._exit
END_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Why the watchdog woke up: one byte each through its pipe.
_SIGNAL = b"s"
_INPUT_ENDED = b"e"
_APP_ENDING = b"x"


def die_with_parent() -> bool:
    """Have the kernel send SIGTERM to this process when its parent dies (Linux only); False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


class ServedDriver(WebDriver):
    """textual's WebDriver, plus: ends at the end of its input, on a signal, or with its parent, in bounded time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)  # a handler must never block on a full pipe

    def start_application_mode(self) -> None:
        super().start_application_mode()
        loop = self._loop  # the app's, taken by textual's Driver
        threading.Thread(target=self._watchdog, name="served-display-watchdog", daemon=True).start()
        for number in END_SIGNALS:
            if number in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(number)  # the WebDriver's, which runs only when the loop is free
            signal.signal(number, self._on_signal)
        die_with_parent()
        # The parent may have died before prctl: then stdin is at its end already and the input thread
        # says so; no parent pid check is needed (and a new parent pid proves nothing under a subreaper).

    def stop_application_mode(self) -> None:
        self._wake(_APP_ENDING)  # the app is on its way out: from now on it has EXIT_GRACE seconds
        super().stop_application_mode()

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # not closed by the app's own exit: stdin ended, the server is gone
            self._wake(_INPUT_ENDED)

    def _on_signal(self, number: int, frame: Any) -> None:
        self._wake(_SIGNAL)

    def _wake(self, reason: bytes) -> None:
        with contextlib.suppress(OSError):  # the pipe is full: the watchdog has been woken already
            os.write(self._wake_write, reason)

    def _watchdog(self) -> None:
        reason = os.read(self._wake_read, 1)
        if reason != _APP_ENDING:
            # What the WebDriver's own signal handler does, from this thread. A loop closed meanwhile
            # (RuntimeError): the process is ending anyway.
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._app._post_message(messages.ExitApp()), self._loop)
        threading.Event().wait(EXIT_GRACE)
        # Still here: the exit hangs (a write nobody reads, a worker blocked in the database). A display
        # keeps nothing that needs saving: end now, and say so where the server (if any) logs it.
        with contextlib.suppress(OSError):
            os.write(2, "叫号显示进程未能按时正常退出，已强制结束\n".encode())
        os._exit(0)
