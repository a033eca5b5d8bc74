"""``hallterm bench``: the performance budget of DESIGN.md, measured on a synthetic database.

The bench builds a hall database in a temporary folder through the normal path (settings →
``Services.open`` → Alembic migrations → reference data) and fills it in bulk: 100,000 card holders
and 1,000,000 past cases, each case with one case item (a tenth of that with ``--quick``). Then it
reopens the database, as a desk starting on it would, and runs the measurements in order.

Adding a figure (later issues: ``scan_to_routed_p95_ms``, ``desk_start_ratio``, tickets, slips):
write ``def measure_x(ctx: BenchContext) -> dict[str, Any]`` returning the new JSON keys, append it
to ``MEASUREMENTS`` and give each key a row in ``LABELS``. A measurement may write to the database
(it is thrown away); it should leave it usable for the ones after it.

The figures are printed as a table; with ``--json`` the same figures follow as one JSON object on
the last line of standard output. Progress goes to standard error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
import os
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection, Table, TypeDecorator, func, select, update

from hallterm.config import load_settings, sqlite_url
from hallterm.domain.cases import CaseDraft
from hallterm.domain.holders import TIERS
from hallterm.domain.ids import resident_id_check_char, uscc_check_char
from hallterm.domain.jurisdiction import DISTRICTS, CaseKind, EnterpriseKind
from hallterm.domain.service_mode import PROXY_MODES
from hallterm.services.cards import check_card
from hallterm.services.case_views import CaseView
from hallterm.services.cases import open_case
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage.tables import card_holders, case_items, cases, items, lounges, staff


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


FULL = BenchPlan(holders=100_000, cases=1_000_000, lookup_samples=2000, insert_samples=1000)
QUICK = BenchPlan(holders=10_000, cases=100_000, lookup_samples=1000, insert_samples=500, quick=True)

ROWS_PER_EXECUTE = 20_000  # rows per executemany
CASES_PER_TRANSACTION = 250_000  # a few transactions, so the WAL file stays moderate
BUILD_CACHE_KIB = 262_144  # page cache of the build connection (256 MiB): about 20% faster than 128 MiB at 1M cases
OPEN_RECENT_DAYS = 10  # cases opened in the last working days are often still open


@dataclass
class BenchContext:
    """What every measurement gets: services on the built database and what was put in it."""

    svc: Services
    plan: BenchPlan
    card_numbers: list[str]  # every holder's card number
    rng: random.Random
    progress: Callable[[str], None] = lambda _msg: None


Measurement = Callable[[BenchContext], dict[str, Any]]


# --- building the synthetic database ---------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    holders: int
    cases: int
    case_items: int
    card_numbers: list[str]
    holders_s: float
    cases_s: float


def build_database(svc: Services, plan: BenchPlan, progress: Callable[[str], None] = lambda _m: None) -> BuildResult:
    """Fill a migrated, empty database: reference data, ``plan.holders`` holders, ``plan.cases`` cases.

    Rows go in with executemany, ``ROWS_PER_EXECUTE`` at a time, a few write transactions in all.
    """
    load_reference(svc)
    rng = random.Random(plan.seed)
    names = tomllib.loads((svc.settings.paths.assets_dir / "demo_names.toml").read_text(encoding="utf-8"))
    today = svc.today()

    started = time.perf_counter()
    progress(f"写入持卡人 {plan.holders:,} 名…")
    with svc.db.write() as conn:
        _tune_build_connection(conn)
        first_holder = _next_id(conn, card_holders)
        card_numbers: list[str] = []
        writer = BulkWriter(conn, card_holders, HOLDER_COLUMNS)
        for chunk in _chunks(_holder_rows(svc, plan.holders, first_holder, rng, names, today, svc.now()),
                             ROWS_PER_EXECUTE):
            writer.write(chunk)
            card_numbers.extend(row[1] for row in chunk)
    holders_s = time.perf_counter() - started

    started = time.perf_counter()
    progress(f"写入历史办件 {plan.cases:,} 件" + ("，每件一个事项…" if plan.case_items else "（不写办件事项）…"))
    with svc.db.read() as conn:
        item_codes = sorted(conn.execute(select(items.c.code).where(items.c.active)).scalars())
        lounge_codes = sorted(conn.execute(select(lounges.c.code).where(lounges.c.active)).scalars())
        people = [(r.staff_id, r.role) for r in conn.execute(select(staff.c.staff_id, staff.c.role))]
        first_case = _next_id(conn, cases)
    pools = CasePools(
        employers=list(names["employers"]), item_codes=item_codes or [None], lounges=lounge_codes or [None],
        coordinators=sorted(s for s, role in people if role == "coordinator") or [None],
        proxies=sorted(s for s, role in people if role == "proxy") or [None],
        desks=sorted(s for s, role in people if role in ("desk", "after_hours")) or [None],
    )
    if plan.case_items and item_codes == []:
        raise RuntimeError("bench: the item catalog is empty, case items cannot be written")
    rows = _case_rows(svc, plan.cases, first_case, first_holder, plan.holders, rng, pools, today)
    chunks = _chunks(rows, ROWS_PER_EXECUTE)
    written = 0
    while written < plan.cases:
        with svc.db.write() as conn:
            _tune_build_connection(conn)
            case_writer = BulkWriter(conn, cases, CASE_COLUMNS)
            item_writer = BulkWriter(conn, case_items, CASE_ITEM_COLUMNS)
            in_transaction = 0
            for chunk in chunks:
                case_writer.write([c for c, _ in chunk])
                if plan.case_items:
                    item_writer.write([i for _, i in chunk])
                in_transaction += len(chunk)
                if in_transaction >= CASES_PER_TRANSACTION:
                    break
        if in_transaction == 0:
            break
        written += in_transaction
        progress(f"  {written:,} / {plan.cases:,}")
    with svc.db.engine.connect() as conn:  # leave a tidy file: the WAL folded back into the database
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    cases_s = time.perf_counter() - started
    return BuildResult(plan.holders, written, written if plan.case_items else 0, card_numbers, holders_s, cases_s)


class BulkWriter:
    """executemany of an INSERT built from the Core table, with rows as tuples in ``columns`` order.

    Values pass through each column's own bind processor (UTC datetimes, dates, booleans), so what is
    stored is exactly what ``conn.execute(insert(table), dicts)`` stores; only the per-row dict
    handling of a compiled Core insert (most of the build time at a million rows) is left out.
    """

    def __init__(self, conn: Connection, table: Table, columns: tuple[str, ...]) -> None:
        self.conn = conn
        cols = [table.c[name] for name in columns]  # KeyError for a column the table does not have
        # Columns the rows leave out get their Python-side default, as a Core insert would give them.
        self.constants: list[Any] = []
        for col in table.c:
            if col.name in columns or col.default is None:
                continue
            if not col.default.is_scalar:
                raise ValueError(f"bench: give {table.name}.{col.name} a value (its default is not a constant)")
            cols.append(col)
            self.constants.append(col.default.arg)  # type: ignore[attr-defined]
        dialect = conn.dialect
        marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in cols)
        quote = dialect.identifier_preparer.quote
        self.sql = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in cols)}) VALUES ({marks})"
        self.converters: list[tuple[int, Callable[[Any], Any], bool]] = []
        for n, col in enumerate(cols):
            process = col.type.dialect_impl(dialect).bind_processor(dialect)
            if process is None:
                continue
            if _python_type(col) is dt.datetime:
                self.converters.append((n, _fast_timestamps(process), False))
            else:
                self.converters.append((n, process, True))

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Convert column by column (dates and flags repeat: each distinct value once), then insert."""
        if not rows:
            return
        if self.converters or self.constants:
            columns: list[Any] = list(zip(*rows, strict=True))
            columns += [itertools.repeat(value, len(rows)) for value in self.constants]
            for n, process, repeats in self.converters:
                if repeats:
                    column = columns[n] = list(columns[n])
                    converted = {value: process(value) for value in set(column)}
                    columns[n] = map(converted.__getitem__, column)
                else:
                    columns[n] = map(process, columns[n])
            rows = list(zip(*columns, strict=True))
        self.conn.exec_driver_sql(self.sql, rows)


def _python_type(col: Any) -> Any:
    kind = col.type.impl_instance if isinstance(col.type, TypeDecorator) else col.type
    try:
        return kind.python_type
    except NotImplementedError:
        return None


_PROBES = (dt.datetime(2026, 1, 5, 0, 30, tzinfo=dt.UTC), dt.datetime(2019, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC),
           dt.datetime(2024, 2, 29, 8, 30, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))), None)


def _fast_timestamps(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A quicker stand-in for a timestamp column's bind processor, used only if it gives the same text.

    SQLAlchemy's SQLite DATETIME processor formats through a dict (~6 µs a value, 20 s of the full
    build); ``isoformat`` gives the same text in a fraction of that. Probed here, so a change of the
    column type or of SQLAlchemy's format falls back to the real processor.
    """
    def fast(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).isoformat(" ", "microseconds")[:26]  # without "+00:00"

    try:
        same = all(fast(v) == process(v) for v in _PROBES)
    except Exception:
        same = False
    return fast if same else process


def _next_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _tune_build_connection(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


REGIONS = ("210302", "210303", "210304", "210311", "210321", "210323", "210381")  # 鞍山 districts
TIER_WEIGHTS = {"A": 3, "B": 10, "C": 25, "D": 40, "E": 22}
CARD_YEARS = tuple(range(2019, 2027))
HOLDER_COLUMNS = ("id", "card_no", "name", "id_number", "tier", "issued_on", "expires_on", "status", "phone",
                  "employer", "credit_barred", "conditional_barred_until", "updated_at")


def _holder_rows(svc: Services, count: int, first_id: int, rng: random.Random, names: dict[str, Any],
                 today: dt.date, now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    """Valid card numbers (check character), valid resident IDs; ~3% expired, ~0.2% revoked."""
    assert set(TIER_WEIGHTS) == set(TIERS)
    tiers = "".join(t * w for t, w in TIER_WEIGHTS.items())
    surnames, given, employers = names["surnames"], names["given"], names["employers"]
    make = svc.card_format.make
    serial_space = 99_999 * len(CARD_YEARS)
    if count > serial_space:
        raise ValueError(f"at most {serial_space:,} holders fit the card-number format")
    rnd = rng.random
    for n in range(count):
        # (year, serial) is unique for every n: serials stay within the 5 digits of the format.
        year = CARD_YEARS[n % len(CARD_YEARS)]
        serial = n // len(CARD_YEARS) + 1
        tier = tiers[int(rnd() * len(tiers))]
        issued = dt.date(year, 1 + int(rnd() * 12), 1 + int(rnd() * 28))
        if issued > today:
            issued = today - dt.timedelta(days=1 + int(rnd() * 60))
        expires = issued.replace(year=issued.year + 5) - dt.timedelta(days=1)
        status = "active"
        roll = rnd()
        if roll < 0.002:
            status = "revoked"
        elif roll < 0.032:
            status = "expired"
            expires = today - dt.timedelta(days=1 + int(rnd() * 400))
            issued = min(issued, expires - dt.timedelta(days=365))
        body = (f"{REGIONS[int(rnd() * len(REGIONS))]}{1960 + int(rnd() * 39)}"
                f"{1 + int(rnd() * 12):02d}{1 + int(rnd() * 28):02d}{int(rnd() * 1000):03d}")
        name = surnames[int(rnd() * len(surnames))] + given[int(rnd() * len(given))]
        if rnd() < 0.7:
            name += given[int(rnd() * len(given))]
        yield (first_id + n, make(f"GD{year}{tier}{serial:05d}"), name, body + resident_id_check_char(body), tier,
               issued, expires, status, f"13{100_000_000 + int(rnd() * 900_000_000)}",
               employers[int(rnd() * len(employers))], rnd() < 0.005, None, now)


def _working_days_before(today: dt.date, count: int) -> list[dt.date]:
    """The ``count`` Monday–Friday days before ``today``, oldest first (holidays do not matter here)."""
    days: list[dt.date] = []
    day = today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


@dataclass(frozen=True)
class CasePools:
    employers: list[str]
    item_codes: list[str | None]
    lounges: list[str | None]
    coordinators: list[str | None]
    proxies: list[str | None]
    desks: list[str | None]


HISTORY_WORKING_DAYS = 1040  # about four years of working days
ENTERPRISE_KINDS = tuple(k.value for k in EnterpriseKind)
PROXIED_MODES = tuple(m.value for m in PROXY_MODES)  # these get a 帮办代办 staff member (S1)
MODES = ("immediate", "immediate", "immediate", "guided", "guided", "overtime", "focused", "tracked")
CASE_COLUMNS = ("id", "case_no", "holder_id", "kind", "enterprise_name", "project_name", "enterprise_kind",
                "uscc", "jurisdiction", "district", "service_mode", "full_proxy", "status", "lounge_code",
                "coordinator_id", "proxy_staff_id", "first_contact_id", "opened_at", "met_at", "closed_at")
CASE_ITEM_COLUMNS = ("case_id", "item_code", "status", "fees_paid", "accepted_on", "due_on",
                     "due_estimated", "supplement_due_on", "closed_on")


def _case_rows(svc: Services, count: int, first_id: int, first_holder: int, holders: int, rng: random.Random,
               pools: CasePools, today: dt.date) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Past cases with one item each: case numbers ``210300-YYYYMMDD-NNNN`` over the last working days.

    Holders are drawn at random (a case's holder is unrelated to its id, so a holder's cases are
    spread over the table as in a real hall); most cases are closed, recent ones often still open.
    """
    if holders <= 0:
        raise ValueError("cases need card holders")
    per_day = max(1, math.ceil(count / HISTORY_WORKING_DAYS))
    if per_day > 9999:
        raise ValueError("more than 9999 cases a day do not fit the case number")
    days = _working_days_before(today, math.ceil(count / per_day))
    region = svc.settings.hall.region_code
    tz = svc.settings.hall.tz
    usccs = []
    for _ in range(200):
        body = f"91{rng.choice(REGIONS)}MA{rng.randrange(16**7):07X}"  # hex digits are all USCC characters
        usccs.append(body + uscc_check_char(body))
    rnd = rng.random
    employers, item_codes, lounge_codes = pools.employers, pools.item_codes, pools.lounges
    coordinators, proxies, desks = pools.coordinators, pools.proxies, pools.desks
    step = 30_600 / per_day  # cases opened evenly over 08:30–17:00
    second = dt.timedelta(seconds=1)
    minute = dt.timedelta(minutes=1)
    n = 0
    for age, day in zip(range(len(days) - 1, -1, -1), days, strict=True):
        opening = dt.datetime(day.year, day.month, day.day, 8, 30, tzinfo=tz).astimezone(dt.UTC)
        stamp = f"{region}-{day:%Y%m%d}-"
        due = day + dt.timedelta(days=7)
        open_share = 0.3 if age < OPEN_RECENT_DAYS else 0.004
        for seq in range(1, per_day + 1):
            if n == count:
                return
            opened = opening + second * (int(step * (seq - 1)) + int(rnd() * 60))
            met = opened + second * (180 + int(rnd() * 1320))
            still_open = rnd() < open_share
            closed = None if still_open else met + minute * (20 + int(rnd() * 8640))
            enterprise = rnd() < 0.7
            mode = MODES[int(rnd() * len(MODES))]
            proxied = mode in PROXIED_MODES
            city = rnd() < 0.6
            case_id = first_id + n
            yield ((
                case_id, f"{stamp}{seq:04d}", first_holder + int(rnd() * holders),
                "enterprise" if enterprise else "startup",
                employers[int(rnd() * len(employers))] if enterprise else "",
                "" if enterprise else "创业项目",
                ENTERPRISE_KINDS[int(rnd() * len(ENTERPRISE_KINDS))] if enterprise else "",
                usccs[int(rnd() * len(usccs))] if enterprise and rnd() < 0.5 else "",
                "city" if city else "district", "" if city else DISTRICTS[int(rnd() * len(DISTRICTS))],
                mode, proxied, "in_progress" if still_open else "closed",
                lounge_codes[int(rnd() * len(lounge_codes))],
                coordinators[int(rnd() * len(coordinators))],
                proxies[int(rnd() * len(proxies))] if proxied else None,
                desks[int(rnd() * len(desks))],
                opened, met, closed,
            ), (
                case_id, item_codes[int(rnd() * len(item_codes))],
                "in_review" if still_open else "closed", not still_open, day, due, False, None,
                None if closed is None else closed.astimezone(tz).date(),
            ))
            n += 1


# --- measurements ----------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of ``samples`` (p in 0–100)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


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


def working_hours_clock(tz: dt.tzinfo) -> Callable[[], dt.datetime]:
    """A clock at 10:00 on the last weekday, a second later at each call: coordinators are on duty."""
    day = dt.datetime.now(tz).date()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    start = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=tz).astimezone(dt.UTC)
    ticks = itertools.count()
    return lambda: start + dt.timedelta(seconds=next(ticks))


@dataclass
class Desk:
    """A signed-in front-desk session on the bench database, with what opening a case needs."""

    svc: Services
    session: StaffSession
    item_codes: list[str]

    @classmethod
    def sign_in(cls, ctx: BenchContext) -> Desk:
        svc = Services(ctx.svc.settings, ctx.svc.db, working_hours_clock(ctx.svc.settings.hall.tz))
        set_pin(svc, BENCH_DESK, BENCH_PIN)
        session = sign_in(svc, BENCH_DESK, BENCH_PIN)
        with svc.db.read() as conn:
            city = list(conn.execute(select(items.c.code).where(items.c.active, items.c.jurisdiction == "city"))
                        .scalars())
        return cls(svc, session, city)

    def open_for(self, card_no: str, rng: random.Random) -> CaseView:
        # A city-bureau item with complete materials: the commonest green-channel case (马上办).
        draft = CaseDraft(card_no, CaseKind.ENTERPRISE, (rng.choice(self.item_codes),), EnterpriseKind.FOREIGN,
                          "鞍山基准测试有限公司")
        return open_case(self.svc, self.session, draft)

    def free_seat(self, view: CaseView) -> None:
        """The visitor leaves the lounge (outside the timing): seats never run out during the run."""
        with self.svc.db.write() as conn:
            conn.execute(update(cases).where(cases.c.id == view.id).values(status="in_progress"))


BENCH_DESK = "S1401"
BENCH_PIN = "2468"


def _eligible_cards(ctx: BenchContext, count: int) -> list[str]:
    """Card numbers of holders the green channel serves (valid, tier A–D), as a scanner reads them."""
    with ctx.svc.db.read() as conn:
        rows = conn.execute(select(card_holders.c.card_no).where(
            card_holders.c.status == "active", card_holders.c.tier.in_(list(ctx.svc.settings.cards.eligible_tiers)),
            card_holders.c.expires_on > ctx.svc.today())).scalars().all()
    return [rows[ctx.rng.randrange(len(rows))] for _ in range(count)]


def measure_case_insert(ctx: BenchContext) -> dict[str, Any]:
    """The real open-case use case, each in its own write transaction: number, case, item, routing, events."""
    count = ctx.plan.insert_samples
    ctx.progress(f"开办件（open_case，单件事务）{count:,} 次…")
    desk = Desk.sign_in(ctx)
    cards = _eligible_cards(ctx, count)
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
    for card in _eligible_cards(ctx, count):
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


START_RUNS = 7  # launches of each app, interleaved; the median is taken

# Launched as `python -c`, like the installed `hallterm` script: interpreter start, imports, first
# screen, until an Input has focus (the desk's sign-in field), then the time since launch is printed.
START_PROBE = """
import asyncio, sys, time
launched = float(sys.argv[1])
from textual.widgets import Input
async def ready(pilot):
    while not isinstance(pilot.app.focused, Input):
        await asyncio.sleep(0.001)
    print(time.time() - launched, flush=True)
    pilot.app.exit()
if sys.argv[2] == "desk":
    import hallterm.cli
    from hallterm.config import load_settings
    from hallterm.tui.desk.app import DeskApp
    app = DeskApp(load_settings())
else:
    from textual.app import App
    class Bare(App):
        def compose(self):
            yield Input()
    app = Bare()
app.run(headless=True, auto_pilot=ready)
"""


def _launch_seconds(which: str, env: dict[str, str]) -> float:
    import subprocess

    launched = time.time()
    out = subprocess.run([sys.executable, "-c", START_PROBE, repr(launched), which], env=env,
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"bench: the {which} app did not start: {out.stderr[-500:]}")
    return float(out.stdout.strip().splitlines()[-1])


def measure_desk_start(ctx: BenchContext) -> dict[str, Any]:
    """Launch → the first field accepts input, for the desk and for a bare Textual app with one Input.

    Same interpreter, same run, interleaved; DESIGN.md budget: the desk within 1.3 × the bare app.
    """
    ctx.progress(f"启动时间：前台与空白 Textual 应用各 {START_RUNS} 次…")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = ctx.svc.settings.db.resolved_url()
    desk: list[float] = []
    bare: list[float] = []
    _launch_seconds("bare", env)  # warm the file cache and .pyc files once, unmeasured
    _launch_seconds("desk", env)
    for _ in range(START_RUNS):
        bare.append(_launch_seconds("bare", env))
        desk.append(_launch_seconds("desk", env))
    desk_s, bare_s = percentile(desk, 50), percentile(bare, 50)
    return {"desk_start_s": round(desk_s, 3), "bare_textual_start_s": round(bare_s, 3),
            "desk_start_ratio": round(desk_s / bare_s, 3)}


MEASUREMENTS: list[Measurement] = [measure_cards_lookup, measure_case_insert, measure_scan_to_routed,
                                   measure_desk_start]


# --- slips (issue 6) -------------------------------------------------------------------------------

SLIP_SAMPLES_MAX = 500  # rendering is independent of the database size: more adds time, not information


def _bench_slips(ctx: BenchContext) -> tuple[list[Any], Any]:
    """Random slips (ticket, appointment, visit; 58 and 80 mm; some bilingual) signed with a bench key."""
    import secrets

    from hallterm.domain.payloads import Keyring
    from hallterm.printing.samples import random_slip

    ring = Keyring("B1", {"B1": secrets.token_bytes(32)})
    count = min(ctx.plan.insert_samples, SLIP_SAMPLES_MAX)
    today = ctx.svc.today()
    return [random_slip(ctx.rng, ring, today) for _ in range(count)], ring


def measure_slip_render(ctx: BenchContext) -> dict[str, Any]:
    """Slip → 1-bit image with its QR code (DESIGN.md budget: p95 ≤ 30 ms); also the whole print job
    (+ PNG, PDF and ESC/POS bytes), which the desk makes in a thread worker."""
    from hallterm.printing.jobs import slip_job
    from hallterm.printing.slips import render

    slips, _ring = _bench_slips(ctx)
    ctx.progress(f"回执渲染 {len(slips):,} 张…")
    render(slips[0], 576)  # load the font and import the layout code once, unmeasured
    slip_job(slips[0], "warm", width=576)
    render_ms: list[float] = []
    job_ms: list[float] = []
    for n, slip in enumerate(slips):
        width = 384 if n % 2 else 576
        t0 = time.perf_counter()
        render(slip, width)
        render_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        slip_job(slip, "bench", width=width)
        job_ms.append((time.perf_counter() - t0) * 1000)
    return {"slip_render_p50_ms": round(percentile(render_ms, 50), 2),
            "slip_render_p95_ms": round(percentile(render_ms, 95), 2),
            "slip_job_p95_ms": round(percentile(job_ms, 95), 2),
            "slip_render_samples": len(slips)}


def measure_slip_decode(ctx: BenchContext) -> dict[str, Any]:
    """Every rendered slip decodes back (pyzbar, binary mode) to its payload, with a valid signature."""
    from hallterm.domain.payloads import verify
    from hallterm.printing.slips import render
    from hallterm.scanning import decode_image

    slips, ring = _bench_slips(ctx)
    ctx.progress(f"回执识别 {len(slips):,} 张…")
    ok = 0
    for n, slip in enumerate(slips):
        found = [f.text for f in decode_image(render(slip, 384 if n % 2 else 576))]
        if found == [slip.payload] and verify(found[0], ring).text == slip.payload:
            ok += 1
    return {"slip_decode_ok_ratio": round(ok / len(slips), 4), "slip_decode_samples": len(slips)}


MEASUREMENTS += [measure_slip_render, measure_slip_decode]


# --- tickets and the display (issue 5) ------------------------------------------------------------

TICKET_ISSUERS = 8
TICKET_CALLS = 30  # calls timed from another process to the display, 0.2–0.8 s apart

_TICKET_ISSUER = """
import pathlib, sys, time
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import issue_walkin
go, count = pathlib.Path(sys.argv[1]), int(sys.argv[2])
svc = Services.open(load_settings(), upgrade=False)
issue_walkin(svc, count_ahead=False)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
for _ in range(count - 1):
    issue_walkin(svc, count_ahead=False)
"""

_CALLER = """
import random, sys, time
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import call_next, finish, issue_walkin
from hallterm.services.staff import sign_in
svc = Services.open(load_settings(), upgrade=False)
session = sign_in(svc, sys.argv[1], sys.argv[2])
rng = random.Random(5)
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[3])):
    issue_walkin(svc, count_ahead=False)
    ticket = call_next(svc, session, "G1")
    print(ticket.number, time.time(), flush=True)  # committed: the call is in the database now
    time.sleep(rng.uniform(0.2, 0.8))  # not in step with the display's polling
    finish(svc, session, "G1", ticket.id)
"""


def _bench_env(ctx: BenchContext, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = ctx.svc.settings.db.resolved_url()
    env.update(extra)
    return env


def measure_ticket_issue(ctx: BenchContext) -> dict[str, Any]:
    """Walk-in tickets, one write transaction each: number from the counter row, ticket, event, commit
    (DESIGN.md budget: ≥ 1,000 a second on SQLite). The count of those waiting ahead, which a desk asks
    for its slip, is measured apart: it reads the waiting queue."""
    from hallterm.services.queue import issue_walkin

    count = ctx.plan.insert_samples * 2
    ctx.progress(f"取号（单号事务）{count:,} 次…")
    issue_walkin(ctx.svc, count_ahead=False)  # the statements are prepared once
    times: list[float] = []
    for _ in range(count):
        t0 = time.perf_counter()
        issue_walkin(ctx.svc, count_ahead=False)
        times.append((time.perf_counter() - t0) * 1000)
    ahead: list[float] = []
    for _ in range(min(200, count)):
        t0 = time.perf_counter()
        issue_walkin(ctx.svc)
        ahead.append((time.perf_counter() - t0) * 1000)
    return {"ticket_issue_per_s": round(1000 * count / sum(times), 1),
            "ticket_issue_p95_ms": round(percentile(times, 95), 3),
            "ticket_issue_with_ahead_p95_ms": round(percentile(ahead, 95), 3),
            "ticket_issue_samples": count}


def measure_ticket_processes(ctx: BenchContext) -> dict[str, Any]:
    """8 processes issue at once on the bench database; every number of the day once, none skipped."""
    import subprocess

    from sqlalchemy import func as sa_func

    from hallterm.storage.tables import tickets

    each = min(250 if ctx.plan.quick else 2000, max(20, ctx.plan.insert_samples * 4))
    processes = TICKET_ISSUERS if ctx.plan.insert_samples >= 100 else 2  # the tiny plans of the test suite
    ctx.progress(f"{processes} 个进程同时取号，各 {each:,} 张…")
    with tempfile.TemporaryDirectory(prefix="hallterm-bench-go-") as tmp:
        go = Path(tmp) / "go"
        env = _bench_env(ctx, HALLTERM_DB_BUSY_TIMEOUT_MS="60000")
        procs = [subprocess.Popen([sys.executable, "-c", _TICKET_ISSUER, str(go), str(each)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(processes)]
        for proc in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"bench: a ticket process did not start: {proc.communicate()[1][-500:]}")
        started = time.perf_counter()
        go.touch()
        for proc in procs:
            _out, err = proc.communicate(timeout=900)
            if proc.returncode != 0:
                raise RuntimeError(f"bench: a ticket process failed: {err[-500:]}")
        seconds = time.perf_counter() - started
    day = ctx.svc.today()
    with ctx.svc.db.read() as conn:
        total, distinct, top = conn.execute(
            select(sa_func.count(), sa_func.count(tickets.c.ticket_no.distinct()), sa_func.max(tickets.c.seq))
            .where(tickets.c.day == day, tickets.c.series == ctx.svc.settings.queue.walkin_series)).one()
    return {"ticket_processes": processes, "ticket_processes_each": each,
            "ticket_processes_per_s": round(processes * (each - 1) / seconds, 1),
            "ticket_duplicates": int(total - distinct), "ticket_gaps": int(top - distinct)}


def measure_call_to_display(ctx: BenchContext) -> dict[str, Any]:
    """A second process calls tickets at a counter; the display (the real app, headless, polling every
    ``[queue] display_poll_ms``) shows each one. Latency: committed call → drawn on the display."""
    import asyncio
    import subprocess

    from hallterm.services.queue import DisplaySnapshot
    from hallterm.tui.display.app import DisplayApp

    calls = min(TICKET_CALLS // 3 if ctx.plan.quick else TICKET_CALLS, max(3, ctx.plan.insert_samples // 4))
    ctx.progress(f"叫号→显示屏：另一进程叫号 {calls} 次…")
    Desk.sign_in(ctx)  # sets the bench desk's PIN
    seen: dict[str, float] = {}

    class TimedDisplay(DisplayApp):
        def _draw(self, snap: DisplaySnapshot) -> None:
            super()._draw(snap)
            if snap.calls:
                seen.setdefault(snap.calls[0].number, time.time())

    env = _bench_env(ctx)
    settings = dataclasses.replace(ctx.svc.settings, queue=dataclasses.replace(ctx.svc.settings.queue,
                                                                                 speech=False))
    called: list[tuple[str, float]] = []

    async def run() -> None:
        app = TimedDisplay(settings)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.snapshot is None:
                await pilot.pause(0.05)
            proc = subprocess.Popen([sys.executable, "-c", _CALLER, BENCH_DESK, BENCH_PIN, str(calls)], env=env,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert proc.stdin is not None and proc.stdout is not None
            loop = asyncio.get_running_loop()
            if (await loop.run_in_executor(None, proc.stdout.readline)).strip() != "ready":
                raise RuntimeError(f"bench: the calling process did not start: {proc.communicate()[1][-500:]}")
            proc.stdin.write("go\n")
            proc.stdin.flush()
            while True:
                line = await loop.run_in_executor(None, proc.stdout.readline)
                if not line:
                    break
                number, at = line.split()
                called.append((number, float(at)))
            if proc.wait(timeout=60) != 0:
                raise RuntimeError(f"bench: the calling process failed: {proc.stderr.read()[-500:]}")  # type: ignore[union-attr]
            deadline = time.monotonic() + 10
            while called[-1][0] not in seen and time.monotonic() < deadline:
                await pilot.pause(0.05)

    asyncio.run(run())
    missed = 10_000.0  # never shown: counted as 10 s, far over the budget
    latencies = [max(0.0, (seen[n] - at) * 1000) if n in seen else missed for n, at in called]
    return {"call_to_display_p50_ms": round(percentile(latencies, 50), 1),
            "call_to_display_p95_ms": round(percentile(latencies, 95), 1),
            "call_to_display_missed": sum(1 for n, _ in called if n not in seen),
            "call_to_display_samples": len(called),
            "display_poll_ms": ctx.svc.settings.queue.display_poll_ms}


MEASUREMENTS += [measure_ticket_issue, measure_ticket_processes, measure_call_to_display]

QUEUE_LABELS = {
    "ticket_issue_per_s": "取号 tickets/s (one txn each)",
    "ticket_issue_p95_ms": "取号 p95 (ms)",
    "ticket_issue_with_ahead_p95_ms": "取号并计算前面人数 p95 (ms)",
    "ticket_issue_samples": "取号次数 samples",
    "ticket_processes": "并发取号进程 processes",
    "ticket_processes_each": "  每进程张数 each",
    "ticket_processes_per_s": "  合计 tickets/s",
    "ticket_duplicates": "重号 duplicate numbers",
    "ticket_gaps": "跳号 skipped numbers",
    "call_to_display_p50_ms": "叫号→显示 p50 (ms)",
    "call_to_display_p95_ms": "叫号→显示 p95 call→display (ms)",
    "call_to_display_missed": "显示屏漏显 missed",
    "call_to_display_samples": "叫号次数 samples",
    "display_poll_ms": "显示屏轮询 poll (ms)",
}


# --- the run ---------------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "sqlite_version": sqlite3.sqlite_version,
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "cpu": _cpu_model()},
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def collect(plan: BenchPlan, *, measurements: list[Measurement] | None = None,
            progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Build the synthetic database in a temporary folder, run the measurements, return the figures."""
    figures: dict[str, Any] = {"quick": plan.quick, "holders": plan.holders, "cases": plan.cases}
    load_before = _load_average()  # other work on the machine skews every figure: say how busy it was
    with tempfile.TemporaryDirectory(prefix="hallterm-bench-") as tmp:
        settings = load_settings(environ={"HALLTERM_DB_URL": sqlite_url(Path(tmp) / "bench.sqlite3")})
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
        figures["db_size_mb"] = round((Path(tmp) / "bench.sqlite3").stat().st_size / 2**20, 1)
        svc = Services.open(settings)  # a fresh engine, as a desk starting on this database
        try:
            ctx = BenchContext(svc, plan, build.card_numbers, random.Random(plan.seed + 1), progress)
            for measure in MEASUREMENTS if measurements is None else measurements:
                figures.update(measure(ctx))
        finally:
            svc.close()
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


LABELS: dict[str, str] = {
    "holders": "持卡人数 holders",
    "cases": "历史办件 past cases",
    "case_items": "办件事项 case items",
    "quick": "快速模式 --quick",
    "db_build_s": "建库耗时 build (s)",
    "db_build_holders_s": "  其中持卡人 holders (s)",
    "db_build_cases_s": "  其中办件 cases (s)",
    "db_size_mb": "数据库大小 size (MB)",
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
    "desk_start_s": "前台启动 desk start (s, median)",
    "bare_textual_start_s": "空白 Textual 启动 bare app (s)",
    "desk_start_ratio": "启动比 desk / bare",
    "slip_render_p50_ms": "回执渲染 p50 slip render (ms)",
    "slip_render_p95_ms": "回执渲染 p95 slip render (ms)",
    "slip_job_p95_ms": "回执打印作业 p95 PNG+PDF+ESC/POS (ms)",
    "slip_render_samples": "回执渲染张数 samples",
    "slip_decode_ok_ratio": "回执识别成功率 decode ok ratio",
    "slip_decode_samples": "回执识别张数 samples",
    "peak_rss_mb": "峰值内存 peak RSS (MB)",
    "python": "Python",
    "sqlite_version": "SQLite",
    "machine": "机器 machine",
}


def format_table(figures: dict[str, Any]) -> str:
    rows = []
    for key, value in figures.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, bool):
            value = "是 yes" if value else "否 no"
        elif isinstance(value, int):
            value = f"{value:,}"
        rows.append((LABELS.get(key, key), str(value)))
    width = max(_display_width(label) for label, _ in rows)
    lines = ["hallterm bench", "-" * (width + 30)]
    lines += [label + " " * (width - _display_width(label)) + "  " + value for label, value in rows]
    return "\n".join(lines)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def run_plan(plan: BenchPlan, *, as_json: bool, out: TextIO | None = None, err: TextIO | None = None,
             measurements: list[Measurement] | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr

    def progress(message: str) -> None:
        print(message, file=err, flush=True)

    figures = collect(plan, measurements=measurements, progress=progress)
    print(format_table(figures), file=out)
    if as_json:
        print(json.dumps(figures, ensure_ascii=False), file=out)
    out.flush()
    return 0


def run_bench(quick: bool, as_json: bool) -> int:
    """``hallterm bench [--quick] [--json]``."""
    return run_plan(QUICK if quick else FULL, as_json=as_json)


__all__ = ["FULL", "MEASUREMENTS", "QUICK", "BenchContext", "BenchPlan", "build_database", "collect",
           "run_bench", "run_plan"]

LABELS.update(QUEUE_LABELS)
