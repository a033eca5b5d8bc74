"""The supervision report (issue 14; S10): the figures of a period, per section and per person, and the
cases behind each figure.

Every figure is read from tables written in the same transaction as the event that changed them, or from
the events log itself where no table keeps the time, so each traces to who did what and when (DESIGN.md:
one record of what happened). The reads are aggregates in ``storage.report_queries``; only the waits
(medians need single values) and the short lists (``storage.report_lines``) come back row by row. This module
tallies the figures; ``report_tally`` holds who is whose and what a row adds up to, ``report_times`` the
period's bounds, the waits' rule and lateness, ``report_tables`` the tables, and ``report_drilldown``
``cases_behind``.

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
from collections import Counter, defaultdict

from hallterm.domain.errors import Refused
from hallterm.domain.queue import TicketStatus
from hallterm.domain.rating import LEVEL_NAMES, Level
from hallterm.domain.report import FIGURE_BY_KEY, Period, Report, Series, rate
from hallterm.services import report_tables
from hallterm.services.context import Services
from hallterm.services.report_tally import KEPT, MISSED, NO_SECTION, RESPONSIBLE_ROLES, Scope, Tally, median
from hallterm.services.report_times import (
    LocalTimes,
    arrivals_by_visit,
    days_of,
    follow_up_part,
    period_bounds,
    visit_waits,
    working_days_late,
)
from hallterm.storage import report_lines
from hallterm.storage import report_queries as q

WAIT_HOURS = range(8, 21)  # hall-local hours of arrival shown by ``waits_by_hour``


class ReportError(Refused, ValueError):
    """A report that cannot be asked for; ``str()`` says why in Chinese."""


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
        arrivals = arrivals_by_visit(q.ticket_arrivals(conn, first, last))
        ended = q.items_decided(conn, first, last)
        overdue = report_lines.overdue_items(conn, today, last)
        conditional = q.conditional_counts(conn, first, last)
        supplements = q.supplements_completed(conn, start, end)
        supplement_persons = q.persons_of_cases(conn, [s.case_id for s in supplements])
        appointments = q.appointment_counts(conn, first, last)
        tickets = q.ticket_rows(conn, first, last) if section is None else []
        counter_names = q.counter_names(conn)
        ratings = q.rating_counts(conn, start, end)
        follow_ups = q.follow_up_rows(conn, start, end, today, last)
        proxies = q.proxy_counts(conn, first, last, today)
    scope = Scope(people, section)
    cal = svc.work_calendar
    hall = Tally.new()
    by_section: dict[str, Tally] = defaultdict(Tally.new)
    by_person: dict[str | None, Tally] = defaultdict(Tally.new)

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
    local = LocalTimes(tz)
    for t in times:
        if scope.keeps(t.person):
            per_day[local.day_hour(t.opened)[0]] += 1
    for t, arrival, met, wait in visit_waits(times, arrivals, local):
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
        part = follow_up_part(f, tz)
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
            by_person.setdefault(staff_id, Tally.new())
            by_section.setdefault(info.section, Tally.new())
    values = hall.values()
    if section is None:  # the counters serve the whole hall: a section's report has no ticket figures
        values["tickets_issued"] = len(tickets)
        values["tickets_no_show"] = sum(t.status == TicketStatus.NO_SHOW.value for t in tickets)
    figures = {key: _number(values.get(key)) for key in FIGURE_BY_KEY}

    tables = (
        report_tables.breakdown_section(by_section),
        report_tables.breakdown_person(by_person, scope),
        report_tables.mode_table(modes),
        report_tables.bureau_table(bureaus),
        report_tables.on_time_table(item_rows, item_names),
        report_tables.overdue_table(overdue, item_names, scope,
                       working_days_late(cal, (i.due_on for i in overdue if i.due_on), today)),
        report_tables.conditional_table(by_section),
        report_tables.appointment_table(appointment_rows),
        report_tables.ticket_table(tickets, counter_names),
        report_tables.ratings_table(hall.levels),
        report_tables.follow_up_table(follow_rows, scope),
        report_tables.proxy_table(proxy_rows, scope),
    )
    series = (
        Series("cases_per_day", "每日受理案件", "count",
               tuple((d.strftime("%m-%d"), float(per_day[d])) for d in days_of(period))),
        Series("waits_by_hour", "各时段等候时间中位数（分钟）", "minutes",
               tuple((f"{h:02d}时", median(by_hour[h])) for h in WAIT_HOURS)),
        Series("on_time_by_section", "各科室按时办结率", "rate",
               tuple((name, rate(t.counts["items_on_time"], t.counts["items_decided"]))
                     for name, t in sorted(by_section.items()) if t.counts["items_decided"])),
        Series("ratings_by_level", "评价等级分布", "count",
               tuple((LEVEL_NAMES[Level(level)], float(hall.levels[level])) for level in (5, 4, 3, 2, 1))),
    )
    return Report(period, section, now, figures, {level: hall.levels[level] for level in (5, 4, 3, 2, 1)},
                  tables, series)


def _number(value: object) -> int | float | None:
    assert value is None or isinstance(value, int | float)
    return value
