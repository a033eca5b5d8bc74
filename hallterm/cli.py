"""Command line: parse arguments, build settings and services, start an app. No logic here.

Each command's words are in a ``cli_*.py`` module: cli_base.py (``CliError``, the services a command
opens), cli_apps.py (the programs with a screen), cli_hall.py (reference, cards, staff), cli_nightly.py
(sweep, callbacks, calendar check), cli_config.py, cli_print.py, cli_scan.py, and one per command family
(db, appointments, cases, proxy, duties, report; the report's arguments in cli_report_args.py).

Imports are deferred to each command, each saying why (``# lazy:``): the desk must show its scan
field before SQLAlchemy and Alembic are even imported (DESIGN.md performance budget).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hallterm import (
    argparse_zh,
    cli_appointments,
    cli_apps,
    cli_cases,
    cli_config,
    cli_db,
    cli_duties,
    cli_hall,
    cli_nightly,
    cli_print,
    cli_proxy,
    cli_report_args,
    cli_simulate,
    logfile,
)
from hallterm.cli_base import CliError, open_services, printable_output
from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.config_checks import ConfigError, check_db_url
from hallterm.domain.errors import Refused
from hallterm.domain.redaction import redact_url
from hallterm.domain.terminal_text import printable


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
    demo.add_argument("--live", action="store_true",
                      help="同时在后台运行大厅模拟（两个模拟窗口），叫号屏、前台和协调员看板随之变化")

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
    cards_sub.add_parser("purge", help="删除已不在名册中满 [privacy] purge_after_days 天的持卡人个人信息，"
                                       "及超过 slip_content_days 天的回执内容（每晚 sweep 也会运行）")

    staff_cmd = sub.add_parser("staff", help="工作人员")
    staff_sub = staff_cmd.add_subparsers(dest="staff_command", required=True)
    pin = staff_sub.add_parser("set-pin", help="设置或重置工作人员 PIN（数字，位数见 auth.min_pin_length）")
    pin.add_argument("staff_id")
    pin.add_argument("--pin-stdin", action="store_true", help="从标准输入读取 PIN（脚本用）")
    unlock = staff_sub.add_parser("unlock", help="解除因多次输错 PIN 而锁定的账号（记录操作人）")
    unlock.add_argument("staff_id")

    bench = sub.add_parser("bench", help="性能测试（合成数据库）")
    bench.add_argument("--quick", action="store_true", help="数据量为十分之一")
    bench.add_argument("--json", action="store_true", help="最后一行输出 JSON")
    bench.add_argument("--db", dest="bench_db", metavar="URL",
                       help="在这个空数据库里生成合成数据并测量（如 postgresql+psycopg://…；默认临时 SQLite 文件）")

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
    display.add_argument("--token", action="store_true",
                         help="--serve 的网址须带令牌才能打开（取自 display.serve_token；未设置则每次启动随机生成）")

    rate = sub.add_parser("rate", help="好差评评价器（面向办事人的小屏幕，无需登录）")
    rate.add_argument("--counter", required=True, metavar="CODE", type=cli_apps.counter_code,
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
    cli_report_args.add_parser(sub)
    cli_simulate.add_parser(sub)
    return parser


def _url_of(db: str | None) -> str | None:
    """The database URL of a ``--db`` argument, checked; None when none was given."""
    if not db:
        return None
    # A bare path is the hall's SQLite file, as the README's table names it (db/demo.sqlite3).
    url = db if "://" in db else sqlite_url(Path(db).expanduser().resolve())
    check_db_url(url, "命令行参数 --db")
    return url


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _refuse_undecodable(args)
        settings = load_settings(args.config)
        url = _url_of(args.db)
        if url:
            settings = settings.with_db_url(url)
            args.db = url  # display --serve passes it on to the display it starts
        command = args.command or "desk"
        program = {"demo": "desk"}.get(command, command) if command in {"desk", "demo", "display", "rate"} else "cli"
        log_path = logfile.setup(program, settings)
        started = time.perf_counter()
        try:
            if program != "cli":  # a screen owns the terminal and escapes its data itself
                return _dispatch(args, settings)
            with printable_output():
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
        print(printable(str(exc)), file=sys.stderr)
        return 2
    except CliError as exc:
        print(printable(str(exc)), file=sys.stderr)
        return exc.code
    except Refused as exc:  # its str() is the line to read
        print(printable(str(exc)), file=sys.stderr)
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
            shown = redact_url(shown) if name in {"db", "bench_db"} else shown  # issue 16 point 6: not the password
            raise CliError(f"命令行参数 {shown} 含有不是 UTF-8 的字节：请把终端的字符编码设为 UTF-8 后重新输入", 2)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command or "desk"
    if command == "desk":
        return cli_apps.run_desk(settings, after_hours=getattr(args, "after_hours", False))
    if command == "demo":
        return cli_apps.run_demo(settings, args.no_ui, args.holders, args.days, live=args.live,
                                 config_file=args.config)
    if command == "simulate":
        return cli_simulate.run(settings, args)
    if command == "bench":
        # lazy: the bench loads everything; no other command needs it
        from hallterm.bench import run_bench

        # ``hallterm bench --db URL`` or ``hallterm --db URL bench``: measured in that (empty) database.
        return run_bench(quick=args.quick, as_json=args.json, db_url=_url_of(args.bench_db) or args.db)
    if command == "config":
        return cli_config.show_config(settings)
    if command == "display":
        return cli_apps.run_display(args, settings)
    if command == "rate":
        return cli_apps.run_rate(settings, args.counter)
    if command == "calendar":
        return cli_nightly.calendar_check(settings, args.today)
    if command == "print":
        return cli_print.run_print_test(settings, args.to, args.paper)
    if command == "scan":
        # lazy: cli_scan checks signatures with services.signing, needed by this command alone
        from hallterm import cli_scan

        return cli_scan.scan_images(settings, args.images)
    with open_services(settings, must_exist=(command in {"cards", "sweep", "staff", "appointments", "callbacks",
                                                       "cases", "proxy", "duties", "report"} and
                       getattr(args, "cards_command", "") != "import")
                       or getattr(args, "db_command", "") in {"check", "backup", "copy", "log"}) as svc:
        if command == "db":  # before the record below: a restore or copy goes only into an empty database
            return cli_db.run(svc, args)
        from hallterm.services.rule_settings import note_rule_settings  # lazy: with the database, as above
        note_rule_settings(svc, f"hallterm {command}")  # issue 15 point 6: rule settings changed since last time
        if command == "reference":
            return cli_hall.reference_load(svc)
        if command == "sweep":
            return cli_nightly.run_sweep(svc)
        if command == "staff":
            if args.staff_command == "unlock":
                return cli_hall.unlock_staff(svc, args.staff_id)
            return cli_hall.set_staff_pin(svc, args.staff_id, args.pin_stdin)
        if command == "appointments":
            return cli_appointments.run(svc, args)
        if command == "cases":
            return cli_cases.run(svc, args)
        if command == "proxy":
            return cli_proxy.run(svc, args)
        if command == "duties":
            return cli_duties.run(svc, args)
        if command == "report":
            # lazy: the report's figures and rating scales (~20 ms) stay out of every other command's start
            from hallterm import cli_report

            return cli_report.run(svc, args)
        if command == "callbacks":
            return cli_nightly.list_callbacks(svc, args.day, args.csv)
        if command == "cards":
            if args.cards_command == "purge":
                return cli_hall.cards_purge(svc)
            return (cli_hall.cards_import(svc, args.file) if args.cards_command == "import"
                    else cli_hall.cards_lookup(svc, args.card_no))
    raise CliError(f"未知命令：{command}", 2)
