"""What every command shares: ``CliError`` (the failure a user can act on), and the services a command
opens, with a database or reference error translated into one clear line."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from hallterm.config import Settings
from hallterm.domain.redaction import redact_url
from hallterm.domain.terminal_text import printable

if TYPE_CHECKING:
    from hallterm.services.context import Services


# The days a command may be asked about: 9999-12-31 plus a year overflowed date arithmetic (a fault);
# the margin leaves any later day to the command's own words (a report's "在今天之后").
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9990, 12, 31)


class _PrintableStream:
    """A text stream that lets no control character of data through to the terminal (issue 16 point 2).

    Commands escape what they print from data themselves (``terminal_text.visible``); this guard is the
    one place that holds when a line forgets: ``ESC [2J`` or an OSC 52 clipboard write in a name can then
    still not clear the desk's screen or write to its clipboard."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer …
        return getattr(self._stream, name)


@contextmanager
def printable_output() -> Iterator[None]:
    """While a command runs, what it prints on stdout and stderr passes ``printable``."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _PrintableStream(out), _PrintableStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


class CliError(Exception):
    """A failure the user can act on: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class open_services:
    """Open services for one command; database and reference errors become one clear line."""

    def __init__(self, settings: Settings, *, upgrade: bool = True, must_exist: bool = False) -> None:
        self.settings = settings
        self.upgrade = upgrade
        self.must_exist = must_exist  # a query on a database that is not there is a typo in --db, not a new hall
        self.svc: Services | None = None

    def __enter__(self) -> Services:
        # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
        from sqlalchemy.engine import make_url

        from hallterm.services.context import Services

        url = make_url(self.settings.db.resolved_url())
        if self.must_exist and url.get_backend_name() == "sqlite" and url.database \
                and not Path(url.database).exists():
            raise CliError(f"数据库文件不存在：{url.database}。请检查 --db 或 HALLTERM_DB_URL；"
                           "新的大厅数据库由 hallterm db upgrade 或第一次打开前台时创建")
        try:
            self.svc = Services.open(self.settings, upgrade=self.upgrade)
        except OSError as exc:  # e.g. the SQLite file's folder cannot be created
            raise CliError(f"无法创建或打开数据库文件（{redact_url(self.settings.db.resolved_url())}）："
                           f"{exc.strerror or exc}") from exc
        except Exception as exc:
            raise translate_error(exc, self.settings.db.resolved_url()) from exc
        return self.svc

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if self.svc is not None:
            self.svc.close()
        if exc is not None and not isinstance(exc, CliError | SystemExit | KeyboardInterrupt):
            raise translate_error(exc, self.settings.db.resolved_url()) from exc


def translate_error(exc: BaseException, url: str) -> BaseException:
    """A refusal or an unusable database ends the command with its Chinese line; a fault keeps its traceback."""
    # lazy: services.errors imports SQLAlchemy (~0.5 s), needed only once a command fails
    from hallterm.services.errors import explain, is_expected

    return CliError(explain(exc, url)) if is_expected(exc) else exc
