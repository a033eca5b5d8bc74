"""From a key to the screen it opens drawn with its data: F3 → the case form, F12 → the checklist,
F10 → the print preview (issue 11, point 12: each p95 ≤ 150 ms).

The real desk, headless (``App.run_test``), on the bench database, in a fresh interpreter for each
desk started (``screen_probe.py``): a desk started just now pays what a first open costs (importing
a screen's module and the services it calls, reading its stylesheet, composing it), and so does the
bench. Each desk serves a few holders as a clerk does: scan, F3, tick an item, F10 (the case opens
and is routed), F12, Esc, F10, Esc, with a person's pause between keys. Each time runs from the key
leaving the terminal to the first frame that shows the screen with its data: the holder's card and
the items on the form, the case number and its first paper in the checklist, the first document's
title and text in the preview (the data-loading worker done, the screen refreshed after it). Headless,
the frame is composed but not written to a terminal: that write (a few ms) is not counted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hallterm.bench.desk import BENCH_DESK, BENCH_PIN, Desk, eligible_cards
from hallterm.bench.measuring import BenchContext, Measurement, bench_env, percentile

PROBE = Path(__file__).with_name("screen_probe.py")
# Run by path, so that the hallterm.bench package (and all it imports) stays out of the desk's process.
_RUN_PROBE = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"

DESKS, HOLDERS = 5, 3  # desks started one after another, holders each serves: 15 opens of each screen
QUICK_DESKS, QUICK_HOLDERS = 3, 2
FIGURES = (("form_ms", "form_open"), ("checklist_ms", "checklist_open"), ("preview_ms", "preview_open"))


def _run_desk(cards: list[str], env: dict[str, str], hand_s: float) -> dict[str, list[float]]:
    out = subprocess.run([sys.executable, "-c", _RUN_PROBE, str(PROBE), BENCH_DESK, BENCH_PIN, ",".join(cards),
                          repr(hand_s)], env=env, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"bench: the desk's screens could not be timed: {out.stderr[-800:]}")
    times: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
    return times


def measure_screen_opens(ctx: BenchContext) -> dict[str, Any]:
    """Key → screen drawn with its data, for the case form, the checklist and the print preview."""
    desks, holders = (QUICK_DESKS, QUICK_HOLDERS) if ctx.plan.quick else (DESKS, HOLDERS)
    if ctx.plan.insert_samples < 100:
        desks = 1  # the tests' tiny plans: one desk shows it works
    ctx.progress(f"打开界面：前台 {desks} 次启动，每次 {holders} 位持卡人（开办件表、材料清单、打印预览）…")
    Desk.sign_in(ctx)  # sets the bench desk's PIN
    env = bench_env(ctx)
    cards = eligible_cards(ctx, desks * holders)
    samples: dict[str, list[float]] = {key: [] for key, _ in FIGURES}
    for n in range(desks):
        times = _run_desk(cards[n * holders:(n + 1) * holders], env, ctx.plan.hand_s)
        for key, _ in FIGURES:
            samples[key] += times[key]
    figures: dict[str, Any] = {}
    for key, name in FIGURES:
        figures[f"{name}_p95_ms"] = round(percentile(samples[key], 95), 1)
        figures[f"{name}_p50_ms"] = round(percentile(samples[key], 50), 1)
    figures["screen_open_samples"] = len(samples["form_ms"])
    return figures


MEASUREMENTS: list[Measurement] = [measure_screen_opens]

LABELS = {
    "form_open_p95_ms": "开办件表 F3 → form drawn, p95 (ms)",
    "form_open_p50_ms": "  p50 (ms)",
    "checklist_open_p95_ms": "材料清单 F12 → checklist drawn, p95 (ms)",
    "checklist_open_p50_ms": "  p50 (ms)",
    "preview_open_p95_ms": "打印预览 F10 → preview drawn, p95 (ms)",
    "preview_open_p50_ms": "  p50 (ms)",
    "screen_open_samples": "  每项样本 samples each",
}

# Issue 11, point 12 (DESIGN.md performance budget): a key press → the screen drawn with its data.
BUDGETS = {"form_open_p95_ms": ("<=", 150.0), "checklist_open_p95_ms": ("<=", 150.0),
           "preview_open_p95_ms": ("<=", 150.0)}
