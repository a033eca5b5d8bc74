"""A demo database: the reference data, 300 card holders across tiers and a day of past activity."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select

from hallterm.domain.errors import Refused
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import RosterRow
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import set_pin
from hallterm.storage import events, holders
from hallterm.storage.tables import card_holders, case_items, cases, items, lounges, staff

DEMO_HOLDERS = 300
DEMO_PIN = "1234"  # every demo staff member's PIN; the demo database is never the hall's own
# Region codes of Anshan's districts and counties (GB/T 2260), for plausible resident IDs.
REGIONS = ("210302", "210303", "210304", "210311", "210321", "210323", "210381")
TIER_WEIGHTS = {"A": 3, "B": 10, "C": 25, "D": 40, "E": 22}


def demo_rows(svc: Services, count: int = DEMO_HOLDERS, seed: int = 7) -> list[RosterRow]:
    """Deterministic holders: mostly valid, some expired, exactly one revoked (the demo shows each)."""
    names = tomllib.loads((svc.settings.paths.assets_dir / "demo_names.toml").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    today = svc.today()
    rows: list[RosterRow] = []
    tiers = "".join(t * w for t, w in TIER_WEIGHTS.items())
    for n in range(count):
        tier = tiers[rng.randrange(len(tiers))]
        issued = dt.date(rng.choice((2022, 2023, 2024, 2025, 2026)), rng.randint(1, 12), rng.randint(1, 28))
        if issued > today:
            issued = today - dt.timedelta(days=30)
        expires = issued.replace(year=issued.year + 5) - dt.timedelta(days=1)
        status = CardStatus.ACTIVE
        if n % 25 == 3:  # a few cards ran out: the desk must say so
            expires = today - dt.timedelta(days=rng.randint(1, 400))
            issued = min(issued, expires - dt.timedelta(days=365))
            status = CardStatus.EXPIRED
        if n == 11:
            status = CardStatus.REVOKED
        card_no = svc.card_format.make(f"GD{issued.year}{tier}{n + 1:05d}")
        birth = dt.date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))
        body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        name = rng.choice(names["surnames"]) + "".join(rng.choice(names["given"]) for _ in range(rng.choice((1, 2, 2))))
        rows.append(RosterRow(n + 2, card_no, name, body + resident_id_check_char(body), tier, issued, expires,
                              status, f"13{rng.randint(100000000, 999999999)}", rng.choice(names["employers"])))
    return rows


def build_demo(svc: Services, count: int = DEMO_HOLDERS) -> dict[str, Any]:
    """Fill an (already migrated) database with demo data; running it again starts the demo afresh."""
    load_reference(svc)
    rows = demo_rows(svc, count)
    now = svc.now()
    rng = random.Random(11)
    with svc.db.write() as conn:
        conn.execute(delete(case_items))
        conn.execute(delete(cases))
        holders.upsert_rows(conn, rows, now)
        ids = dict(conn.execute(select(card_holders.c.card_no, card_holders.c.id)).all())
        item_codes = list(conn.execute(select(items.c.code).where(items.c.active)).scalars())
        lounge_codes = list(conn.execute(select(lounges.c.code).where(lounges.c.active)).scalars())
        coordinators = list(conn.execute(select(staff.c.staff_id).where(staff.c.role == "coordinator")).scalars())
        yesterday = now - dt.timedelta(days=1)
        valid = [r for r in rows if r.status is CardStatus.ACTIVE and r.tier != "E"]
        day = yesterday.astimezone(svc.settings.hall.tz).date()
        for n in range(24):  # a day of past activity: scans, cases opened, routed and closed
            holder = valid[rng.randrange(len(valid))]
            at = yesterday.replace(hour=1, minute=0) + dt.timedelta(minutes=17 * n)
            case_no = f"{svc.settings.hall.region_code}-{day:%Y%m%d}-{n + 1:04d}"
            events.append(conn, "card_scanned", at, card_no=holder.card_no, verdict="ok")
            case_id = conn.execute(insert(cases).values(
                case_no=case_no, holder_id=ids[holder.card_no], kind="enterprise",
                enterprise_name=f"{holder.employer}（演示）", service_mode="马上办", status="closed",
                lounge_code=rng.choice(lounge_codes), coordinator_id=rng.choice(coordinators),
                opened_at=at, met_at=at + dt.timedelta(minutes=8), closed_at=at + dt.timedelta(minutes=50),
            )).inserted_primary_key[0]
            conn.execute(insert(case_items).values(case_id=case_id, item_code=rng.choice(item_codes),
                                                   status="accepted", fees_paid=True, accepted_on=day))
            events.append(conn, "case_opened", at + dt.timedelta(minutes=1), case_id=case_id,
                          card_no=holder.card_no, case_no=case_no)
            events.append(conn, "case_closed", at + dt.timedelta(minutes=50), case_id=case_id)
        events.append(conn, "demo_built", now, holders=len(rows))
    for staff_id in active_staff_ids(svc):
        set_pin(svc, staff_id, DEMO_PIN)
    return {"holders": len(rows), "cases": 24, "samples": sample_cards(rows, svc.today())}


class NotADemoDatabase(Refused):
    """The target holds real data: the demo refuses to overwrite it."""


def clear_demo_file(url: str) -> None:
    """Delete a previous demo's SQLite file so that a rebuild starts empty (events are append-only,
    so they cannot be cleared in place). Refuses any database that is not a demo's."""
    import sqlite3

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise NotADemoDatabase("演示数据只写入 SQLite 文件：请去掉 --db/HALLTERM_DB_URL，使用默认的 db/demo.sqlite3")
    path = Path(parsed.database or "")
    if not path.is_file():
        return
    try:
        with sqlite3.connect(path) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            demo = "events" in tables and conn.execute(
                "SELECT 1 FROM events WHERE kind = 'demo_built' LIMIT 1").fetchone() is not None
    except sqlite3.DatabaseError:
        raise NotADemoDatabase(f"{path} 不是 SQLite 数据库，拒绝覆盖") from None
    if tables - {"alembic_version"} and not demo:
        raise NotADemoDatabase(f"{path} 不是演示数据库（含有正式数据），拒绝覆盖；请换一个文件")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def active_staff_ids(svc: Services) -> list[str]:
    with svc.db.read() as conn:
        return list(conn.execute(select(staff.c.staff_id).where(staff.c.active)).scalars())


def sample_cards(rows: list[RosterRow], today: dt.date) -> dict[str, str]:
    """One card of each kind, so that whoever opens the demo can try every message."""
    samples: dict[str, str] = {}
    for r in rows:
        label = ("注销" if r.status is CardStatus.REVOKED
                 else "过期" if r.status is CardStatus.EXPIRED or r.expires_on < today
                 else "E类（非绿色通道）" if r.tier == "E" else f"有效{r.tier}类")
        samples.setdefault(label, r.card_no)
    return dict(sorted(samples.items()))
