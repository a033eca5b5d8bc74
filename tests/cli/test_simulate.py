"""`hallterm simulate` and `hallterm demo --live` through real subprocesses (issue 17 point 8): the
simulator's figures counted right against the events it wrote, its refusals, and its stopping.

One demo database is built per worker (conftest.cli_demo_template) and copied per test; the database
is read with sqlite3 itself (what is on disk, not what the simulator says about it)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hallterm.config import sqlite_url
from hallterm.config_locations import PROJECT_ROOT
from tests.cli.test_demo_and_staff import hallterm

MONDAY_MORNING = "2026-12-07T10:00"  # a working day inside the hall's hours: cases go to a lounge's coordinator
SUNDAY_EVENING = "2026-12-06T21:00"  # a rest day after hours: cases wait for the after-hours rules
WORKER = "hallterm.simulate.worker"
DEADLINE_S = 120  # generous: the machine's two cores are shared with the rest of the suite
# With seed 19 at 10:00 and speed 20, desk 0's first walk-in comes within a second or two of the start
# (plan.next_arrival_s); the default seed's first one would come after half a minute.
QUICK_SEED = "19"


@pytest.fixture
def demo_db(cli_demo_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "demo.sqlite3"
    shutil.copyfile(cli_demo_template, db)
    return db


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def watermark(db: Path) -> int:
    return int(query(db, "SELECT coalesce(max(id), 0) FROM events")[0][0])


def events_after(db: Path, mark: int) -> list[tuple[int, str, str | None, str | None, int | None, dict[str, Any]]]:
    rows = query(db, "SELECT id, kind, at, staff_id, case_id, details FROM events WHERE id > ? ORDER BY id", mark)
    return [(i, kind, at, staff, case, json.loads(details or "{}")) for i, kind, at, staff, case, details in rows]


def events_with_tickets(db: Path, mark: int, kind: str) -> list[tuple[int, str, str, str | None, int]]:
    return [(i, k, at, staff, ticket) for i, k, at, staff, ticket in query(
        db, "SELECT id, kind, at, staff_id, ticket_id FROM events WHERE id > ? AND kind = ?", mark, kind)]


def simulate_json(db: Path, *args: str) -> dict[str, Any]:
    run = hallterm("simulate", *args, "--json", db=db)
    assert run.returncode == 0, run.stdout + run.stderr
    figures: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return figures


def counts(figures: dict[str, Any]) -> dict[str, int]:
    return {k.removesuffix("_count"): v for k, v in figures.items() if k.endswith("_count")}


def test_a_monday_morning_run_counts_exactly_what_it_wrote(demo_db: Path) -> None:
    mark = watermark(demo_db)
    # 15 s with the clerk's pause cut to 0.1 s (--pause; 1-3 s by default, plan.HANDS_S): long enough for
    # visits to go through the counter, the lounge (met, end, review) and the issuing window.
    figures = simulate_json(demo_db, "--desks", "2", "--minutes", "0.25", "--speed", "max", "--pause", "0.1",
                            "--at", MONDAY_MORNING)
    ops = counts(figures)
    assert figures["database"] == "sqlite" and figures["desks"] == 2 and figures["speed"] == "max"
    assert figures["errors"] == 0 and figures["error_samples"] == [], figures["error_samples"]
    assert figures["ticket_duplicates"] == 0
    assert figures["operations"] == sum(ops.values()) > 0
    for op in ("open_case", "call", "lookup"):  # always named, with their percentiles
        assert figures[f"{op}_count"] > 0 and 0 < figures[f"{op}_p50_ms"] <= figures[f"{op}_p95_ms"]
    # The whole chain ran: counter, lounge, review, issuing window.
    assert ops["met"] > 0 and ops["review"] > 0 and ops["handout"] > 0, ops

    # Each desk served one visitor before the run (desk.VirtualDesk.warm_up): counted apart, written alike.
    warm = figures["warmup"]
    assert warm["errors"] == 0 and warm["counts"]["open_case"] == 2 and warm["first_open_case_p50_ms"] > 0
    ops = Counter(ops) + Counter(warm["counts"])
    events = events_after(demo_db, mark)
    kinds = Counter(kind for _i, kind, *_ in events)
    assert kinds["ticket_issued"] == ops["ticket"]
    assert kinds["case_opened"] == ops["open_case"]
    called = Counter(str(details.get("counter")) for _i, kind, *_r, details in events if kind == "ticket_called")
    assert set(called) <= {"M01", "M02"} and sum(called.values()) == ops["call"]
    assert kinds["visitor_met"] == ops["met"]
    assert kinds["visit_ended"] == ops.get("end_visit", 0)
    # A hand-out writes one items_handed_out per case it closes items of (the rating pad's contract), all at
    # the one instant of the hand-out: one hand-out operation is one (instant, clerk) among those events.
    handed = {(at, staff) for _i, kind, at, staff, _c, _d in events if kind == "items_handed_out"}
    assert len(handed) == ops["handout"] and kinds["items_handed_out"] >= ops["handout"]
    assert {d["counter"] for _i, kind, *_r, d in events if kind == "items_handed_out"} == {"F1"}
    # The desk's card check logs a scan, and so does taking a ticket or booking (each checks the card the
    # same way, queue.issue_walkin and appointments.book): none of the three was refused in this run.
    assert figures["refused"] == 0, figures["refusals"]
    assert kinds["card_scanned"] == ops["lookup"] + ops["ticket"] + ops.get("book", 0)
    assert kinds["rating_given"] == ops.get("rate", 0)

    # Monday at ten: every case it opened went to a lounge and a coordinator (S4).
    opened = [case for _i, kind, _a, _s, case, _d in events if kind == "case_opened"]
    assert len(set(opened)) == len(opened) == ops["open_case"]
    routed = query(demo_db, f"SELECT id, lounge_code, coordinator_id FROM cases WHERE id IN "
                            f"({','.join('?' * len(opened))})", *opened)
    assert len(routed) == len(opened) and all(lounge and coordinator for _id, lounge, coordinator in routed), routed
    # One hall clock across the desks' processes: no ticket is called before it was issued, whichever
    # desk issued it (each process started its clock when it was ready, seconds apart, before the fix).
    issued = {e[4]: e[2] for e in events_with_tickets(demo_db, mark, "ticket_issued")}
    calls = events_with_tickets(demo_db, mark, "ticket_called")
    assert calls and all(issued[ticket] <= at for _id, _kind, at, _staff, ticket in calls), (issued, calls)
    # Its tickets were the --at day's (the demo has none of its own that day), called only at its counters.
    assert query(demo_db, "SELECT count(*) FROM tickets WHERE day = '2026-12-07'") == [(ops["ticket"],)]
    assert query(demo_db, "SELECT DISTINCT counter_code FROM tickets WHERE day = '2026-12-07' AND counter_code "
                          "IS NOT NULL ORDER BY 1") == [(code,) for code in sorted(called)]


def test_a_sunday_evening_run_queues_its_cases_for_the_after_hours_rules(demo_db: Path) -> None:
    mark = watermark(demo_db)
    figures = simulate_json(demo_db, "--desks", "2", "--minutes", "0.15", "--speed", "max", "--at", SUNDAY_EVENING)
    assert figures["errors"] == 0 and figures["ticket_duplicates"] == 0, figures["error_samples"]
    assert figures["open_case_count"] > 0
    events = events_after(demo_db, mark)
    opened = [case for _i, kind, _a, _s, case, _d in events if kind == "case_opened"]
    assert len(opened) == figures["open_case_count"] + figures["warmup"]["counts"]["open_case"]
    queued = {case for _i, kind, _a, _s, case, _d in events if kind == "case_queued"}
    assert queued == set(opened)  # none routed to a lounge with nobody there
    assert not [e for e in events if e[1] in {"case_routed", "visitor_met"}]


def test_leave_keeps_visitors_waiting_for_the_trainee(demo_db: Path) -> None:
    """``--leave 3`` (``demo --live`` leaves 2): the simulated desk calls only while more than three wait, so
    a trainee's counter beside it always has someone to call; flat out, it lets visitors arrive until then."""
    figures = simulate_json(demo_db, "--desks", "1", "--minutes", "0.1", "--speed", "max", "--pause", "0.05",
                            "--leave", "3", "--at", MONDAY_MORNING)
    assert figures["errors"] == 0 and figures["call_count"] > 0, figures
    waiting = query(demo_db, "SELECT count(*) FROM tickets WHERE day = '2026-12-07' AND status = 'waiting'")[0][0]
    assert waiting >= 3


def test_it_refuses_a_database_that_is_not_a_demo(tmp_path: Path, _sqlite_templates: dict[str, Path]) -> None:
    db = tmp_path / "hall.sqlite3"
    shutil.copyfile(_sqlite_templates["loaded"], db)
    mark = watermark(db)
    run = hallterm("simulate", "--desks", "2", "--minutes", "0.1", "--speed", "max", db=db)
    assert run.returncode == 1
    assert "只在演示数据库上运行" in run.stderr and "Traceback" not in run.stderr
    assert watermark(db) == mark
    assert query(db, "SELECT count(*) FROM counters WHERE code LIKE 'M%'") == [(0,)]
    assert query(db, "SELECT count(*) FROM tickets") == [(0,)]


@pytest.mark.parametrize(("args", "option"), [
    (("--desks", "0"), "--desks"),
    (("--desks", "abc"), "--desks"),
    (("--speed", "fast"), "--speed"),
    (("--speed", "0"), "--speed"),
    (("--minutes", "-1"), "--minutes"),
    (("--at", "tomorrow"), "--at"),
    (("--leave", "-1"), "--leave"),
])
def test_bad_arguments_are_named_and_nothing_is_written(demo_db: Path, args: tuple[str, ...], option: str) -> None:
    mark = watermark(demo_db)
    run = hallterm("simulate", *args, "--json", db=demo_db)
    assert run.returncode == 2
    assert f"{option} 应为" in run.stderr and args[1] in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""
    assert watermark(demo_db) == mark
    assert query(demo_db, "SELECT count(*) FROM counters WHERE code LIKE 'M%'") == [(0,)]


# --- stopping ------------------------------------------------------------------------------------------


def start(args: list[str], db: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = sqlite_url(db)
    with out.open("wb") as sink:
        return subprocess.Popen([sys.executable, "-m", "hallterm", *args], cwd=PROJECT_ROOT, env=env,
                                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def workers_of(db: Path) -> set[int]:
    """The desk processes working on ``db`` (by the database URL in their environment: other tests may be
    running simulations of their own at the same time)."""
    url = sqlite_url(db).encode()
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if WORKER.encode() in (proc / "cmdline").read_bytes() and url in (proc / "environ").read_bytes():
                found.add(int(proc.name))
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def wait_for(what: Callable[[], bool], proc: subprocess.Popen[bytes], out: Path) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not what():
        assert proc.poll() is None, out.read_text(encoding="utf-8", errors="replace")
        assert time.monotonic() < deadline, out.read_text(encoding="utf-8", errors="replace")
        time.sleep(0.2)


def watermark_when_free(db: Path) -> int:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            return watermark(db)
        except sqlite3.OperationalError:  # locked by a desk's write: look again
            assert time.monotonic() < deadline
            time.sleep(0.1)


def called_after(db: Path, mark: int) -> bool:
    try:
        return bool(query(db, "SELECT count(*) FROM events WHERE id > ? AND kind = 'ticket_called'", mark)[0][0])
    except sqlite3.OperationalError:  # locked by a desk's write for longer than sqlite3's wait: look again
        return False


def stopped(proc: subprocess.Popen[bytes], out: Path) -> str:
    try:
        proc.wait(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return out.read_text(encoding="utf-8", errors="replace")


def test_a_stop_signal_to_the_runner_stops_every_desk_and_prints_the_figures(demo_db: Path,
                                                                            tmp_path: Path) -> None:
    """SIGTERM (a service manager, ``demo --live``'s end) takes the same path as Ctrl+C (the runner turns
    it into KeyboardInterrupt); Ctrl+C itself is sent in the warm-up test below."""
    out = tmp_path / "simulate.out"
    proc = start(["simulate", "--desks", "2", "--minutes", "5", "--speed", "20", "--at", MONDAY_MORNING,
                  "--seed", QUICK_SEED, "--pause", "0.2"], demo_db, out)
    try:
        # Each desk serves one visitor before the start (its warm-up, with calls of its own): wait for
        # the start itself, then for a call of the measured run.
        wait_for(lambda: "个模拟窗口已就绪" in out.read_text(encoding="utf-8"), proc, out)
        mark = watermark_when_free(demo_db)
        wait_for(lambda: called_after(demo_db, mark), proc, out)
        assert len(workers_of(demo_db)) == 2
        proc.send_signal(signal.SIGTERM)  # the runner only: its desks hear of it through the stop-file
        text = stopped(proc, out)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, text
    summary = [line for line in text.splitlines() if line.startswith("大厅模拟")]
    assert len(summary) == 1 and "错误 0" in summary[0] and "重号 0" in summary[0], text
    assert "叫号" in text and "Traceback" not in text
    assert workers_of(demo_db) == set()


def test_ctrl_c_while_the_desks_warm_up_stops_them_and_still_prints_the_figures(demo_db: Path,
                                                                               tmp_path: Path) -> None:
    out = tmp_path / "simulate.out"
    proc = start(["simulate", "--desks", "2", "--minutes", "5", "--speed", "20", "--at", MONDAY_MORNING,
                  "--pause", "2"], demo_db, out)
    try:
        # Both desks are up but each is still serving its warm-up visitor, with 1-3 s between steps.
        wait_for(lambda: len(workers_of(demo_db)) == 2, proc, out)
        assert "个模拟窗口已就绪" not in out.read_text(encoding="utf-8")
        proc.send_signal(signal.SIGINT)
        text = stopped(proc, out)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, text
    assert "个模拟窗口已就绪" not in text and "Traceback" not in text
    summary = [line for line in text.splitlines() if line.startswith("大厅模拟")]
    assert len(summary) == 1 and "操作 0 次" in summary[0] and "错误 0" in summary[0], text
    assert workers_of(demo_db) == set()


def test_demo_live_runs_the_hall_in_the_background_and_stops_it(tmp_path: Path) -> None:
    db = tmp_path / "live" / "demo.sqlite3"
    db.parent.mkdir()
    out = tmp_path / "demo.out"
    log = db.parent / "hallterm-simulate.log"
    proc = start(["demo", "--no-ui", "--days", "1", "--live"], db, out)
    try:
        # The desks are signed in and started (the simulator's own line, in its log); the first walk-in at
        # speed 5 may take minutes (plan.next_arrival_s), which this test does not wait for.
        wait_for(lambda: log.exists() and "个模拟窗口已就绪" in log.read_text(encoding="utf-8"), proc, out)
        assert "按 Ctrl+C 结束模拟" in out.read_text(encoding="utf-8")
        assert len(workers_of(db)) == 2
        assert query(db, "SELECT code FROM counters WHERE code LIKE 'M%' ORDER BY code") == [("M01",), ("M02",)]
        proc.send_signal(signal.SIGINT)
        text = stopped(proc, out)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, text
    assert workers_of(db) == set()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    written = log.read_text(encoding="utf-8")
    assert any(line.startswith("大厅模拟") and "错误 0" in line for line in written.splitlines()), written
