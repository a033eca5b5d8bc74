"""How long someone has waited, counted one way everywhere (whole minutes, rounded down, never negative)."""

from __future__ import annotations

import datetime as dt


def seconds_between(since: dt.datetime, until: dt.datetime) -> int:
    """Whole seconds from ``since`` to ``until``: what events record (``waited_s``, ``served_s``)."""
    return int((until - since).total_seconds())


def minutes_of(seconds: float) -> int:
    """Whole minutes in a number of seconds: 119 s is 1 minute; a clock set back never gives a negative wait."""
    return max(0, int(seconds // 60))


def minutes_waited(since: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes since ``since``, for lists of who is waiting."""
    return minutes_of((now - since).total_seconds())


def minutes_text(minutes: int) -> str:
    """12 分钟; 2 小时 5 分钟; 38 天 (a case queued since an earlier day: "54698 分钟" says nothing)."""
    if minutes < 60:
        return f"{minutes} 分钟"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")
    return f"{minutes // (24 * 60)} 天"
