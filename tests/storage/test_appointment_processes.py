"""A slot's capacity holds when many terminals book it at the same moment (issue 12 point 2), on
SQLite and PostgreSQL: 8 processes, each a terminal of its own, book the same few slots for holders
of their own at once. No slot ends over capacity, the seat counters match the appointments, and
every refusal is the 约满 one."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.domain.appointments import AppointmentError
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import RosterRow
from hallterm.services.appointment_slots import day_slots
from hallterm.services.appointments import book, cancel, mark_missed, reschedule
from hallterm.services.context import Services
from hallterm.storage import appointments as store
from hallterm.storage import holders
from hallterm.storage.tables import appointment_seats, appointments, events
from tests.storage.conftest import run_together

PROCESSES = 8
HOLDERS_EACH = 3
SLOTS = ("09:00", "09:30", "10:00")  # 业务协调科, 2 seats each: 6 seats for 24 holders all wanting them

BOOKER = """
import datetime as dt, pathlib, sys, time
from hallterm.config import load_settings
from hallterm.domain.appointments import SlotFull
from hallterm.services.appointment_slots import day_slots
from hallterm.services.appointments import book
from hallterm.services.context import Services
ready, go = map(pathlib.Path, sys.argv[1:3])
day = dt.date.fromisoformat(sys.argv[3])
cards = sys.argv[4:]
svc = Services.open(load_settings(), upgrade=False)
day_slots(svc, day)  # read the files and connect before the start line
ready.touch()
deadline = time.monotonic() + 60
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.002)
for card in cards:
    for slot in %r:
        try:
            view = book(svc, None, card, day, slot)
        except SlotFull:
            print("full", flush=True)
            continue
        print(f"booked:{slot}", flush=True)
        break
"""


def test_many_processes_booking_the_same_slots_never_exceed_capacity(any_hall: Services, tmp_path: Path) -> None:
    svc = any_hall
    day = dt.datetime.now(dt.UTC).astimezone(svc.settings.hall.tz).date() + dt.timedelta(days=1)
    while not [s for s in day_slots(svc, day, "业务协调科").slots if s.start in SLOTS and s.window == "regular"]:
        day += dt.timedelta(days=1)  # the processes read the real clock: a working day ahead of it
    body = "21030219800101001"
    rows = [RosterRow(n + 2, svc.card_format.make(f"GD2022A{n + 100:05d}"), f"持卡人{n}",
                      body + resident_id_check_char(body), "A", day - dt.timedelta(days=700),
                      day + dt.timedelta(days=700), CardStatus.ACTIVE, "13812345678", "")
            for n in range(PROCESSES * HOLDERS_EACH)]
    with svc.db.write() as conn:
        holders.upsert_rows(conn, rows, svc.now())
    cards = [r.card_no for r in rows]

    printed = run_together(tmp_path, svc.db.url, BOOKER % (SLOTS,),
                           [[day.isoformat(), *cards[n::PROCESSES]] for n in range(PROCESSES)],
                           HALLTERM_DB_BUSY_TIMEOUT_MS="30000")

    booked = Counter(p.split(":", 1)[1] for p in printed if p.startswith("booked:"))
    assert booked == {slot: 2 for slot in SLOTS}  # every seat taken, none twice
    assert printed.count("full") >= (PROCESSES * HOLDERS_EACH - 6) * len(SLOTS)  # the others were all told
    with svc.db.read() as conn:
        stored = Counter(conn.execute(select(appointments.c.slot_start).where(appointments.c.day == day)).scalars())
        seats = dict(conn.execute(select(appointment_seats.c.slot_start, appointment_seats.c.booked)
                                  .where(appointment_seats.c.day == day)).all())
        logged = conn.execute(select(events.c.id).where(events.c.kind == "appointment_booked")).all()
    assert stored == booked and seats == dict(booked) and len(logged) == 6


def test_booking_rescheduling_cancelling_and_missed_keep_the_seats_right(any_hall: Services,
                                                                        cards_for: Callable[[Services], str]) -> None:
    """The seat counter and the appointments agree after every change, on both databases."""
    svc, card = any_hall, cards_for(any_hall)
    day = svc.today() + dt.timedelta(days=1)  # Friday 2026-11-27 at the tests' fixed clock
    first = book(svc, None, card, day, "09:00", items="QY-GSSL")
    moved = reschedule(svc, None, first.id, day, "10:00", reason="来电改期")
    back = reschedule(svc, None, first.id, day, "09:30", reason="又改回")  # the other lock order
    second = book(svc, None, card, day, "09:00", items="QY-FGSSL", phone="13900001111", note="首次咨询")
    cancel(svc, None, second.id, reason="持卡人来电取消")
    third = book(svc, None, card, day, "11:00")
    mark_missed(svc, None, third.id)
    assert (moved.slot_start, back.slot_start, second.phone) == ("10:00", "09:30", "13900001111")
    with svc.db.read() as conn:
        seats = {(s, t): n for (d, s, t), n in store.seats_between(conn, day, day).items()}
        counted = {key: store.count_booked(conn, day, *key) for key in seats}
        kinds = conn.execute(select(events.c.kind).where(events.c.kind.like("appointment_%"))
                             .order_by(events.c.id)).scalars().all()
    assert seats == counted
    assert {k: n for k, n in seats.items() if n} == {("企业登记科", "09:30"): 1}
    assert kinds == ["appointment_booked", "appointment_rescheduled", "appointment_rescheduled",
                     "appointment_booked", "appointment_cancelled", "appointment_booked", "appointment_missed"]
    with pytest.raises(AppointmentError, match="已取消，不能改期"):
        reschedule(svc, None, second.id, day, "14:00", reason="x")
