"""Card holders: upsert (insert, then update) and the one-round-trip lookup with case counts."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import insert, select

from hallterm.domain.holders import CardStatus
from hallterm.services.context import Services
from hallterm.services.demo import demo_rows
from hallterm.storage import holders
from hallterm.storage.tables import card_holders, cases


def add_case(conn, holder_id: int, case_no: str, opened: dt.datetime, closed: dt.datetime | None) -> None:
    conn.execute(insert(cases).values(case_no=case_no, holder_id=holder_id, kind="enterprise", service_mode="马上办",
                                      status="closed" if closed else "open", opened_at=opened, closed_at=closed))


def test_upsert_inserts_then_updates(any_db: Services) -> None:
    rows = demo_rows(any_db, 20)
    with any_db.db.write() as conn:
        holders.upsert_rows(conn, rows, any_db.now())
    with any_db.db.read() as conn:
        assert holders.count(conn) == 20
        first_id = conn.execute(select(card_holders.c.id).where(card_holders.c.card_no == rows[0].card_no)).scalar()

    later = any_db.now() + dt.timedelta(days=1)
    changed = [dataclasses.replace(rows[0], name="王新名", status=CardStatus.REVOKED, phone="13900000000"),
               *rows[1:5]]
    with any_db.db.write() as conn:
        assert holders.existing_card_numbers(conn, [r.card_no for r in changed] + ["GD2099A99999X"]) \
            == {r.card_no for r in changed}
        holders.upsert_rows(conn, changed, later)
    with any_db.db.read() as conn:
        assert holders.count(conn) == 20
        holder = holders.find(conn, rows[0].card_no)
        row = conn.execute(select(card_holders).where(card_holders.c.card_no == rows[0].card_no)).one()
    assert holder is not None
    assert (holder.name, holder.status, holder.phone) == ("王新名", CardStatus.REVOKED, "13900000000")
    assert row.id == first_id  # updated in place: cases that point at the holder keep pointing at them
    assert row.updated_at == later


def test_find_returns_plain_holder_with_case_counts(any_db: Services) -> None:
    rows = demo_rows(any_db, 3)
    now = any_db.now()
    with any_db.db.write() as conn:
        holders.upsert_rows(conn, rows, now)
        ids = dict(conn.execute(select(card_holders.c.card_no, card_holders.c.id)).all())
        add_case(conn, ids[rows[0].card_no], "C-1", now - dt.timedelta(days=3), now - dt.timedelta(days=2))
        add_case(conn, ids[rows[0].card_no], "C-2", now - dt.timedelta(days=1), now - dt.timedelta(hours=20))
        add_case(conn, ids[rows[0].card_no], "C-3", now, None)
        add_case(conn, ids[rows[1].card_no], "C-4", now, None)
    with any_db.db.read() as conn:
        first = holders.find(conn, rows[0].card_no)
        second = holders.find(conn, rows[1].card_no)
        third = holders.find(conn, rows[2].card_no)
        missing = holders.find(conn, "GD2099A99999X")
    assert first is not None and second is not None and third is not None
    assert (first.open_cases, first.past_cases) == (1, 2)
    assert (second.open_cases, second.past_cases) == (1, 0)
    assert (third.open_cases, third.past_cases) == (0, 0)
    assert missing is None
    r = rows[0]
    assert (first.card_no, first.name, first.id_number, first.tier, first.issued_on, first.expires_on) == \
        (r.card_no, r.name, r.id_number, r.tier, r.issued_on, r.expires_on)
    assert isinstance(first.status, CardStatus)
    assert type(first.issued_on) is dt.date


def test_upsert_many_rows_in_chunks(any_db: Services) -> None:
    """More rows than SQLite's bound-parameter cap allows in one statement."""
    rows = demo_rows(any_db, 3500)
    with any_db.db.write() as conn:
        holders.upsert_rows(conn, rows, any_db.now())
        holders.upsert_rows(conn, rows, any_db.now())
        assert len(holders.existing_card_numbers(conn, [r.card_no for r in rows])) == 3500
    with any_db.db.read() as conn:
        assert holders.count(conn) == 3500
