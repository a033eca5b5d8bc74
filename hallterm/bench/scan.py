"""The desk's scan path on the bench database: card lookups, opening cases, scan → routed."""

from __future__ import annotations

import time
from typing import Any

from hallterm.bench.desk import Desk, eligible_cards
from hallterm.bench.measuring import BenchContext, Measurement, percentile
from hallterm.services.cards import check_card


def measure_cards_lookup(ctx: BenchContext) -> dict[str, Any]:
    """The desk's scan path: check_card on existing card numbers as a scanner types them (CR suffix).

    Parse, look up the holder with open and past case counts, assess, append the scan event, commit.
    """
    samples = ctx.plan.lookup_samples
    ctx.progress(f"查卡（check_card）{samples:,} 次…")
    for card in ctx.rng.sample(ctx.card_numbers, min(20, len(ctx.card_numbers))):  # warm the pool
        check_card(ctx.svc, card + "\r")
    times: list[float] = []
    found = 0
    for _ in range(samples):
        text = ctx.card_numbers[ctx.rng.randrange(len(ctx.card_numbers))] + "\r"
        started = time.perf_counter()
        result = check_card(ctx.svc, text)
        times.append((time.perf_counter() - started) * 1000)
        found += result.holder is not None
    if found != samples:
        raise RuntimeError(f"bench: {samples - found} existing card numbers were not found")
    return {"cards_lookup_p50_ms": round(percentile(times, 50), 3),
            "cards_lookup_p95_ms": round(percentile(times, 95), 3),
            "cards_lookup_max_ms": round(max(times), 3),
            "cards_lookup_samples": samples}


def measure_case_insert(ctx: BenchContext) -> dict[str, Any]:
    """The real open-case use case, each in its own write transaction: number, case, item, routing, events."""
    count = ctx.plan.insert_samples
    ctx.progress(f"开办件（open_case，单件事务）{count:,} 次…")
    desk = Desk.sign_in(ctx)
    cards = eligible_cards(ctx, count)
    times: list[float] = []
    for card in cards:
        t0 = time.perf_counter()
        view = desk.open_for(card, ctx.rng)
        times.append((time.perf_counter() - t0) * 1000)
        desk.free_seat(view)
    return {"case_insert_per_s": round(1000 * count / sum(times), 1),
            "case_insert_p95_ms": round(percentile(times, 95), 3),
            "case_insert_samples": count}


def measure_scan_to_routed(ctx: BenchContext) -> dict[str, Any]:
    """Parse a scan, look the holder up, open the case, route it and commit (issue 3 budget: p95 ≤ 50 ms)."""
    count = ctx.plan.insert_samples
    ctx.progress(f"扫码→分配 {count:,} 次…")
    desk = Desk.sign_in(ctx)
    times: list[float] = []
    routed = 0
    for card in eligible_cards(ctx, count):
        t0 = time.perf_counter()
        check = check_card(desk.svc, card + "\r", staff_id=desk.session.staff_id)
        if not check.ok:
            raise RuntimeError(f"bench: an eligible card was refused: {check.message}")
        view = desk.open_for(card, ctx.rng)
        times.append((time.perf_counter() - t0) * 1000)
        routed += view.coordinator is not None
        desk.free_seat(view)
    if routed != count:
        raise RuntimeError(f"bench: {count - routed} cases were not routed (no seat or coordinator)")
    return {"scan_to_routed_p50_ms": round(percentile(times, 50), 3),
            "scan_to_routed_p95_ms": round(percentile(times, 95), 3),
            "scan_to_routed_samples": count}


MEASUREMENTS: list[Measurement] = [measure_cards_lookup, measure_case_insert, measure_scan_to_routed]

LABELS = {
    "cards_lookup_p50_ms": "查卡 p50 scan→holder (ms)",
    "cards_lookup_p95_ms": "查卡 p95 scan→holder (ms)",
    "cards_lookup_max_ms": "查卡最慢 max (ms)",
    "cards_lookup_samples": "查卡次数 samples",
    "case_insert_per_s": "开办件 cases/s (one txn each)",
    "case_insert_p95_ms": "开办件 p95 (ms)",
    "case_insert_samples": "开办件次数 samples",
    "scan_to_routed_p50_ms": "扫码→分配 p50 (ms)",
    "scan_to_routed_p95_ms": "扫码→分配 p95 scan→routed (ms)",
    "scan_to_routed_samples": "扫码→分配次数 samples",
}

# Issue 3 (DESIGN.md): scan → routed, p95 ≤ 50 ms.
BUDGETS = {"scan_to_routed_p95_ms": ("<=", 50.0)}
