"""``hallterm bench``: build the synthetic database in a temporary folder, run the measurements, print.

The figures are printed as a table; with ``--json`` the same figures follow as one JSON object on
the last line of standard output. Progress goes to standard error.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from hallterm.bench import appointments, display, scan, screens, slip_images, startup, supervision, tickets
from hallterm.bench.dataset import build_database
from hallterm.bench.measuring import FULL, QUICK, BenchContext, BenchPlan, Measurement
from hallterm.bench.report import BASE_LABELS, Budget, environment, format_table, judge
from hallterm.config import load_settings, sqlite_url
from hallterm.services.context import Services

# The measurement families, in the order they run (and their figures are printed).
FAMILIES = (scan, startup, screens, slip_images, tickets, appointments, display, supervision)
MEASUREMENTS: list[Measurement] = [measure for family in FAMILIES for measure in family.MEASUREMENTS]
LABELS: dict[str, str] = BASE_LABELS | {key: label for family in FAMILIES for key, label in family.LABELS.items()}
# What DESIGN.md (and the issues) allow each figure; every run is judged against them.
BUDGETS: dict[str, Budget] = {key: budget for family in FAMILIES
                              for key, budget in family.BUDGETS.items()}


def collect(plan: BenchPlan, *, measurements: list[Measurement] | None = None,
            progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Build the synthetic database in a temporary folder, run the measurements, return the figures."""
    figures: dict[str, Any] = {"quick": plan.quick, "holders": plan.holders, "cases": plan.cases}
    load_before = _load_average()  # other work on the machine skews every figure: say how busy it was
    with tempfile.TemporaryDirectory(prefix="hallterm-bench-") as tmp:
        settings = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(Path(tmp) / "bench.sqlite3")})
        started = time.perf_counter()
        svc = Services.open(settings)
        try:
            build = build_database(svc, plan, progress)
        finally:
            svc.close()
        figures["db_build_s"] = round(time.perf_counter() - started, 2)
        figures["db_build_holders_s"] = round(build.holders_s, 2)
        figures["db_build_cases_s"] = round(build.cases_s, 2)
        figures["case_items"] = build.case_items
        figures["db_size_mb"] = round((Path(tmp) / "bench.sqlite3").stat().st_size / 2**20, 1)
        svc = Services.open(settings)  # a fresh engine, as a desk starting on this database
        try:
            ctx = BenchContext(svc, plan, build.card_numbers, random.Random(plan.seed + 1), progress)
            for measure in MEASUREMENTS if measurements is None else measurements:
                figures.update(measure(ctx))
        finally:
            svc.close()
    figures["budgets"] = judge(figures, BUDGETS)
    figures.update(environment())
    figures["machine"]["load_avg_1m_at_start"] = load_before
    figures["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    return figures


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def run_plan(plan: BenchPlan, *, as_json: bool, out: TextIO | None = None, err: TextIO | None = None,
             measurements: list[Measurement] | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr

    def progress(message: str) -> None:
        print(message, file=err, flush=True)

    figures = collect(plan, measurements=measurements, progress=progress)
    print(format_table(figures, LABELS), file=out)
    if as_json:
        print(json.dumps(figures, ensure_ascii=False), file=out)
    out.flush()
    return 0


def run_bench(quick: bool, as_json: bool) -> int:
    """``hallterm bench [--quick] [--json]``."""
    return run_plan(QUICK if quick else FULL, as_json=as_json)
