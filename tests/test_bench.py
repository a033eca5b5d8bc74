"""``hallterm bench``: the synthetic database and the figures, at tiny sizes (no timing thresholds)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from hallterm import bench
from hallterm.bench.bulk import BulkWriter, fast_timestamps
from hallterm.bench.report import format_table, judge
from hallterm.bench.startup import warming_env
from hallterm.domain.ids import is_valid_resident_id
from hallterm.services.context import Services
from hallterm.storage.tables import card_holders, case_items, cases, sequences

TINY = bench.BenchPlan(holders=2000, cases=5000, lookup_samples=40, insert_samples=20, quick=True, hand_s=0.02)
SMALLER = bench.BenchPlan(holders=200, cases=500, lookup_samples=5, insert_samples=5)

NUMERIC_KEYS = ("cards_lookup_p95_ms", "cards_lookup_p50_ms", "case_insert_per_s", "db_build_s",
                "form_open_p95_ms", "checklist_open_p95_ms", "preview_open_p95_ms")
REQUIRED_KEYS = (*NUMERIC_KEYS, "python", "sqlite_version", "machine", "holders", "cases", "quick")


def _count(svc: Services, table: object) -> int:
    with svc.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_build_writes_what_was_asked(services: Services) -> None:
    result = bench.build_database(services, TINY)

    assert (result.holders, result.cases, result.case_items) == (2000, 5000, 5000)
    assert _count(services, card_holders) == 2000
    assert _count(services, cases) == 5000
    assert _count(services, case_items) == 5000
    assert len(result.card_numbers) == len(set(result.card_numbers)) == 2000
    assert all(services.card_format.is_valid(card) for card in result.card_numbers)
    with services.db.read() as conn:
        ids = conn.execute(select(card_holders.c.id_number)).scalars().all()
        numbers = conn.execute(select(cases.c.case_no)).scalars().all()
        open_cases = conn.execute(select(func.count()).where(cases.c.closed_at.is_(None))).scalar_one()
        holders_used = conn.execute(select(func.count(cases.c.holder_id.distinct()))).scalar_one()
        last_opened = conn.execute(select(func.max(cases.c.opened_at))).scalar_one()
    assert all(is_valid_resident_id(i, services.today()) for i in ids)
    assert len(set(numbers)) == 5000
    assert all(re.fullmatch(r"210300-\d{8}-\d{4}", n) for n in numbers)
    assert 0 < open_cases < 5000 // 2  # most closed, some still open
    assert holders_used > 1000  # spread over the holders
    assert last_opened < services.now()  # past cases only: today's case numbers stay free
    # Each day's case counter stands at its last number, so a case opened on a day of the history (the
    # bench's clock goes back to Friday on a weekend) takes the next number instead of clashing.
    with services.db.read() as conn:
        counters = {(r.day, r.value) for r in conn.execute(select(sequences).where(sequences.c.series == "case"))}
    by_day: dict[dt.date, int] = {}
    for number in numbers:
        _, day_text, seq = number.rsplit("-", 2)
        day = dt.date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
        by_day[day] = max(by_day.get(day, 0), int(seq))
    assert counters == set(by_day.items())


def test_bulk_writer_stores_exactly_what_core_insert_stores(services: Services) -> None:
    """The bench's fast executemany path must write the same text as ``conn.execute(insert(t), dicts)``."""
    at = dt.datetime(2026, 3, 4, 9, 5, 6, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    row = {"name": "张三", "id_number": "11010519491231002X", "tier": "A", "issued_on": dt.date(2022, 1, 2),
           "expires_on": dt.date(2027, 1, 1), "status": "active", "phone": "", "employer": "",
           "credit_barred": True, "conditional_barred_until": None, "updated_at": at}
    with services.db.write() as conn:
        conn.execute(insert(card_holders), [{"id": 1, "card_no": "A", **row}])
        BulkWriter(conn, card_holders, ("id", "card_no", *row)).write([(2, "B", *row.values())])
        stored = conn.exec_driver_sql("SELECT * FROM card_holders ORDER BY id").all()
    assert stored[0][2:] == stored[1][2:]
    assert "2026-03-04 01:05:06.000007" in stored[1]


def test_bulk_writer_fills_left_out_columns_with_their_defaults(services: Services) -> None:
    at = dt.datetime(2026, 3, 4, 9, 5, tzinfo=dt.UTC)
    row = {"name": "李四", "id_number": "11010519491231002X", "tier": "B", "issued_on": dt.date(2022, 1, 2),
           "expires_on": dt.date(2027, 1, 1), "status": "active", "updated_at": at}
    with services.db.write() as conn:
        conn.execute(insert(card_holders), [{"id": 1, "card_no": "A", **row}])
        BulkWriter(conn, card_holders, ("id", "card_no", *row)).write([(2, "B", *row.values())])
        stored = conn.exec_driver_sql("SELECT * FROM card_holders ORDER BY id").all()
    assert stored[0][2:] == stored[1][2:]


def test_fast_timestamps_falls_back_when_the_text_differs() -> None:
    def other_format(value: dt.datetime | None) -> str | None:
        return None if value is None else value.strftime("%Y%m%d")

    assert fast_timestamps(other_format) is other_format


def test_collect_reports_every_figure_and_the_json_is_the_last_line() -> None:
    out, err = io.StringIO(), io.StringIO()

    assert bench.run_plan(TINY, as_json=True, out=out, err=err) == 0

    lines = out.getvalue().rstrip("\n").splitlines()
    figures = json.loads(lines[-1])
    assert len(lines) > 5  # the table comes first
    for key in REQUIRED_KEYS:
        assert key in figures, key
    for key in NUMERIC_KEYS:
        assert isinstance(figures[key], int | float) and figures[key] > 0, key
    assert (figures["holders"], figures["cases"], figures["quick"]) == (2000, 5000, True)
    assert figures["cards_lookup_p50_ms"] <= figures["cards_lookup_p95_ms"]
    # The real desk's screens, timed from the key (one desk serving two holders on this tiny plan).
    assert figures["screen_open_samples"] == 2
    assert figures["form_open_p50_ms"] <= figures["form_open_p95_ms"]
    # Every budgeted figure is judged (whether it was kept depends on the machine: not asserted).
    assert set(bench.BUDGETS) <= set(figures["budgets"])
    assert figures["budgets"]["preview_open_p95_ms"]["budget"] == "<= 150"
    assert "预算 budgets" in "\n".join(lines)
    assert {"arch", "cpus", "platform"} <= set(figures["machine"])
    assert figures["python"].count(".") == 2 and figures["sqlite_version"].startswith("3.")


def test_without_json_there_is_only_the_table() -> None:
    out = io.StringIO()
    bench.run_plan(SMALLER, as_json=False, out=out, err=io.StringIO(), measurements=[])
    assert "{" not in out.getvalue()
    assert "hallterm bench" in out.getvalue()


def test_a_later_measurement_adds_its_figures() -> None:
    seen: list[int] = []

    def measure_extra(ctx: bench.BenchContext) -> dict[str, object]:
        seen.append(len(ctx.card_numbers))
        return {"extra_p95_ms": 1.5}

    # The whole set runs in the test above; here the first one (its figures must stay) and the new one.
    figures = bench.collect(SMALLER, measurements=[bench.MEASUREMENTS[0], measure_extra])
    assert figures["extra_p95_ms"] == 1.5
    assert "cards_lookup_p95_ms" in figures
    assert seen == [200]


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert bench.percentile(samples, 50) == 50
    assert bench.percentile(samples, 95) == 95
    assert bench.percentile([3.0], 95) == 3.0
    with pytest.raises(ValueError):
        bench.percentile([], 95)


def test_budgets_are_judged_both_ways() -> None:
    figures = {"a_ms": 151.0, "b_ms": 150, "rate_per_s": 999.0, "missing": "n/a"}
    budgets = {"a_ms": ("<=", 150.0), "b_ms": ("<=", 150.0), "rate_per_s": (">=", 1000.0), "missing": ("<=", 1.0),
               "absent": ("<=", 1.0)}
    judged = judge(figures, budgets)
    assert {key: verdict["ok"] for key, verdict in judged.items()} == {"a_ms": False, "b_ms": True,
                                                                      "rate_per_s": False}
    table = format_table(figures | {"budgets": judged}, {})
    assert "超出 OVER" in table and "达标 ok" in table


def test_the_appointment_figures_never_overbook_and_come_in_the_json() -> None:
    """Issue 12 point 9: processes booking the same slots at once (2 at this size) leave no slot over
    capacity; the one-after-another booking has its p95."""
    from hallterm.bench import appointments

    out = io.StringIO()
    bench.run_plan(SMALLER, as_json=True, out=out, err=io.StringIO(), measurements=appointments.MEASUREMENTS)
    figures = json.loads(out.getvalue().rstrip("\n").splitlines()[-1])
    assert figures["appointment_overbooked"] == 0 and figures["appointment_counter_mismatches"] == 0
    assert 0 < figures["appointments_booked"] <= figures["appointment_seats_offered"]
    assert figures["booking_samples"] > 0 and figures["booking_p95_ms"] >= figures["booking_p50_ms"] > 0
    assert "超约 overbooked" in out.getvalue()
    assert appointments in bench.runner.FAMILIES


def test_the_months_report_is_timed_and_judged() -> None:
    """Issue 14 point 5: ``report_month_s`` times the supervision report of the last whole month (budget 2 s)."""
    from hallterm.bench import supervision

    out = io.StringIO()
    bench.run_plan(SMALLER, as_json=True, out=out, err=io.StringIO(), measurements=supervision.MEASUREMENTS)
    figures = json.loads(out.getvalue().rstrip("\n").splitlines()[-1])
    assert figures["report_month_s"] >= figures["report_month_first_s"] > 0
    assert figures["report_month_cases"] > 0  # one past case a working day: the last month has some
    assert figures["budgets"]["report_month_s"]["budget"] == "<= 2"
    assert supervision in bench.runner.FAMILIES


def test_the_start_warm_up_writes_bytecode_where_the_caller_forbids_it(tmp_path: Path) -> None:
    """The desk's measured launches read hallterm's bytecode as an installed desk does (pip compiles it),
    even where PYTHONDONTWRITEBYTECODE is set: the unmeasured warm-up writes it."""
    (tmp_path / "probe_module.py").write_text("VALUE = 1\n", encoding="utf-8")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path)}
    command = [sys.executable, "-c", "import probe_module"]
    subprocess.run(command, env=env, check=True, timeout=60)
    assert not (tmp_path / "__pycache__").exists()  # as the caller's environment wants
    subprocess.run(command, env=warming_env(env), check=True, timeout=60)
    assert list((tmp_path / "__pycache__").glob("probe_module.*.pyc"))
    assert warming_env(env)["PYTHONPATH"] == str(tmp_path)  # the rest of the environment is passed on
