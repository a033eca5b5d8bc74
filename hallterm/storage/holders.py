"""Card-holder queries, returning plain dataclasses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select, text, update

from hallterm.domain.holders import CardStatus, Holder
from hallterm.domain.roster import RosterRow
from hallterm.storage.tables import appointments, card_holders, cases
from hallterm.storage.tables_case_services import consultations, handouts
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
         "phone": r.phone, "employer": r.employer, "updated_at": now, "off_roster_since": None, "purged_at": None}
        for r in rows
    ], ["card_no"])


def mark_off_roster(conn: Connection, imported_at: dt.datetime) -> int:
    """After a whole roster was upserted at ``imported_at``: the holders it no longer lists (their rows were
    not touched) are off the roster from now, unless already (issue 16 point 12)."""
    return conn.execute(update(card_holders)
                        .where(card_holders.c.updated_at < imported_at, card_holders.c.off_roster_since.is_(None))
                        .values(off_roster_since=imported_at)).rowcount


PURGED_NAME = "（已删除）"


def purge_off_roster(conn: Connection, off_before: dt.datetime, now: dt.datetime) -> int:
    """Blank the personal data of holders off the roster since before ``off_before``: name, ID number, phone,
    employer, the phone and note given at their bookings, the notes of their consultations and the name
    and masked ID of whoever collected their papers (handouts). The rows stay (cases, tickets and figures
    refer to them by id; the card number is the office's, not a person's data)."""
    gone = select(card_holders.c.id).where(card_holders.c.off_roster_since < off_before,
                                           card_holders.c.purged_at.is_(None))
    ids = list(conn.execute(gone).scalars())
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        conn.execute(update(card_holders).where(card_holders.c.id.in_(chunk))
                     .values(name=PURGED_NAME, id_number="", phone="", employer="", purged_at=now))
        conn.execute(update(appointments).where(appointments.c.holder_id.in_(chunk)).values(phone="", note=""))
        conn.execute(update(consultations).where(consultations.c.holder_id.in_(chunk)).values(notes=""))
        of_cases = select(cases.c.id).where(cases.c.holder_id.in_(chunk))
        conn.execute(update(handouts).where(handouts.c.case_id.in_(of_cases))
                     .values(recipient_name=PURGED_NAME, recipient_id_masked=""))
    return len(ids)


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(card_holders)).scalar_one())


@dataclass(frozen=True)
class Bars:
    """What keeps a holder from 容缺受理 (S7): a credit bar, or a bar until a day after a breach."""

    credit_barred: bool
    conditional_barred_until: dt.date | None


def bars_of_case_holder(conn: Connection, case_id: int) -> Bars:
    row = conn.execute(select(card_holders.c.credit_barred, card_holders.c.conditional_barred_until)
                       .join(cases, cases.c.holder_id == card_holders.c.id).where(cases.c.id == case_id)).one()
    return Bars(row.credit_barred, row.conditional_barred_until)


def conditional_barred_until(conn: Connection, holder_id: int) -> dt.date | None:
    return conn.execute(select(card_holders.c.conditional_barred_until)
                        .where(card_holders.c.id == holder_id)).scalar_one()


def bar_conditional(conn: Connection, holder_id: int, until: dt.date) -> None:
    conn.execute(update(card_holders).where(card_holders.c.id == holder_id).values(conditional_barred_until=until))
