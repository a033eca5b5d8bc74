"""The supervision report of a month (issue 14 point 5: under 2 seconds on the bench's database).

The month is the last whole one before today: the bench's history puts a busy hall's month of cases in
it (about 21,000 of the 1,000,000), with their items, their openings, meetings and closings. Timed as the
supervisor's screen and ``hallterm report`` call it — ``services.report.build_report`` for the whole hall,
every figure and table — three times on the open database; the figure is the slowest of the three.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from hallterm.bench.measuring import BenchContext, Measurement
from hallterm.domain.report import Period
from hallterm.services.report import build_report

RUNS = 3


def measure_report_month(ctx: BenchContext) -> dict[str, Any]:
    period = Period.month_of(ctx.svc.today().replace(day=1) - dt.timedelta(days=1))
    ctx.progress(f"督查报表：{period.label()} 全厅一个月，{RUNS} 次…")
    times: list[float] = []
    report = None
    for _ in range(RUNS):
        started = time.perf_counter()
        report = build_report(ctx.svc, period)
        times.append(time.perf_counter() - started)
    assert report is not None
    return {"report_month_s": round(max(times), 3), "report_month_first_s": round(times[0], 3),
            "report_month_cases": report.figures["cases_opened"]}


MEASUREMENTS: list[Measurement] = [measure_report_month]

LABELS = {
    "report_month_s": "督查报表一个月 report of a month, slowest of 3 (s)",
    "report_month_first_s": "  首次 first run (s)",
    "report_month_cases": "  该月受理案件 cases opened that month",
}

# Issue 14 point 5: a month of a busy hall's report in under 2 seconds.
BUDGETS = {"report_month_s": ("<=", 2.0)}
