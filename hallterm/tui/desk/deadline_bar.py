"""The desk's deadline banner: cases overdue and due within 2 working days, and a missing holiday year (S6)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from hallterm.tui.desk.messages import Done

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.services.deadline_sweep import DeadlineCounts


class DeadlinesLoaded(Done):
    """``result``: the deadline counts and the years without holiday data."""

    result: tuple[DeadlineCounts, list[int]]


def deadlines_now(svc: Services) -> tuple[DeadlineCounts, list[int]]:
    """The deadline counts, and the years of the next 365 days without holiday data (the banner is
    worded on the screen, for the role signed in)."""
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.deadline_sweep import deadline_counts

    today = svc.today()
    return deadline_counts(svc), svc.work_calendar.missing_years(today, today + dt.timedelta(days=365))


class DeadlineBar(Static):
    """Hidden while nothing is due; coloured counts otherwise."""

    def show(self, counts: DeadlineCounts, missing_years: list[int], role: str) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.calendar import missing_year_warning

        parts: list[tuple[str, str] | str] = []
        if counts.overdue:
            parts.append((f" 已超期 {counts.overdue} 件 ", "bold white on red"))
            parts.append("  ")
        if counts.due_soon:
            parts.append((f" 2 个工作日内到期 {counts.due_soon} 件 ", "bold black on yellow"))
            parts.append("  ")
        if missing_years:  # worded for this role: desk staff are told whom to tell, admins which file
            parts.append((missing_year_warning(missing_years[0], role), "yellow"))
        self.update(Text.assemble(*parts))
        self.display = bool(parts)
