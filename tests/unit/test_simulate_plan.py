"""The hall simulator's pure parts: its pace and hall clock (simulate.plan), how it adds up its figures
(simulate.tally), and how a desk counts what a use case did (VirtualDesk.op)."""

from __future__ import annotations

import argparse
import datetime as dt
import random
from types import SimpleNamespace
from typing import Any

import pytest

from hallterm import cli_simulate
from hallterm.config import load_settings
from hallterm.domain.errors import Refused
from hallterm.simulate import plan as p
from hallterm.simulate.desk import VirtualDesk
from hallterm.simulate.tally import SAMPLES_KEPT, Tally, percentile


def test_parse_speed_takes_max_or_a_positive_number() -> None:
    assert p.parse_speed("max") is None and p.parse_speed(" MAX ") is None
    assert p.parse_speed("1") == 1.0 and p.parse_speed("2.5") == 2.5


@pytest.mark.parametrize("text", ["0", "-1", "nan", "inf", "fast", ""])
def test_parse_speed_rejects_what_is_not_a_pace(text: str) -> None:
    with pytest.raises(ValueError):
        p.parse_speed(text)


@pytest.mark.parametrize(("hour", "start"), [(9.0, 9.0), (10.5, 10.5), (16.99, 16.99), (17.0, 9.0), (21.0, 9.0),
                                             (3.25, 9.0), (8.99, 9.0)])
def test_start_hour_keeps_the_hall_day_and_opens_at_nine_outside_it(hour: float, start: float) -> None:
    assert p.start_hour(hour) == start


def test_hall_hour_runs_at_speed_and_wraps_from_closing_back_to_opening() -> None:
    plan = p.SimPlan(desks=1, minutes=10, speed=10, start_h=16.5)
    assert p.hall_hour(plan, 0) == 16.5
    assert p.hall_hour(plan, 90) == pytest.approx(16.75)  # 90 wall s at 10x: a quarter of an hour
    assert p.hall_hour(plan, 180) == 9.0  # 17:00 is the next day's 9:00, not 17
    assert p.hall_hour(plan, 360) == pytest.approx(9.5)
    assert p.hall_hour(plan, 180 + 8 * 360) == pytest.approx(9.0)  # a whole 8-hour day later, opening again
    flat = p.SimPlan(desks=1, minutes=10, speed=None, start_h=10.0)
    assert p.hall_hour(flat, 1800) == pytest.approx(10.5)  # flat out the hall's clock is the wall's


def test_wall_s_is_hall_time_over_speed_and_nothing_flat_out() -> None:
    assert p.wall_s(p.SimPlan(desks=1, minutes=1, speed=10), 300) == 30.0
    assert p.wall_s(p.SimPlan(desks=1, minutes=1, speed=0.5), 30) == 60.0
    flat = p.SimPlan(desks=1, minutes=1, speed=None)
    assert flat.flat_out and p.wall_s(flat, 1800) == 0.0
    assert p.next_arrival_s(flat, 5.0, random.Random(1)) == 0.0


def test_next_arrival_follows_the_hour_rate_and_the_speed() -> None:
    slow, fast = (p.SimPlan(desks=1, minutes=1, speed=s, start_h=10.0) for s in (1, 10))
    a, b = p.next_arrival_s(slow, 0, random.Random(3)), p.next_arrival_s(fast, 0, random.Random(3))
    assert a > 0 and b == pytest.approx(a / 10)  # the same draw, ten times sooner


def test_clock_starts_at_the_at_instant() -> None:
    assert p.SimPlan(desks=1, minutes=1, speed=1).clock() is None
    at = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    clock = p.SimPlan(desks=1, minutes=1, speed=1, at=at.isoformat()).clock()
    assert clock is not None
    now = clock()
    assert now.tzinfo is not None and dt.timedelta(0) <= now - at < dt.timedelta(seconds=5)


def test_every_process_of_a_run_keeps_the_same_hall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each desk's process makes its clock when it is ready, seconds apart from the others: all must show
    the one hall time, or a ticket is called before it was issued (found by the CLI test)."""
    wall = [1000.0]
    monkeypatch.setattr(p, "time", SimpleNamespace(time=lambda: wall[0], monotonic=lambda: wall[0]))
    at = "2026-12-07T10:00:00+08:00"
    plan = p.SimPlan(desks=2, minutes=1, speed=None, at=at, at_epoch=1000.0)
    wall[0] = 1002.0
    first = plan.clock()  # a desk ready two seconds after the run began
    wall[0] = 1007.5
    second = plan.clock()  # and a slower one
    wall[0] = 1010.0
    assert first is not None and second is not None
    assert first() == second() == dt.datetime.fromisoformat(at) + dt.timedelta(seconds=10)


def test_percentile_is_nearest_rank() -> None:
    ten = [float(x) for x in range(10, 0, -1)]  # unsorted on purpose
    assert percentile(ten, 50) == 5.0 and percentile(ten, 95) == 10.0 and percentile(ten, 0) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0 and percentile([1.0, 2.0, 3.0, 4.0], 75) == 3.0
    assert percentile([7.0], 95) == 7.0
    twenty = [float(x) for x in range(1, 21)]
    assert percentile(twenty, 95) == 19.0  # ceil(0.95 * 20) = 19th


def test_tally_figures_count_time_and_keep_errors_apart_from_refusals() -> None:
    tally = Tally()
    for ms in (1.0, 2.0, 3.0, 4.0):
        tally.timed("call", ms)
    tally.timed("ticket", 10.0)
    tally.refusal("book", "该时段已约满")
    tally.refusal("book", "该时段已约满")
    tally.error("open_case", RuntimeError("database is locked"))
    figures = tally.figures()
    assert figures["operations"] == 5 and figures["refused"] == 2 and figures["errors"] == 1
    assert figures["call_count"] == 4 and figures["call_p50_ms"] == 2.0 and figures["call_p95_ms"] == 4.0
    assert figures["ticket_count"] == 1 and figures["ticket_p95_ms"] == 10.0
    # The named operations are always there, with no percentile when none ran; a refused or failed
    # operation is not timed (the book above has no count of its own).
    assert figures["open_case_count"] == 0 and figures["open_case_p50_ms"] is None
    assert figures["lookup_count"] == 0 and figures["lookup_p95_ms"] is None
    assert "book_count" not in figures
    assert figures["operations"] == sum(v for k, v in figures.items() if k.endswith("_count"))
    assert tally.refused == {"book: 该时段已约满": 2}
    assert tally.error_samples == ["open_case: RuntimeError: database is locked"]


def test_tally_adds_up_across_desks_and_keeps_five_error_samples() -> None:
    total = Tally()
    for desk in range(3):
        one = Tally()
        one.timed("call", float(desk + 1))
        one.refusal("call", "满")
        for n in range(4):
            one.error("tick", ValueError(f"desk {desk} error {n}"))
        total.add(Tally.from_json(one.to_json()))  # as it travels from a desk's process
    figures = total.figures()
    assert figures["call_count"] == 3 and figures["call_p50_ms"] == 2.0
    assert figures["errors"] == 12 and figures["refused"] == 3
    assert total.error_samples == [f"tick: ValueError: desk {d} error {n}" for d, n in
                                   [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0)]]
    assert len(total.error_samples) == SAMPLES_KEPT
    one = Tally()
    for _n in range(SAMPLES_KEPT + 3):
        one.error("x", RuntimeError("y" * 1000))
    assert len(one.error_samples) == SAMPLES_KEPT and one.errors["x"] == SAMPLES_KEPT + 3
    assert all(len(s) < 400 for s in one.error_samples)  # a message is cut, never a flood


def fake_desk() -> Any:
    return SimpleNamespace(tally=Tally(), rng=random.Random(1), _hands_free_at=0.0,
                           plan=p.SimPlan(desks=1, minutes=1.0, speed=None))


def test_desk_op_times_a_success_and_counts_a_refusal_and_an_error_without_raising() -> None:
    desk = fake_desk()

    def refuse() -> None:
        raise Refused("该时段已约满")

    def fail() -> None:
        raise RuntimeError("database is locked")

    assert VirtualDesk.op(desk, "ticket", lambda a, b=0: a + b, 1, b=2) == 3
    assert VirtualDesk.op(desk, "book", refuse) is None
    assert VirtualDesk.op(desk, "open_case", fail) is None
    figures = desk.tally.figures()
    assert figures["ticket_count"] == 1 and figures["operations"] == 1
    assert figures["refused"] == 1 and desk.tally.refused == {"book: 该时段已约满": 1}
    assert figures["errors"] == 1 and desk.tally.errors == {"open_case": 1}
    assert desk.tally.error_samples == ["open_case: RuntimeError: database is locked"]
    assert figures["open_case_count"] == 0  # a failed operation is counted as an error, not timed
    assert desk._hands_free_at > 0  # every step, done or not, takes the clerk's hands (plan.hands_s)


@pytest.mark.parametrize(("at", "start"), [("2026-12-07T10:30", 10.5), ("2026-12-07T02:30+00:00", 10.5),
                                           ("2026-12-07T10:30+08:00", 10.5), ("2026-12-06T21:00", 9.0),
                                           ("2026-12-06T13:00+00:00", 9.0)])
def test_the_simulated_day_starts_at_the_hall_hour_of_at_in_any_zone(monkeypatch: pytest.MonkeyPatch, at: str,
                                                                      start: float) -> None:
    """``--at`` with a zone (02:30 UTC is 10:30 in Anshan) starts the day at the hall's hour, not the zone's."""
    import hallterm.simulate.runner as runner

    seen: list[p.SimPlan] = []

    def fake_run(_settings: Any, plan: p.SimPlan, **_kw: Any) -> dict[str, Any]:
        seen.append(plan)
        return {"errors": 0, "ticket_duplicates": 0}

    monkeypatch.setattr(runner, "run", fake_run)
    settings = load_settings(environ={"HALLTERM_DB_URL": "sqlite:////nonexistent/demo.sqlite3"})
    args = argparse.Namespace(desks=1, minutes=1.0, speed="max", seed=17, at=cli_simulate._at(at), config=None,
                              json=True, visitors=1.0, pause=None, leave=0)
    assert cli_simulate.run(settings, args) == 0
    assert seen[0].start_h == start
    clock = seen[0].clock()
    assert clock is not None
    instant = dt.datetime.fromisoformat(at if "+" in at else at + "+08:00")
    assert dt.timedelta(0) <= clock() - instant < dt.timedelta(minutes=1)  # the hall's clock starts at --at
