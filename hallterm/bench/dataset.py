"""The synthetic hall database: reference data, card holders (the demo's generator) and years of past cases.

Built through the normal path (settings → ``Services.open`` → Alembic migrations → reference data),
then filled in bulk: rows go in with executemany, ``ROWS_PER_EXECUTE`` at a time, a few write
transactions in all.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from hallterm.bench.bulk import BulkWriter, chunks, next_id, tune_build_connection
from hallterm.bench.measuring import BenchPlan
from hallterm.domain.cases import CaseStatus
from hallterm.domain.checklist import ItemStatus
from hallterm.domain.ids import uscc_check_char
from hallterm.domain.jurisdiction import DISTRICTS, EnterpriseKind
from hallterm.domain.service_mode import PROXY_MODES
from hallterm.services.cases import CASE_SERIES
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.synthetic_holders import REGIONS, NameLists, load_names, synthetic_holders
from hallterm.storage.backup import reset_pg_sequences
from hallterm.storage.tables import card_holders, case_items, cases, items, lounges, sequences, staff

ROWS_PER_EXECUTE = 20_000  # rows per executemany
CASES_PER_TRANSACTION = 250_000  # a few transactions, so the WAL file stays moderate
OPEN_RECENT_DAYS = 10  # cases opened in the last working days are often still open
CREDIT_BARRED_SHARE = 0.005  # holders barred from 容缺 for broken promises (S7)


@dataclass(frozen=True)
class BuildResult:
    holders: int
    cases: int
    case_items: int
    card_numbers: list[str]
    holders_s: float
    cases_s: float


def build_database(svc: Services, plan: BenchPlan, progress: Callable[[str], None] = lambda _m: None) -> BuildResult:
    """Fill a migrated, empty database: reference data, ``plan.holders`` holders, ``plan.cases`` cases."""
    load_reference(svc)
    rng = random.Random(plan.seed)
    names = load_names(svc.settings.paths.assets_dir)
    today = svc.today()

    started = time.perf_counter()
    progress(f"写入持卡人 {plan.holders:,} 名…")
    with svc.db.write() as conn:
        tune_build_connection(conn)
        first_holder = next_id(conn, card_holders)
        card_numbers: list[str] = []
        writer = BulkWriter(conn, card_holders, HOLDER_COLUMNS)
        rows = _holder_rows(svc, plan.holders, first_holder, rng, names, today, svc.now())
        for chunk in chunks(rows, ROWS_PER_EXECUTE):
            writer.write(chunk)
            card_numbers.extend(row[1] for row in chunk)
    holders_s = time.perf_counter() - started

    started = time.perf_counter()
    progress(f"写入历史办件 {plan.cases:,} 件" + ("，每件一个事项…" if plan.case_items else "（不写办件事项）…"))
    with svc.db.read() as conn:
        item_codes = sorted(conn.execute(select(items.c.code).where(items.c.active)).scalars())
        lounge_codes = sorted(conn.execute(select(lounges.c.code).where(lounges.c.active)).scalars())
        people = [(r.staff_id, r.role) for r in conn.execute(select(staff.c.staff_id, staff.c.role))]
        first_case = next_id(conn, cases)
    pools = CasePools(
        employers=list(names.employers), item_codes=item_codes or [None], lounges=lounge_codes or [None],
        coordinators=sorted(s for s, role in people if role == "coordinator") or [None],
        proxies=sorted(s for s, role in people if role == "proxy") or [None],
        desks=sorted(s for s, role in people if role in ("desk", "after_hours")) or [None],
    )
    if plan.case_items and item_codes == []:
        raise RuntimeError("bench: the item catalog is empty, case items cannot be written")
    batches = chunks(_case_rows(svc, plan.cases, first_case, first_holder, plan.holders, rng, pools, today),
                     ROWS_PER_EXECUTE)
    written = 0
    last_seq: dict[str, int] = {}
    while written < plan.cases:
        with svc.db.write() as conn:
            tune_build_connection(conn)
            case_writer = BulkWriter(conn, cases, CASE_COLUMNS)
            item_writer = BulkWriter(conn, case_items, CASE_ITEM_COLUMNS)
            in_transaction = 0
            for chunk in batches:
                case_writer.write([c for c, _ in chunk])
                for c, _ in chunk:  # the day's case counter must stand past the numbers written (below)
                    _, day_text, seq_text = str(c[1]).rsplit("-", 2)
                    last_seq[day_text] = max(last_seq.get(day_text, 0), int(seq_text))
                if plan.case_items:
                    item_writer.write([i for _, i in chunk])
                in_transaction += len(chunk)
                if in_transaction >= CASES_PER_TRANSACTION:
                    break
        if in_transaction == 0:
            break
        written += in_transaction
        progress(f"  {written:,} / {plan.cases:,}")
    with svc.db.write() as conn:
        # As in a real hall, each day's counter stands at its last case number: a case the bench opens
        # on a day of the history (a weekend run's clock goes back to Friday) takes the next number.
        for day_text, value in last_seq.items():
            day = dt.date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
            conn.execute(delete(sequences).where(sequences.c.series == CASE_SERIES, sequences.c.day == day))
            conn.execute(insert(sequences).values(series=CASE_SERIES, day=day, value=value))
    if svc.db.engine.dialect.name == "postgresql":
        # The bulk rows went in with their ids: the serial counters move past them, or the first case a
        # measurement opens would take id 1 again.
        with svc.db.write() as conn:
            reset_pg_sequences(conn)
    else:
        with svc.db.engine.connect() as conn:  # leave a tidy file: the WAL folded back into the database
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    cases_s = time.perf_counter() - started
    return BuildResult(plan.holders, written, written if plan.case_items else 0, card_numbers, holders_s, cases_s)


HOLDER_COLUMNS = ("id", "card_no", "name", "id_number", "tier", "issued_on", "expires_on", "status", "phone",
                  "employer", "credit_barred", "conditional_barred_until", "updated_at")


def _holder_rows(svc: Services, count: int, first_id: int, rng: random.Random, names: NameLists, today: dt.date,
                 now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    """The demo's synthetic holders (valid card numbers and resident IDs), a few barred from 容缺."""
    rnd = rng.random
    for n, h in enumerate(synthetic_holders(count, rng, names, svc.card_format, today)):
        yield (first_id + n, h.card_no, h.name, h.id_number, h.tier, h.issued_on, h.expires_on, h.status.value,
               h.phone, h.employer, rnd() < CREDIT_BARRED_SHARE, None, now)


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
                     "due_estimated", "supplement_due_on", "closed_on", "decided_on")


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
                mode, proxied, CaseStatus.IN_PROGRESS.value if still_open else CaseStatus.CLOSED.value,
                lounge_codes[int(rnd() * len(lounge_codes))],
                coordinators[int(rnd() * len(coordinators))],
                proxies[int(rnd() * len(proxies))] if proxied else None,
                desks[int(rnd() * len(desks))],
                opened, met, closed,
            ), (
                case_id, item_codes[int(rnd() * len(item_codes))],
                # A closed case's items were accepted and are done; its status says so.
                ItemStatus.ACCEPTED.value, not still_open, day, due, False, None,
                None if closed is None else closed.astimezone(tz).date(),
                None if closed is None else closed.astimezone(tz).date(),  # decided the day it closed
            ))
            n += 1

