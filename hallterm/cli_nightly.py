"""The commands of the day's end: ``hallterm sweep`` (run every night), ``callbacks`` (who left the
queue, to call back) and ``calendar check`` (the next 365 days' holidays are known)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm.cli_base import FIRST_DAY, LAST_DAY, CliError
from hallterm.config import Settings
from hallterm.domain.terminal_text import visible

if TYPE_CHECKING:
    from hallterm.services.context import Services


def list_callbacks(svc: Services, day: dt.date | None, csv_file: Path | None) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.cli_csv import csv_text, write_private
    from hallterm.services.day_end import callbacks

    day = day or svc.today()
    tz = svc.settings.hall.tz
    entries = callbacks(svc, day)
    print(f"{day:%Y-%m-%d} 日终离队待回访 {len(entries)} 人")
    for e in entries:
        print(f"  {e.case_no}  {visible(e.name)}  {visible(e.phone) or '（无电话）'}  等候{visible(e.section)}  "
              f"{e.left_at.astimezone(tz):%H:%M} 离队")
    if csv_file is not None:
        write_private(csv_file, csv_text(("办件编号", "姓名", "卡号", "电话", "等候科室", "离队时间"), (
            (e.case_no, e.name, e.card_no, e.phone, e.section, f"{e.left_at.astimezone(tz):%Y-%m-%d %H:%M}")
            for e in entries)))
        print(f"已保存 {len(entries)} 条到 {csv_file}（仅本人可读）")
    return 0


def run_sweep(svc: Services) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.services.appointment_sweep import sweep_missed
    from hallterm.services.deadline_sweep import sweep
    from hallterm.services.print_jobs import prune_spool

    result = sweep(svc, day_end=True)
    missed = sweep_missed(svc)
    numbers = f"：{'、'.join(missed.missed)}" if missed.missed else ""
    print(f"预约超时未签到、标记失约 {len(missed.missed)} 个{numbers}")
    print(f"容缺逾期退件办结 {result.returned} 项（暂停容缺资格 {result.barred_holders} 人），"
          f"重算估算期限 {result.recomputed} 项")
    print(f"日终仍在排队、未分配洽谈室的持卡人 {len(result.left_queue)} 位已离队，待回访"
          + "".join(f"\n  {c.line(svc.settings.hall.tz)}" for c in result.left_queue)
          + ("\n  完整电话供回访：hallterm callbacks（或 --csv 文件）" if result.left_queue else ""))
    keep = svc.settings.printing.spool_keep_days
    try:
        folders, size = prune_spool(svc)
    except OSError as exc:
        raise CliError(f"清理打印暂存目录失败：{exc.strerror or exc}（{getattr(exc, 'filename', '')}）。"
                       "请检查目录权限；办件数据不受影响") from None
    if keep:
        print(f"打印暂存目录：删除 {keep} 天以前的 {folders} 个日期文件夹（{size / 1e6:.1f} MB）")
    # lazy: as above
    from hallterm.services.backup import nightly_backup
    from hallterm.services.integrity import seal_events

    print(f"封存操作记录 {seal_events(svc.db, svc.now())} 条（hallterm db check 据此检查操作记录未被改动）")

    done, removed = nightly_backup(svc)  # last: the backup holds what the sweep just did
    print(f"已备份数据库到 {done.path}（{done.size / 1e6:.1f} MB）；保留最近 {svc.settings.backup.keep} 份，"
          f"删除较早的 {len(removed)} 份")
    return 0


def calendar_check(settings: Settings, today_text: str | None) -> int:
    """Exit 1 naming the year to add when the next 365 days are not all covered (issue 4, point 5)."""

    # lazy: chinese-calendar's tables and the hall's calendar files load only for this command
    from hallterm.domain.calendar_files import build_calendar
    from hallterm.domain.workdays import package_data
    from hallterm.services.calendar import calendar_dir, read_calendar_files

    try:
        today = dt.date.fromisoformat(today_text) if today_text else dt.datetime.now(settings.hall.tz).date()
    except ValueError:
        raise CliError(f"--today {today_text} 不是有效日期，应写成 2026-11-26", 2) from None
    if not FIRST_DAY <= today <= LAST_DAY:  # a year on would overflow
        raise CliError(f"--today {today_text} 超出范围：应在 {FIRST_DAY} 至 {LAST_DAY} 之间", 2)
    files = read_calendar_files(settings.paths.assets_dir)
    cal = build_calendar(files.years, files.local)
    package = package_data().years
    sources = f"chinese-calendar：{min(package)}–{max(package)} 年"
    if files.years:
        sources += "；大厅年度文件：" + "、".join(f"{s.year} 年" for s in files.years)
    if files.local and files.local.days:
        sources += f"；本地调整 {len(files.local.days)} 天"
    horizon = today + dt.timedelta(days=365)
    print(f"节假日数据覆盖至 {cal.covered_until():%Y-%m-%d}（{sources}）")
    missing = cal.missing_years(today, horizon)
    if not missing:
        print(f"今后 365 天（{today:%Y-%m-%d} 至 {horizon:%Y-%m-%d}）均有节假日安排，工作日期限可准确计算")
        return 0
    year = missing[0]
    raise CliError(f"缺少 {year} 年的节假日安排：今后 365 天（至 {horizon:%Y-%m-%d}）超出了已有数据。"
                   f"国务院办公厅公布 {year} 年节假日安排后（通常在上一年 11 月前后），请按 "
                   f"assets/calendar/README.md 添加 {calendar_dir(settings.paths.assets_dir) / f'{year}.toml'}；"
                   f"在此之前，落在 {year} 年的期限按周一至周五（除去日期确定的法定节假日）估算并标注“估算”")
