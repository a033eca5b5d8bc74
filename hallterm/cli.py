"""Command line: parse arguments, build settings and services, start an app. No logic here.

Imports are deferred to each command, each saying why (``# lazy:``): the desk must show its scan
field before SQLAlchemy and Alembic are even imported (DESIGN.md performance budget).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hallterm import argparse_zh, cli_appointments, cli_cases, cli_db, cli_duties, cli_proxy, cli_report, logfile
from hallterm.config import (
    DEMO_DB_FILE,
    LOCATIONS,
    SECTIONS,
    ConfigError,
    Settings,
    check_db_url,
    load_settings,
    sqlite_url,
)
from hallterm.domain.errors import Refused

if TYPE_CHECKING:
    from hallterm.services.context import Services


class CliError(Exception):
    """A failure the user can act on: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:

    argparse_zh.install()
    parser = argparse.ArgumentParser(prog="hallterm", description="绿色通道前台终端（钢都英才卡）")
    parser.add_argument("--config", metavar="FILE", help="配置文件（TOML），默认读取环境变量 HALLTERM_CONFIG")
    parser.add_argument("--db", metavar="URL", help="数据库地址或 SQLite 文件路径（如 db/demo.sqlite3），"
                        "覆盖 HALLTERM_DB_URL")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    desk = sub.add_parser("desk", help="打开前台终端（默认命令）")
    desk.add_argument("--after-hours", action="store_true", help="延时服务/节假日值班模式")

    demo = sub.add_parser("demo", help="生成演示数据库并打开前台")
    demo.add_argument("--no-ui", action="store_true", help="只生成演示数据库，不打开界面")
    demo.add_argument("--holders", type=int, default=300, help="演示持卡人数量（默认 300）")
    demo.add_argument("--days", type=int, default=30, choices=range(1, 91), metavar="N",
                      help="模拟今天之前多少天的大厅业务（1–90，默认 30）")

    cli_db.add_parser(sub)

    ref = sub.add_parser("reference", help="大厅基础数据（assets/*.toml）")
    ref_sub = ref.add_subparsers(dest="ref_command", required=True)
    ref_sub.add_parser("load", help="载入大厅布局、人员班次和事项清单")

    cards = sub.add_parser("cards", help="人才名册")
    cards_sub = cards.add_subparsers(dest="cards_command", required=True)
    imp = cards_sub.add_parser("import", help="导入人才办名册 CSV（UTF-8 或 GB18030）")
    imp.add_argument("file", type=Path)
    look = cards_sub.add_parser("lookup", help="按卡号查询持卡人")
    look.add_argument("card_no")

    staff_cmd = sub.add_parser("staff", help="工作人员")
    staff_sub = staff_cmd.add_subparsers(dest="staff_command", required=True)
    pin = staff_sub.add_parser("set-pin", help="设置或重置工作人员 PIN（4–8 位数字）")
    pin.add_argument("staff_id")
    pin.add_argument("--pin-stdin", action="store_true", help="从标准输入读取 PIN（脚本用）")

    bench = sub.add_parser("bench", help="性能测试（合成数据库）")
    bench.add_argument("--quick", action="store_true", help="数据量为十分之一")
    bench.add_argument("--json", action="store_true", help="最后一行输出 JSON")

    sub.add_parser("sweep", help="每晚运行：容缺补正逾期的事项退件办结，重算估算期限，"
                                 "日终仍排队的持卡人离队待回访，超时未签到的预约标记失约，清理过期的打印暂存（幂等）")
    sub.add_parser("config", help="显示生效的配置")
    callbacks = sub.add_parser("callbacks", help="某天日终离队、待回访的持卡人（含完整电话，供回访）")
    callbacks.add_argument("--day", type=cli_appointments.day_arg, metavar="YYYY-MM-DD",
                           help="哪一天（默认：大厅所在时区的今天）")
    callbacks.add_argument("--csv", type=Path, metavar="FILE", help="另存为 CSV（UTF-8 带 BOM，仅本人可读）")

    display = sub.add_parser("display", help="叫号显示屏（只读，第二台终端或大厅电视）")
    display.add_argument("--serve", action="store_true", help="以网页提供给大厅电视的浏览器（textual-serve）")
    display.add_argument("--host", default="127.0.0.1", help="--serve 监听的地址（默认 127.0.0.1，仅本机）")
    display.add_argument("--port", type=int, default=8000, help="--serve 监听的端口（默认 8000）")

    rate = sub.add_parser("rate", help="好差评评价器（面向办事人的小屏幕，无需登录）")
    rate.add_argument("--counter", required=True, metavar="CODE", type=_counter_code,
                      help="所在窗口的代码（大厅布局 assets/hall.toml，如统一发证窗口 F1）")

    printing = sub.add_parser("print", help="打印回执和文书")
    print_sub = printing.add_subparsers(dest="print_command", required=True)
    print_test = print_sub.add_parser("test", help="用样例数据打印每种回执和文书各一份（检查打印机）")
    print_test.add_argument("--to", metavar="DIR", type=Path, help="不打印，写入此目录（PNG、PDF、ESC/POS）")
    print_test.add_argument("--paper", type=int, choices=(58, 80), help="热敏纸宽（毫米），覆盖 printing.paper_mm")

    scan = sub.add_parser("scan", help="识别图片中的二维码和条码（pyzbar）")
    scan.add_argument("images", nargs="+", type=Path, metavar="IMAGE")

    cal = sub.add_parser("calendar", help="节假日安排（工作日期限）")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    cal_check = cal_sub.add_parser("check", help="检查今后 365 天是否都有节假日安排（缺少则退出码 1）")
    cal_check.add_argument("--today", metavar="YYYY-MM-DD", help="按这一天检查（默认：大厅所在时区的今天）")

    cli_appointments.add_parser(sub)
    cli_cases.add_parser(sub)
    cli_proxy.add_parser(sub)
    cli_duties.add_parser(sub)
    cli_report.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _refuse_undecodable(args)
        settings = load_settings(args.config)
        if args.db:
            # A bare path is the hall's SQLite file, as the README's table names it (db/demo.sqlite3).
            url = args.db if "://" in args.db else sqlite_url(Path(args.db).expanduser().resolve())
            check_db_url(url, "命令行参数 --db")
            settings = settings.with_db_url(url)
            args.db = url  # display --serve passes it on to the display it starts
        command = args.command or "desk"
        program = {"demo": "desk"}.get(command, command) if command in {"desk", "demo", "display", "rate"} else "cli"
        log_path = logfile.setup(program, settings)
        started = time.perf_counter()
        try:
            return _dispatch(args, settings)
        except (CliError, Refused, KeyboardInterrupt, BrokenPipeError, SystemExit):
            raise
        except Exception as exc:  # a fault of hallterm's: one line here, the traceback in the log
            logging.getLogger("hallterm.cli").error("hallterm %s failed", command, exc_info=exc)
            where = f"，详情已记入日志 {log_path}" if log_path else ""
            raise CliError(f"程序内部错误（{command}）{where}。请把日志交给技术支持；已保存的数据不受影响") from None
        finally:
            if program == "cli":  # a screen's run lasts a shift: its use cases are timed one by one instead
                logfile.slow(f"hallterm {command}", started)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except Refused as exc:  # its str() is the line to read
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hallterm config | head`: the reader has gone, so stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141


def _refuse_undecodable(args: argparse.Namespace) -> None:
    """A text argument with bytes that are not UTF-8 (Linux hands them over as surrogates) is refused
    here: passed on, it failed deep in the database driver. File paths (Path, and --config) may hold them."""
    for name, value in vars(args).items():
        if isinstance(value, str) and name != "config" and any("\ud800" <= c <= "\udfff" for c in value):
            shown = value.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
            raise CliError(f"命令行参数 {shown} 含有不是 UTF-8 的字节：请把终端的字符编码设为 UTF-8 后重新输入", 2)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command or "desk"
    if command == "desk":
        return _run_desk(settings, after_hours=getattr(args, "after_hours", False))
    if command == "demo":
        return _demo(settings, args.no_ui, args.holders, args.days)
    if command == "bench":
        # lazy: the bench loads everything; no other command needs it
        from hallterm.bench import run_bench

        return run_bench(quick=args.quick, as_json=args.json)
    if command == "config":
        return _show_config(settings)
    if command == "display":
        return _display(args, settings)
    if command == "rate":
        return _rate(settings, args.counter)
    if command == "calendar":
        return _calendar_check(settings, args.today)
    if command == "print":
        return _print_test(settings, args.to, args.paper)
    if command == "scan":
        return _scan(settings, args.images)
    with _services(settings, must_exist=(command in {"cards", "sweep", "staff", "appointments", "callbacks", "cases",
                                                    "proxy", "duties", "report"} and
                   getattr(args, "cards_command", "") != "import")
                   or getattr(args, "db_command", "") in {"check", "backup", "copy"}) as svc:
        if command == "db":
            return cli_db.run(svc, args)
        if command == "reference":
            return _reference_load(svc)
        if command == "sweep":
            return _sweep(svc)
        if command == "staff":
            return _set_pin(svc, args.staff_id, args.pin_stdin)
        if command == "appointments":
            return cli_appointments.run(svc, args)
        if command == "cases":
            return cli_cases.run(svc, args)
        if command == "proxy":
            return cli_proxy.run(svc, args)
        if command == "duties":
            return cli_duties.run(svc, args)
        if command == "report":
            return cli_report.run(svc, args)
        if command == "callbacks":
            return _callbacks(svc, args.day, args.csv)
        if command == "cards":
            return _cards_import(svc, args.file) if args.cards_command == "import" else _cards_lookup(svc, args.card_no)
    raise CliError(f"未知命令：{command}", 2)


class _services:
    """Open services for one command; database and reference errors become one clear line."""

    def __init__(self, settings: Settings, *, upgrade: bool = True, must_exist: bool = False) -> None:
        self.settings = settings
        self.upgrade = upgrade
        self.must_exist = must_exist  # a query on a database that is not there is a typo in --db, not a new hall
        self.svc: Services | None = None

    def __enter__(self) -> Services:
        # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
        from sqlalchemy.engine import make_url

        from hallterm.services.context import Services

        url = make_url(self.settings.db.resolved_url())
        if self.must_exist and url.get_backend_name() == "sqlite" and url.database \
                and not Path(url.database).exists():
            raise CliError(f"数据库文件不存在：{url.database}。请检查 --db 或 HALLTERM_DB_URL；"
                           "新的大厅数据库由 hallterm db upgrade 或第一次打开前台时创建")
        try:
            self.svc = Services.open(self.settings, upgrade=self.upgrade)
        except OSError as exc:  # e.g. the SQLite file's folder cannot be created
            raise CliError(f"无法创建或打开数据库文件（{self.settings.db.resolved_url()}）："
                           f"{exc.strerror or exc}") from exc
        except Exception as exc:
            raise _translate(exc, self.settings.db.resolved_url()) from exc
        return self.svc

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if self.svc is not None:
            self.svc.close()
        if exc is not None and not isinstance(exc, CliError | SystemExit | KeyboardInterrupt):
            raise _translate(exc, self.settings.db.resolved_url()) from exc


def _translate(exc: BaseException, url: str) -> BaseException:
    """A refusal or an unusable database ends the command with its Chinese line; a fault keeps its traceback."""
    # lazy: services.errors imports SQLAlchemy (~0.5 s), needed only once a command fails
    from hallterm.services.errors import explain, is_expected

    return CliError(explain(exc, url)) if is_expected(exc) else exc


def _reference_load(svc: Services) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.services.reference import load_reference

    ref = load_reference(svc)
    print(f"已载入：业务洽谈室 {len(ref.hall.lounges)} 间，窗口 {len(ref.hall.counters)} 个，"
          f"人员 {len(ref.staff)} 名，事项 {len(ref.items)} 项"
          f"（材料 {sum(len(i.materials) for i in ref.items)} 项），营业时间段 {len(ref.hours.windows)} 个，"
          f"预约科室 {len(ref.hours.sections)} 个")
    # lazy: as above
    from hallterm.services.appointments import stranded_bookings

    for stranded in stranded_bookings(svc):  # closing a day gives no seat back: the holders must be called
        print(f"注意：{stranded.day:%Y-%m-%d} 已设为闭厅（{stranded.reason}），仍有 {stranded.bookings} 个预约："
              f"请逐一电话通知持卡人改约（名单：hallterm appointments list --day {stranded.day:%Y-%m-%d}）")
    return 0


def _cards_import(svc: Services, path: Path) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.services.roster import import_roster

    if not path.is_file():
        raise CliError(f"找不到名册文件：{path}")
    result = import_roster(svc, path)
    if not result.ok:
        print(f"名册 {path.name} 有 {len(result.check.errors)} 行错误，未导入任何数据。请改正后重新导入：",
              file=sys.stderr)
        for error in result.check.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(f"已导入名册 {path.name}（{result.check.encoding}）：共 {len(result.check.rows)} 人，"
          f"新增 {result.inserted}，更新 {result.updated}")
    return 0


def _cards_lookup(svc: Services, text: str) -> int:
    # lazy: SQLAlchemy (~0.5 s with Alembic) and this command's modules load only when it runs
    from hallterm.domain.cards import parse_scan
    from hallterm.domain.holders import TIER_NAMES, assess
    from hallterm.domain.ids import mask_id, mask_phone
    from hallterm.services.cards import find_holder

    scan = parse_scan(text, svc.card_format)
    if scan.kind != "card":
        raise CliError("这不是钢都英才卡号")
    holder = find_holder(svc, scan.card_no)
    check = assess(holder, scan.card_no, svc.today(), svc.settings.cards.eligible_tiers)
    if holder is None:
        raise CliError(check.message)
    print(f"卡号：{holder.card_no}\n姓名：{holder.name}\n身份证号：{mask_id(holder.id_number)}\n"
          f"类别：{TIER_NAMES.get(holder.tier, holder.tier)}\n"
          f"有效期：{holder.issued_on:%Y-%m-%d} 至 {holder.expires_on:%Y-%m-%d}\n"
          f"状态：{check.message}\n电话：{mask_phone(holder.phone)}\n单位：{holder.employer}\n"
          f"在办件：{holder.open_cases}，历史办件：{holder.past_cases}")
    return 0


def _callbacks(svc: Services, day: dt.date | None, csv_file: Path | None) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.cli_csv import csv_text, write_private
    from hallterm.services.day_end import callbacks

    day = day or svc.today()
    tz = svc.settings.hall.tz
    entries = callbacks(svc, day)
    print(f"{day:%Y-%m-%d} 日终离队待回访 {len(entries)} 人")
    for e in entries:
        print(f"  {e.case_no}  {e.name}  {e.phone or '（无电话）'}  等候{e.section}  "
              f"{e.left_at.astimezone(tz):%H:%M} 离队")
    if csv_file is not None:
        write_private(csv_file, csv_text(("办件编号", "姓名", "卡号", "电话", "等候科室", "离队时间"), (
            (e.case_no, e.name, e.card_no, e.phone, e.section, f"{e.left_at.astimezone(tz):%Y-%m-%d %H:%M}")
            for e in entries)))
        print(f"已保存 {len(entries)} 条到 {csv_file}（仅本人可读）")
    return 0


def _sweep(svc: Services) -> int:
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


def _set_pin(svc: Services, staff_id: str, from_stdin: bool) -> int:

    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from hallterm.services.staff import set_pin, staff_name

    name = staff_name(svc, staff_id)
    if name is None:  # say so before anyone types a PIN for nobody
        raise CliError(f"工号 {staff_id.strip().upper()} 不存在或已停用：请核对工号，"
                       "或先在 assets/staff.toml 中添加并运行 hallterm reference load")
    no_terminal = "没有可输入 PIN 的终端：请在终端中运行，或用 --pin-stdin 从标准输入读取 PIN"
    if from_stdin:
        pin = sys.stdin.readline().strip()
    elif not sys.stdin.isatty():  # getpass would echo the PIN, warn in English, then fail
        raise CliError(no_terminal)
    else:
        try:
            pin = getpass.getpass(f"为 {staff_id.strip().upper()}（{name}）输入新 PIN（4–8 位数字）：")
            again = getpass.getpass("再输入一次：")
        except EOFError:  # the terminal went away mid-prompt
            raise CliError(no_terminal) from None
        if again != pin:
            raise CliError("两次输入的 PIN 不一致，未修改")
    set_pin(svc, staff_id, pin)
    print(f"已为 {staff_id.strip().upper()} 设置 PIN；原有的锁定已解除")
    return 0


def _show_config(settings: Settings) -> int:

    # lazy: storage.engine loads SQLAlchemy; this command opens no database
    from hallterm.storage.engine import safe_url

    from_env = sum(where.startswith("环境变量") for where in settings.origins.values())
    file = settings.source if settings.source != "默认设置" else "无（未指定配置文件）"
    print(f"配置文件：{file}" + (f"；另有 {from_env} 项来自环境变量" if from_env else ""))
    print(f"数据库：{safe_url(settings.db.resolved_url())}")
    print(f"本机数据目录：{LOCATIONS.data_dir}" + ("（从源码目录运行）" if LOCATIONS.checkout else "")
          + f"；程序自带的基础数据：{LOCATIONS.shipped_assets}")
    print(f"大厅：{settings.hall.name}（时区 {settings.hall.timezone}，区划代码 {settings.hall.region_code}）")
    cards = settings.cards
    print(f"卡号格式：{cards.pattern}（校验 {cards.check}，绿色通道类别 {cards.eligible_tiers}）")
    print(f"基础数据目录：{settings.paths.assets}")
    p = settings.printing
    where = {"spool": "只存入暂存目录", "escpos": f"热敏打印机（{p.escpos_connection}）",
             "cups": f"CUPS {p.cups_printer or '默认打印机'}"}[p.backend]
    print(f"回执打印：{where}，{p.paper_mm} mm；文书：{p.notice_backend} {p.notice_paper}；暂存目录：{p.spool_path}")
    secret = "环境变量 HALLTERM_SIGNING_SECRET" if settings.signing.secret else f"密钥文件 {settings.signing.key_path}"
    print(f"回执签名密钥：{settings.signing.key_id}（{secret}）")
    print("\n全部设置（值　来源）：")
    for section in SECTIONS:
        for item in dataclasses.fields(getattr(settings, section)):
            key = f"{section}.{item.name}"
            value = getattr(getattr(settings, section), item.name)
            if "secret" in item.name or "password" in item.name:
                value = "（已设置，不显示）" if value else ""
            elif key == "db.url" and value:
                value = safe_url(str(value))
            print(f"  {key} = {value!r}　{settings.origins.get(key, '默认值')}")
    return 0


def _calendar_check(settings: Settings, today_text: str | None) -> int:
    """Exit 1 naming the year to add when the next 365 days are not all covered (issue 4, point 5)."""

    # lazy: chinese-calendar's tables and the hall's calendar files load only for this command
    from hallterm.domain.calendar_files import build_calendar
    from hallterm.domain.workdays import package_data
    from hallterm.services.calendar import calendar_dir, read_calendar_files

    try:
        today = dt.date.fromisoformat(today_text) if today_text else dt.datetime.now(settings.hall.tz).date()
    except ValueError:
        raise CliError(f"--today {today_text} 不是有效日期，应写成 2026-11-26", 2) from None
    if not cli_appointments.FIRST_DAY <= today <= cli_appointments.LAST_DAY:  # a year on would overflow
        raise CliError(f"--today {today_text} 超出范围：应在 {cli_appointments.FIRST_DAY} 至 "
                       f"{cli_appointments.LAST_DAY} 之间", 2)
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


def _demo(settings: Settings, no_ui: bool, count: int, days: int) -> int:
    # lazy: SQLAlchemy and Alembic (~0.5 s) load only for a command that opens the database
    from sqlalchemy.engine import make_url

    from hallterm.services.demo import (
        DEMO_PIN,
        build_demo,
        clear_demo_file,
        demo_cache_file,
        keep_demo,
        restore_demo,
    )

    if not settings.db.url:  # the demo never touches the hall's real database
        settings = settings.with_db_url(sqlite_url(DEMO_DB_FILE))
    url = settings.db.resolved_url()
    clear_demo_file(url)  # every build starts from an empty file
    today = dt.datetime.now(settings.hall.tz).date()
    cache = demo_cache_file(settings, url, count, days, today)
    summary = restore_demo(cache, Path(make_url(url).database or "")) if cache else None
    if summary is None:
        print(f"正在生成演示数据：近 {days} 天的大厅业务由程序自己逐笔办理（约半分钟；当天再次生成时直接复用）……",
              flush=True)
        with _services(settings) as svc:
            summary = build_demo(svc, count, days)
        if cache is not None:
            keep_demo(Path(make_url(url).database or ""), cache, summary)
    samples = summary["samples"]
    cards = "可试的卡号：" + "，".join(f"{label} {card}" for label, card in samples.items())
    logins = f"登录工号：前台 S1401，协调员 S1001，督查 S1601，延时值班 S1501，帮办代办 S1201；演示 PIN 均为 {DEMO_PIN}"
    print(f"演示数据库已生成：{settings.db.resolved_url()}（持卡人 {summary['holders']} 名，"
          f"近 {summary['days']} 天办件 {summary['cases']} 件）")
    # Issue 12 point 7: the appointments, the duty roster and the handover list, where to see them.
    booked = (f"预约：今天 {summary['appointments_today']} 个，今后 7 天 {summary['appointments_ahead']} 个"
              f"（今天和昨天已签到 {summary['checked_in']}，失约 {summary['missed']}）；"
              f"延时值班表 {summary['duty_lines']} 条（assets/staff.toml）；"
              f"交接单待确认 {summary['handover']} 项（Ctrl+T；S1501 登录即延时值班台）\n{summary['played']}")
    print(cards)
    print(logins)
    print(booked)
    if no_ui:
        return 0
    # The lines above vanish behind the full-screen desk: it shows them again itself.
    return _run_desk(settings, after_hours=False, demo_note=f"演示数据\n{logins}\n{booked}\n{cards}")


def _display(args: argparse.Namespace, settings: Settings) -> int:
    if args.serve:
        # lazy: textual-serve and aiohttp load only for --serve
        from hallterm.tui.display.serve import display_command, serve

        if not 0 < args.port < 65536:
            raise CliError(f"--port {args.port} 不是有效端口（1–65535）", 2)
        prefix = [*(["--config", args.config] if args.config else []), *(["--db", args.db] if args.db else [])]
        print(f"叫号显示网页：http://{args.host}:{args.port}/（大厅电视的浏览器打开此地址；Ctrl+C 停止）")
        serve(display_command(prefix), args.host, args.port)
        return 0
    # lazy: Textual (~0.2 s) loads only for a command that draws a screen
    from hallterm.tui.display.app import DisplayApp

    app = DisplayApp(settings)
    app.run()
    return app.return_code or 0


def _counter_code(text: str) -> str:
    code = text.strip().upper()
    if not (code.isascii() and code.isalnum() and 0 < len(code) <= 16):
        raise argparse.ArgumentTypeError(f"窗口代码应为字母和数字（如 F1），而不是 {text!r}")
    return code


def _rate(settings: Settings, counter: str) -> int:
    # lazy: Textual (~0.2 s) loads only for a command that draws a screen
    from hallterm.tui.rating.app import RatingPadApp

    app = RatingPadApp(settings, counter)
    app.run()
    return app.return_code or 0


def _run_desk(settings: Settings, *, after_hours: bool, demo_note: str = "") -> int:
    # lazy: Textual (~0.2 s) loads only for a command that draws a screen
    from hallterm.tui.desk.app import DeskApp

    app = DeskApp(settings, after_hours=after_hours, demo_note=demo_note)
    app.run()
    return app.return_code or 0


def _print_test(settings: Settings, to: Path | None, paper: int | None) -> int:
    """``hallterm print test [--to DIR]``: one of each slip and notice, with sample data."""

    # lazy: Pillow, qrcode, fpdf2 and SQLAlchemy load only for this command
    from hallterm.services.print_jobs import print_test

    if paper is not None:
        settings = dataclasses.replace(settings, printing=dataclasses.replace(settings.printing, paper_mm=paper))
    if to is not None:
        try:  # a folder that cannot be written fails once, in its own words, not once per slip
            to.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(f"无法写入目录 {to}：{exc.strerror or exc}。请换一个可写的目录（--to）") from None
    results = print_test(settings, to)
    failed = 0
    for result in results:
        mark = "失败" if not result.ok else "完成"
        print(f"[{mark}] {result.title}：{result.message}")
        for path in result.files:
            print(f"       {path}")
        failed += not result.ok
    if failed:
        kept = all(result.files for result in results if not result.ok)
        raise CliError(f"{failed} 份未能打印" + ("，文件已保存在暂存目录，修复打印机后可重新打印" if kept
                                               else "，且未能保存文件：请先解决上面所说的问题"))
    return 0


def _scan(settings: Settings, images: list[Path]) -> int:
    """``hallterm scan IMAGE…``: every QR code and barcode found, and what it is."""
    # lazy: pyzbar (libzbar) and Pillow load only for this command
    from hallterm.cli_scan import describe
    from hallterm.scanning import ZbarMissing, decode_files

    try:
        results = decode_files(images)
    except ZbarMissing as exc:
        raise CliError(str(exc), 3) from None
    empty = 0
    for path, found in results:
        if isinstance(found, Exception):
            print(f"{path}：{found}")
            empty += 1
            continue
        if not found:
            print(f"{path}：没有找到二维码或条码（请换一张更清晰、更正、离得更近的照片）")
            empty += 1
            continue
        for code in found:
            encoding = "" if code.encoding == "ascii" else f"（{code.encoding}）"
            print(f"{path}：{code.symbology} {code.text}{encoding}")
            print(f"  → {describe(code.text, settings) if code.encoding != 'binary' else '二进制数据，不是文本'}")
    return 1 if empty else 0
