"""The supervision report's tables (issue 14; S10): per section and per person, by service mode and
jurisdiction, on time by item, overdue items and who is responsible, 容缺, appointments, the counters'
tickets, ratings, 差评 follow-ups and proxy tasks; each a ``domain.report.Table`` of plain values.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from hallterm.domain.jurisdiction import DISTRICTS
from hallterm.domain.queue import AppointmentStatus, TicketStatus
from hallterm.domain.rating import LEVEL_NAMES, Level
from hallterm.domain.report import Column, Table, rate
from hallterm.domain.service_mode import MODE_NAMES, ServiceMode
from hallterm.services.report_tally import BREAKDOWN, KEPT, MISSED, UNASSIGNED, Scope, Tally, median, p90
from hallterm.services.report_times import late_words, minutes_between
from hallterm.storage import report_lines
from hallterm.storage import report_queries as q

BUREAU_NAMES = {"city": "市级", "district": "县区"}


def mode_name(mode: str) -> str:
    return MODE_NAMES.get(ServiceMode(mode), mode) if mode in ServiceMode.__members__.values() else mode


def breakdown_section(by_section: dict[str, Tally]) -> Table:
    rows = tuple((name, *t.row()) for name, t in sorted(by_section.items()))
    return Table("by_section", "按科室", (Column("section", "科室", "text"), *BREAKDOWN), rows)


def breakdown_person(by_person: dict[str | None, Tally], scope: Scope) -> Table:
    def key(p: str | None) -> tuple[bool, str]:
        return p is None, p or ""  # staff-id order, what nobody holds last

    rows = tuple((p or "", scope.name(p) or UNASSIGNED, scope.section_of(p),
                  *by_person[p].row(appointments=False)) for p in sorted(by_person, key=key))
    columns = (Column("staff_id", "工号", "text"), Column("name", "姓名", "text"), Column("section", "科室", "text"),
               *BREAKDOWN)
    return Table("by_person", "按人员", columns, rows)


def mode_table(modes: dict[str, Counter[str]]) -> Table:
    order = [m.value for m in ServiceMode] + sorted(set(modes) - {m.value for m in ServiceMode})
    rows = tuple((mode_name(m), modes[m]["cases_opened"], modes[m]["cases_closed"])
                 for m in order if m != ServiceMode.PENDING.value or modes.get(m))
    columns = (Column("mode", "办理方式", "text"), Column("cases_opened", "受理案件"),
               Column("cases_closed", "办结案件"))
    return Table("by_mode", "按办理方式（五办）", columns, rows)


def bureau_table(bureaus: dict[tuple[str, str], Counter[str]]) -> Table:
    def key(k: tuple[str, str]) -> tuple[int, int, str]:
        bureau, district = k
        return (0 if bureau == "city" else 1, DISTRICTS.index(district) if district in DISTRICTS else 99, district)

    rows = tuple((BUREAU_NAMES.get(b, b), d, c["cases_opened"], c["cases_closed"])
                 for (b, d), c in sorted(bureaus.items(), key=lambda kv: key(kv[0])))
    return Table("by_jurisdiction", "按管辖（市级、县区）", (
        Column("bureau", "管辖", "text"), Column("district", "县区", "text"),
        Column("cases_opened", "受理案件"), Column("cases_closed", "办结案件")), rows)


def on_time_table(rows: dict[str, Counter[str]], names: dict[str, str]) -> Table:
    out = tuple((code, names.get(code, code), c["decided"], c["on_time"], c["decided"] - c["on_time"],
                 rate(c["on_time"], c["decided"])) for code, c in sorted(rows.items()))
    return Table("on_time_by_item", "各事项按时办结率（工作日，扣除特殊程序）", (
        Column("item_code", "事项编码", "text"), Column("item", "事项", "text"), Column("decided", "办结事项"),
        Column("on_time", "按时"), Column("late", "超期"), Column("on_time_rate", "按时办结率", "rate")), out)


def overdue_table(overdue: list[report_lines.ItemLine], names: dict[str, str], scope: Scope,
                  late: dict[dt.date, int]) -> Table:
    rows = tuple((i.case_no, names.get(i.item_code, i.item_code), i.due_on,
                  late.get(i.due_on, 0) if i.due_on else None,
                  late_words(late.get(i.due_on, 0)) if i.due_on else None,
                  scope.name(i.person) or UNASSIGNED, scope.section_of(i.person)) for i in overdue)
    return Table("overdue_items", "超期未办结事项及责任人", (
        Column("case_no", "办件编号", "text"), Column("item", "事项", "text"), Column("due_on", "应办结日期", "date"),
        Column("working_days_late", "超期工作日", "day"), Column("lateness", "逾期情况", "text"),
        Column("responsible", "责任人", "text"), Column("section", "责任科室", "text")), rows)


def conditional_table(by_section: dict[str, Tally]) -> Table:
    keys = ("conditional_outstanding", "conditional_supplemented", "conditional_breached")
    rows = tuple((name, *(t.counts[k] for k in keys)) for name, t in sorted(by_section.items())
                 if any(t.counts[k] for k in keys))
    return Table("conditional", "容缺受理（S7）", (
        Column("section", "科室", "text"), Column("outstanding", "待补正"), Column("supplemented", "按期补正"),
        Column("breached", "逾期未补正（退件）")), rows)


def appointment_table(rows: dict[str, Counter[str]]) -> Table:
    out = tuple((name, sum(c.values()), c[KEPT], c[MISSED], c[AppointmentStatus.CANCELLED.value],
                 c[AppointmentStatus.BOOKED.value], rate(c[KEPT], c[KEPT] + c[MISSED]))
                for name, c in sorted(rows.items()))
    return Table("appointments", "预约到场与爽约", (
        Column("section", "科室", "text"), Column("total", "预约"), Column("kept", "到场"), Column("missed", "爽约"),
        Column("cancelled", "取消"), Column("booked", "待到场"), Column("kept_rate", "到场率", "rate")), out)


def ticket_table(tickets: list[q.TicketRow], counter_names: dict[str, str]) -> Table:
    groups: dict[str, list[q.TicketRow]] = defaultdict(list)
    for t in tickets:
        groups[t.counter or ""].append(t)
    rows = []
    for code in sorted(groups):
        group = groups[code]
        waits = [minutes_between(t.issued_at, t.first_called_at) for t in group if t.first_called_at is not None]
        rows.append((code or "—", counter_names.get(code, code or "未叫号"), len(group), len(waits),
                     sum(t.status == TicketStatus.NO_SHOW.value for t in group), median(waits), p90(waits)))
    return Table("tickets_by_counter", "各窗口取号、等候与过号", (
        Column("counter", "窗口", "text"), Column("counter_name", "窗口名称", "text"), Column("issued", "取号"),
        Column("called", "已叫号"), Column("no_show", "过号未到"),
        Column("wait_p50_min", "等候中位数（分钟）", "minutes"),
        Column("wait_p90_min", "等候90%分位（分钟）", "minutes")), tuple(rows))


def ratings_table(levels: Counter[int]) -> Table:
    total = sum(levels.values())
    rows = tuple((level, LEVEL_NAMES[Level(level)], levels[level], rate(levels[level], total))
                 for level in (5, 4, 3, 2, 1))
    return Table("ratings", "好差评（满意率 = 非常满意、满意及基本满意 / 全部评价）", (
        Column("level", "等级"), Column("name", "评价", "text"), Column("count", "评价数"),
        Column("share", "占比", "rate")), rows)


def _owner_order(scope: Scope, person: str | None) -> tuple[str, str]:
    return scope.section_of(person), person or ""


def follow_up_table(rows: dict[str | None, Counter[str]], scope: Scope) -> Table:
    out = tuple((scope.name(p) or UNASSIGNED, scope.section_of(p), c["closed_on_time"], c["closed_late"],
                 c["open_late"]) for p, c in sorted(rows.items(), key=lambda kv: _owner_order(scope, kv[0])))
    return Table("follow_ups", "差评整改（回访核实、整改）", (
        Column("owner", "责任人", "text"), Column("section", "科室", "text"), Column("closed_on_time", "按期办结"),
        Column("closed_late", "逾期办结"), Column("open_late", "逾期未办结")), out)


def proxy_table(rows: dict[str | None, Counter[str]], scope: Scope) -> Table:
    out = tuple((scope.name(p) or UNASSIGNED, scope.section_of(p), c["open"], c["done_on_time"], c["done_late"],
                 c["open_late"]) for p, c in sorted(rows.items(), key=lambda kv: _owner_order(scope, kv[0])))
    return Table("proxy_tasks", "帮办代办任务（S3）", (
        Column("owner", "代办员", "text"), Column("section", "科室", "text"), Column("open", "在办"),
        Column("done_on_time", "按期完成"), Column("done_late", "逾期完成"), Column("open_late", "在办已逾期")), out)
