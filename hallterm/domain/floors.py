"""Floor names as the hall writes them (一楼, 二楼, 地下一层): slips, the desk and the display say them alike."""

from __future__ import annotations

_NUMERALS = "一二三四五六七八九"
_NAMED = {1: "一楼", 2: "二楼", 3: "三楼", 4: "四楼", 5: "五楼"}


def floor_name(floor: int | None) -> str:
    """``2`` → 二楼, ``-1`` → 地下一层; a floor the hall has no word for keeps its number (``12`` → 12楼)."""
    if floor is None:
        return ""
    if floor in _NAMED:
        return _NAMED[floor]
    if -len(_NUMERALS) <= floor < 0:
        return f"地下{_NUMERALS[-floor - 1]}层"
    return f"{floor}楼"
