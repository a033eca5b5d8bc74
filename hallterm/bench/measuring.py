"""What every measurement gets and uses: the plan, the context on the built database, percentiles."""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hallterm.services.context import Services


@dataclass(frozen=True)
class BenchPlan:
    """How big the synthetic database is and how many samples each measurement takes."""

    holders: int
    cases: int
    lookup_samples: int
    insert_samples: int
    quick: bool = False
    case_items: bool = True  # one case_items row per past case
    seed: int = 2026
    # A person's pause between one key and the next at the desk (bench.screens), never inside a timed
    # path. The tests' tiny plans shorten it: the same code runs, only the idle gaps (seconds of a
    # test's wall time) shrink.
    hand_s: float = 0.25


FULL = BenchPlan(holders=100_000, cases=1_000_000, lookup_samples=2000, insert_samples=1000)
QUICK = BenchPlan(holders=10_000, cases=100_000, lookup_samples=1000, insert_samples=500, quick=True)


@dataclass
class BenchContext:
    """What every measurement gets: services on the built database and what was put in it."""

    svc: Services
    plan: BenchPlan
    card_numbers: list[str]  # every holder's card number
    rng: random.Random
    progress: Callable[[str], None] = lambda _msg: None


Measurement = Callable[[BenchContext], dict[str, Any]]


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of ``samples`` (p in 0–100)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def bench_env(ctx: BenchContext, **extra: str) -> dict[str, str]:
    """The environment of a process the bench starts: the bench database, none of the caller's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = ctx.svc.settings.db.resolved_url()
    env.update(extra)
    return env
