"""The hall display: a ticket called in another process, until the display (the real app) shows it."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
import time
from typing import Any

from hallterm.bench.desk import BENCH_DESK, BENCH_PIN, Desk
from hallterm.bench.measuring import BenchContext, Measurement, bench_env, percentile
from hallterm.tui.display.app import DisplayApp

TICKET_CALLS = 30  # calls timed from another process to the display, 0.2–0.8 s apart, --quick too (issue 17
# point 6: with 10, one missed call made the p95)

_CALLER = """
import random, sys, time
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import call_next, finish, issue_walkin
from hallterm.services.staff import sign_in
svc = Services.open(load_settings(), upgrade=False)
session = sign_in(svc, sys.argv[1], sys.argv[2])
rng = random.Random(5)
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[3])):
    issue_walkin(svc, session, count_ahead=False)
    ticket = call_next(svc, session, "G1")
    print(ticket.number, time.time(), flush=True)  # committed: the call is in the database now
    time.sleep(rng.uniform(0.2, 0.8))  # not in step with the display's polling
    finish(svc, session, "G1", ticket.id)
"""


def measure_call_to_display(ctx: BenchContext) -> dict[str, Any]:
    """A second process calls tickets at a counter; the display (the real app, headless: pushed changes and
    the ``[queue] display_poll_ms`` safety poll) shows each one in its turn as the big number. Latency:
    committed call → drawn as the big number."""
    calls = min(TICKET_CALLS, max(3, ctx.plan.insert_samples // 4))  # fewer only on the tests' tiny plans
    ctx.progress(f"叫号→显示屏：另一进程叫号 {calls} 次…")
    Desk.sign_in(ctx)  # sets the bench desk's PIN
    seen: dict[str, float] = {}

    class TimedDisplay(DisplayApp):
        def _next_turn(self) -> None:  # shown = drawn as the big number, in its turn (issue 17 point 1)
            super()._next_turn()
            if self.turn is not None:
                seen.setdefault(self.turn.number, time.time())

    env = bench_env(ctx)
    # No hold: the calls come faster than a hall's (0.2–0.8 s); the bench times delivery, not the pacing.
    settings = dataclasses.replace(ctx.svc.settings, queue=dataclasses.replace(ctx.svc.settings.queue,
                                                                                 speech=False, display_hold_ms=0))
    called: list[tuple[str, float]] = []

    async def run() -> None:
        app = TimedDisplay(settings)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.snapshot is None:
                await pilot.pause(0.05)
            proc = subprocess.Popen([sys.executable, "-c", _CALLER, BENCH_DESK, BENCH_PIN, str(calls)], env=env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert proc.stdin is not None and proc.stdout is not None
            loop = asyncio.get_running_loop()
            if (await loop.run_in_executor(None, proc.stdout.readline)).strip() != "ready":
                raise RuntimeError(f"bench: the calling process did not start: {proc.communicate()[1][-500:]}")
            proc.stdin.write("go\n")
            proc.stdin.flush()
            while True:
                line = await loop.run_in_executor(None, proc.stdout.readline)
                if not line:
                    break
                number, at = line.split()
                called.append((number, float(at)))
            if proc.wait(timeout=60) != 0:
                assert proc.stderr is not None  # started with stderr=PIPE
                raise RuntimeError(f"bench: the calling process failed: {proc.stderr.read()[-500:]}")
            deadline = time.monotonic() + 10
            while called[-1][0] not in seen and time.monotonic() < deadline:
                await pilot.pause(0.05)

    asyncio.run(run())
    missed = 10_000.0  # never shown: counted as 10 s, far over the budget
    latencies = [max(0.0, (seen[n] - at) * 1000) if n in seen else missed for n, at in called]
    return {"call_to_display_p50_ms": round(percentile(latencies, 50), 1),
            "call_to_display_p95_ms": round(percentile(latencies, 95), 1),
            "call_to_display_missed": sum(1 for n, _ in called if n not in seen),
            "call_to_display_samples": len(called),
            "display_poll_ms": ctx.svc.settings.queue.display_poll_ms}


MEASUREMENTS: list[Measurement] = [measure_call_to_display]

LABELS = {
    "call_to_display_p50_ms": "叫号→显示 p50 (ms)",
    "call_to_display_p95_ms": "叫号→显示 p95 call→display (ms)",
    "call_to_display_missed": "显示屏漏显 missed",
    "call_to_display_samples": "叫号次数 samples",
    "display_poll_ms": "显示屏轮询 poll (ms)",
}

# Pushed changes (issue 17 point 2): p95 ≤ 250 ms from the committed call to the number drawn in its turn.
BUDGETS = {"call_to_display_p95_ms": ("<=", 250.0)}
