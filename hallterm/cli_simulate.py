"""``hallterm simulate``: a hall driven by virtual desks (issue 17 point 4), and the background hall of
``hallterm demo --live``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hallterm.cli_base import CliError
from hallterm.config import Settings, sqlite_url
from hallterm.config_locations import DEMO_DB_FILE

N = TypeVar("N", int, float)

MAX_DESKS = 200  # each desk holds one database connection; PostgreSQL's default max_connections is 100
# demo --live: two windows beside the trainee's, ten times a person's pace, three times the usual visitors;
# they leave two waiting, so the trainee always has visitors to call (the two would serve them all).
LIVE_DESKS, LIVE_SPEED, LIVE_VISITORS, LIVE_LEAVE = 2, "10", "3", "2"


def _speed(text: str) -> str:
    from hallterm.simulate.plan import parse_speed  # lazy: as the other commands' modules

    try:
        parse_speed(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--speed 应为 max 或正数（1 为真人速度，10 为十倍速），而不是 {text!r}") from None
    return text


def _bounded(convert: Callable[[str], N], low: N, high: N, message: str, *,
             above: bool = False) -> Callable[[str], N]:
    """An argparse type: ``convert``'s number within [low, high] (``above``: (low, high]), else ``message``
    followed by what was typed."""

    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError:
            value = None
        # NaN fails both comparisons, so it is refused too.
        if value is None or not ((low < value) if above else (low <= value)) or not value <= high:
            raise argparse.ArgumentTypeError(f"{message}，而不是 {text!r}")
        return value

    return parse


_desks = _bounded(int, 1, MAX_DESKS, f"--desks 应为 1–{MAX_DESKS} 的整数")
_visitors = _bounded(float, 0.0, 20.0, "--visitors 应为 0–20 之间的倍数（如 1.5）", above=True)
_pause = _bounded(float, 0.0, 60.0, "--pause 应为 0–60 秒")
_leave = _bounded(int, 0, 50, "--leave 应为 0–50 人")
_minutes = _bounded(float, 0.0, 24.0 * 60, "--minutes 应为 0–1440 之间的分钟数", above=True)


def _at(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--at 应为大厅时间 YYYY-MM-DDTHH:MM（如 2026-12-07T10:00），而不是 {text!r}") from None


def add_parser(sub: Any) -> None:
    sim = sub.add_parser("simulate", help="大厅模拟：多个虚拟窗口各用一个进程，通过真实业务流程取号、叫号、"
                                          "开件、核材料、发证（培训演示用 --speed 1，压力测试用 --speed max）；"
                                          "只在演示数据库上运行")
    sim.add_argument("--desks", type=_desks, default=2, metavar="N", help=f"虚拟窗口数（1–{MAX_DESKS}，默认 2）")
    sim.add_argument("--minutes", type=_minutes, default=10.0, metavar="M", help="运行多少分钟（默认 10）")
    sim.add_argument("--speed", type=_speed, default="1", metavar="X|max",
                     help="倍速：1 为真人速度（默认），10 为十倍速，max 为不停顿的压力测试")
    sim.add_argument("--visitors", type=_visitors, default=1.0, metavar="X",
                     help="来访人数为平常的几倍（默认 1；2 时排队的人会越来越多，留给受训人员叫号）")
    sim.add_argument("--pause", type=_pause, metavar="S",
                     help="每一步之间工作人员的平均停顿（秒，默认 1–3 秒随机；--speed max 时也保留）")
    sim.add_argument("--leave", type=_leave, default=0, metavar="N",
                     help="模拟窗口只在等候超过 N 人时叫号，其余留给受训人员的窗口（默认 0；demo --live 为 2）")
    sim.add_argument("--seed", type=int, default=17, help="随机种子（相同种子、相同数据时访客相同）")
    sim.add_argument("--at", type=_at, metavar="YYYY-MM-DDTHH:MM",
                     help="按大厅时间的这一刻开始模拟（如夜里练习周一上午、节假日值班），默认现在")
    sim.add_argument("--json", action="store_true", help="最后一行输出 JSON")


def demo_settings(settings: Settings) -> Settings:
    """The simulator, like the demo, uses the demo's own file unless a database is named."""
    return settings if settings.db.url else settings.with_db_url(sqlite_url(DEMO_DB_FILE))


def run(settings: Settings, args: argparse.Namespace) -> int:
    # lazy: the simulator and the services load only for this command
    from hallterm.simulate.plan import SimPlan, parse_speed, start_hour
    from hallterm.simulate.runner import SimulationFailed
    from hallterm.simulate.runner import run as simulate

    settings = demo_settings(settings)
    # The hall's own hour decides where the simulated day starts, whatever zone --at was written in.
    now = (args.at.replace(tzinfo=args.at.tzinfo or settings.hall.tz).astimezone(settings.hall.tz) if args.at
           else dt.datetime.now(settings.hall.tz))
    plan = SimPlan(desks=args.desks, minutes=args.minutes, speed=parse_speed(args.speed), seed=args.seed,
                   visitors=args.visitors, pause=args.pause, leave=args.leave,
                   start_h=start_hour(now.hour + now.minute / 60), at=now.isoformat() if args.at else None,
                   at_epoch=time.time() if args.at else None)
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if args.json else (lambda m: print(m, flush=True))
    try:
        result = simulate(settings, plan, config_file=args.config, progress=say)
    except SimulationFailed as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(summary(result))
    return 1 if result["errors"] or result["ticket_duplicates"] else 0


LABELS = {"ticket": "取号", "call": "叫号", "recall": "重呼", "no_show": "过号", "lookup": "读卡",
          "open_case": "开件（含分派）", "checklist": "打开材料清单", "tick": "核材料", "decide": "受理",
          "finish": "办结叫号", "met": "协调员接待", "end_visit": "接待结束", "review": "审查/决定/待领取",
          "window_lookup": "发证窗口查询", "handout": "发证", "rate": "评价", "slots": "查预约时段", "book": "预约",
          "board": "窗口看板"}


def summary(result: dict[str, Any]) -> str:
    lines = [f"大厅模拟（{result['database']}，{result['desks']} 个窗口，{result['speed']} 倍速，"
             f"{result['wall_s']:g} 秒）：操作 {result['operations']:,} 次（{result['ops_per_s']:g}/秒），"
             f"错误 {result['errors']}，规则拒绝 {result['refused']}，重号 {result['ticket_duplicates']}"]
    for op, label in LABELS.items():
        count = result.get(f"{op}_count", 0)
        if count:
            lines.append(f"  {label:<12}{count:>7,} 次  p50 {result[f'{op}_p50_ms']:>7.1f} ms  "
                         f"p95 {result[f'{op}_p95_ms']:>7.1f} ms")
    warm = result["warmup"]
    if warm["operations"]:
        first = warm["first_open_case_p50_ms"]
        lines.append(f"  预热（每个窗口开始前先接待 1 位，不计入以上数字）：操作 {warm['operations']} 次"
                     + (f"，各窗口第一次开件 p50 {first:.1f} ms" if first is not None else ""))
    lines += [f"  错误：{sample}" for sample in result["error_samples"]]
    lines += [f"  拒绝 {count} 次：{message}" for message, count in result["refusals"].items()]
    return "\n".join(lines)


def start_live(settings: Settings, config_file: str | None, log: Path) -> subprocess.Popen[bytes]:
    """``hallterm demo --live``: the simulated hall in the background, quiet, while the trainee works."""
    env = dict(os.environ, HALLTERM_DB_URL=demo_settings(settings).db.resolved_url())
    if config_file:
        env["HALLTERM_CONFIG"] = config_file
    log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with log.open("ab") as out:
        os.chmod(log, 0o600)
        command = [sys.executable, "-m", "hallterm", "simulate", "--desks", str(LIVE_DESKS), "--speed", LIVE_SPEED,
                   "--visitors", LIVE_VISITORS, "--leave", LIVE_LEAVE, "--minutes", "720"]
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=_end_with_parent)


def _end_with_parent() -> None:
    """In the simulator's process, before it starts: on Linux, a SIGTERM when the demo's desk dies (its
    terminal closed, a kill), so that no hall goes on simulating behind nobody. Elsewhere the desk's own
    exit stops it."""
    if sys.platform.startswith("linux"):
        import ctypes  # lazy: only in the child, only on Linux

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
