"""What ``hallterm appointments …`` prints: the day's slots, a booking, a cancellation, the call list.

No rules here: every command calls a use case of ``services.appointments``; a refusal (full, a card
the desk refuses, outside the hours, a duplicate…) ends the command with its Chinese line, exit 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm.cli_base import FIRST_DAY, LAST_DAY
from hallterm.cli_csv import csv_text, write_private
from hallterm.domain.terminal_text import visible
from hallterm.domain.weekdays import weekday_name

if TYPE_CHECKING:
    from hallterm.services.appointment_views import CallEntry
    from hallterm.services.context import Services

CSV_HEADER = ("时段", "科室", "预约编号", "姓名", "卡号", "电话", "事项", "状态", "延时/值班", "备注")


def day_arg(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期 {text!r} 应写成 YYYY-MM-DD，例如 2026-12-05") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"日期 {text!r} 超出范围：应在 {FIRST_DAY} 至 {LAST_DAY} 之间")
    return day


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    appts = sub.add_parser("appointments", help="预约服务：时段、预约、取消、当日回访名单")
    appts_sub = appts.add_subparsers(dest="appointments_command", required=True)
    slots = appts_sub.add_parser("slots", help="某天的预约时段与已约人数")
    slots.add_argument("--day", type=day_arg, required=True, metavar="YYYY-MM-DD")
    slots.add_argument("--section", help="只看这个科室（默认全部）")
    slots.add_argument("--json", action="store_true", help="最后一行输出 JSON 数组")
    book = appts_sub.add_parser("book", help="为持卡人预约一个时段（成功输出预约编号）")
    book.add_argument("card_no", metavar="CARD_NO")
    book.add_argument("--day", type=day_arg, required=True, metavar="YYYY-MM-DD")
    book.add_argument("--slot", required=True, metavar="HH:MM", help="时段开始时间")
    book.add_argument("--section", help="科室（默认：事项所属科室，否则 hours.toml 的第一个科室）")
    book.add_argument("--items", default="", metavar="CODES", help="事项编码，逗号分隔，例如 QY-GSSL,QY-FGSSL")
    book.add_argument("--phone", metavar="TEL", help="回访电话（默认：名册中的电话）")
    book.add_argument("--note", default="", help="备注")
    move = appts_sub.add_parser("reschedule", help="改期（需填写原因）")
    move.add_argument("appointment_no", metavar="APPT_NO")
    move.add_argument("--day", type=day_arg, required=True, metavar="YYYY-MM-DD")
    move.add_argument("--slot", required=True, metavar="HH:MM")
    move.add_argument("--section", help="改到这个科室（默认不变）")
    move.add_argument("--reason", required=True, metavar="TEXT")
    cancel = appts_sub.add_parser("cancel", help="取消预约（需填写原因），名额立即释放")
    cancel.add_argument("appointment_no", metavar="APPT_NO")
    cancel.add_argument("--reason", required=True, metavar="TEXT")
    listing = appts_sub.add_parser("list", help="某天的预约名单（含电话，供提醒回访）")
    listing.add_argument("--day", type=day_arg, required=True, metavar="YYYY-MM-DD")
    listing.add_argument("--csv", type=Path, metavar="FILE", help="另存为 CSV（UTF-8 带 BOM，Excel 可直接打开）")
    listing.add_argument("--all", action="store_true", help="包括已取消和失约的预约")


def run(svc: Services, args: argparse.Namespace) -> int:
    # lazy: the use cases load SQLAlchemy; only this command needs them
    from hallterm.domain.appointments import parse_appointment_no
    from hallterm.services import appointment_views, appointments

    command = args.appointments_command
    if command == "slots":
        return _slots(svc, args.day, args.section, as_json=args.json)
    if command == "book":
        view = appointments.book(svc, None, args.card_no, args.day, args.slot, section=args.section,
                                 items=args.items, phone=args.phone, note=args.note)
        print(view.number)  # first, alone on its line: scripts read it
        print(view.message)
        # lazy: as above
        from hallterm.services.appointment_sweep import miss_history

        warning = miss_history(svc, view.card_no).warning  # shown as on the desk, never enforced (S6)
        if warning:
            print(warning)
        return 0
    if command == "reschedule":
        view = appointments.reschedule(svc, None, parse_appointment_no(args.appointment_no), args.day, args.slot,
                                       reason=args.reason, section=args.section)
        print(view.message)
        return 0
    if command == "cancel":
        view = appointments.cancel(svc, None, parse_appointment_no(args.appointment_no), reason=args.reason)
        print(view.message)
        return 0
    entries = appointment_views.call_list(svc, args.day, with_cancelled=args.all)
    _print_list(args.day, entries)
    if args.csv is not None:
        write_csv(args.csv, entries)
        print(f"已保存 {len(entries)} 条到 {args.csv}（仅本人可读）")
    return 0


def _slots(svc: Services, day: dt.date, section: str | None, *, as_json: bool) -> int:
    # lazy: the use cases load SQLAlchemy; only this command needs them (json: only with --json)
    import json

    from hallterm.domain.hours import WINDOW_NAMES
    from hallterm.services.appointment_slots import day_slots

    result = day_slots(svc, day, section)
    print(f"{day:%Y-%m-%d} {weekday_name(day)} {result.hours.label}")
    if not result.slots:
        print("  当天不接受预约")
    for s in result.slots:
        state = "可约" if s.bookable else ("已满" if s.open else "不可约（已开始或超出预约期限）")
        print(f"  {s.start}–{s.end}  {s.section}  {WINDOW_NAMES[s.window]}  已约 {s.booked}/{s.capacity}  {state}")
    if as_json:
        print(json.dumps([s.as_json() for s in result.slots], ensure_ascii=False))
    return 0


def _print_list(day: dt.date, entries: list[CallEntry]) -> None:
    # lazy: the use cases load SQLAlchemy; only this command needs them
    from hallterm.domain.appointments import STATUS_NAMES

    print(f"{day:%Y-%m-%d} {weekday_name(day)} 预约 {len(entries)} 人")
    stranded = [e for e in entries if e.status_text != STATUS_NAMES[e.appointment.status]]
    if stranded:
        print(f"注意：当天已闭厅（{stranded[0].closed}），以下 {len(stranded)} 个预约须逐一电话通知并改约")
    for e in entries:
        a = e.appointment
        items = a.what
        phone = visible(e.phone) or "（无电话）"
        print(f"  {a.slot_start}–{a.slot_end}  {a.number}  {visible(a.holder_name)}  {phone}  "
              f"{visible(a.section)}  {visible(items)}  {e.status_text}"
              + (f"  备注：{visible(a.note)}" if a.note else ""))


def write_csv(path: Path, entries: list[CallEntry]) -> None:
    """The day's call list as CSV for the phone desk (``cli_csv``: BOM, formulas neutralised, 0600)."""
    rows = []
    for e in entries:
        a = e.appointment
        # Excel opens a CSV in the General format and would turn 000011 into the number 11. "#000011" is text
        # to it, kept as written: no formula (="000011" would be one, and the neutraliser quotes formulas),
        # no tab or invisible character; `hallterm appointments cancel` takes the number with or without '#'.
        rows.append((f"{a.slot_start}-{a.slot_end}", a.section, f"#{a.number}", a.holder_name, a.card_no, e.phone,
                     a.what, e.status_text, "是" if a.after_hours else "", a.note))
    write_private(path, csv_text(CSV_HEADER, rows))
