"""Queue tickets: issuing them one transaction each, and from several processes at once."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hallterm.bench.measuring import BenchContext, Measurement, bench_env, percentile
from hallterm.services.queue import issue_walkin
from hallterm.services.staff import system_session
from hallterm.storage.tables import tickets

# The bench is no person: it issues tickets as a system actor that may do that and nothing else.
BENCH_ISSUER = system_session("bench", "性能测试", "issue_ticket")

TICKET_ISSUERS = 8

_TICKET_ISSUER = """
import pathlib, sys, time
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import issue_walkin
from hallterm.services.staff import system_session
issuer = system_session("bench", "性能测试", "issue_ticket")
go, count = pathlib.Path(sys.argv[1]), int(sys.argv[2])
svc = Services.open(load_settings(), upgrade=False)
issue_walkin(svc, issuer, count_ahead=False)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
for _ in range(count - 1):
    issue_walkin(svc, issuer, count_ahead=False)
"""


def measure_ticket_issue(ctx: BenchContext) -> dict[str, Any]:
    """Walk-in tickets, one write transaction each: number from the counter row, ticket, event, commit
    (DESIGN.md budget: ≥ 1,000 a second on SQLite). The count of those waiting ahead, which a desk asks
    for its slip, is measured apart: it reads the waiting queue."""
    count = ctx.plan.insert_samples * 2
    ctx.progress(f"取号（单号事务）{count:,} 次…")
    issue_walkin(ctx.svc, BENCH_ISSUER, count_ahead=False)  # the statements are prepared once
    times: list[float] = []
    for _ in range(count):
        t0 = time.perf_counter()
        issue_walkin(ctx.svc, BENCH_ISSUER, count_ahead=False)
        times.append((time.perf_counter() - t0) * 1000)
    ahead: list[float] = []
    for _ in range(min(200, count)):
        t0 = time.perf_counter()
        issue_walkin(ctx.svc, BENCH_ISSUER)
        ahead.append((time.perf_counter() - t0) * 1000)
    return {"ticket_issue_per_s": round(1000 * count / sum(times), 1),
            "ticket_issue_p95_ms": round(percentile(times, 95), 3),
            "ticket_issue_with_ahead_p95_ms": round(percentile(ahead, 95), 3),
            "ticket_issue_samples": count}


def measure_ticket_processes(ctx: BenchContext) -> dict[str, Any]:
    """8 processes issue at once on the bench database; every number of the day once, none skipped."""
    each = min(250 if ctx.plan.quick else 2000, max(20, ctx.plan.insert_samples * 4))
    processes = TICKET_ISSUERS if ctx.plan.insert_samples >= 100 else 2  # the tiny plans of the test suite
    ctx.progress(f"{processes} 个进程同时取号，各 {each:,} 张…")
    with tempfile.TemporaryDirectory(prefix="hallterm-bench-go-") as tmp:
        go = Path(tmp) / "go"
        env = bench_env(ctx, HALLTERM_DB_BUSY_TIMEOUT_MS="60000")
        procs = [subprocess.Popen([sys.executable, "-c", _TICKET_ISSUER, str(go), str(each)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(processes)]
        for proc in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"bench: a ticket process did not start: {proc.communicate()[1][-500:]}")
        started = time.perf_counter()
        go.touch()
        for proc in procs:
            _out, err = proc.communicate(timeout=900)
            if proc.returncode != 0:
                raise RuntimeError(f"bench: a ticket process failed: {err[-500:]}")
        seconds = time.perf_counter() - started
    day = ctx.svc.today()
    with ctx.svc.db.read() as conn:
        total, distinct, top = conn.execute(
            select(func.count(), func.count(tickets.c.ticket_no.distinct()), func.max(tickets.c.seq))
            .where(tickets.c.day == day, tickets.c.series == ctx.svc.settings.queue.walkin_series)).one()
    return {"ticket_processes": processes, "ticket_processes_each": each,
            "ticket_processes_per_s": round(processes * (each - 1) / seconds, 1),
            "ticket_duplicates": int(total - distinct), "ticket_gaps": int(top - distinct)}


MEASUREMENTS: list[Measurement] = [measure_ticket_issue, measure_ticket_processes]

LABELS = {
    "ticket_issue_per_s": "取号 tickets/s (one txn each)",
    "ticket_issue_p95_ms": "取号 p95 (ms)",
    "ticket_issue_with_ahead_p95_ms": "取号并计算前面人数 p95 (ms)",
    "ticket_issue_samples": "取号次数 samples",
    "ticket_processes": "并发取号进程 processes",
    "ticket_processes_each": "  每进程张数 each",
    "ticket_processes_per_s": "  合计 tickets/s",
    "ticket_duplicates": "重号 duplicate numbers",
    "ticket_gaps": "跳号 skipped numbers",
}

# DESIGN.md: ≥ 1,000 tickets a second on SQLite; 8 processes at once: no duplicate, no gap.
BUDGETS = {"ticket_issue_per_s": (">=", 1000.0), "ticket_duplicates": ("<=", 0.0), "ticket_gaps": ("<=", 0.0)}
