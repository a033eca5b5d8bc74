"""What the hall simulator (``hallterm simulate``) reads and adds directly on a demo database: whether it
is one, the holders who may come as visitors, and the extra counters of a simulated hall bigger than
the demo's. Everything the simulated hall *does* goes through the use cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from hallterm.storage.tables import card_holders, case_items, cases, counters, events, tickets
from hallterm.storage.upsert import upsert


@dataclass(frozen=True)
class VisitorRow:
    card_no: str
    id_number: str  # the issuing window checks who collects (S9); never printed by the simulator


def is_demo(conn: Connection) -> bool:
    return conn.execute(select(events.c.id).where(events.c.kind == "demo_built").limit(1)).first() is not None


def visitors(conn: Connection, tiers: str, valid_on: dt.date, limit: int) -> list[VisitorRow]:
    """Holders the green channel accepts on ``valid_on``: active, of an eligible tier, still on the roster."""
    rows = conn.execute(
        select(card_holders.c.card_no, card_holders.c.id_number)
        .where(card_holders.c.status == "active", card_holders.c.tier.in_(list(tiers)),
               card_holders.c.issued_on <= valid_on, card_holders.c.expires_on > valid_on,
               card_holders.c.off_roster_since.is_(None), card_holders.c.purged_at.is_(None))
        .order_by(card_holders.c.id).limit(limit))
    return [VisitorRow(r.card_no, r.id_number) for r in rows]


def add_green_counters(conn: Connection, rows: list[tuple[str, str]]) -> None:
    """``(code, name)`` green counters, active, on the ground floor (a demo hall grown for a simulation)."""
    upsert(conn, counters, [{"code": code, "name": name, "kind": "green", "floor": 1, "active": True}
                            for code, name in rows], ["code"])


def ticket_duplicates(conn: Connection, day: dt.date) -> int:
    """Tickets of ``day`` that share a number with another (each number of a day is given once)."""
    total, distinct = conn.execute(
        select(func.count(), func.count(func.distinct(tickets.c.ticket_no))).where(tickets.c.day == day)).one()
    return int(total - distinct)


def ready_cards(conn: Connection) -> list[VisitorRow]:
    """Holders with a result waiting at the issuing window (S9): the simulated hall's collections."""
    rows = conn.execute(
        select(card_holders.c.card_no, card_holders.c.id_number).distinct()
        .select_from(case_items.join(cases, cases.c.id == case_items.c.case_id)
                     .join(card_holders, card_holders.c.id == cases.c.holder_id))
        .where(case_items.c.status == "ready", card_holders.c.purged_at.is_(None))
        .order_by(card_holders.c.card_no))
    return [VisitorRow(r.card_no, r.id_number) for r in rows]
