"""Start the virtual desks, each in its own process, at once; stop them together; add up their figures.

The processes share nothing but the database, as a hall's terminals do: what they measure is what 50
desks on one PostgreSQL server (or one SQLite file) would see (issue 17 point 5)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy.engine import make_url

from hallterm.config import ENV_CONFIG_FILE, Settings
from hallterm.services import training
from hallterm.services.context import Services
from hallterm.simulate.plan import SimPlan
from hallterm.simulate.tally import Tally

START_TIMEOUT_S = 300  # 50 processes importing hallterm on 2 cores take a while before they are all ready
REFUSALS_SHOWN = 5


class SimulationFailed(RuntimeError):
    """A desk process could not start; ``str()`` says why, in Chinese."""


def _desk_env(settings: Settings, config_file: str | None) -> dict[str, str]:
    """The desks read the same database and settings file as the command that started them; the URL (and
    any password in it) travels in the environment, never on a command line (issue 16 point 6)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = settings.db.resolved_url()
    if config_file:
        env[ENV_CONFIG_FILE] = config_file
    return env


def run(settings: Settings, plan: SimPlan, *, config_file: str | None = None,
        progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    clock = plan.clock()
    svc = Services.open(settings, upgrade=False, **({"clock": clock} if clock else {}))
    try:
        training.require_demo(svc)
        counters = training.desk_counters(svc, plan.desks)
        progress(f"启动 {plan.desks} 个模拟窗口（每个一个进程）…")
        with tempfile.TemporaryDirectory(prefix="hallterm-simulate-") as tmp:
            tally, warm, wall = _run_desks(settings, plan, counters, Path(tmp), config_file, progress)
        duplicates = training.ticket_duplicates(svc)
        database = make_url(settings.db.resolved_url()).get_backend_name()
    finally:
        svc.close()
    figures = tally.figures()
    return {"database": database, "desks": plan.desks, "minutes": plan.minutes,
            "speed": "max" if plan.speed is None else plan.speed, "wall_s": round(wall, 1),
            "operations": figures["operations"], "errors": figures["errors"] + sum(warm.errors.values()),
            "refused": figures["refused"],
            "ops_per_s": round(figures["operations"] / wall, 1) if wall else 0.0,
            "ticket_duplicates": duplicates,
            **{k: v for k, v in figures.items() if k not in {"operations", "errors", "refused"}},
            "error_samples": tally.error_samples + warm.error_samples,
            "refusals": dict(tally.refused.most_common(REFUSALS_SHOWN)),
            # Each desk's one visitor before the run (desk.VirtualDesk.warm_up): counted apart, never in the
            # figures above; its errors count as errors. first_open_case: a desk's first case, cold.
            "warmup": {"operations": warm.operations, "errors": sum(warm.errors.values()),
                       "counts": {op: len(t) for op, t in sorted(warm.times_ms.items())},
                       "first_open_case_p50_ms": warm.figures()["open_case_p50_ms"],
                       "first_open_case_p95_ms": warm.figures()["open_case_p95_ms"]}}


def _run_desks(settings: Settings, plan: SimPlan, counters: list[str], tmp: Path, config_file: str | None,
               progress: Callable[[str], None]) -> tuple[Tally, Tally, float]:
    go, stop = tmp / "go", tmp / "stop"
    env = _desk_env(settings, config_file)
    procs: list[tuple[subprocess.Popen[str], Path]] = []
    previous = signal.signal(signal.SIGTERM, _stop_on_term)
    try:
        for n, counter in enumerate(counters):
            setup = {"plan": dataclasses.asdict(plan), "desk": n, "desks": plan.desks, "counter": counter,
                     "go": str(go), "stop": str(stop)}
            errors = tmp / f"desk{n}.err"
            with errors.open("w") as err:
                procs.append((subprocess.Popen([sys.executable, "-m", "hallterm.simulate.worker", json.dumps(setup)],
                                               env=env, stdout=subprocess.PIPE, stderr=err, text=True), errors))
        started = time.monotonic()
        if _all_ready(procs, stop, progress):
            progress(f"{plan.desks} 个模拟窗口已就绪，开始（{_pace(plan)}，{plan.minutes:g} 分钟；Ctrl+C 提前结束）")
            started = time.monotonic()
            go.touch()
            _wait(procs, stop, started, plan, progress)
        else:  # stopped while the desks were still signing in and warming up: report what they did
            _wait(procs, stop, started, plan, lambda _m: None)
        wall = time.monotonic() - started
        tally, warm = Tally(), Tally()
        for proc, errors in procs:
            out, _ = proc.communicate()
            last = out.strip().splitlines()[-1:] if out else []
            if proc.returncode != 0 or not last:
                tally.error("desk", SimulationFailed(f"模拟窗口进程异常退出（{proc.returncode}）：{_tail(errors)}"))
                continue
            report = json.loads(last[0])
            tally.add(Tally.from_json(report))
            warm.add(Tally.from_json(report["warmup"]))
        return tally, warm, wall
    finally:
        stop.touch()
        for proc, _errors in procs:
            if proc.poll() is None:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        signal.signal(signal.SIGTERM, previous)


def _all_ready(procs: list[tuple[subprocess.Popen[str], Path]], stop: Path,
               progress: Callable[[str], None]) -> bool:
    """Wait for every desk's ``ready``; False when Ctrl+C (or SIGTERM) came first."""
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        for proc, errors in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready" or time.monotonic() > deadline:
                stop.touch()
                raise SimulationFailed(f"模拟窗口进程未能启动：{_tail(errors)}")
    except KeyboardInterrupt:
        progress("正在停止各模拟窗口（尚未开始，各自做完预热这一步）…")
        stop.touch()
        return False
    return True


def _stop_on_term(_signo: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # stopped by a service manager or ``hallterm demo --live``: end as Ctrl+C does


def _wait(procs: list[tuple[subprocess.Popen[str], Path]], stop: Path, started: float, plan: SimPlan,
          progress: Callable[[str], None]) -> None:
    shown = started
    while any(proc.poll() is None for proc, _e in procs):
        try:
            time.sleep(0.2)
        except KeyboardInterrupt:
            progress("正在停止各模拟窗口（各自做完手头这一步）…")
            stop.touch()
            continue
        if time.monotonic() - shown >= (30 if plan.minutes <= 10 else 300):  # a day-long demo: every 5 minutes
            shown = time.monotonic()
            progress(f"已运行 {(shown - started) / 60:.1f} / {plan.minutes:g} 分钟")


def _pace(plan: SimPlan) -> str:
    return "全速（压力测试）" if plan.speed is None else f"{plan.speed:g} 倍速"


def _tail(path: Path) -> str:
    lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "没有错误输出"
