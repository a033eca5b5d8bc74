"""Card-holder queries, returning plain dataclasses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, func, select, text

from hallterm.domain.holders import CardStatus, Holder
from hallterm.domain.roster import RosterRow
from hallterm.storage.tables import card_holders, cases
from hallterm.storage.upsert import upsert


def find(conn: Connection, card_no: str) -> Holder | None:
    """The holder with case counts, in one round trip (the scan-to-screen path)."""
    open_cases = (select(func.count()).where(and_(cases.c.holder_id == card_holders.c.id,
                                                  cases.c.closed_at.is_(None)))
                  .scalar_subquery())
    past_cases = (select(func.count()).where(and_(cases.c.holder_id == card_holders.c.id,
                                                  cases.c.closed_at.is_not(None)))
                  .scalar_subquery())
    row = conn.execute(
        select(card_holders, open_cases.label("open_cases"), past_cases.label("past_cases"))
        .where(card_holders.c.card_no == card_no)
    ).first()
    if row is None:
        return None
    return Holder(row.card_no, row.name, row.id_number, row.tier, row.issued_on, row.expires_on,
                  CardStatus(row.status), row.phone, row.employer, row.open_cases, row.past_cases)


def lock_for_import(conn: Connection) -> None:
    """Make a roster import the only writer of card holders until it commits, so that the counts
    it reports (new / updated) are exact when several terminals import at once. SQLite's write
    transaction (BEGIN IMMEDIATE) already is; on PostgreSQL readers still go on."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE card_holders IN SHARE ROW EXCLUSIVE MODE"))


def existing_card_numbers(conn: Connection, card_nos: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(card_nos), 500):
        chunk = card_nos[start:start + 500]
        found.update(conn.execute(select(card_holders.c.card_no)
                                  .where(card_holders.c.card_no.in_(chunk))).scalars())
    return found


def upsert_rows(conn: Connection, rows: Iterable[RosterRow], now: dt.datetime) -> None:
    upsert(conn, card_holders, [
        {"card_no": r.card_no, "name": r.name, "id_number": r.id_number, "tier": r.tier,
         "issued_on": r.issued_on, "expires_on": r.expires_on, "status": r.status.value,
         "phone": r.phone, "employer": r.employer, "updated_at": now}
        for r in rows
    ], ["card_no"])


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(card_holders)).scalar_one())
