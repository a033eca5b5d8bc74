"""What a simulated hall's day looks like, and how fast it is played.

The figures are a green-channel counter's, from the demo's month and research/queues.md: visitors
come most at mid-morning and mid-afternoon and least over the noon break; one visit at the counter
(called, card read, case opened, papers checked) takes about five minutes; a coordinator meets the
applicant in the lounge within minutes of routing (S4)."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

# Walk-ins per desk per hour at each hour of the hall's day (hall time), at speed 1. A desk serves
# about ten an hour flat out, so the peaks queue and the noon break drains.
ARRIVALS_PER_DESK_HOUR = {9: 5.0, 10: 7.0, 11: 6.0, 12: 2.0, 13: 3.0, 14: 6.0, 15: 7.0, 16: 4.0}
DAY_START_H, DAY_END_H = 9, 17  # the simulated day wraps round at its end: a training hall never closes

# Seconds of hall time between one step of a visit and the next, at speed 1.
STEP_S = {
    "walk_up": 30,  # called → at the counter with the card
    "open_case": 120,  # the case form filled in
    "tick": 45,  # one item's papers checked
    "decide": 15,  # accepted (or 容缺) and the slip printed
    "finish": 20,
    "recall": 60,  # a called visitor who does not come is called again, twice, then passed (过号)
    "idle": 15,  # nobody waiting: look again
    "met": 300,  # the coordinator meets the applicant in the lounge (S4)
    "end_visit": 1500,
    "review": 1800,  # start review, decide, result ready: compressed from days into the run
    "collect": 1200,  # the holder comes to the issuing window (S9)
}
# The quickest a clerk goes from one step to the next (a key, a glance at the screen): even at ``--speed
# max`` a desk is a person at a keyboard. Without it 50 desks would be 50 processes spinning on 2 cores,
# and the figures would measure the machine's run queue, not the database (README "Hall simulator").
HANDS_S = (1.0, 3.0)

# Of the walk-ins: some come to collect a result, some to book an appointment, a few never answer a call.
COLLECT_SHARE, BOOK_SHARE, NO_SHOW_SHARE, RECALL_SHARE = 0.12, 0.08, 0.03, 0.05


@dataclass(frozen=True)
class SimPlan:
    desks: int
    minutes: float  # how long the run lasts, wall-clock
    speed: float | None  # hall seconds per wall second; None: as fast as the database allows (a load test)
    seed: int = 17
    visitors: float = 1.0  # ``--visitors``: how many times the usual number come (2: a queue builds up)
    pause: float | None = None  # ``--pause``: the clerk's mean pause between steps, seconds (None: HANDS_S)
    # ``--leave``: a desk calls the next visitor only while more than this many wait, so that a trainee at
    # a real counter beside the simulated ones always has visitors to call (``demo --live``).
    leave: int = 0
    start_h: float = DAY_START_H  # the hall hour the simulated day starts at
    # ``--at``: the hall's clock at the start, ISO, when the run plays another time than now (a Monday
    # morning at night, a holiday's duty desk); the use cases' clock then runs on from it in real time.
    at: str | None = None
    # The wall-clock instant (``time.time()``) at which the hall's clock showed ``at``. Every desk's process
    # runs its clock from this one instant: each started its own when it was ready, so desks that came up
    # seconds apart would each keep a different hall time (a ticket called before it was issued).
    at_epoch: float | None = None

    @property
    def flat_out(self) -> bool:
        return self.speed is None

    @property
    def hands_s(self) -> tuple[float, float]:
        """The range of the clerk's pause between one step and the next."""
        return HANDS_S if self.pause is None else (self.pause / 2, self.pause * 1.5)

    def clock(self) -> Callable[[], dt.datetime] | None:
        """The use cases' clock for ``at`` (None: the real one)."""
        if self.at is None:
            return None
        start = dt.datetime.fromisoformat(self.at).astimezone(dt.UTC)
        began = time.time() if self.at_epoch is None else self.at_epoch
        return lambda: start + dt.timedelta(seconds=time.time() - began)


def parse_speed(text: str) -> float | None:
    """``max`` or a positive number (``1`` a person's pace, ``10`` ten times faster)."""
    if text.strip().lower() == "max":
        return None
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(text)
    return value


def start_hour(local_hour: float) -> float:
    """Within the hall's day, the simulated day starts now; outside it (evenings, nights), at opening."""
    return local_hour if DAY_START_H <= local_hour < DAY_END_H else float(DAY_START_H)


def hall_hour(plan: SimPlan, elapsed_s: float) -> float:
    """The simulated hall hour ``elapsed_s`` wall seconds into the run."""
    span = DAY_END_H - DAY_START_H
    hours = (plan.start_h - DAY_START_H + elapsed_s * (plan.speed or 1.0) / 3600) % span
    return DAY_START_H + hours


def wall_s(plan: SimPlan, hall_s: float) -> float:
    """Wall seconds for ``hall_s`` seconds of the hall's time (none at all flat out)."""
    return 0.0 if plan.speed is None else hall_s / plan.speed


def next_arrival_s(plan: SimPlan, elapsed_s: float, rng: random.Random) -> float:
    """Wall seconds to this desk's next walk-in: a Poisson stream at the hour's rate."""
    if plan.speed is None:
        return 0.0
    per_hour = ARRIVALS_PER_DESK_HOUR.get(int(hall_hour(plan, elapsed_s)), 2.0) * plan.visitors
    return rng.expovariate(per_hour / 3600) / plan.speed
