"""Booking, rescheduling, cancelling and marking appointments missed (S6 预约服务, issue 12).

Each call that changes something is one write transaction that appends its event. A seat is taken
with the guarded counter of ``storage.appointments`` (never over capacity, whatever the number of
terminals); the holder's row is locked first so the one-per-item rule holds under concurrency too.
The hours and the days' slots are ``appointment_slots``'s; an appointment as staff read it, the day's
call list and a holder's bookings are ``appointment_views``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import Connection

from hallterm.domain.appointments import (
    STATUS_NAMES,
    AppointmentError,
    Booked,
    SlotFull,
    appointment_no,
    check_day,
    check_not_started,
    check_one_per_item,
    check_phone,
    check_reason,
    choose_slot,
    parse_items,
)
from hallterm.domain.cards import ScanError, parse_scan
from hallterm.domain.events import EventKind
from hallterm.domain.holders import assess
from hallterm.domain.hours import Hours, Slot, slots_of_day
from hallterm.domain.queue import AppointmentStatus
from hallterm.services.appointment_slots import checked_section, day_schedule, day_slots, hall_hours, local_now
from hallterm.services.appointment_views import AppointmentView, as_view, names_of_items
from hallterm.services.cards import check_card, find_holder
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import appointments as store
from hallterm.storage import events
from hallterm.storage.catalog import active_items
from hallterm.storage.tickets import AppointmentRow, get_appointment, insert_appointment

MAX_ITEM_CODES = 400  # appointments.item_codes


def _staff_id(session: StaffSession | None) -> str | None:
    if session is not None:
        session.require("book_appointment")
        return session.staff_id
    return None  # the command line: whoever runs it is trusted like `hallterm sweep`


def _card_no(svc: Services, card_text: str, staff_id: str | None, day: dt.date) -> str:
    """The card number, refused in the desk's own words when the desk would refuse the card (S4)."""
    try:
        scan = parse_scan(card_text, svc.card_format)
    except ScanError as exc:
        raise AppointmentError(str(exc)) from None
    if scan.kind != "card":
        raise AppointmentError("这不是钢都英才卡号：预约请扫描或输入持卡人的卡号")
    check = check_card(svc, card_text, staff_id=staff_id)
    if not check.ok:
        raise AppointmentError(f"不能预约：{check.message}")
    on_day = assess(check.holder, scan.card_no, day, svc.settings.cards.eligible_tiers)
    if not on_day.ok:  # valid today, but not on the day booked (it expires before)
        raise AppointmentError(f"不能预约 {day:%Y-%m-%d}：到那天{on_day.message}")
    return scan.card_no


def items_section(svc: Services, items: Iterable[str]) -> str | None:
    """The items' own department when they share one that takes appointments; else None (any section)."""
    wanted = set(items)
    if not wanted:
        return None
    with svc.db.read() as conn:
        departments = {i.department for i in active_items(conn) if i.code in wanted}
    if len(departments) == 1 and next(iter(departments)) in hall_hours(svc).sections:
        return next(iter(departments))
    return None


def _default_section(svc: Services, hours: Hours, items: tuple[str, ...]) -> str:
    """The items' own department when they share one that takes appointments; else the file's first section."""
    return items_section(svc, items) or hours.sections[0]


def _slot(svc: Services, hours: Hours, day: dt.date, start: str, section: str) -> Slot:
    check_day(day, svc.today(), svc.settings.appointments.horizon_days)
    schedule = day_schedule(svc, day)
    cutoff = svc.settings.appointments.cutoff_minutes
    slot = choose_slot(schedule, slots_of_day(hours, schedule, section), _hhmm(start), section,
                       now_local=local_now(svc), cutoff_minutes=cutoff)
    check_not_started(slot, local_now(svc), cutoff)
    return slot


def _hhmm(text: str) -> str:
    """9:30, 09:30 and 0930 are the same slot."""
    cleaned = text.strip().replace("：", ":")
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) in (3, 4):
        cleaned = f"{cleaned[:-2]}:{cleaned[-2:]}"
    hour, sep, minute = cleaned.partition(":")
    if not sep or not (hour.isascii() and hour.isdigit() and minute.isascii() and minute.isdigit()) \
            or len(minute) != 2 or not (0 <= int(hour) < 24 and 0 <= int(minute) < 60):
        raise AppointmentError(f"时段 {text!r} 应写成 HH:MM，例如 09:30")
    return f"{int(hour):02d}:{minute}"


def _full(svc: Services, slot: Slot) -> SlotFull:
    free = [s for s in day_slots(svc, slot.day, slot.section).slots if s.bookable]
    offer = "、".join(s.start for s in free[:8]) + ("…" if len(free) > 8 else "")
    rest = f"当天 {slot.section} 还有空位的时段：{offer}" if free else "当天已无空位，请选其他日期"
    return SlotFull(f"{slot.day:%Y-%m-%d} {slot.start} 的时段已约满（每时段 {slot.capacity} 位）：{rest}")


def _booked(rows: list[AppointmentRow]) -> list[Booked]:
    return [Booked(r.id, r.day, r.slot_start, as_view(r).items) for r in rows]


def book(svc: Services, session: StaffSession | None, card_text: str, day: dt.date, slot_start: str, *,
         section: str | None = None, items: str = "", phone: str | None = None, note: str = "",
         within: Callable[[Connection, AppointmentRow], None] | None = None) -> AppointmentView:
    """Book a slot for a card holder (S6). ``phone`` None takes the roster's; refused in Chinese when full,
    outside the hours, started, beyond the horizon, a duplicate, or for a card the desk refuses.

    ``within`` runs inside the booking's transaction with the new appointment (an early consultation links
    it there, S5): what it raises undoes the booking too."""
    staff_id = _staff_id(session)
    hours = hall_hours(svc)
    if not hours.slots:
        raise AppointmentError("assets/hours.toml 没有任何 [[slots]] 预约时段：请先与大厅确认并填写")
    card_no = _card_no(svc, card_text, staff_id, day)
    with svc.db.read() as conn:
        codes = parse_items(items, [i.code for i in active_items(conn)])
    chosen = checked_section(hours, section) or _default_section(svc, hours, codes)
    slot = _slot(svc, hours, day, slot_start, chosen)
    typed_phone = check_phone(phone) if phone is not None else None
    note = " ".join(note.split())
    if len(note) > 200:
        raise AppointmentError(f"备注最多 200 个字，现在 {len(note)} 个")
    if len(",".join(codes)) > MAX_ITEM_CODES:
        raise AppointmentError("一次预约的事项太多：请分成几次预约")
    now = svc.now()
    try:
        appointment_id, row, names = _book(svc, staff_id, card_no, slot, codes, typed_phone, note, now, within)
    except _Full:
        raise _full(svc, slot) from None
    return as_view(row, f"已预约 {appointment_no(appointment_id)}：{slot.day:%Y-%m-%d} {slot.start}–{slot.end} "
                      f"{slot.section}", names)


class _Full(Exception):
    """Inside a transaction: the slot's guarded counter refused the seat."""


def _book(svc: Services, staff_id: str | None, card_no: str, slot: Slot, codes: tuple[str, ...],
          typed_phone: str | None, note: str, now: dt.datetime,
          within: Callable[[Connection, AppointmentRow], None] | None) -> tuple[int, AppointmentRow, dict[str, str]]:
    with svc.db.write() as conn:
        holder = store.lock_holder(conn, card_no)
        if holder is None:  # removed from the roster since the check, a moment ago
            raise AppointmentError(f"卡号 {card_no} 不在人才名册中")
        active = store.active_of_holder(conn, holder.holder_id, svc.today())
        check_one_per_item(codes, _booked(active), names=names_of_items(conn, active))
        if store.take_seat(conn, slot.section, slot.day, slot.start, slot.capacity) is None:
            raise _Full  # the free slots are looked up once the transaction is over
        appointment_id = insert_appointment(
            conn, holder_id=holder.holder_id, day=slot.day, slot_start=slot.start, slot_end=slot.end,
            created_at=now, item_codes=",".join(codes), after_hours=slot.after_hours, section=slot.section,
            phone=typed_phone if typed_phone is not None else holder.phone, note=note)
        events.append(conn, EventKind.APPOINTMENT_BOOKED, now, staff_id=staff_id, card_no=card_no,
                      appointment_id=appointment_id, day=slot.day.isoformat(), slot=f"{slot.start}-{slot.end}",
                      section=slot.section, items=list(codes), after_hours=slot.after_hours)
        row = _get(conn, appointment_id)
        if within is not None:
            within(conn, row)
        names = names_of_items(conn, [row])
    return appointment_id, row, names


def _get(conn: Connection, appointment_id: int, *, lock: bool = True) -> AppointmentRow:
    row = store.get_for_update(conn, appointment_id) if lock else get_appointment(conn, appointment_id)
    if row is None:
        raise AppointmentError(f"找不到预约 {appointment_no(appointment_id)}：请核对预约回执上的编号")
    return row


def _require_booked(row: AppointmentRow, doing: str) -> None:
    if row.status != AppointmentStatus.BOOKED:
        raise AppointmentError(f"预约 {appointment_no(row.id)} {STATUS_NAMES[AppointmentStatus(row.status)]}，"
                               f"不能{doing}")


def reschedule(svc: Services, session: StaffSession | None, appointment_id: int, day: dt.date, slot_start: str,
               *, reason: str, section: str | None = None) -> AppointmentView:
    """Move a booked appointment to another slot, in one transaction: the new seat is taken and the old one
    given back, or neither (the new slot is full)."""
    staff_id = _staff_id(session)
    why = check_reason(reason, "改期")
    hours = hall_hours(svc)
    with svc.db.read() as conn:
        current = _get(conn, appointment_id, lock=False)
    _require_booked(current, "改期")
    chosen = checked_section(hours, section) or current.section or hours.sections[0]
    slot = _slot(svc, hours, day, slot_start, chosen)
    if (slot.day, slot.start, slot.section) == (current.day, current.slot_start, current.section):
        raise AppointmentError("新时段与原时段相同：请选另一个时段")
    assess_day = assess(find_holder(svc, current.card_no), current.card_no, slot.day,
                        svc.settings.cards.eligible_tiers)
    if not assess_day.ok:
        raise AppointmentError(f"不能改到 {slot.day:%Y-%m-%d}：{assess_day.message}")
    now = svc.now()
    try:
        moved = _move(svc, staff_id, appointment_id, slot, why, now)
    except _Full:
        raise _full(svc, slot) from None
    with svc.db.read() as conn:
        names = names_of_items(conn, [moved])
    return as_view(moved, f"已改期 {appointment_no(moved.id)}：{slot.day:%Y-%m-%d} {slot.start}–{slot.end} "
                        f"{slot.section}", names)


def _move(svc: Services, staff_id: str | None, appointment_id: int, slot: Slot, why: str,
          now: dt.datetime) -> AppointmentRow:
    with svc.db.write() as conn:
        row = _get(conn, appointment_id)
        _require_booked(row, "改期")
        old_key, new_key = (row.section, row.day, row.slot_start), (slot.section, slot.day, slot.start)
        if old_key < new_key:  # two seat rows, always locked in the same order: two opposite moves never deadlock
            store.free_seat(conn, *old_key)
        if store.take_seat(conn, *new_key, slot.capacity) is None:
            raise _Full  # rolls the freed seat back
        if new_key < old_key:
            store.free_seat(conn, *old_key)
        if not store.move(conn, row.id, day=slot.day, slot_start=slot.start, slot_end=slot.end,
                          section=slot.section, after_hours=slot.after_hours):
            raise AppointmentError("该预约刚刚已在其他终端改动：请刷新后再试")
        events.append(conn, EventKind.APPOINTMENT_RESCHEDULED, now, staff_id=staff_id, card_no=row.card_no,
                      appointment_id=row.id, reason=why,
                      moved_from=f"{row.day.isoformat()} {row.slot_start} {row.section}",
                      moved_to=f"{slot.day.isoformat()} {slot.start} {slot.section}")
        return _get(conn, appointment_id)


def _release(conn: Connection, row: AppointmentRow, status: AppointmentStatus, verb: str) -> None:
    """A booked appointment ends without a visit (cancelled, missed): its seat goes back at once."""
    _require_booked(row, verb)
    if not store.set_status(conn, row.id, AppointmentStatus.BOOKED, status):
        raise AppointmentError("该预约刚刚已在其他终端改动：请刷新后再试")
    store.free_seat(conn, row.section, row.day, row.slot_start)


def cancel(svc: Services, session: StaffSession | None, appointment_id: int, *, reason: str) -> AppointmentView:
    """Cancel a booked appointment; its seat is free at once."""
    staff_id = _staff_id(session)
    why = check_reason(reason, "取消预约")
    with svc.db.write() as conn:
        row = _get(conn, appointment_id)
        _release(conn, row, AppointmentStatus.CANCELLED, "取消")
        events.append(conn, EventKind.APPOINTMENT_CANCELLED, svc.now(), staff_id=staff_id, card_no=row.card_no,
                      appointment_id=row.id, reason=why, day=row.day.isoformat(), slot=row.slot_start,
                      section=row.section)
        done = _get(conn, appointment_id)
    return as_view(done, f"已取消预约 {appointment_no(row.id)}，该时段空出一个名额")


def mark_missed(svc: Services, session: StaffSession | None, appointment_id: int) -> AppointmentView:
    """A booked appointment nobody checked in: missed (失约), and its seat is given back.

    Deciding *when* (its end plus a grace period, by the sweep and the desk's timer) is issue 12 point 5.
    """
    staff_id = _staff_id(session)
    with svc.db.write() as conn:
        row = _get(conn, appointment_id)
        _release(conn, row, AppointmentStatus.MISSED, "标记失约")
        events.append(conn, EventKind.APPOINTMENT_MISSED, svc.now(), staff_id=staff_id, card_no=row.card_no,
                      appointment_id=row.id, day=row.day.isoformat(), slot=row.slot_start, section=row.section)
        done = _get(conn, appointment_id)
    return as_view(done, f"预约 {appointment_no(row.id)} 已标记失约")
