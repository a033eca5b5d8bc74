"""How long the desk takes from launch to its first field accepting input, against a bare Textual app."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from hallterm.bench.measuring import BenchContext, Measurement, bench_env, percentile

START_RUNS = 7  # launches of each app, interleaved; the median is taken

# Launched as `python -c`, like the installed `hallterm` script: interpreter start, imports, first
# screen, until an Input has focus (the desk's sign-in field), then the time since launch is printed.
START_PROBE = """
import asyncio, sys, time
launched = float(sys.argv[1])
from textual.widgets import Input
async def ready(pilot):
    while not isinstance(pilot.app.focused, Input):
        await asyncio.sleep(0.001)
    print(time.time() - launched, flush=True)
    pilot.app.exit()
if sys.argv[2] == "desk":
    import hallterm.cli
    from hallterm.config import load_settings
    from hallterm.tui.desk.app import DeskApp
    app = DeskApp(load_settings())
else:
    from textual.app import App
    class Bare(App):
        def compose(self):
            yield Input()
    app = Bare()
app.run(headless=True, auto_pilot=ready)
"""


def _launch_seconds(which: str, env: dict[str, str]) -> float:
    launched = time.time()
    out = subprocess.run([sys.executable, "-c", START_PROBE, repr(launched), which], env=env,
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"bench: the {which} app did not start: {out.stderr[-500:]}")
    return float(out.stdout.strip().splitlines()[-1])


def warming_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of the unmeasured warm-up launches: bytecode caches written.

    Textual's modules were compiled when pip installed them, hallterm's are not in a checkout: where
    PYTHONDONTWRITEBYTECODE is set (the CI, the development machines) the warm-up wrote none, and every
    measured desk launch compiled its own modules while the bare app compiled nothing, which an installed
    desk (compiled by pip, like Textual) never does.
    """
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure_desk_start(ctx: BenchContext) -> dict[str, Any]:
    """Launch → the first field accepts input, for the desk and for a bare Textual app with one Input.

    Same interpreter, same run, interleaved; DESIGN.md budget: the desk within 1.3 × the bare app.
    """
    # The tests' tiny plans: one launch of each shows the probe works (16 launches were ~20 s of CPU).
    runs = START_RUNS if ctx.plan.insert_samples >= 100 else 1
    ctx.progress(f"启动时间：前台与空白 Textual 应用各 {runs} 次…")
    env = bench_env(ctx)
    desk: list[float] = []
    bare: list[float] = []
    if runs > 1:
        _launch_seconds("bare", warming_env(env))  # warm the file cache and .pyc files once, unmeasured
        _launch_seconds("desk", warming_env(env))
    for _ in range(runs):
        bare.append(_launch_seconds("bare", env))
        desk.append(_launch_seconds("desk", env))
    desk_s, bare_s = percentile(desk, 50), percentile(bare, 50)
    return {"desk_start_s": round(desk_s, 3), "bare_textual_start_s": round(bare_s, 3),
            "desk_start_ratio": round(desk_s / bare_s, 3)}


MEASUREMENTS: list[Measurement] = [measure_desk_start]

LABELS = {
    "desk_start_s": "前台启动 desk start (s, median)",
    "bare_textual_start_s": "空白 Textual 启动 bare app (s)",
    "desk_start_ratio": "启动比 desk / bare",
}

# DESIGN.md: the desk starts within 1.3 × a bare Textual app.
BUDGETS = {"desk_start_ratio": ("<=", 1.3)}
