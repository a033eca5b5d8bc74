"""Shared fixtures: real SQLite files in a temporary folder, settings that ignore the developer's own.

Migrating a fresh SQLite file and loading the hall's reference data cost about half a second, paid
by some 400 tests. Each worker does it once instead (``_sqlite_templates``): ``services`` starts
from a byte copy of a migrated file, ``loaded`` from a copy that also holds the reference data
(loaded at FIXED_NOW, as the per-test load did). Each test still has a real file of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.config_locations import PROJECT_ROOT
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import RosterRow
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage import holders

# A fixed instant inside a working week: Thursday 2026-11-26 10:00 in Anshan.
FIXED_NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's HALLTERM_* variables must never leak into a test."""
    import os

    for name in list(os.environ):
        if name.startswith("HALLTERM_"):
            monkeypatch.delenv(name, raising=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_pin_cost: hash PINs at the hall's scrypt cost (see _cheap_pin_hashes)")
    config.addinivalue_line("markers", "real_pin_policy: PINs set under auth.min_pin_length (see _short_test_pins)")
    config.addinivalue_line("markers", "durable_commits: SQLite synchronous=FULL as in the hall (see _fast_commits)")


@pytest.fixture(autouse=True)
def _no_log_left_open() -> Iterator[None]:
    """A test that runs a program opens that program's log file; the next test starts with none."""
    yield
    from hallterm import logfile

    logfile.close()


@pytest.fixture(autouse=True)
def _fast_commits(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite commits without an fsync each (synchronous=NORMAL) in tests about something else.

    The hall runs FULL (hallterm.storage.engine.SQLITE_SYNCHRONOUS: a printed number survives a power
    cut); a power cut is not what these tests simulate, and an fsync per commit over the suite's tens of
    thousands of commits costs minutes. Locking, visibility and crash-of-the-program durability are
    the same in both modes. Tests marked ``durable_commits`` and every subprocess run with FULL.
    """
    if request.node.get_closest_marker("durable_commits") is None:
        from hallterm.storage import engine

        monkeypatch.setattr(engine, "SQLITE_SYNCHRONOUS", "NORMAL")


@pytest.fixture(autouse=True)
def _cheap_pin_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """PINs hashed with scrypt at n=2**6 instead of 2**14 in tests that only sign someone in.

    The real cost (~64 ms a hash, on purpose: a PIN is short) was paid twice by every test that signs a
    clerk in, hundreds of them. The hash keeps its form (salted scrypt, the cost written in it, checked
    by ``verify_pin`` from what is stored), so every sign-in path runs as in the hall; the tests marked
    ``real_pin_cost`` keep the hall's cost and check that it is the one written into a stored PIN.
    Subprocesses (the CLI, the ticket processes) always hash at the real cost.
    """
    if request.node.get_closest_marker("real_pin_cost") is None:
        from hallterm.domain import auth

        monkeypatch.setattr(auth, "_N", 2**6)


@pytest.fixture(autouse=True)
def _short_test_pins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """PINs of 4 digits may be set in tests that only sign someone in (2468, 1357…), as before issue 16.

    The hall requires ``auth.min_pin_length`` digits (6 by default) of a PIN being set; the tests marked
    ``real_pin_policy`` keep that rule and check it. Trivial PINs stay refused everywhere but the demo, and
    subprocesses (the CLI, the scripts) always apply the hall's rule.
    """
    if request.node.get_closest_marker("real_pin_policy") is None:
        from hallterm.services import staff

        monkeypatch.setattr(staff, "_required_length", lambda svc: 4)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "hall.sqlite3"


@pytest.fixture
def settings(db_file: Path) -> Settings:
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file)})


@pytest.fixture
def clock() -> list[dt.datetime]:
    """A movable clock: tests set ``clock[0]``."""
    return [FIXED_NOW]


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two SQLite files made once per worker: ``migrated`` (head revision) and ``loaded`` (plus reference)."""
    from hallterm.services.reference import load_reference

    folder = tmp_path_factory.mktemp("templates")
    made: dict[str, Path] = {}
    for name in ("migrated", "loaded"):
        path = folder / f"{name}.sqlite3"
        svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(path)}), clock=lambda: FIXED_NOW)
        if name == "loaded":
            load_reference(svc)
        svc.close()  # the last connection closing checkpoints the WAL into the file itself
        assert not path.with_name(path.name + "-wal").exists()
        made[name] = path
    return made


@pytest.fixture
def services(settings: Settings, clock: list[dt.datetime], db_file: Path, request: pytest.FixtureRequest,
             _sqlite_templates: dict[str, Path]) -> Iterator[Services]:
    if settings.db.resolved_url() == sqlite_url(db_file) and not db_file.exists():
        template = "loaded" if "loaded" in request.fixturenames else "migrated"
        db_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_templates[template], db_file)
    svc = Services.open(settings, clock=lambda: clock[0])
    yield svc
    svc.close()


@pytest.fixture
def no_duty_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hall whose staff.toml has no ``[[duty]]`` roster: after hours a case waits for the section's next
    shift, as before the roster (issue 12 point 6)."""
    from hallterm.services import after_hours

    monkeypatch.setattr(after_hours, "duty_roster", lambda svc: ())


@pytest.fixture
def loaded(services: Services) -> Services:
    """Services on a database holding the hall's reference data (assets/*.toml): copied from the
    worker's template when ``services`` could (see above), loaded here otherwise."""
    from hallterm.services.reference import load_reference

    if not _has_reference(services):
        load_reference(services)
    return services


def _has_reference(svc: Services) -> bool:
    from sqlalchemy import func, select

    from hallterm.storage.tables import items

    with svc.db.read() as conn:
        return bool(conn.execute(select(func.count()).select_from(items)).scalar_one())


TODAY = dt.date(2026, 11, 26)


def _row(card_body: str, name: str, tier: str, issued: dt.date, expires: dt.date,
         status: CardStatus, svc: Services) -> RosterRow:
    id_body = "21030219800101001"
    return RosterRow(2, svc.card_format.make(card_body), name, id_body + resident_id_check_char(id_body),
                     tier, issued, expires, status, "13812345678", "鞍钢集团有限公司")


@pytest.fixture
def cards(loaded: Services) -> dict[str, str]:
    """One holder of each kind the desk must tell apart; returns label → card number."""
    svc = loaded
    year = dt.timedelta(days=365)
    rows = {
        "valid": _row("GD2022A00017", "王喆", "A", TODAY - 2 * year, TODAY + 3 * year, CardStatus.ACTIVE, svc),
        "expired": _row("GD2019B00001", "李玥", "B", TODAY - 6 * year, TODAY - dt.timedelta(days=3),
                        CardStatus.ACTIVE, svc),
        "expired_status": _row("GD2020C00002", "赵鑫", "C", TODAY - 5 * year, TODAY + year,
                               CardStatus.EXPIRED, svc),
        "revoked": _row("GD2021D00003", "孙昊", "D", TODAY - year, TODAY + 4 * year, CardStatus.REVOKED, svc),
        "tier_e": _row("GD2026E00420", "周睿", "E", TODAY - dt.timedelta(days=30), TODAY + 4 * year,
                       CardStatus.ACTIVE, svc),
        "future": _row("GD2026B00999", "吴堃", "B", TODAY + dt.timedelta(days=10), TODAY + 5 * year,
                       CardStatus.ACTIVE, svc),
        "markup": _row("GD2023C00777", "[b]郑[/b]", "C", TODAY - year, TODAY + year, CardStatus.ACTIVE, svc),
    }
    with svc.db.write() as conn:
        holders.upsert_rows(conn, rows.values(), svc.now())
    return {label: row.card_no for label, row in rows.items()}


@pytest.fixture
def desk_session(loaded: Services) -> StaffSession:
    """A signed-in front-desk staff member (sign-in itself is tested through its own screen)."""
    from hallterm.services.staff import set_pin, sign_in

    set_pin(loaded, "S1401", "2468")
    return sign_in(loaded, "S1401", "2468")


@pytest.fixture(scope="session")
def cli_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database as ``hallterm demo --no-ui --days 1`` builds it in a process of its own, once per
    worker; the tests that run programs on it (the simulator, the served display) work on copies."""
    db = tmp_path_factory.mktemp("cli-demo") / "demo.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = sqlite_url(db)
    built = subprocess.run([sys.executable, "-m", "hallterm", "demo", "--no-ui", "--days", "1"], cwd=PROJECT_ROOT,
                           env=env, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    return db


# Longest first, so that `pytest -n 2` never ends with one worker on a 40-second test while the other
# waits: the process tests and the measurement runs, then the Pilot tests (2-5 s each), then the
# hundreds of quick ones, which fill whatever gap is left. Order inside each group stays as written.
_SLOWEST_FIRST = (
    "tests/cli/test_simulate.py",
    "tests/browser/test_serve_in_chromium.py",
    "tests/storage/test_tickets_processes.py",
    "tests/storage/test_appointment_processes.py",
    "tests/test_bench.py",
    "tests/cli/test_demo_and_staff.py",
    "tests/storage/test_demo_postgres.py",
    "tests/printing/test_roundtrip.py",
    "tests/storage/test_case_numbers.py",
    "tests/storage/test_concurrency.py",
    "tests/outage/",
    "tests/tui/",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return next((n for n, prefix in enumerate(_SLOWEST_FIRST) if path.startswith(prefix)), len(_SLOWEST_FIRST))

    items.sort(key=rank)  # sort is stable
