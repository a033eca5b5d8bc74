"""The commands that start a program with a screen: the desk, the demo (its database, then the desk),
the queue display (or its web page for the hall's TV) and the rating pad at a counter."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
from pathlib import Path

from hallterm.cli_base import CliError, open_services
from hallterm.cli_simulate import LIVE_DESKS, start_live
from hallterm.config import Settings, sqlite_url
from hallterm.config_locations import DEMO_DB_FILE
from hallterm.domain.redaction import redact_url
from hallterm.logfile import log_dir


def run_demo(settings: Settings, no_ui: bool, count: int, days: int, *, live: bool = False,
             config_file: str | None = None) -> int:
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
        with open_services(settings) as svc:
            summary = build_demo(svc, count, days)
        if cache is not None:
            keep_demo(Path(make_url(url).database or ""), cache, summary)
    samples = summary["samples"]
    cards = "可试的卡号：" + "，".join(f"{label} {card}" for label, card in samples.items())
    logins = f"登录工号：前台 S1401，协调员 S1001，督查 S1601，延时值班 S1501，帮办代办 S1201；演示 PIN 均为 {DEMO_PIN}"
    print(f"演示数据库已生成：{redact_url(url)}（持卡人 {summary['holders']} 名，"
          f"近 {summary['days']} 天办件 {summary['cases']} 件）")
    # Issue 12 point 7: the appointments, the duty roster and the handover list, where to see them.
    booked = (f"预约：今天 {summary['appointments_today']} 个，今后 7 天 {summary['appointments_ahead']} 个"
              f"（今天和昨天已签到 {summary['checked_in']}，失约 {summary['missed']}）；"
              f"延时值班表 {summary['duty_lines']} 条（assets/staff.toml）；"
              f"交接单待确认 {summary['handover']} 项（Ctrl+T；S1501 登录即延时值班台）\n{summary['played']}")
    print(cards)
    print(logins)
    print(booked)
    # Issue 15: what keeps a hall's data safe, tried on the demo's own database.
    print(f"运维（可在演示库上试）：hallterm --db {redact_url(url)} db check 检查完整性；… db backup 文件名 备份；"
          f"… db log 查看管理操作记录")
    if not live:
        if no_ui:
            return 0
        # The lines above vanish behind the full-screen desk: it shows them again itself.
        return run_desk(settings, after_hours=False, demo_note=f"演示数据\n{logins}\n{booked}\n{cards}")
    return _run_live(settings, config_file, no_ui, f"演示数据\n{logins}\n{booked}\n{cards}")


def _run_live(settings: Settings, config_file: str | None, no_ui: bool, note: str) -> int:
    """Issue 17 point 4: the demo's hall moves by itself — two 模拟窗口 take tickets, call, open and route
    cases, hand out results — while the trainee works the desk (and the display shows the calls)."""
    log = log_dir(settings) / "hallterm-simulate.log"
    hall = start_live(settings, config_file, log)
    print(f"大厅模拟已在后台运行（{LIVE_DESKS} 个模拟窗口；记录：{log}）。另开一个终端运行 "
          f"hallterm --db {redact_url(settings.db.resolved_url())} display 可看叫号屏", flush=True)
    try:
        if no_ui:
            print("按 Ctrl+C 结束模拟", flush=True)
            hall.wait()
            return 0
        live = "大厅模拟运行中：模拟窗口1号、2号在叫号、开件、发证，访客陆续取号（F11 叫号可接待）"
        return run_desk(settings, after_hours=False, demo_note=f"{note}\n{live}")
    except KeyboardInterrupt:
        return 0
    finally:
        if hall.poll() is None:
            hall.send_signal(signal.SIGTERM)  # the simulator stops its desks and writes its figures to the log
            try:
                hall.wait(timeout=60)
            except Exception:  # never leave the hall running behind the trainee
                hall.kill()


def run_display(args: argparse.Namespace, settings: Settings) -> int:
    if args.serve:
        # lazy: textual-serve and aiohttp load only for --serve
        import secrets
        import sys

        from hallterm.tui.display.serve import display_command, exposure_warning, serve

        if not 0 < args.port < 65536:
            raise CliError(f"--port {args.port} 不是有效端口（1–65535）", 2)
        # Issue 16 point 6: the database URL (and its password) reaches each display process in its
        # environment, never on a command line that `ps` and textual-serve's banner show.
        env = {"HALLTERM_DB_URL": args.db} if args.db else {}
        prefix = ["--config", args.config] if args.config else []
        token = settings.display.serve_token or (secrets.token_urlsafe(24) if args.token else "")
        address = f"http://{args.host}:{args.port}/" + (f"?token={token}" if token else "")
        print(f"叫号显示网页：{address}（大厅电视的浏览器打开此地址；Ctrl+C 停止）", flush=True)
        warning = exposure_warning(args.host, bool(token))
        if warning:
            print(warning, file=sys.stderr, flush=True)
        stopped = serve(display_command(prefix), args.host, args.port, env=env,
                        max_connections=settings.display.serve_max_connections, token=token)
        # systemd's stop or restart (SIGTERM), Ctrl+C, a closed terminal: a stop asked for, not a failure
        print(f"叫号显示网页已停止（收到 {stopped.name}），各浏览器的显示进程均已结束", file=sys.stderr, flush=True)
        return 0
    # lazy: Textual (~0.2 s) loads only for a command that draws a screen
    from hallterm.tui.display.app import DisplayApp

    app = DisplayApp(settings)
    app.run()
    return app.return_code or 0


def counter_code(text: str) -> str:
    code = text.strip().upper()
    if not (code.isascii() and code.isalnum() and 0 < len(code) <= 16):
        raise argparse.ArgumentTypeError(f"窗口代码应为字母和数字（如 F1），而不是 {text!r}")
    return code


def run_rate(settings: Settings, counter: str) -> int:
    # lazy: Textual (~0.2 s) loads only for a command that draws a screen
    from hallterm.tui.rating.app import RatingPadApp

    app = RatingPadApp(settings, counter)
    app.run()
    return app.return_code or 0


def run_desk(settings: Settings, *, after_hours: bool, demo_note: str = "") -> int:
    # lazy: Textual (~0.2 s) loads only for a command that draws a screen
    from hallterm.tui.desk.app import DeskApp

    app = DeskApp(settings, after_hours=after_hours, demo_note=demo_note)
    app.run()
    return app.return_code or 0
