"""What ``hallterm report`` prints and writes: the supervision report (S10; issue 14 point 1).

``hallterm report [--from DATE] [--to DATE] [--section S] [--json] [--csv DIR] [--xlsx FILE]``: by default
the current month in the hall's time zone. The figures come from ``services.report.build_report``; this
module only chooses the period, prints the summary a supervisor reads at a terminal, and hands the
report to ``services.report_export`` for the JSON, the CSVs and the workbook. Everything taken from
data passes through ``visible`` before it reaches the terminal.

Wrong input (a date that is no date, a period ending before it starts, an unknown section, a place the
files cannot be written) ends the command with one Chinese line and exit status 2, before any file is
touched.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hallterm.domain.errors import Refused
from hallterm.domain.rating import LEVEL_NAMES, Level
from hallterm.domain.report import FIGURES, HALL_ONLY, NOT_PER_SECTION, Figure, Period, Report, Table, Unit, plain_text
from hallterm.domain.terminal_text import visible
from hallterm.linebreak import display_width

if TYPE_CHECKING:
    from hallterm.services.context import Services

USAGE_EXIT = 2  # as argparse exits on a wrong argument: the command was asked wrongly, nothing was done
NO_DATA = "无数据"


class ReportUsageError(Refused):
    """The report was asked for wrongly; ``str()`` says what is wrong and what to do."""


def choose_period(start: dt.date | None, end: dt.date | None, today: dt.date) -> Period:
    """The period asked for: the month of ``today`` by default; ``--from`` alone runs to today, ``--to`` alone
    starts on the first of its month."""
    if start is None and end is None:
        return Period.month_of(today)
    if end is None:
        assert start is not None
        if start > today:
            raise ReportUsageError(f"--from {start} 在今天（{today}）之后，没有可统计的日子："
                                   "请给一个不晚于今天的起始日，或同时给出 --to")
        end = today
    if start is None:
        start = end.replace(day=1)
    if end < start:
        raise ReportUsageError(f"--to {end} 早于 --from {start}：截止日不能早于起始日，请交换或改正这两个日期")
    return Period(start, end)


def run(svc: Services, args: argparse.Namespace) -> int:
    try:
        return _run(svc, args)
    except ReportUsageError as exc:
        print(str(exc), file=sys.stderr)
        return USAGE_EXIT


def _run(svc: Services, args: argparse.Namespace) -> int:
    # lazy: the report's queries load SQLAlchemy; only this command needs them (json: only with --json)
    import json

    from hallterm.services.report import build_report
    from hallterm.services.report_export import (
        ReportFileError,
        check_csv_dir,
        check_xlsx_path,
        report_json,
        write_files,
    )

    period = choose_period(args.start, args.end, svc.today())
    section = _section(svc, args.section)
    try:  # before the report is computed: a wrong place is said at once, and no file is touched
        if args.csv is not None:
            check_csv_dir(args.csv)
        if args.xlsx is not None:
            check_xlsx_path(args.xlsx)
    except ReportFileError as exc:
        raise ReportUsageError(str(exc)) from None
    report = with_responsibility(svc, build_report(svc, period, section=section))
    tz = svc.settings.hall.tz
    files: dict[str, object] = {}
    csvs: list[str] = []
    if args.csv is not None or args.xlsx is not None:
        try:  # the CSVs and the workbook together: all of them, or none
            written = write_files(report, csv_dir=args.csv, xlsx=args.xlsx, tz=tz)
        except ReportFileError as exc:
            raise ReportUsageError(str(exc)) from None
        csvs = [str(p) for p in written if p.suffix == ".csv"]
        if args.csv is not None:
            files["csv"] = csvs
        if args.xlsx is not None:
            files["xlsx"] = str(args.xlsx)
    print("\n".join(summary_lines(report, tz)))
    if args.csv is not None:
        print(f"已保存 CSV {len(csvs)} 个文件到 {args.csv}（仅本人可读）")
    if args.xlsx is not None:
        print(f"已保存 Excel 工作簿 {args.xlsx}（仅本人可读）")
    if args.json:
        print(json.dumps({**report_json(report, tz), "files": files}, ensure_ascii=False))
    return 0


def _section(svc: Services, asked: str | None) -> str | None:
    if asked is None:
        return None
    known = known_sections(svc)
    section = asked.strip()
    if section not in known:
        raise ReportUsageError(f"没有名为“{visible(section)}”的科室：请用以下之一（--section）："
                               + "、".join(known))
    return section


def known_sections(svc: Services) -> tuple[str, ...]:
    """The sections a report can be narrowed to, as ``build_report`` counts them: the sections of the hall's
    active staff (a case's section is its responsible person's), the sections receiving appointments
    (assets/hours.toml), and 未分配 for what nobody holds."""
    # lazy: these read the database (SQLAlchemy); only this command needs them
    from hallterm.services.appointment_slots import hall_hours
    from hallterm.services.report_tally import UNASSIGNED
    from hallterm.services.responsibility import sections

    return tuple(dict.fromkeys([*hall_hours(svc).sections, *sections(svc), UNASSIGNED]))


def with_responsibility(svc: Services, report: Report) -> Report:
    """The report plus the responsibility list (责任清单, issue 14 point 2; S10: every task has a named
    department and person) as its last table: who holds what now, late ones first, for the report's section."""
    # lazy: the list's queries load SQLAlchemy; only this command and the screens need them
    from hallterm.services import responsibility

    if any(t.key == responsibility.TABLE_KEY for t in report.tables):
        return report  # build_report put it there already
    duties = responsibility.responsibility_list(svc, section=report.section)
    return dataclasses.replace(report, tables=(*report.tables, responsibility.as_table(duties)))


# --- the summary at the terminal ----------------------------------------------------------------------


def figure_text(figure: Figure, value: int | float | None, section: str | None = None) -> str:
    """The figure's value as the summary shows it; in a section's report the counters' figures say 不分科室
    (tickets carry no section) rather than 无数据."""
    if value is None and section is not None and figure.key in HALL_ONLY:
        return NOT_PER_SECTION
    return NO_DATA if value is None else cell_text(value, figure.unit)


def cell_text(value: object, unit: Unit = "text") -> str:
    if value is None:
        return NO_DATA  # as the supervisor's screen says it
    if (plain := plain_text(value)) is not None:
        return plain
    if isinstance(value, float | int) and unit == "rate":
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return visible(str(value))


# The tables a terminal shows, with the columns that fit a screen; the rest (all columns, all tables) are in
# the files and the JSON. A key or column the report does not have is left out, not an error.
_HEADLINE = ("cases_opened", "cases_closed", "on_time_rate", "overdue_items", "wait_p50_min", "conditional_breached",
             "satisfaction_rate", "bad_ratings", "follow_ups_late", "follow_ups_overdue_now", "proxy_late",
             "proxy_overdue_now")
ON_SCREEN: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("by_section", ("section", *_HEADLINE)),
    ("by_person", ("staff_id", "name", "section", *_HEADLINE)),
    ("overdue_items", None),
)


def summary_lines(report: Report, tz: dt.tzinfo | None = None) -> list[str]:
    """What a supervisor reads: the period, the figures with their units, the ratings, the per-section and
    per-person tables and the overdue items with who is responsible; where the other tables are."""
    generated = report.generated_at.astimezone(tz) if tz is not None else report.generated_at
    where = visible(report.section) if report.section else "全大厅"
    lines = [f"督查报表　{report.period.label()}　{where}（生成于 {generated:%Y-%m-%d %H:%M}）"]
    if report.empty:  # zeros would read as a hall that did nothing well or badly: say there is nothing
        lines.append("本期没有数据：这段时间没有受理、办结、排队、预约、评价或代办记录")
        return lines
    width = max(display_width(f.label) for f in FIGURES)
    # Two groups: what happened in the period, and what stands now (as_of_now) — a week's 当前 figures are
    # the month's too, so they are read apart from the period's.
    groups = ((f"本期（{report.period.label()}）", False), (f"当前（截至 {generated:%Y-%m-%d %H:%M}）", True))
    for heading, now in groups:
        lines.append(f"  {heading}")
        for f in (f for f in FIGURES if f.as_of_now == now):
            pad = " " * (width - display_width(f.label))
            lines.append(f"    {f.label}{pad}  {figure_text(f, report.figures.get(f.key), report.section)}")
    levels = "　".join(f"{LEVEL_NAMES[lv]} {report.ratings_by_level.get(int(lv), 0)}" for lv in Level)
    lines.append(f"  好差评：{levels}")
    by_key = {t.key: t for t in report.tables}
    for key, columns in ON_SCREEN:
        if key in by_key:
            lines.append("")
            lines.extend(table_lines(by_key[key], columns))
    others = [visible(t.title) for t in report.tables if t.key not in dict(ON_SCREEN)]
    if others:
        lines.append("")
        lines.append("其余各表（--csv、--xlsx 或 --json 中有全部列）：" + "、".join(others))
    return lines


def table_lines(table: Table, keys: Sequence[str] | None = None) -> list[str]:
    """The table as aligned columns (a Chinese character is two columns wide); only ``keys`` when given."""
    title = f"{visible(table.title)}（{len(table.rows)} 行）"
    if not table.rows:
        return [title, "  （无）"]
    chosen = [n for n, c in enumerate(table.columns) if keys is None or c.key in keys]
    columns = [table.columns[n] for n in chosen]
    cells = [[cell_text(row[n], table.columns[n].unit) for n in chosen] for row in table.rows]
    header = [visible(c.title) for c in columns]
    widths = [max(display_width(x) for x in column) for column in zip(header, *cells, strict=True)]
    numeric = [c.unit in ("count", "rate", "minutes", "day") for c in columns]
    return [title, _row_line(header, widths, numeric), *(_row_line(row, widths, numeric) for row in cells)]


def _row_line(cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    """Text to the left, numbers to the right of their column, as a spreadsheet shows them."""
    padded = [(" " * (w - display_width(c)) + c) if r else (c + " " * (w - display_width(c)))
              for c, w, r in zip(cells, widths, right, strict=True)]
    return ("  " + "  ".join(padded)).rstrip()
