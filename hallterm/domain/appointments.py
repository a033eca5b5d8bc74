"""Booking rules for appointments (S6 预约服务): which slot, how far ahead, one per holder and item.

Pure: the caller passes the hall-local ``now``, the day's slots (``hours.slots_of_day``) and what is
already booked. Capacity itself is held by the storage layer (a guarded counter row per slot), since
only the database sees every terminal at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hallterm.domain.errors import Refused
from hallterm.domain.hours import DayHours, Slot, minutes_of
from hallterm.domain.queue import AppointmentStatus

GENERAL = "咨询"  # the item key of an appointment booked without items (a consultation): one at a time too
MAX_REASON = 200
MAX_NOTE = 200
_PHONE = re.compile(r"[0-9][0-9-]{4,19}")  # mobile, landline with area code and extension

STATUS_NAMES = {AppointmentStatus.BOOKED: "已预约", AppointmentStatus.CHECKED_IN: "已签到",
                AppointmentStatus.CANCELLED: "已取消", AppointmentStatus.MISSED: "失约"}


class AppointmentError(Refused, ValueError):
    """A booking, reschedule or cancellation that cannot be done; ``str()`` says why and what to do."""


class SlotFull(AppointmentError):
    """Every seat of the slot is taken (raised by the service after the guarded counter refused)."""


@dataclass(frozen=True)
class Booked:
    """An active appointment of the holder, for the one-per-item rule."""

    appointment_id: int
    day: dt.date
    slot_start: str
    items: tuple[str, ...]


def appointment_no(appointment_id: int) -> str:
    """The number staff read out and the slip prints: 000123."""
    return f"{appointment_id:06d}"


def parse_appointment_no(text: str) -> int:
    cleaned = text.strip().lstrip("#")
    if not cleaned.isascii() or not cleaned.isdigit() or int(cleaned) < 1:
        raise AppointmentError(f"预约编号 {text!r} 应为数字，例如 000123（见预约回执）")
    return int(cleaned)


def parse_items(text: str, known: Iterable[str]) -> tuple[str, ...]:
    """``QY-GSSL,SM-CPYLS`` (commas, spaces or 、) → the codes, checked against the catalog, no repeats."""
    codes = [c.strip().upper() for c in re.split(r"[,，、\s]+", text) if c.strip()]
    catalog = {k.upper(): k for k in known}
    unknown = [c for c in codes if c not in catalog]
    if unknown:
        raise AppointmentError(f"事项编码 {'、'.join(unknown)} 不在事项清单中：请核对（清单见 assets/items.toml）")
    return tuple(dict.fromkeys(catalog[c] for c in codes))


def item_keys(items: Iterable[str]) -> tuple[str, ...]:
    keys = tuple(items)
    return keys or (GENERAL,)


def check_phone(text: str) -> str:
    phone = text.strip().replace(" ", "")
    if phone and not _PHONE.fullmatch(phone):
        if re.fullmatch(r"[0-9-]+", phone):  # digits, but too short or too long for a phone number
            raise AppointmentError(f"电话 {text!r} 位数不对（{sum(c.isdigit() for c in phone)} 位）："
                                   "手机 11 位，座机带区号，例如 13812345678 或 0412-5551234")
        raise AppointmentError(f"电话 {text!r} 应为数字（可含 -），例如 13812345678 或 0412-5551234")
    return phone


def check_reason(text: str, what: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise AppointmentError(f"{what}需要填写原因（例如：持卡人来电改期）")
    if len(reason) > MAX_REASON:
        raise AppointmentError(f"原因最多 {MAX_REASON} 个字，现在 {len(reason)} 个")
    return reason


def check_day(day: dt.date, today: dt.date, horizon_days: int) -> None:
    if day < today:
        raise AppointmentError(f"{day:%Y-%m-%d} 已经过去：请选今天或以后的日期")
    last = today + dt.timedelta(days=horizon_days)
    if day > last:
        raise AppointmentError(f"只能预约 {horizon_days} 天以内（至 {last:%Y-%m-%d}）：{day:%Y-%m-%d} 太远，请到时再约")


def choose_slot(hours: DayHours, slots: list[Slot], start: str, section: str, *,
                now_local: dt.datetime | None = None, cutoff_minutes: int = 0) -> Slot:
    """The slot of ``section`` starting at ``start`` on the day, or why there is none. With ``now_local``
    (hall time), a refusal offers only the slots that have not started."""
    if not hours.windows:
        raise AppointmentError(f"{hours.day:%Y-%m-%d} {hours.label}，不接受预约：请选其他日期")
    own = [s for s in slots if s.section == section]
    if not own:
        raise AppointmentError(f"{section} {hours.day:%Y-%m-%d} 没有预约时段：请选其他日期或科室")
    found = next((s for s in own if s.start == start), None)
    if found is not None:
        return found
    ahead = [s for s in own if now_local is None or _not_started(s, now_local, cutoff_minutes)]
    offered = "、".join(s.start for s in ahead[:12]) + ("…" if len(ahead) > 12 else "") if ahead \
        else "当天已无可约时段，请选其他日期"
    inside = next((s for s in own if s.start < start < s.end), None)
    if inside is not None:  # in the hours, between two slot starts
        after = next((s for s in own if s.start > start), None)
        near = inside.start + (f" 或 {after.start}" if after is not None else "")
        raise AppointmentError(f"{hours.day:%Y-%m-%d} 没有 {start} 开始的时段：{section}的时段每 "
                               f"{minutes_of(inside.end) - minutes_of(inside.start)} 分钟一段，从整段开始"
                               f"（如 {near}）；可选 {offered}")
    raise AppointmentError(f"{hours.day:%Y-%m-%d} 没有 {start} 开始的时段（{section}，不在预约时间内）："
                           f"可选 {offered}")


def _not_started(slot: Slot, now_local: dt.datetime, cutoff_minutes: int) -> bool:
    try:
        check_not_started(slot, now_local, cutoff_minutes)
    except AppointmentError:
        return False
    return True


def check_not_started(slot: Slot, now_local: dt.datetime, cutoff_minutes: int) -> None:
    """No booking for a slot that has started (or starts within the cut-off); ``now_local`` is hall time."""
    starts = dt.datetime.combine(slot.day, dt.time(minutes_of(slot.start) // 60, minutes_of(slot.start) % 60))
    latest = starts - dt.timedelta(minutes=cutoff_minutes)
    if now_local.replace(tzinfo=None) >= latest:
        more = f"（需提前 {cutoff_minutes} 分钟预约）" if cutoff_minutes else ""
        raise AppointmentError(f"{slot.day:%Y-%m-%d} {slot.start} 的时段已开始或已截止{more}："
                               "请选以后的时段，或直接到大厅现场取号")


def check_one_per_item(items: tuple[str, ...], active: Iterable[Booked], *, ignore: int | None = None,
                       names: Mapping[str, str] | None = None) -> None:
    """One active appointment per holder and item: a second would hold a seat another holder needs.
    ``names`` (code → the catalog's name) words the refusal as staff know the items."""
    wanted = set(item_keys(items))
    for booked in active:
        if booked.appointment_id == ignore:
            continue
        shared = wanted & set(item_keys(booked.items))
        if shared:
            named = "、".join((names or {}).get(c, c) for c in sorted(shared))
            raise AppointmentError(
                f"持卡人已有 {named} 的预约（{appointment_no(booked.appointment_id)}，"
                f"{booked.day:%Y-%m-%d} {booked.slot_start}）：请改期或先取消原预约")


# --- arrival and misses (issue 12 point 5) --------------------------------------------------------


def _at(day: dt.date, hhmm_text: str) -> dt.datetime:
    minutes = minutes_of(hhmm_text)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))


def outside_window(day: dt.date, slot_start: str, now_local: dt.datetime, early_minutes: int,
                   late_minutes: int) -> tuple[bool, str]:
    """How an arrival at ``now_local`` (hall time) stands to the slot's check-in window (S6):
    ``(walk_in, why)``, ``(False, "")`` inside it.

    Late (past the window) the visitor gets a walk-in ticket: the appointment's priority is for those
    who come at their time, so a late arrival does not jump the walk-ins. Early, the ticket is still
    the appointment's, and the calling policy keeps it behind the walk-ins until it is due."""
    start = _at(day, slot_start)
    now = now_local.replace(tzinfo=None)
    opens = start - dt.timedelta(minutes=early_minutes)
    closes = start + dt.timedelta(minutes=late_minutes)
    if now < opens:
        return False, f"来早了：{slot_start} 的预约 {opens:%H:%M} 起签到，此前按现场顺序排队"
    if now > closes:
        return True, f"已迟到：{slot_start} 的预约签到截至 {closes:%H:%M}"
    return False, ""


def missed_after(day: dt.date, slot_end: str, grace_minutes: int) -> dt.datetime:
    """When an appointment nobody checked in becomes missed (失约): its slot's end plus the grace (hall time)."""
    return _at(day, slot_end) + dt.timedelta(minutes=grace_minutes)


def repeated_misses(misses: int, threshold: int, days: int) -> str:
    """The line the booking screen shows for a holder who often does not come; "" below the threshold.
    Shown, never enforced: the policy (S6) has no ban for missed appointments."""
    if misses < threshold:
        return ""
    return f"注意：该持卡人近 {days} 天内已失约 {misses} 次（仅提示，不影响预约）"
