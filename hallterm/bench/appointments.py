"""Appointments (S6 预约服务, issue 12 point 9): booking one after another, and 8 processes booking the
same slots at once — a slot's capacity must hold whatever the number of terminals (never overbooked)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hallterm.bench.measuring import BenchContext, Measurement, bench_env, percentile
from hallterm.domain.appointments import AppointmentError
from hallterm.domain.hours import WindowKind
from hallterm.domain.queue import AppointmentStatus
from hallterm.services.appointment_slots import SlotView, day_slots
from hallterm.services.appointments import book
from hallterm.storage.tables import appointment_seats, appointments, card_holders

BOOKERS = 8
_LIVE = [AppointmentStatus.BOOKED.value, AppointmentStatus.CHECKED_IN.value]
SECTION = "业务协调科"

_BOOKER = """
import datetime as dt, pathlib, sys, time
from hallterm.config import load_settings
from hallterm.domain.appointments import AppointmentError, SlotFull
from hallterm.services.appointment_slots import day_slots
from hallterm.services.appointments import book
from hallterm.services.context import Services
go = pathlib.Path(sys.argv[1])
day = dt.date.fromisoformat(sys.argv[2])
slots = sys.argv[3].split(",")
cards = sys.argv[4:]
svc = Services.open(load_settings(), upgrade=False)
day_slots(svc, day)  # read the files and connect before the start line
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
for card in cards:
    for slot in slots:
        try:
            book(svc, None, card, day, slot, section=%r)
        except SlotFull:
            print("full", flush=True)
            continue
        except AppointmentError as exc:  # a synthetic holder the desk refuses: not a booking figure
            print("refused:" + str(exc).replace(" ", "_"), flush=True)
            break
        print("booked:" + slot, flush=True)
        break
"""


def _bookable_cards(ctx: BenchContext, day: dt.date, count: int) -> list[str]:
    """Holders the desk would let book on ``day`` (active, eligible tier, valid by then), so that the
    processes compete for seats, not against refusals."""
    tiers = list(ctx.svc.settings.cards.eligible_tiers)
    booked = select(appointments.c.holder_id).where(appointments.c.status.in_(_LIVE))
    with ctx.svc.db.read() as conn:
        found = list(conn.execute(select(card_holders.c.card_no)
                                  .where(card_holders.c.status == "active", card_holders.c.tier.in_(tiers),
                                         card_holders.c.issued_on <= ctx.svc.today(),
                                         card_holders.c.expires_on > day, card_holders.c.id.not_in(booked))
                                  .order_by(card_holders.c.id).limit(count * 20)).scalars())
    return ctx.rng.sample(found, min(count, len(found)))


def _open_slots(ctx: BenchContext, first: dt.date, days: int) -> list[SlotView]:
    """Bookable slots with free seats of the section, day by day from ``first``."""
    out: list[SlotView] = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        out.extend(s for s in day_slots(ctx.svc, day, SECTION).slots if s.bookable and s.free > 0)
    return out


def measure_booking(ctx: BenchContext) -> dict[str, Any]:
    """One booking at a time (look up the card, check the rules, take the seat, save, event, commit),
    spread over the next days' slots, each by a holder of its own."""
    count = min(ctx.plan.insert_samples, 400)
    ctx.progress(f"预约（单次事务）{count:,} 次…")
    horizon = ctx.svc.settings.appointments.horizon_days
    # The last days of the horizon are kept for the processes below.
    slots = _open_slots(ctx, ctx.svc.today() + dt.timedelta(days=1), max(1, horizon - 3))
    seats = [s for s in slots for _ in range(s.free)]
    pool = ctx.card_numbers[: len(ctx.card_numbers) * 3 // 4]  # the rest is left for the processes below
    cards = ctx.rng.sample(pool, min(len(pool), count * 2))
    times: list[float] = []
    refused = 0
    for card in cards:
        if len(times) >= count or not seats:
            break
        slot = seats[0]
        t0 = time.perf_counter()
        try:
            book(ctx.svc, None, card, slot.day, slot.start, section=SECTION)
        except AppointmentError:
            refused += 1  # a synthetic holder the desk refuses (revoked, expired, tier E): not timed
            continue
        times.append((time.perf_counter() - t0) * 1000)
        seats.pop(0)
    if not times:
        return {"booking_samples": 0}
    return {"booking_p95_ms": round(percentile(times, 95), 3), "booking_p50_ms": round(percentile(times, 50), 3),
            "booking_samples": len(times), "booking_refused_cards": refused}


def measure_booking_processes(ctx: BenchContext) -> dict[str, Any]:
    """8 processes book the same few slots at once, each for holders of its own: every seat is taken
    once, none twice (``appointment_overbooked`` must be 0), the seat counters match the bookings."""
    processes = BOOKERS if ctx.plan.insert_samples >= 100 else 2  # the tiny plans of the test suite
    each = 6 if ctx.plan.insert_samples >= 100 else 2
    horizon = ctx.svc.settings.appointments.horizon_days
    day, chosen = ctx.svc.today() + dt.timedelta(days=horizon), []
    for back in range(horizon):  # the last day of the horizon with regular slots, away from measure_booking's
        day = ctx.svc.today() + dt.timedelta(days=horizon - back)
        chosen = [s for s in day_slots(ctx.svc, day, SECTION).slots
                  if s.bookable and s.window is WindowKind.REGULAR and s.booked == 0][:3]
        if len(chosen) == 3:
            break
    if not chosen:
        return {"appointment_processes": 0}
    ctx.progress(f"{processes} 个进程同时预约 {day:%m-%d} 的 {len(chosen)} 个时段，各 {each} 位持卡人…")
    cards = _bookable_cards(ctx, day, processes * each)
    with tempfile.TemporaryDirectory(prefix="hallterm-bench-go-") as tmp:
        go = Path(tmp) / "go"
        env = bench_env(ctx, HALLTERM_DB_BUSY_TIMEOUT_MS="60000")
        script = _BOOKER % (SECTION,)
        slot_arg = ",".join(s.start for s in chosen)
        procs = [subprocess.Popen([sys.executable, "-c", script, str(go), day.isoformat(), slot_arg,
                                   *cards[n::processes]], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
                 for n in range(processes)]
        for proc in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"bench: a booking process did not start: {proc.communicate()[1][-500:]}")
        go.touch()
        printed: list[str] = []
        for proc in procs:
            out, err = proc.communicate(timeout=900)
            if proc.returncode != 0:
                raise RuntimeError(f"bench: a booking process failed: {err[-500:]}")
            printed.extend(out.split())
    capacity = {s.start: s.capacity for s in chosen}
    with ctx.svc.db.read() as conn:
        stored = Counter(conn.execute(select(appointments.c.slot_start)
                                      .where(appointments.c.day == day, appointments.c.section == SECTION,
                                             appointments.c.status.in_(_LIVE))).scalars())
        counters = {r.slot_start: r.booked for r in conn.execute(
            select(appointment_seats.c.slot_start, appointment_seats.c.booked)
            .where(appointment_seats.c.day == day, appointment_seats.c.section == SECTION))}
    overbooked = sum(max(0, stored[start] - cap) for start, cap in capacity.items())
    mismatched = sum(1 for start in capacity if counters.get(start, 0) != stored[start])
    return {"appointment_processes": processes, "appointment_processes_each": each,
            "appointments_booked": sum(stored.values()),
            "appointment_seats_offered": sum(capacity.values()),
            "appointment_overbooked": overbooked,
            "appointment_counter_mismatches": mismatched,
            "appointment_told_full": printed.count("full"),
            "appointment_refused": sum(1 for p in printed if p.startswith("refused"))}


MEASUREMENTS: list[Measurement] = [measure_booking, measure_booking_processes]

LABELS = {
    "booking_p95_ms": "预约 p95 (ms)",
    "booking_p50_ms": "预约 p50 (ms)",
    "booking_samples": "预约次数 samples",
    "booking_refused_cards": "  卡不可预约（未计时）",
    "appointment_processes": "并发预约进程 processes",
    "appointment_processes_each": "  每进程持卡人 each",
    "appointments_booked": "  约上 appointments booked",
    "appointment_seats_offered": "  名额 seats offered",
    "appointment_overbooked": "超约 overbooked (must be 0)",
    "appointment_counter_mismatches": "名额计数不符 counter mismatches",
    "appointment_told_full": "  答复约满 told full",
    "appointment_refused": "  卡不可预约 refused",
}

# Issue 12 point 9: a slot is never over capacity, whatever the number of terminals booking it at once.
BUDGETS = {"appointment_overbooked": ("<=", 0.0), "appointment_counter_mismatches": ("<=", 0.0)}
