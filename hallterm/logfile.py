"""Each program's rotating log file (issue 15 point 7): start, stop, version, database, errors with their
tracebacks and slow operations — for the hall's IT person, never on the clerk's screen.

Where: ``[log] dir``; by default beside the SQLite database (``db/`` in the repository, the data folder
when installed), or the user log folder (platformdirs) for PostgreSQL. One file per program
(``hallterm-desk.log``, ``-display``, ``-rate``, ``-cli``), rotated at ``max_kb`` keeping ``backups``
old files; files 0600 and their folder 0700 (a traceback may hold a card number).

Stdlib only: the desk's start-up budget leaves no room for more.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import logging.handlers
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hallterm import __version__
from hallterm.domain.redaction import redact_url

if TYPE_CHECKING:
    from hallterm.config import Settings

LOGGER = "hallterm"
_state: dict[str, object] = {}


def log_dir(settings: Settings) -> Path:
    if settings.log.dir:
        return Path(settings.log.dir).expanduser()
    url = settings.db.resolved_url()
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).expanduser().parent
    import platformdirs  # lazy: only a PostgreSQL hall needs it (Textual loads it anyway)

    return platformdirs.user_log_path("hallterm", appauthor=False)


def setup(program: str, settings: Settings) -> Path | None:
    """Start logging ``program`` into its file; None when the folder cannot be written (said once on stderr)."""
    path = log_dir(settings) / f"hallterm-{program}.log"
    if not settings.log.dir and not path.parent.is_dir():
        # Beside a database that is not there yet: a typo in --db must create nothing (the command says
        # so), and a new hall's first run logs from its next start.
        return None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))  # 0600 from its first byte
        handler = _OwnerOnlyRotatingHandler(path, maxBytes=settings.log.max_kb * 1024,
                                            backupCount=settings.log.backups, encoding="utf-8",
                                            # a path or value with undecodable bytes (a Linux argv or variable)
                                            # is logged escaped, never a "Logging error" traceback on stderr
                                            errors="backslashreplace")
    except OSError as exc:
        from hallterm.domain.os_errors import os_error_words  # lazy: only once writing failed

        print(f"无法写入日志文件 {path}（{os_error_words(exc)}）：程序照常运行，但不记录日志。"
              "请检查 [log] dir 设置或目录权限", file=sys.stderr)
        return None
    handler.setFormatter(_Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER)
    for old in list(logger.handlers):  # a second setup in one process (tests): one file at a time
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # never to the terminal: the screen shows no traceback
    _state.update(path=path, slow_ms=settings.log.slow_ms, program=program)
    logger.info("start %s, hallterm %s, database %s", program, __version__,
                without_password(settings.db.resolved_url()))
    if not _state.get("atexit"):
        atexit.register(_stop)
        _state["atexit"] = True
    return path


# Exceptions whose text may quote a row's values: SQLAlchemy's (a statement's parameters, unless hidden),
# the drivers' (PostgreSQL's DETAIL "Key (card_no)=(…)", "invalid input syntax … \"…\"").
_DATABASE_MODULES = ("sqlalchemy.", "psycopg", "sqlite3", "_sqlite3")
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def _is_database_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(_DATABASE_MODULES)


def _database_error_code(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    if sqlstate := getattr(orig, "sqlstate", None):
        return f"SQLSTATE {sqlstate}"
    return str(getattr(orig, "sqlite_errorname", None) or type(orig).__name__)


def format_exception(exc: BaseException) -> str:
    """A traceback for the log with a database error's text replaced by its code (issue 16 point 4): the
    frames show where it failed; the server's words, which may quote a resident ID number, stay out."""
    chain: list[tuple[BaseException, str]] = []  # the exception, and what joins it to the one after it
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    parts: list[str] = []
    for error, joint in reversed(chain):
        kind = type(error)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        text = (f"(text withheld: it may quote row data; {_database_error_code(error)})"
                if _is_database_error(error) else str(error))
        frames = "".join(traceback.format_tb(error.__traceback__)) if error.__traceback__ else ""
        parts.append(("Traceback (most recent call last):\n" + frames if frames else "") + f"{name}: {text}\n")
        parts.append(joint)
    return "".join(parts).rstrip("\n")


class _Formatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:
        exc = ei[1] if isinstance(ei, tuple) else None
        return format_exception(exc) if isinstance(exc, BaseException) else super().formatException(ei)


def without_password(url: str) -> str:
    """The database URL as a log may hold it (SQLAlchemy's own would cost the desk its import time)."""
    return redact_url(url)


def close() -> None:
    """Stop writing the log file (a program that ends; each test, so one's log never leaks into the next)."""
    _stop()
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.propagate = True
    _state.pop("path", None)
    _state.pop("slow_ms", None)


def current_path() -> Path | None:
    path = _state.get("path")
    return path if isinstance(path, Path) else None


def slow(what: str, started: float) -> None:
    """Log ``what`` when it took longer than ``[log] slow_ms`` since ``started`` (time.perf_counter())."""
    ms = (time.perf_counter() - started) * 1000
    limit = _state.get("slow_ms")
    if isinstance(limit, int) and ms > limit:
        logging.getLogger(LOGGER).warning("slow: %s took %.0f ms (over %d ms)", what, ms, limit)


def _stop() -> None:
    if current_path() is not None:
        logging.getLogger(LOGGER).info("stop %s", _state.get("program"))


class _OwnerOnlyRotatingHandler(logging.handlers.RotatingFileHandler):
    _failing = False  # the last line could not be written (said once on stderr until one is written again)
    _failed_now = False

    def _open(self) -> io.TextIOWrapper:
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)  # a rotated-in new file too
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        super().emit(record)  # a failure comes back through handleError
        if not self._failed_now:
            self._failing = False

    def handleError(self, record: logging.LogRecord) -> None:
        """A log file that cannot be written (a full disk, issue 15 point 4) is said once, in Chinese: by
        default logging prints a traceback on stderr for every line, in the middle of a command's output."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)
            return
        self._failed_now = True
        if not self._failing:
            self._failing = True
            from hallterm.domain.os_errors import os_error_words  # lazy: only once writing failed

            print(f"无法写入日志文件 {self.baseFilename}（{os_error_words(exc)}）：程序照常运行，但暂不记录日志。"
                  "请检查磁盘空间", file=sys.stderr)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the last lines could not be flushed (a full disk): said already
            super().close()
