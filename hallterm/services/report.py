"""The supervision report (issue 14; S10): the figures of a period, per section and per person, and the
cases behind each figure.

Every figure is read from tables written in the same transaction as the event that changed them, or from
the events log itself where no table keeps the time, so each traces to who did what and when (DESIGN.md:
one record of what happened). The reads are aggregates in ``storage.report_queries``; only the waits
(medians need single values) and the short lists come back row by row.

Definitions (the period is hall-local days, both ends included; "now" is the report's time):

- **Responsible person** of a case: its coordinator, else its 帮办代办 staff; its **section** is that
  person's ``staff.section`` ("未分配" when nobody holds it). It is the case's *current* holder: a
  reassigned case (``case_reassigned``) counts once, for the final person and section.
- **受理案件 cases_opened**: ``cases.opened_at`` in the period (event ``case_opened``). **办结案件
  cases_closed**: ``cases.closed_at`` in the period (``case_closed``). Both also by service mode (五办,
  S1: ``cases.service_mode`` as it stands, after the checklist settled it — ``service_mode_decided``) and
  by jurisdiction (S2: ``cases.jurisdiction`` city/district and ``cases.district``, from ``case_opened``).
- **Waits**, for cases opened in the period whose visitor was met: arrival = the holder's last ticket of
  that day issued before the case was opened and since their previous case (``ticket_issued``; tickets
  carry the holder, not the case), else the case's opening (``case_opened``); lounge = the case's first
  ``case_routed`` event (a seat and a coordinator; only the events log has it); met = ``cases.met_at``
  (``visitor_met``). The wait is arrival → met; its median (of two middle values, their mean) and 90th
  percentile (nearest rank), in minutes; also arrival → lounge and lounge → met medians.
  ``waits_by_hour``: the median wait by the hall-local hour of arrival, 08–20.
- **按时办结率 on_time_rate**: of the accepted items (``item_accepted``/``item_conditional``) decided on a
  day of the period — 准予许可 or 不予许可, ``case_items.decided_on``, written with ``item_decided`` — those
  decided on or before ``due_on``. The clock ends at the decision (S6: the item's working days; the
  hand-out at the 统一发证窗口 waits on the applicant). ``due_on`` counts the promised working days from
  acceptance, the start day not counted, and is recomputed on every pause and resume (``clock_paused``,
  ``clock_resumed``; ``deadline_sweep.store_due``), so the working days of a special procedure do not use
  up the promise (S6). Items returned for a breached 容缺 and items never accepted (一次性告知) have no
  decision and are not counted. None when no item was decided.
- **超期未办结事项 overdue_items**: items whose clock runs now (accepted, 容缺 accepted, in review), no
  special procedure running, not closed, due before today and on or before the period's end: the overdue
  items still open as of now, with the person responsible and how late (逾期N个工作日, or 已逾期 when no
  working day has passed since the due day, as the responsibility list says it).
- **容缺 (S7)**: outstanding = accepted conditionally by the period's end and still owing supplements now
  (not breached); supplemented = ``supplement_complete`` events in the period (a case's item once; a
  supplement always comes before the sweep returns the item, so in time); breached = items the nightly
  sweep returned (``conditional_returned``, ``commitment_breached``) on a day of the period.
- **Appointments**: for a day of the period, by the receiving section: kept = ``checked_in``
  (``appointment_checked_in``), missed = ``missed`` (``appointment_missed``, set by the sweep). One row
  per appointment: a rescheduled one counts once, on its final day.
- **Tickets** (the hall's counters, not a section's: None in a section's report): issued = tickets of the
  period's days (one per ticket however often recalled); wait = issue → first ``ticket_called`` event;
  no-shows = status ``no_show`` (``ticket_no_show``); per the counter that last had the ticket.
- **好差评**: ratings given in the period (``rating_given``; one per hand-out, 一次一评, so never twice) by
  level; 满意率 satisfaction_rate = (level 3 基本满意 + 4 满意 + 5 非常满意) / all ratings, None when none
  (the national 好差评 practice: whatever is no 差评 counts as satisfied);
  差评 bad_ratings = level ≤ 2 (不满意, 非常不满意); per the rated case's responsible person.
- **差评整改 follow-ups** (``rating_follow_up_opened``/``_closed``): closed on time = closed (hall-local day)
  in the period on or before the due day; follow_ups_late = closed in the period after it (a period
  figure: a week within a month never shows more than the month); follow_ups_overdue_now (as of now) =
  open now past the due day (due by the period's end). Per the follow-up's owner, also in the drill-down.
  (Until this split follow_ups_late also counted the open ones, so a week could show more than its month.)
- **代办 proxy tasks (S3)**: proxy_open (as of now) = pending or in progress now, added by the period's
  end; proxy_done_on_time = done on a day of the period on or before the due day; proxy_late = done in
  the period after it; proxy_overdue_now (as of now) = open now past the due day. Per the task's owner
  (``proxy_task_added``/``_reassigned``: the current owner), also in the drill-down: a task's line names
  its proxy and the proxy's section, not the case's coordinator (as ``hallterm proxy list`` does).
- **by_person** lists every active coordinator and proxy (``RESPONSIBLE_ROLES``: the roles a figure can
  hold responsible), zeros included, in staff-id order, plus anyone else a figure names; **by_section**
  every section of theirs. Desk and after-hours staff are first contacts, never a case's responsible
  person: a row of zeros for them would read as idleness.

``cases_behind`` lists what a figure counts, with the same definitions (and of one section or one person
when asked): the cases, or for tickets and appointments that never became a case a line without a case
id. Names are masked. A statistic of many cases lists the cases it is taken over: the waits the visits met
in the period, the longest first (where a median or a 90th percentile comes from); the satisfaction rate
the rated cases, each with its level.

Speed (issue 14 point 5): every read seeks by an indexed time or day column (migration 0012), so a month
costs what happened in it, not the years before; a month of the bench's hall (21,000 cases) is read in
about a second on SQLite (``hallterm bench``: ``report_month_s``).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hallterm.domain.cases import STATUS_NAMES as CASE_STATUS_NAMES
from hallterm.domain.cases import CaseStatus
from hallterm.domain.errors import Refused
from hallterm.domain.ids import mask_name
from hallterm.domain.jurisdiction import DISTRICTS
from hallterm.domain.proxy_tasks import KIND_NAMES as PROXY_KIND_NAMES
from hallterm.domain.proxy_tasks import STATE_NAMES as PROXY_STATE_NAMES
from hallterm.domain.proxy_tasks import ProxyTaskKind, ProxyTaskState
from hallterm.domain.queue import STATUS_NAMES as TICKET_STATUS_NAMES
from hallterm.domain.queue import AppointmentStatus, TicketStatus
from hallterm.domain.rating import FOLLOW_UP_NAMES, LEVEL_NAMES, FollowUpKind, Level
from hallterm.domain.report import (
    FIGURE_BY_KEY,
    CaseLine,
    Column,
    Period,
    Report,
    Series,
    Table,
    rate,
)
from hallterm.domain.service_mode import MODE_NAMES, ServiceMode
from hallterm.domain.workdays import WorkCalendar
from hallterm.services.context import Services
from hallterm.storage import report_queries as q

UNASSIGNED = "未分配"
NO_SECTION = "未指定科室"
WAIT_HOURS = range(8, 21)  # hall-local hours of arrival shown by ``waits_by_hour``
# The roles a figure can hold responsible: a case's coordinator, else its proxy (帮办代办), and the owner of a
# proxy task. The desk and after-hours staff open cases and take tickets but are never a case's responsible
# person, so a row of theirs would read as idleness where there is nothing they could have done; they appear
# in by_person only when a figure names them (a 差评 follow-up given to them).
RESPONSIBLE_ROLES = ("coordinator", "proxy")
BUREAU_NAMES = {"city": "市级", "district": "县区"}
KEPT, MISSED = AppointmentStatus.CHECKED_IN.value, AppointmentStatus.MISSED.value


# The proxy figures and the part of ``report_queries.proxy_counts`` each counts.
PROXY_PARTS = {"proxy_open": "open", "proxy_done_on_time": "done_on_time", "proxy_late": "done_late",
               "proxy_overdue_now": "open_late"}


class ReportError(Refused, ValueError):
    """A report that cannot be asked for; ``str()`` says why in Chinese."""


# The per-section and per-person columns (the same figures, broken down).
BREAKDOWN: tuple[Column, ...] = (
    Column("cases_opened", "受理案件"),
    Column("cases_closed", "办结案件"),
    Column("items_decided", "办结事项"),
    Column("items_on_time", "按时办结事项"),
    Column("on_time_rate", "按时办结率", "rate"),
    Column("overdue_items", "超期未办结事项"),
    Column("arrival_to_lounge_p50_min", "到达至入洽谈室中位数（分钟）", "minutes"),
    Column("lounge_to_met_p50_min", "入洽谈室至接待中位数（分钟）", "minutes"),
    Column("wait_p50_min", "等候时间中位数（分钟）", "minutes"),
    Column("wait_p90_min", "等候时间90%分位（分钟）", "minutes"),
    Column("conditional_outstanding", "容缺待补正"),
    Column("conditional_supplemented", "容缺按期补正"),
    Column("conditional_breached", "容缺逾期未补正"),
    Column("appointments_kept", "预约到场"),
    Column("appointments_missed", "预约爽约"),
    Column("ratings_total", "评价数"),
    Column("satisfaction_rate", "满意率", "rate"),
    Column("bad_ratings", "差评"),
    Column("follow_ups_late", "差评整改逾期"),
    Column("follow_ups_overdue_now", "差评整改逾期未办"),
    Column("proxy_open", "代办任务在办"),
    Column("proxy_done_on_time", "代办按期完成"),
    Column("proxy_late", "代办逾期"),
    Column("proxy_overdue_now", "代办逾期未完成"),
)
_COUNTS = [c.key for c in BREAKDOWN if c.unit == "count"]


@dataclass
class _Tally:
    """What one section or one person adds up to."""

    counts: Counter[str]
    waits: list[float]
    to_lounge: list[float]
    lounge_to_met: list[float]
    levels: Counter[int]

    @classmethod
    def new(cls) -> _Tally:
        return cls(Counter(), [], [], [], Counter())

    def row(self, *, appointments: bool = True) -> tuple[object, ...]:
        """The BREAKDOWN columns, in their order."""
        values = self.values(appointments=appointments)
        return tuple(values[c.key] for c in BREAKDOWN)

    def values(self, *, appointments: bool = True) -> dict[str, object]:
        c = self.counts
        ratings_total = sum(self.levels.values())
        out: dict[str, object] = {k: c[k] for k in _COUNTS}
        out.update(
            on_time_rate=rate(c["items_on_time"], c["items_decided"]),
            arrival_to_lounge_p50_min=_median(self.to_lounge), lounge_to_met_p50_min=_median(self.lounge_to_met),
            wait_p50_min=_median(self.waits), wait_p90_min=_p90(self.waits),
            ratings_total=ratings_total,
            # 好差评 practice: everything that is no 差评 is satisfied (基本满意 included)
            satisfaction_rate=rate(self.levels[3] + self.levels[4] + self.levels[5], ratings_total),
            bad_ratings=self.levels[1] + self.levels[2],
        )
        if not appointments:
            out.update(appointments_kept=None, appointments_missed=None)
        return out


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, math.ceil(0.9 * len(ordered))) - 1], 1)


def _minutes(a: dt.datetime, b: dt.datetime) -> float:
    return max(0.0, (b - a).total_seconds() / 60)


class _Scope:
    """Sections and people: who is whose, and which rows a section's report keeps."""

    def __init__(self, people: dict[str, q.StaffInfo], section: str | None) -> None:
        self.people, self.section = people, section

    def section_of(self, person: str | None) -> str:
        if person is None:
            return UNASSIGNED
        info = self.people.get(person)
        return info.section if info else UNASSIGNED

    def keeps(self, person: str | None) -> bool:
        return self.section is None or self.section_of(person) == self.section

    def name(self, person: str | None) -> str:
        if person is None:
            return ""
        info = self.people.get(person)
        return info.name if info else person

    def persons(self) -> list[str | None] | None:
        """The people of the section (for the drill-down's SQL), None for the whole hall."""
        if self.section is None:
            return None
        out: list[str | None] = [p for p, info in self.people.items() if info.section == self.section]
        if self.section == UNASSIGNED:
            out.append(None)
        return out


def period_bounds(svc: Services, period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's hall-local days as UTC instants: [first midnight, midnight after the last day)."""
    tz = svc.settings.hall.tz
    start = dt.datetime.combine(period.start, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    return start, end


def build_report(svc: Services, period: Period, *, section: str | None = None) -> Report:
    """The period's figures for the whole hall or one section (S10): one read transaction."""
    start, end = period_bounds(svc, period)
    now = svc.now()
    today = svc.today()
    tz = svc.settings.hall.tz
    first, last = period.start, period.end
    with svc.db.read() as conn:
        people = q.staff_directory(conn)
        item_names = q.item_names(conn)
        opened = q.cases_opened(conn, start, end)
        closed = q.cases_closed(conn, start, end)
        times = q.case_times(conn, start, end)
        arrivals = _arrivals(q.ticket_arrivals(conn, first, last))
        ended = q.items_decided(conn, first, last)
        overdue = q.overdue_items(conn, today, last)
        conditional = q.conditional_counts(conn, first, last)
        supplements = q.supplements_completed(conn, start, end)
        supplement_persons = q.persons_of_cases(conn, [s.case_id for s in supplements])
        appointments = q.appointment_counts(conn, first, last)
        tickets = q.ticket_rows(conn, first, last) if section is None else []
        counter_names = q.counter_names(conn)
        ratings = q.rating_counts(conn, start, end)
        follow_ups = q.follow_up_rows(conn, start, end, today, last)
        proxies = q.proxy_counts(conn, first, last, today)
    scope = _Scope(people, section)
    cal = svc.work_calendar
    hall = _Tally.new()
    by_section: dict[str, _Tally] = defaultdict(_Tally.new)
    by_person: dict[str | None, _Tally] = defaultdict(_Tally.new)

    def add(person: str | None, key: str, n: int = 1) -> None:
        if not scope.keeps(person) or not n:
            return
        for tally in (hall, by_section[scope.section_of(person)], by_person[person]):
            tally.counts[key] += n

    modes: dict[str, Counter[str]] = defaultdict(Counter)
    bureaus: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for rows, key in ((opened, "cases_opened"), (closed, "cases_closed")):
        for r in rows:
            if scope.keeps(r.person):
                add(r.person, key, r.count)
                modes[r.mode][key] += r.count
                bureaus[(r.jurisdiction, r.district)][key] += r.count

    per_day: Counter[dt.date] = Counter()
    by_hour: dict[int, list[float]] = defaultdict(list)
    local = _LocalTimes(tz)
    for t in times:
        if scope.keeps(t.person):
            per_day[local.day_hour(t.opened)[0]] += 1
    for t, arrival, met, wait in _visit_waits(times, arrivals, local):
        if not scope.keeps(t.person):
            continue
        by_hour[local.day_hour(arrival)[1]].append(wait)
        for tally in (hall, by_section[scope.section_of(t.person)], by_person[t.person]):
            tally.waits.append(wait)
            if t.routed is not None and t.routed <= met:
                tally.to_lounge.append(max(0.0, (t.routed - arrival) / 60))
                tally.lounge_to_met.append((met - t.routed) / 60)

    item_rows: dict[str, Counter[str]] = defaultdict(Counter)
    for e in ended:
        if scope.keeps(e.person):
            add(e.person, "items_decided", e.decided)
            add(e.person, "items_on_time", e.on_time)
            item_rows[e.item_code]["decided"] += e.decided
            item_rows[e.item_code]["on_time"] += e.on_time
    overdue = [i for i in overdue if scope.keeps(i.person)]
    for i in overdue:
        add(i.person, "overdue_items")
    for c in conditional:
        add(c.person, "conditional_outstanding", c.outstanding)
        add(c.person, "conditional_breached", c.breached)
    for s in supplements:
        add(supplement_persons.get(s.case_id), "conditional_supplemented")

    appointment_rows: dict[str, Counter[str]] = defaultdict(Counter)
    for a in appointments:
        name = a.section or NO_SECTION
        if section is not None and name != section:
            continue
        appointment_rows[name][a.status] += a.count
        figure = {KEPT: "appointments_kept", MISSED: "appointments_missed"}.get(a.status)
        if figure:
            hall.counts[figure] += a.count
            by_section[name].counts[figure] += a.count

    for g in ratings:
        if scope.keeps(g.person):
            for tally in (hall, by_section[scope.section_of(g.person)], by_person[g.person]):
                tally.levels[g.level] += g.count

    follow_rows: dict[str | None, Counter[str]] = defaultdict(Counter)
    for f in follow_ups:
        if not scope.keeps(f.owner_id):
            continue
        part = _follow_up_part(f, tz)
        follow_rows[f.owner_id][part] += 1
        if part == "closed_late":
            add(f.owner_id, "follow_ups_late")
        elif part == "open_late":
            add(f.owner_id, "follow_ups_overdue_now")

    proxy_rows: dict[str | None, Counter[str]] = defaultdict(Counter)
    for p in proxies:
        if not scope.keeps(p.owner):
            continue
        add(p.owner, "proxy_open", p.open)
        add(p.owner, "proxy_done_on_time", p.done_on_time)
        add(p.owner, "proxy_late", p.done_late)
        add(p.owner, "proxy_overdue_now", p.open_late)
        proxy_rows[p.owner].update(open=p.open, done_on_time=p.done_on_time, done_late=p.done_late,
                                   open_late=p.open_late)

    for staff_id, info in sorted(people.items()):
        # Everyone who can be held responsible is listed, zeros included: a supervisor sees who did nothing.
        if info.active and info.role in RESPONSIBLE_ROLES and scope.keeps(staff_id):
            by_person.setdefault(staff_id, _Tally.new())
            by_section.setdefault(info.section, _Tally.new())
    values = hall.values()
    if section is None:  # the counters serve the whole hall: a section's report has no ticket figures
        values["tickets_issued"] = len(tickets)
        values["tickets_no_show"] = sum(t.status == TicketStatus.NO_SHOW.value for t in tickets)
    figures = {key: _number(values.get(key)) for key in FIGURE_BY_KEY}

    tables = (
        _breakdown_section(by_section),
        _breakdown_person(by_person, scope),
        _mode_table(modes),
        _bureau_table(bureaus),
        _on_time_table(item_rows, item_names),
        _overdue_table(overdue, item_names, scope,
                       _working_days_late(cal, (i.due_on for i in overdue if i.due_on), today)),
        _conditional_table(by_section),
        _appointment_table(appointment_rows),
        _ticket_table(tickets, counter_names),
        _ratings_table(hall.levels),
        _follow_up_table(follow_rows, scope),
        _proxy_table(proxy_rows, scope),
    )
    series = (
        Series("cases_per_day", "每日受理案件", "count",
               tuple((d.strftime("%m-%d"), float(per_day[d])) for d in _days(period))),
        Series("waits_by_hour", "各时段等候时间中位数（分钟）", "minutes",
               tuple((f"{h:02d}时", _median(by_hour[h])) for h in WAIT_HOURS)),
        Series("on_time_by_section", "各科室按时办结率", "rate",
               tuple((name, rate(t.counts["items_on_time"], t.counts["items_decided"]))
                     for name, t in sorted(by_section.items()) if t.counts["items_decided"])),
        Series("ratings_by_level", "评价等级分布", "count",
               tuple((LEVEL_NAMES[Level(level)], float(hall.levels[level])) for level in (5, 4, 3, 2, 1))),
    )
    return Report(period, section, now, figures, {level: hall.levels[level] for level in (5, 4, 3, 2, 1)},
                  tables, series)


def _arrivals(rows: list[q.Arrival]) -> dict[tuple[int, dt.date], list[float]]:
    out: dict[tuple[int, dt.date], list[float]] = defaultdict(list)
    for a in rows:
        out[(a.holder_id, a.day)].append(a.issued)
    return out


def _visit_waits(times: list[q.CaseTimes], arrivals: dict[tuple[int, dt.date], list[float]],
                 local: _LocalTimes) -> Iterator[tuple[q.CaseTimes, float, float, float]]:
    """(case, arrival, met, wait in minutes) of each case whose visitor was met: the one rule of the waits, for
    the figures and for the cases behind them."""
    # The openings of the holders who took a ticket that day: a ticket is the arrival of one case only.
    openings: dict[tuple[int, dt.date], list[float]] = defaultdict(list)
    for t in times:
        visit = (t.holder_id, local.day_hour(t.opened)[0])
        if visit in arrivals:
            openings[visit].append(t.opened)
    for t in times:
        if t.met is None:
            continue
        visit = (t.holder_id, local.day_hour(t.opened)[0])
        arrival = _arrival(arrivals[visit], openings[visit], t.opened) if visit in arrivals else t.opened
        yield t, arrival, t.met, max(0.0, (t.met - arrival) / 60)


def _arrival(tickets: list[float], openings: list[float], opened: float) -> float:
    """When the visitor arrived: their last ticket of the day issued before the case was opened — unless
    another of their cases was opened since that ticket (the ticket was that case's arrival) — else the
    opening itself (a case opened at the desk without a ticket, or after hours)."""
    ticket = max((t for t in tickets if t <= opened), default=None)
    if ticket is None or any(ticket <= o < opened for o in openings):
        return opened
    return ticket


class _LocalTimes:
    """Hall-local day and hour of UTC epoch seconds, by the quarter hour (a month has a few thousand
    against tens of thousands of cases)."""

    def __init__(self, tz: dt.tzinfo) -> None:
        self.tz = tz
        self._hours: dict[int, tuple[dt.date, int]] = {}

    def day_hour(self, seconds: float) -> tuple[dt.date, int]:
        key = int(seconds // 900)  # quarter hours: every zone offset in use is a multiple of 15 minutes
        found = self._hours.get(key)
        if found is None:
            local = dt.datetime.fromtimestamp(key * 900, self.tz)
            found = self._hours[key] = (local.date(), local.hour)
        return found


def _days(period: Period) -> Iterable[dt.date]:
    return (period.start + dt.timedelta(days=n) for n in range(period.days))


def _number(value: object) -> int | float | None:
    assert value is None or isinstance(value, int | float)
    return value


def _follow_up_part(f: q.FollowUpRow, tz: dt.tzinfo) -> str:
    """closed_on_time, closed_late (closed in the period, by or after the due day, hall-local) or open_late."""
    if f.closed_at is None:
        return "open_late"  # the query only returns open ones past their due day
    late = f.closed_at.astimezone(tz).date() > f.due_on
    return "closed_late" if late else "closed_on_time"


# -- tables ----------------------------------------------------------------------------------------


def _breakdown_section(by_section: dict[str, _Tally]) -> Table:
    rows = tuple((name, *t.row()) for name, t in sorted(by_section.items()))
    return Table("by_section", "按科室", (Column("section", "科室", "text"), *BREAKDOWN), rows)


def _breakdown_person(by_person: dict[str | None, _Tally], scope: _Scope) -> Table:
    def key(p: str | None) -> tuple[bool, str]:
        return p is None, p or ""  # staff-id order, what nobody holds last

    rows = tuple((p or "", scope.name(p) or UNASSIGNED, scope.section_of(p),
                  *by_person[p].row(appointments=False)) for p in sorted(by_person, key=key))
    columns = (Column("staff_id", "工号", "text"), Column("name", "姓名", "text"), Column("section", "科室", "text"),
               *BREAKDOWN)
    return Table("by_person", "按人员", columns, rows)


def _mode_table(modes: dict[str, Counter[str]]) -> Table:
    order = [m.value for m in ServiceMode] + sorted(set(modes) - {m.value for m in ServiceMode})
    rows = tuple((_mode_name(m), modes[m]["cases_opened"], modes[m]["cases_closed"])
                 for m in order if m != ServiceMode.PENDING.value or modes.get(m))
    columns = (Column("mode", "办理方式", "text"), Column("cases_opened", "受理案件"),
               Column("cases_closed", "办结案件"))
    return Table("by_mode", "按办理方式（五办）", columns, rows)


def _bureau_table(bureaus: dict[tuple[str, str], Counter[str]]) -> Table:
    def key(k: tuple[str, str]) -> tuple[int, int, str]:
        bureau, district = k
        return (0 if bureau == "city" else 1, DISTRICTS.index(district) if district in DISTRICTS else 99, district)

    rows = tuple((BUREAU_NAMES.get(b, b), d, c["cases_opened"], c["cases_closed"])
                 for (b, d), c in sorted(bureaus.items(), key=lambda kv: key(kv[0])))
    return Table("by_jurisdiction", "按管辖（市级、县区）", (
        Column("bureau", "管辖", "text"), Column("district", "县区", "text"),
        Column("cases_opened", "受理案件"), Column("cases_closed", "办结案件")), rows)


def _on_time_table(rows: dict[str, Counter[str]], names: dict[str, str]) -> Table:
    out = tuple((code, names.get(code, code), c["decided"], c["on_time"], c["decided"] - c["on_time"],
                 rate(c["on_time"], c["decided"])) for code, c in sorted(rows.items()))
    return Table("on_time_by_item", "各事项按时办结率（工作日，扣除特殊程序）", (
        Column("item_code", "事项编码", "text"), Column("item", "事项", "text"), Column("decided", "办结事项"),
        Column("on_time", "按时"), Column("late", "超期"), Column("on_time_rate", "按时办结率", "rate")), out)


def _working_days_late(cal: WorkCalendar, dues: Iterable[dt.date], today: dt.date) -> dict[dt.date, int]:
    """Working days in (due, today] for each due day before today: one walk over the calendar from the
    oldest due day (an item overdue for years must not cost a walk of its own)."""
    wanted = sorted({d for d in dues if d < today})
    if not wanted:
        return {}
    counted: dict[dt.date, int] = {}
    day, total = wanted[0], 0
    while day < today:
        day += dt.timedelta(days=1)
        total += cal.day(day, estimate=True).working
        counted[day] = total
    return {d: total - counted.get(d, 0) for d in wanted}


def late_words(working_days: int) -> str:
    """How late, as the responsibility list says it: 逾期N个工作日, or 已逾期 when the due day has passed but
    no working day since (due 12-31, seen on the 1-1 holiday) — never "0 days late" for an overdue item."""
    return f"逾期{working_days}个工作日" if working_days > 0 else "已逾期"


def _overdue_table(overdue: list[q.ItemLine], names: dict[str, str], scope: _Scope, late: dict[dt.date, int]) -> Table:
    rows = tuple((i.case_no, names.get(i.item_code, i.item_code), i.due_on,
                  late.get(i.due_on, 0) if i.due_on else None,
                  late_words(late.get(i.due_on, 0)) if i.due_on else None,
                  scope.name(i.person) or UNASSIGNED, scope.section_of(i.person)) for i in overdue)
    return Table("overdue_items", "超期未办结事项及责任人", (
        Column("case_no", "办件编号", "text"), Column("item", "事项", "text"), Column("due_on", "应办结日期", "date"),
        Column("working_days_late", "超期工作日", "day"), Column("lateness", "逾期情况", "text"),
        Column("responsible", "责任人", "text"), Column("section", "责任科室", "text")), rows)


def _conditional_table(by_section: dict[str, _Tally]) -> Table:
    keys = ("conditional_outstanding", "conditional_supplemented", "conditional_breached")
    rows = tuple((name, *(t.counts[k] for k in keys)) for name, t in sorted(by_section.items())
                 if any(t.counts[k] for k in keys))
    return Table("conditional", "容缺受理（S7）", (
        Column("section", "科室", "text"), Column("outstanding", "待补正"), Column("supplemented", "按期补正"),
        Column("breached", "逾期未补正（退件）")), rows)


def _appointment_table(rows: dict[str, Counter[str]]) -> Table:
    out = tuple((name, sum(c.values()), c[KEPT], c[MISSED], c[AppointmentStatus.CANCELLED.value],
                 c[AppointmentStatus.BOOKED.value], rate(c[KEPT], c[KEPT] + c[MISSED]))
                for name, c in sorted(rows.items()))
    return Table("appointments", "预约到场与爽约", (
        Column("section", "科室", "text"), Column("total", "预约"), Column("kept", "到场"), Column("missed", "爽约"),
        Column("cancelled", "取消"), Column("booked", "待到场"), Column("kept_rate", "到场率", "rate")), out)


def _ticket_table(tickets: list[q.TicketRow], counter_names: dict[str, str]) -> Table:
    groups: dict[str, list[q.TicketRow]] = defaultdict(list)
    for t in tickets:
        groups[t.counter or ""].append(t)
    rows = []
    for code in sorted(groups):
        group = groups[code]
        waits = [_minutes(t.issued_at, t.first_called_at) for t in group if t.first_called_at is not None]
        rows.append((code or "—", counter_names.get(code, code or "未叫号"), len(group), len(waits),
                     sum(t.status == TicketStatus.NO_SHOW.value for t in group), _median(waits), _p90(waits)))
    return Table("tickets_by_counter", "各窗口取号、等候与过号", (
        Column("counter", "窗口", "text"), Column("counter_name", "窗口名称", "text"), Column("issued", "取号"),
        Column("called", "已叫号"), Column("no_show", "过号未到"),
        Column("wait_p50_min", "等候中位数（分钟）", "minutes"),
        Column("wait_p90_min", "等候90%分位（分钟）", "minutes")), tuple(rows))


def _ratings_table(levels: Counter[int]) -> Table:
    total = sum(levels.values())
    rows = tuple((level, LEVEL_NAMES[Level(level)], levels[level], rate(levels[level], total))
                 for level in (5, 4, 3, 2, 1))
    return Table("ratings", "好差评（满意率 = 非常满意、满意及基本满意 / 全部评价）", (
        Column("level", "等级"), Column("name", "评价", "text"), Column("count", "评价数"),
        Column("share", "占比", "rate")), rows)


def _owner_order(scope: _Scope, person: str | None) -> tuple[str, str]:
    return scope.section_of(person), person or ""


def _follow_up_table(rows: dict[str | None, Counter[str]], scope: _Scope) -> Table:
    out = tuple((scope.name(p) or UNASSIGNED, scope.section_of(p), c["closed_on_time"], c["closed_late"],
                 c["open_late"]) for p, c in sorted(rows.items(), key=lambda kv: _owner_order(scope, kv[0])))
    return Table("follow_ups", "差评整改（回访核实、整改）", (
        Column("owner", "责任人", "text"), Column("section", "科室", "text"), Column("closed_on_time", "按期办结"),
        Column("closed_late", "逾期办结"), Column("open_late", "逾期未办结")), out)


def _proxy_table(rows: dict[str | None, Counter[str]], scope: _Scope) -> Table:
    out = tuple((scope.name(p) or UNASSIGNED, scope.section_of(p), c["open"], c["done_on_time"], c["done_late"],
                 c["open_late"]) for p, c in sorted(rows.items(), key=lambda kv: _owner_order(scope, kv[0])))
    return Table("proxy_tasks", "帮办代办任务（S3）", (
        Column("owner", "代办员", "text"), Column("section", "科室", "text"), Column("open", "在办"),
        Column("done_on_time", "按期完成"), Column("done_late", "逾期完成"), Column("open_late", "在办已逾期")), out)


# -- the cases behind a figure -------------------------------------------------------------------------


def cases_behind(svc: Services, period: Period, figure_key: str, *, section: str | None = None,
                 person: str | None = None, limit: int = 500) -> tuple[CaseLine, ...]:
    """The cases (tickets, appointments) a figure counts, for the supervisor's drill-down, of one section
    or one person (staff id) when given; at most ``limit`` lines, in the order things happened."""
    figure = FIGURE_BY_KEY.get(figure_key)
    if figure is None:
        raise ReportError(f"没有这个指标：{figure_key}")
    start, end = period_bounds(svc, period)
    today = svc.today()
    tz = svc.settings.hall.tz
    first, last = period.start, period.end
    with svc.db.read() as conn:
        scope = _Scope(q.staff_directory(conn), section)
        names = q.item_names(conn)
        persons: list[str | None] | None = [person] if person is not None else scope.persons()
        cal = svc.work_calendar
        notes: list[tuple[int, str]] = []  # (case id, note), in order: the case's responsible person holds it
        # (case id, note, owner): a proxy task or a 差评 follow-up is held by its owner, not by the case's
        # coordinator (S3, S10; as ``hallterm proxy list`` and ``hallterm duties`` name them)
        owned: list[tuple[int, str, str | None]] = []
        other: list[CaseLine] = []  # lines without a case (tickets, appointments)
        if figure_key in ("cases_opened", "cases_closed"):
            column = "opened_at" if figure_key == "cases_opened" else "closed_at"
            ids = q.case_ids_between(conn, column, start, end, persons, limit)
            summaries = q.case_summaries(conn, ids)
            notes = [(c, _case_summary(*summaries[c], names)) for c in ids]
        elif figure_key == "on_time_rate":
            for i in q.decided_items(conn, first, last, limit, persons):
                assert i.due_on is not None and i.decided_on is not None
                late = max(cal.working_days_between_estimated(i.due_on, i.decided_on)[0], 0)
                word = f"超期{late}个工作日办结" if i.decided_on > i.due_on else "按时办结"
                notes.append((i.case_id, f"{names.get(i.item_code, i.item_code)}：{word}"))
        elif figure_key == "overdue_items":
            overdue = q.overdue_items(conn, today, last, limit, persons)
            lateness = _working_days_late(cal, (i.due_on for i in overdue if i.due_on), today)
            for i in overdue:
                assert i.due_on is not None
                notes.append((i.case_id, f"{names.get(i.item_code, i.item_code)}："
                                         f"{late_words(lateness.get(i.due_on, 0))}（应于{i.due_on:%m-%d}办结）"))
        elif figure_key == "conditional_outstanding":
            owing = q.outstanding_items(conn, last, limit, persons)
            notes = [(i.case_id, f"{names.get(i.item_code, i.item_code)}：容缺待补正，"
                                 f"补正期限{i.supplement_due_on:%m-%d}") for i in owing]
        elif figure_key == "conditional_breached":
            notes = [(i.case_id, f"{names.get(i.item_code, i.item_code)}：逾期未补正，{i.closed_on:%m-%d}退件")
                     for i in q.breached_items(conn, first, last, limit, persons)]
        elif figure_key == "conditional_supplemented":
            supplied = q.supplements_completed(conn, start, end)
            owners = q.persons_of_cases(conn, [s.case_id for s in supplied])
            notes = [(s.case_id, f"{names.get(s.item_code, s.item_code)}：{s.at.astimezone(tz):%m-%d}补正齐全")
                     for s in supplied if _wanted(owners.get(s.case_id), persons)][:limit]
        elif figure_key in ("appointments_kept", "appointments_missed"):
            wanted = KEPT if figure_key == "appointments_kept" else MISSED
            if person is None:
                where = None if section is None else ("" if section == NO_SECTION else section)
                for a in q.appointment_lines(conn, first, last, wanted, section=where, limit=limit):
                    other.append(CaseLine(None, "", mask_name(a.holder_name), a.section or NO_SECTION, "",
                                          "预约到场" if wanted == KEPT else "预约爽约",
                                          f"{a.day.isoformat()} {a.slot_start}",
                                          f"预约时段 {a.slot_start}–{a.slot_end}"))
        elif figure_key in ("tickets_issued", "tickets_no_show"):
            if section is None and person is None:
                only = TicketStatus.NO_SHOW.value if figure_key == "tickets_no_show" else None
                for t in q.ticket_lines(conn, first, last, only, limit):
                    if t.case_id is not None:
                        notes.append((t.case_id, f"{t.ticket_no} 号，{t.counter or '未叫号'}"))
                    else:
                        other.append(CaseLine(None, "", mask_name(t.holder_name) if t.holder_name else "",
                                              "", "", TICKET_STATUS_NAMES.get(TicketStatus(t.status), t.status),
                                              f"{t.issued_at.astimezone(tz):%Y-%m-%d %H:%M}",
                                              f"{t.ticket_no} 号，窗口 {t.counter or '未叫号'}"))
        elif figure_key in ("wait_p50_min", "wait_p90_min"):
            # The visits behind the waits, the longest first: where a median or a 90th percentile comes from.
            local = _LocalTimes(tz)
            waits = [(wait, t.case_id, arrival, met) for t, arrival, met, wait in _visit_waits(
                q.case_times(conn, start, end), _arrivals(q.ticket_arrivals(conn, first, last)), local)
                     if scope.keeps(t.person) and _wanted(t.person, persons)]
            waits.sort(key=lambda w: (-w[0], w[1]))
            notes = [(case_id, f"等候{wait:.0f}分钟（{_hhmm(arrival, tz)}到达，{_hhmm(met, tz)}接待）")
                     for wait, case_id, arrival, met in waits[:limit]]
        elif figure_key in ("ratings_total", "bad_ratings", "satisfaction_rate"):
            lines = q.rating_lines(conn, start, end, max_level=2 if figure_key == "bad_ratings" else 5,
                                   persons=persons, limit=limit)
            notes = [(r.case_id, f"评价：{LEVEL_NAMES[Level(r.level)]}（{r.rated_at.astimezone(tz):%m-%d %H:%M}）")
                     for r in lines]
        elif figure_key in ("follow_ups_late", "follow_ups_overdue_now"):
            wanted_part = "closed_late" if figure_key == "follow_ups_late" else "open_late"
            for f in q.follow_up_rows(conn, start, end, today, last):
                if _follow_up_part(f, tz) != wanted_part or not _wanted(f.owner_id, persons):
                    continue
                task = FOLLOW_UP_NAMES.get(FollowUpKind(f.task), f.task)
                word = (f"{f.closed_at.astimezone(tz):%m-%d}办结" if f.closed_at else "尚未办结")
                owned.append((f.case_id, f"差评{task}应于{f.due_on:%m-%d}完成，逾期{word}", f.owner_id))
            owned = owned[:limit]
        elif figure_key in PROXY_PARTS:
            for p in q.proxy_lines(conn, PROXY_PARTS[figure_key], first, last, today, owners=persons, limit=limit):
                kind = PROXY_KIND_NAMES.get(ProxyTaskKind(p.kind), p.kind)
                state = PROXY_STATE_NAMES.get(ProxyTaskState(p.state), p.state)
                owned.append((p.case_id, f"代办{kind}：{state}，应于{p.due_on:%m-%d}完成"
                                         + (f"，{p.closed_on:%m-%d}完成" if p.closed_on else ""), p.owner))
            owned = owned[:limit]
        heads = q.case_heads(conn, [c for c, _ in notes] + [c for c, _n, _o in owned])
    found = [_case_line(heads[c], note, scope, tz) for c, note in notes if c in heads]
    found += [_case_line(heads[c], note, scope, tz, owner=(owner,)) for c, note, owner in owned if c in heads]
    return tuple((found + other)[:limit])


def _mode_name(mode: str) -> str:
    return MODE_NAMES.get(ServiceMode(mode), mode) if mode in ServiceMode.__members__.values() else mode


def _case_summary(mode: str, item_codes: list[str], names: dict[str, str]) -> str:
    """What a case is, for the 说明 of a drill-down: 五办 mode and items (马上办：公司设立登记、…)."""
    return f"{_mode_name(mode)}：{'、'.join(names.get(c, c) for c in item_codes) or '未选事项'}"


def _hhmm(epoch_s: float, tz: dt.tzinfo) -> str:
    return f"{dt.datetime.fromtimestamp(epoch_s, tz):%H:%M}"


def _wanted(person: str | None, persons: list[str | None] | None) -> bool:
    return persons is None or person in persons


def _case_line(head: q.CaseHead, note: str, scope: _Scope, tz: dt.tzinfo,
               owner: tuple[str | None] | None = None) -> CaseLine:
    """The line of a case; ``owner`` (a one-tuple: None is a task nobody holds) names who holds the counted
    task instead of the case's responsible person."""
    status = CASE_STATUS_NAMES.get(CaseStatus(head.status), head.status) \
        if head.status in CaseStatus.__members__.values() else head.status
    person = head.person if owner is None else owner[0]
    return CaseLine(head.case_id, head.case_no, mask_name(head.holder_name), scope.section_of(person),
                    scope.name(person), status, f"{head.opened_at.astimezone(tz):%Y-%m-%d %H:%M}", note)

