"""The statutory holidays whose dates are certain before the State Council publishes a year's schedule.

《全国年节及纪念日放假办法》 as revised in 2024 (in force from 2025) fixes the days off: 元旦 1 day,
春节 4 days (除夕 and 初一–初三), 清明 1 day (the day of the 清明 solar term), 劳动节 2 days
(5月1–2日), 端午 1 day (五月初五), 中秋 1 day (八月十五), 国庆 3 days (10月1–3日). What the yearly
notice adds — the 调休 that joins them to weekends, and the make-up workdays — cannot be known in
advance, so a deadline past the published schedule is still an estimate (S6, S7: working days).

Lunar dates come from ``borax``'s lunar calendar and the solar term from ``chinese_calendar.get_solar_terms``
(both computed, 1900–2099): never a hand-written table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import chinese_calendar
from borax.calendars.lunardate import LunarDate

FIRST_YEAR = 2025  # the revised rules (除夕 and a second 劳动节 day) apply from this year
_LAST_YEAR = 2099  # the lunar tables of borax end in 2100


@cache
def certain_holidays(year: int) -> Mapping[dt.date, str]:
    """The days off the rules fix for ``year``, with their names; empty outside 2025–2099."""
    if not FIRST_YEAR <= year <= _LAST_YEAR:
        return MappingProxyType({})
    one_day = dt.timedelta(days=1)
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for offset in range(-1, 3):  # 除夕 is the day before 初一, whether the twelfth month has 29 or 30 days
        days[new_year + offset * one_day] = "春节"
    april = chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
    days.update({day: "清明节" for day, name in april if name == "清明"})
    days.update({dt.date(year, 5, 1): "劳动节", dt.date(year, 5, 2): "劳动节"})
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    days.update({dt.date(year, 10, d): "国庆节" for d in (1, 2, 3)})
    return MappingProxyType(days)
