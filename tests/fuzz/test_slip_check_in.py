"""Scanned slips through the check-in service: replayed, truncated, altered, another hall's key, random.

A good appointment slip checks its visitor in once; every later scan of it, and every bad slip, gives
one Chinese line and changes nothing but the audit trail (a ``slip_scanned`` or ``slip_refused`` event):
no second ticket, no appointment or case touched.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from hallterm.domain.cards import ScanError
from hallterm.domain.events import EventKind
from hallterm.domain.payloads import Keyring, appointment_payload, ticket_payload
from hallterm.services import appointments, signing
from hallterm.services.check_in import SlipScan, check_scan
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import appointments as appointment_rows
from hallterm.storage.tables import cases, events, tickets
from tests.conftest import TODAY

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
OTHER_HALL = Keyring("K1", {"K1": b"another-hall-secret-987654-01234"}, region="210300")  # same key id, another secret


def _state(svc: Services) -> tuple[object, ...]:
    with svc.db.read() as conn:
        return (conn.execute(select(func.count()).select_from(tickets)).scalar_one(),
                conn.execute(select(func.count()).select_from(cases)).scalar_one(),
                tuple(conn.execute(select(appointment_rows.c.id, appointment_rows.c.status)
                                   .order_by(appointment_rows.c.id)).all()))


def _new_events(svc: Services, after: int) -> list[str]:
    with svc.db.read() as conn:
        return list(conn.execute(select(events.c.kind).where(events.c.id > after).order_by(events.c.id)).scalars())


def _last_event(svc: Services) -> int:
    with svc.db.read() as conn:
        return conn.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one()


def _scan_changes_nothing(svc: Services, session: StaffSession, text: str) -> SlipScan | None:
    before, last = _state(svc), _last_event(svc)
    try:
        result = check_scan(svc, text, session=session)
    except ScanError as exc:
        assert _CHINESE.search(str(exc)) and str(exc).isprintable(), str(exc)  # one line, nothing a terminal obeys
        result = None
    assert _state(svc) == before, text
    audit = {EventKind.SLIP_REFUSED.value, EventKind.SLIP_SCANNED.value, EventKind.CARD_SCANNED.value}
    assert set(_new_events(svc, last)) <= audit, text
    assert result is None or (isinstance(result, SlipScan) and not result.checked_in)
    return result if isinstance(result, SlipScan) else None


def test_bad_and_replayed_slips_change_nothing(loaded: Services, cards: dict[str, str],
                                               desk_session: StaffSession) -> None:
    booked = appointments.book(loaded, None, cards["valid"], TODAY, "10:30")
    good = signing.appointment_payload(loaded, booked.id, TODAY, "10:30")
    first = check_scan(loaded, good, session=desk_session)
    assert isinstance(first, SlipScan) and first.checked_in
    ticket = signing.ticket_payload(loaded, TODAY, first.ticket.number if first.ticket else "B001")
    copied = Keyring("K1", signing.keyring(loaded).secrets, region="210400")

    slips = st.sampled_from([good, ticket])
    bad = st.one_of(
        slips,  # replayed as it is
        slips.map(str.lower), slips.map(lambda s: f"  {s}\r\n"),  # replayed through a scanner's quirks
        st.tuples(slips, st.integers(0, 80)).map(lambda t: t[0][:t[1]]),  # truncated
        st.tuples(slips, st.integers(0, 80), st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:"))
          .map(lambda t: t[0][:t[1]] + t[2] + t[0][t[1] + 1:]),  # one character changed
        st.builds(lambda day, no: ticket_payload(day, no, OTHER_HALL),  # another hall's ticket
                  st.dates(TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=3)),
                  st.from_regex(r"[AB][0-9]{3}", fullmatch=True)),
        st.builds(lambda day: appointment_payload(booked.id, day, "10:30", OTHER_HALL),
                  st.dates(TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=3))),
        st.builds(lambda day: appointment_payload(booked.id, day, "10:30", copied),  # the hall's key, elsewhere
                  st.dates(TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=3))),
        st.builds(lambda days: signing.ticket_payload(loaded, TODAY - dt.timedelta(days=days), "B001"),
                  st.integers(1, 400)),  # a real slip of another day, replayed
        st.text(max_size=60).map(lambda t: "HT1:" + t),
        st.text(max_size=60).map(lambda t: "HT2:" + t),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=60).map(lambda t: "ht1：" + t),
    )

    @given(bad)
    def scan(text: str) -> None:
        _scan_changes_nothing(loaded, desk_session, text)

    scan()
