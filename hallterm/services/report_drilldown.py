"""The cases behind a figure of the supervision report (issue 14; S10), for the supervisor's drill-down:
what a figure counts, with the same definitions (``services.report``'s docstring), of one section or one
person when asked. Names are masked.
"""

from __future__ import annotations

import datetime as dt

from hallterm.domain.cases import STATUS_NAMES as CASE_STATUS_NAMES
from hallterm.domain.cases import CaseStatus
from hallterm.domain.ids import mask_name
from hallterm.domain.proxy_tasks import KIND_NAMES as PROXY_KIND_NAMES
from hallterm.domain.proxy_tasks import STATE_NAMES as PROXY_STATE_NAMES
from hallterm.domain.proxy_tasks import ProxyTaskKind, ProxyTaskState
from hallterm.domain.queue import STATUS_NAMES as TICKET_STATUS_NAMES
from hallterm.domain.queue import TicketStatus
from hallterm.domain.rating import FOLLOW_UP_NAMES, LEVEL_NAMES, FollowUpKind, Level
from hallterm.domain.report import FIGURE_BY_KEY, CaseLine, Period
from hallterm.services.context import Services
from hallterm.services.report import ReportError
from hallterm.services.report_tables import mode_name
from hallterm.services.report_tally import KEPT, MISSED, NO_SECTION, Scope, wanted
from hallterm.services.report_times import (
    LocalTimes,
    arrivals_by_visit,
    follow_up_part,
    hhmm,
    late_words,
    period_bounds,
    visit_waits,
    working_days_late,
)
from hallterm.storage import report_lines
from hallterm.storage import report_queries as q

# The proxy figures and the part of ``report_queries.proxy_counts`` each counts.
PROXY_PARTS = {"proxy_open": "open", "proxy_done_on_time": "done_on_time", "proxy_late": "done_late",
               "proxy_overdue_now": "open_late"}


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
        scope = Scope(q.staff_directory(conn), section)
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
            ids = report_lines.case_ids_between(conn, column, start, end, persons, limit)
            summaries = report_lines.case_summaries(conn, ids)
            notes = [(c, _case_summary(*summaries[c], names)) for c in ids]
        elif figure_key == "on_time_rate":
            for i in report_lines.decided_items(conn, first, last, limit, persons):
                assert i.due_on is not None and i.decided_on is not None
                late = max(cal.working_days_between_estimated(i.due_on, i.decided_on)[0], 0)
                word = f"超期{late}个工作日办结" if i.decided_on > i.due_on else "按时办结"
                notes.append((i.case_id, f"{names.get(i.item_code, i.item_code)}：{word}"))
        elif figure_key == "overdue_items":
            overdue = report_lines.overdue_items(conn, today, last, limit, persons)
            lateness = working_days_late(cal, (i.due_on for i in overdue if i.due_on), today)
            for i in overdue:
                assert i.due_on is not None
                notes.append((i.case_id, f"{names.get(i.item_code, i.item_code)}："
                                         f"{late_words(lateness.get(i.due_on, 0))}（应于{i.due_on:%m-%d}办结）"))
        elif figure_key == "conditional_outstanding":
            owing = report_lines.outstanding_items(conn, last, limit, persons)
            notes = [(i.case_id, f"{names.get(i.item_code, i.item_code)}：容缺待补正，"
                                 f"补正期限{i.supplement_due_on:%m-%d}") for i in owing]
        elif figure_key == "conditional_breached":
            notes = [(i.case_id, f"{names.get(i.item_code, i.item_code)}：逾期未补正，{i.closed_on:%m-%d}退件")
                     for i in report_lines.breached_items(conn, first, last, limit, persons)]
        elif figure_key == "conditional_supplemented":
            supplied = q.supplements_completed(conn, start, end)
            owners = q.persons_of_cases(conn, [s.case_id for s in supplied])
            notes = [(s.case_id, f"{names.get(s.item_code, s.item_code)}：{s.at.astimezone(tz):%m-%d}补正齐全")
                     for s in supplied if wanted(owners.get(s.case_id), persons)][:limit]
        elif figure_key in ("appointments_kept", "appointments_missed"):
            status = KEPT if figure_key == "appointments_kept" else MISSED
            if person is None:
                where = None if section is None else ("" if section == NO_SECTION else section)
                for a in report_lines.appointment_lines(conn, first, last, status, section=where, limit=limit):
                    other.append(CaseLine(None, "", mask_name(a.holder_name), a.section or NO_SECTION, "",
                                          "预约到场" if status == KEPT else "预约爽约",
                                          f"{a.day.isoformat()} {a.slot_start}",
                                          f"预约时段 {a.slot_start}–{a.slot_end}"))
        elif figure_key in ("tickets_issued", "tickets_no_show"):
            if section is None and person is None:
                only = TicketStatus.NO_SHOW.value if figure_key == "tickets_no_show" else None
                for t in report_lines.ticket_lines(conn, first, last, only, limit):
                    if t.case_id is not None:
                        notes.append((t.case_id, f"{t.ticket_no} 号，{t.counter or '未叫号'}"))
                    else:
                        other.append(CaseLine(None, "", mask_name(t.holder_name) if t.holder_name else "",
                                              "", "", TICKET_STATUS_NAMES.get(TicketStatus(t.status), t.status),
                                              f"{t.issued_at.astimezone(tz):%Y-%m-%d %H:%M}",
                                              f"{t.ticket_no} 号，窗口 {t.counter or '未叫号'}"))
        elif figure_key in ("wait_p50_min", "wait_p90_min"):
            # The visits behind the waits, the longest first: where a median or a 90th percentile comes from.
            local = LocalTimes(tz)
            waits = [(wait, t.case_id, arrival, met) for t, arrival, met, wait in visit_waits(
                q.case_times(conn, start, end), arrivals_by_visit(q.ticket_arrivals(conn, first, last)), local)
                     if scope.keeps(t.person) and wanted(t.person, persons)]
            waits.sort(key=lambda w: (-w[0], w[1]))
            notes = [(case_id, f"等候{wait:.0f}分钟（{hhmm(arrival, tz)}到达，{hhmm(met, tz)}接待）")
                     for wait, case_id, arrival, met in waits[:limit]]
        elif figure_key in ("ratings_total", "bad_ratings", "satisfaction_rate"):
            lines = report_lines.rating_lines(conn, start, end, max_level=2 if figure_key == "bad_ratings" else 5,
                                              persons=persons, limit=limit)
            notes = [(r.case_id, f"评价：{LEVEL_NAMES[Level(r.level)]}（{r.rated_at.astimezone(tz):%m-%d %H:%M}）")
                     for r in lines]
        elif figure_key in ("follow_ups_late", "follow_ups_overdue_now"):
            wanted_part = "closed_late" if figure_key == "follow_ups_late" else "open_late"
            for f in q.follow_up_rows(conn, start, end, today, last):
                if follow_up_part(f, tz) != wanted_part or not wanted(f.owner_id, persons):
                    continue
                task = FOLLOW_UP_NAMES.get(FollowUpKind(f.task), f.task)
                word = (f"{f.closed_at.astimezone(tz):%m-%d}办结" if f.closed_at else "尚未办结")
                owned.append((f.case_id, f"差评{task}应于{f.due_on:%m-%d}完成，逾期{word}", f.owner_id))
            owned = owned[:limit]
        elif figure_key in PROXY_PARTS:
            for p in report_lines.proxy_lines(conn, PROXY_PARTS[figure_key], first, last, today, owners=persons,
                                              limit=limit):
                kind = PROXY_KIND_NAMES.get(ProxyTaskKind(p.kind), p.kind)
                state = PROXY_STATE_NAMES.get(ProxyTaskState(p.state), p.state)
                owned.append((p.case_id, f"代办{kind}：{state}，应于{p.due_on:%m-%d}完成"
                                         + (f"，{p.closed_on:%m-%d}完成" if p.closed_on else ""), p.owner))
            owned = owned[:limit]
        heads = report_lines.case_heads(conn, [c for c, _ in notes] + [c for c, _n, _o in owned])
    found = [_case_line(heads[c], note, scope, tz) for c, note in notes if c in heads]
    found += [_case_line(heads[c], note, scope, tz, owner=(owner,)) for c, note, owner in owned if c in heads]
    return tuple((found + other)[:limit])


def _case_summary(mode: str, item_codes: list[str], names: dict[str, str]) -> str:
    """What a case is, for the 说明 of a drill-down: 五办 mode and items (马上办：公司设立登记、…)."""
    return f"{mode_name(mode)}：{'、'.join(names.get(c, c) for c in item_codes) or '未选事项'}"


def _case_line(head: report_lines.CaseHead, note: str, scope: Scope, tz: dt.tzinfo,
               owner: tuple[str | None] | None = None) -> CaseLine:
    """The line of a case; ``owner`` (a one-tuple: None is a task nobody holds) names who holds the counted
    task instead of the case's responsible person."""
    status = CASE_STATUS_NAMES.get(CaseStatus(head.status), head.status) \
        if head.status in CaseStatus.__members__.values() else head.status
    person = head.person if owner is None else owner[0]
    return CaseLine(head.case_id, head.case_no, mask_name(head.holder_name), scope.section_of(person),
                    scope.name(person), status, f"{head.opened_at.astimezone(tz):%Y-%m-%d %H:%M}", note)
