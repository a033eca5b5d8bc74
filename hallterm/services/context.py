"""What every use case needs: settings, the database and a clock (injected, so tests can move time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from hallterm.config import Settings
from hallterm.domain.cards import CardFormat
from hallterm.domain.workdays import WorkCalendar
from hallterm.services.calendar import default_calendar
from hallterm.storage import migrate
from hallterm.storage.engine import Database


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Callable[[], dt.datetime] = field(default=utc_now)

    @classmethod
    def open(cls, settings: Settings, *, upgrade: bool = True,
             clock: Callable[[], dt.datetime] = utc_now) -> Services:
        """Connect, and create or migrate the schema on first use (DESIGN.md: storage)."""
        db = Database(settings.db.resolved_url(), busy_timeout_ms=settings.db.busy_timeout_ms,
                      echo=settings.db.echo, pool_size=settings.db.pool_size, max_overflow=settings.db.max_overflow)
        if upgrade:
            migrate.ensure_current(db)
        return cls(settings, db, clock)

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        """The hall's local business day."""
        return self.now().astimezone(self.settings.hall.tz).date()

    @cached_property
    def work_calendar(self) -> WorkCalendar:
        """Working days: chinese-calendar plus the hall's files, read once per terminal (S6)."""
        return default_calendar(self.settings.paths.assets_dir)

    @cached_property
    def card_format(self) -> CardFormat:
        return CardFormat(self.settings.cards.pattern, self.settings.cards.check)

    def close(self) -> None:
        self.db.dispose()
