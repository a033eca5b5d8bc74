"""The days of the week as each reader spells them, indexed like ``date.weekday()`` (Monday is 0)."""

from __future__ import annotations

import datetime as dt

NAMES = "一二三四五六日"  # 星期一 … 星期日
NAMES_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # bilingual slips
CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # how the staff file (assets/staff.toml) writes them


def weekday_name(day: dt.date) -> str:
    """星期三."""
    return f"星期{NAMES[day.weekday()]}"


def weekday_name_en(day: dt.date) -> str:
    """Wed."""
    return NAMES_EN[day.weekday()]


def weekday_code(day: dt.date) -> str:
    """wed."""
    return CODES[day.weekday()]
