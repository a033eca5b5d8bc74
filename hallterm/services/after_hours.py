"""The after-hours desk (S6 延时服务: 全年365天无间断受理; issue 12 point 6).

- The duty roster (``[[duty]]`` in assets/staff.toml): outside the regular hours of assets/hours.toml,
  who receives a case opened at the desk — a duty coordinator, or the after-hours staff member who
  opened it. ``services.cases`` routes by it; the visit slip says so.
- What the after-hours desk shows first: tonight's and the coming weekend's appointments.
- The handover list (交接单) for the day shift: cases opened after hours, appointments booked after
  hours, and visitors left waiting after hours, since the list was last acknowledged. Acknowledging is
  one ``handover_acknowledged`` event in the events log, naming the last event the list covered (what
  came after the clerk looked stays on the next list).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection

from hallterm.domain.cases import STATUS_NAMES, CaseStatus
from hallterm.domain.errors import Refused
from hallterm.domain.events import EventKind
from hallterm.domain.hours import DayKind, WindowKind
from hallterm.domain.ids import mask_name
from hallterm.domain.queue import AppointmentStatus
from hallterm.domain.reference import DUTY_SELF, Duty, duty_at
from hallterm.domain.weekdays import weekday_code
from hallterm.services.appointment_slots import day_schedule
from hallterm.services.appointment_views import AppointmentView, call_list, view_of
from hallterm.services.case_views import case_at
from hallterm.services.context import Services
from hallterm.services.reference import STAFF_FILE, read_duty
from hallterm.services.staff import StaffSession
from hallterm.storage import events
from hallterm.storage import staff as staff_store
from hallterm.storage.tickets import get_appointment

# The handover list is read in pages of this many events, by id, from the last acknowledgment: never by
# age — over a week-long holiday (Spring Festival, National Day) the first evenings must still reach the
# day shift (S6). The id range since the last acknowledgment is the query's bound.
HANDOVER_PAGE = 2000

_DUTY: dict[Path, tuple[float, tuple[Duty, ...]]] = {}


def duty_roster(svc: Services) -> tuple[Duty, ...]:
    """The ``[[duty]]`` lines of assets/staff.toml, re-read when the file changes (each terminal reads it)."""
    assets = svc.settings.paths.assets_dir
    path = assets / STAFF_FILE
    stamp = path.stat().st_mtime if path.exists() else 0.0
    cached = _DUTY.get(assets)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    roster = read_duty(assets)
    _DUTY[assets] = (stamp, roster)
    return roster


def local_now(svc: Services) -> dt.datetime:
    return svc.now().astimezone(svc.settings.hall.tz)


def is_after_hours(svc: Services, local: dt.datetime) -> bool:
    """Outside the day's regular hours (assets/hours.toml): before the first regular window opens, after
    the last one closes, or all day on a weekend, holiday or closed day. The noon break is not after hours
    (the counter is staffed)."""
    schedule = day_schedule(svc, local.date())
    regular = [w for w in schedule.windows if w.kind is WindowKind.REGULAR]
    if not regular:
        return True
    now = f"{local:%H:%M}"
    return now < min(w.start for w in regular) or now >= max(w.end for w in regular)


def duty_period(svc: Services, local: dt.datetime) -> str:
    """What the visit slip calls the time the roster applied (S6): a holiday's duty, a weekend's (or a
    closed day's) duty, or a working day's extended hours."""
    kind = day_schedule(svc, local.date()).kind
    if kind is DayKind.HOLIDAY:
        return "节假日值班"
    if kind in (DayKind.WEEKEND, DayKind.CLOSED):
        return "值班时段"
    return "延时服务时段"


class DutyKind(StrEnum):
    COORDINATOR = "coordinator"  # the roster names a duty coordinator
    SELF = "self"  # the after-hours staff member who opened the case receives it


DUTY_NAMES = {DutyKind.COORDINATOR: "值班协调员", DutyKind.SELF: "值班人员"}


@dataclass(frozen=True)
class DutyReceiver:
    staff_id: str
    name: str
    extension: str
    kind: DutyKind


def duty_receiver(svc: Services, conn: Connection, local: dt.datetime, staff_id: str | None) -> DutyReceiver | None:
    """Who receives a case opened now, when it is after hours and a roster line covers now; else None
    (the case is routed to a coordinator on shift, as in the day)."""
    if not is_after_hours(svc, local):
        return None
    holiday = day_schedule(svc, local.date()).kind is DayKind.HOLIDAY
    line = duty_at(duty_roster(svc), weekday_code(local), f"{local:%H:%M}", holiday=holiday)
    if line is None:
        return None
    kind = DutyKind.SELF if line.receiver == DUTY_SELF else DutyKind.COORDINATOR
    receiver = staff_id if kind is DutyKind.SELF else line.receiver
    if receiver is None:  # routed by the sweep, with nobody signed in to be "self"
        return None
    contact = staff_store.active_contact(conn, receiver)
    if contact is None:  # left the hall since the file was written: route as in the day
        return None
    return DutyReceiver(receiver, contact[0], contact[1], kind)


# --- what the after-hours desk shows first ---------------------------------------------------------


@dataclass(frozen=True)
class EveningAppointments:
    """Tonight's and the coming weekend's after-hours appointments, in time order."""

    appointments: list[AppointmentView]
    until: dt.date  # the last day listed (the coming Sunday)


def evening_appointments(svc: Services) -> EveningAppointments:
    """Booked or checked-in after-hours appointments from now to the end of the coming weekend."""
    now = local_now(svc)
    today = now.date()
    until = today + dt.timedelta(days=6 - today.weekday())  # the coming Sunday (today when it is one)
    out: list[AppointmentView] = []
    day = today
    while day <= until:
        for entry in call_list(svc, day):
            view = entry.appointment
            if not view.after_hours:
                continue
            if day == today and view.slot_end <= f"{now:%H:%M}":
                continue  # over: the evening's list is what is still to come
            out.append(view)
        day += dt.timedelta(days=1)
    return EveningAppointments(out, until)


# --- the handover list (交接单) -------------------------------------------------------------------------


class HandoverKind(StrEnum):
    CASE = "case"  # a case opened after hours
    APPOINTMENT = "appointment"  # an appointment booked after hours, still to come
    WAITING = "waiting"  # a visitor left waiting (queued, or gone home to be called back)


HANDOVER_NAMES = {HandoverKind.CASE: "延时受理办件", HandoverKind.APPOINTMENT: "新增预约",
                  HandoverKind.WAITING: "遗留等候"}


@dataclass(frozen=True)
class HandoverEntry:
    kind: HandoverKind
    at: dt.datetime  # UTC: when it happened
    reference: str  # case number or appointment number
    name: str  # masked (张*明), as every list of the hall
    text: str  # what the day shift should know, in one line
    case_id: int | None = None
    staff_id: str | None = None  # who did it after hours (not the one to acknowledge it)
    upto_id: int = 0  # the event it comes from


@dataclass(frozen=True)
class Handover:
    entries: list[HandoverEntry]
    upto: int  # the last event id this list covers; acknowledging acknowledges up to here
    since: dt.datetime | None  # UTC: the previous acknowledgment (None: never acknowledged)
    acknowledged_by: str = ""  # the name of whoever acknowledged it, after ``acknowledge``
    after_hours: bool = False  # read after hours: it is still being written, the day shift acknowledges it

    def count(self, kind: HandoverKind) -> int:
        return sum(1 for e in self.entries if e.kind is kind)

    @property
    def summary(self) -> str:
        """交接单：延时受理办件 2，新增预约 1，遗留等候 1."""
        parts = [f"{HANDOVER_NAMES[k]} {self.count(k)}" for k in HandoverKind if self.count(k)]
        return "交接单：" + ("，".join(parts) if parts else "无待交接事项")


_HANDOVER_KINDS = [EventKind.CASE_OPENED, EventKind.CASE_QUEUED, EventKind.QUEUE_LEFT, EventKind.APPOINTMENT_BOOKED]


def handover(svc: Services) -> Handover:
    """What happened after hours since the handover was last acknowledged, as it stands now."""
    tz = svc.settings.hall.tz
    with svc.db.read() as conn:
        upto = events.last_id(conn)
        acks = events.recent(conn, kind=EventKind.HANDOVER_ACKNOWLEDGED, limit=1)
        after_id = int(acks[0].details.get("upto", acks[0].id)) if acks else 0
        since = acks[0].at if acks else None
        entries: list[HandoverEntry] = []
        seen_cases: set[tuple[HandoverKind, int]] = set()
        for event in _events_since(conn, after_id, upto):
            if not is_after_hours(svc, event.at.astimezone(tz)):
                continue
            entry = _entry(svc, conn, event)
            if entry is None:
                continue
            entry = dataclasses.replace(entry, staff_id=event.staff_id, upto_id=event.id)
            key = (entry.kind, entry.case_id or -event.id)
            if key in seen_cases:
                continue  # queued twice (F8 again): once on the list
            seen_cases.add(key)
            entries.append(entry)
    order = {kind: n for n, kind in enumerate(HandoverKind)}
    entries.sort(key=lambda e: (order[e.kind], e.at))  # grouped by kind, each group in time order
    return Handover(entries, upto, since, after_hours=is_after_hours(svc, local_now(svc)))


def _events_since(conn: Connection, after_id: int, upto: int) -> list[events.Event]:
    """Every handover-kind event after the last acknowledgment, whatever its age, page by page."""
    found: list[events.Event] = []
    while True:
        page = events.after(conn, after_id, _HANDOVER_KINDS, upto=upto, limit=HANDOVER_PAGE)
        found.extend(page)
        if len(page) < HANDOVER_PAGE:
            return found
        after_id = page[-1].id


def _entry(svc: Services, conn: Connection, event: events.Event) -> HandoverEntry | None:
    tz = svc.settings.hall.tz
    when = f"{event.at.astimezone(tz):%m-%d %H:%M}"
    if event.kind == EventKind.APPOINTMENT_BOOKED:
        row = get_appointment(conn, int(event.details.get("appointment_id", 0)))
        if row is None or row.status != AppointmentStatus.BOOKED.value or row.day < svc.today():
            return None  # cancelled, moved on, or over: nothing to hand over
        if row.day > day_shift_day(svc, event.at.astimezone(tz)):
            return None  # for a later day: on that day's call list, not the morning's business
        if not in_regular_hours(svc, row.day, row.slot_start, row.slot_end):
            return None  # an evening, weekend or holiday slot: the after-hours desk's own business (S6)
        booked = view_of(conn, row)
        return HandoverEntry(HandoverKind.APPOINTMENT, event.at, booked.number, mask_name(row.holder_name),
                             f"{when} 约 {row.day:%m-%d} {row.slot_start}–{row.slot_end} {row.section}"
                             f"：{booked.what}", None)
    if event.case_id is None:
        return None
    view = case_at(conn, event.case_id)
    if view is None:
        return None
    name = mask_name(view.holder_name)
    items = "、".join(view.item_names) or "（未选事项）"
    if event.kind == EventKind.CASE_OPENED:
        if view.status in (CaseStatus.CLOSED, CaseStatus.QUEUED):
            return None  # settled the same evening; or still waiting: listed once, under 遗留等候
        receiver = view.coordinator.name if view.coordinator else "未分配"
        return HandoverEntry(HandoverKind.CASE, event.at, view.case_no, name,
                             f"{when} 开办件 {items}；接待：{receiver}；{STATUS_NAMES[view.status]}", view.id)
    if event.kind == EventKind.CASE_QUEUED and view.status is not CaseStatus.QUEUED:
        return None  # got a seat and a coordinator later: nothing left waiting
    why = event.details.get("reason", "") if event.kind == EventKind.CASE_QUEUED else "日终离队，请回访"
    return HandoverEntry(HandoverKind.WAITING, event.at, view.case_no, name, f"{when} {items}；{why}", view.id)


def in_regular_hours(svc: Services, day: dt.date, start: str, end: str) -> bool:
    """The slot ``start``–``end`` of ``day`` lies inside one of its regular windows (assets/hours.toml)."""
    return any(w.kind is WindowKind.REGULAR and w.start <= start and end <= w.end
               for w in day_schedule(svc, day).windows)


def day_shift_day(svc: Services, local: dt.datetime) -> dt.date:
    """The day of the day shift that takes over what happened at ``local`` after hours: that same day
    before its regular hours begin, else the next day with regular hours (after a weekend or a holiday,
    its first working day; a week at most)."""
    day = local.date()
    for _ in range(10):
        regular = [w for w in day_schedule(svc, day).windows if w.kind is WindowKind.REGULAR]
        if regular and (day > local.date() or f"{local:%H:%M}" < min(w.start for w in regular)):
            return day
        day += dt.timedelta(days=1)
    return day


def acknowledge(svc: Services, session: StaffSession, upto: int) -> Handover:
    """The day shift has taken the list over (up to the event ``upto`` it showed): it leaves the
    coordinators' views; anything newer stays for the next list."""
    session.require("acknowledge_handover")
    now = local_now(svc)
    if is_after_hours(svc, now):
        raise HandoverError(f"现在是{duty_period(svc, now)}，交接单仍在记录中：须由白班在上班后确认交接，"
                            "值班人员请按 P 打印交白班签收")
    listed = handover(svc)
    if any(e.staff_id == session.staff_id for e in listed.entries if e.upto_id <= upto):
        raise HandoverError("交接单上有您本人在延时或值班时段办理的事项：须由白班其他同事确认交接")
    with svc.db.write() as conn:
        previous = events.recent(conn, kind=EventKind.HANDOVER_ACKNOWLEDGED, limit=1)
        if previous and int(previous[0].details.get("upto", 0)) >= upto:
            name = staff_store.names(conn).get(previous[0].staff_id or "", previous[0].staff_id or "")
            raise HandoverError(f"这份交接单已由{name}确认，无需再次确认")
        events.append(conn, EventKind.HANDOVER_ACKNOWLEDGED, svc.now(), staff_id=session.staff_id, upto=upto)
    done = handover(svc)
    return dataclasses.replace(done, acknowledged_by=session.name)


class HandoverError(Refused):
    """Acknowledging a list someone else has just acknowledged."""


def pending_handover(svc: Services) -> Handover | None:
    """The handover list the day shift has still to acknowledge; None after hours (it is still being
    written) or when there is nothing on it — what the coordinators' views show at the top."""
    if is_after_hours(svc, local_now(svc)):
        return None
    listed = handover(svc)
    return listed if listed.entries else None
