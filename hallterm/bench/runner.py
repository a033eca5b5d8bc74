"""``hallterm bench``: build the synthetic database (in a temporary folder, or in the empty database of
``--db URL``), run the measurements there, print.

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

from hallterm.bench import (
    appointments,
    display,
    scan,
    screens,
    slip_images,
    startup,
    supervision,
    target,
    tickets,
)
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
            progress: Callable[[str], None] = lambda _m: None, db_url: str | None = None) -> dict[str, Any]:
    """Build the synthetic database (in a temporary folder, or in the empty database ``db_url``), run the
    measurements there, return the figures."""
    if db_url is not None:
        target.require_empty(db_url)  # before anything is written: refused, nothing is left behind
    figures: dict[str, Any] = {"quick": plan.quick, "holders": plan.holders, "cases": plan.cases}
    load_before = _load_average()  # other work on the machine skews every figure: say how busy it was
    with tempfile.TemporaryDirectory(prefix="hallterm-bench-") as tmp:
        url = db_url or sqlite_url(Path(tmp) / "bench.sqlite3")
        figures["database"] = target.backend_of(url)
        settings = load_settings(environ={"HALLTERM_DB_URL": url})
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
        svc = Services.open(settings)  # a fresh engine, as a desk starting on this database
        try:
            with svc.db.read() as conn:
                figures["db_size_mb"] = target.size_mb(conn, url)
                if figures["database"] != "sqlite":
                    figures[f"{figures['database']}_version"] = target.server_version(conn)
            ctx = BenchContext(svc, plan, build.card_numbers, random.Random(plan.seed + 1), progress)
            for measure in MEASUREMENTS if measurements is None else measurements:
                figures.update(measure(ctx))
        finally:
            svc.close()
    if db_url is not None:
        progress("合成数据留在所给数据库中；不再需要时请删除该数据库（如 dropdb）")
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
             measurements: list[Measurement] | None = None, db_url: str | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr

    def progress(message: str) -> None:
        print(message, file=err, flush=True)

    figures = collect(plan, measurements=measurements, progress=progress, db_url=db_url)
    print(format_table(figures, LABELS), file=out)
    if as_json:
        print(json.dumps(figures, ensure_ascii=False), file=out)
    out.flush()
    return 0


def run_bench(quick: bool, as_json: bool, db_url: str | None = None) -> int:
    """``hallterm bench [--quick] [--json] [--db URL]``."""
    return run_plan(QUICK if quick else FULL, as_json=as_json, db_url=db_url)
