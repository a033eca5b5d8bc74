"""`hallterm db check` on both databases (issue 15 point 1): the events log unchanged (sealed by the
sweep), its triggers present, counters and sequences not behind what was issued."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.services.integrity import SEAL_AFTER, check_database, seal_events
from tests.sessions import DESK


def _raw(svc: Services, *statements: str) -> None:
    """What someone with the database's own tools could do, around the program."""
    with svc.db.engine.begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


def _drop_event_triggers(svc: Services) -> None:
    if svc.db.is_sqlite:
        _raw(svc, "DROP TRIGGER events_no_update", "DROP TRIGGER events_no_delete")
    else:
        _raw(svc, "DROP TRIGGER events_append_only ON events")


def _sealed_hall(svc: Services) -> list[int]:
    """A few tickets, their events sealed as the night's sweep would; returns the tickets' ids."""
    ids = [queue.issue_walkin(svc, DESK, count_ahead=False).id for _ in range(3)]
    assert seal_events(svc.db, svc.now() + SEAL_AFTER) > 0
    assert seal_events(svc.db, svc.now() + SEAL_AFTER) == 0  # idempotent: nothing new to seal
    return ids


def test_a_sound_hall_passes(any_hall: Services) -> None:
    _sealed_hall(any_hall)
    queue.issue_walkin(any_hall, DESK, count_ahead=False)  # not sealed yet: fine
    assert check_database(any_hall.db) == []


def test_an_event_changed_behind_the_triggers_back_is_named(any_hall: Services) -> None:
    _sealed_hall(any_hall)
    _drop_event_triggers(any_hall)
    _raw(any_hall, "UPDATE events SET staff_id = 'S9999' WHERE id = (SELECT MAX(id) FROM events)")
    problems = check_database(any_hall.db)
    assert any("防篡改触发器" in p for p in problems), problems
    assert any("与封存时不一致" in p for p in problems), problems


def test_an_event_deleted_is_named_with_the_counts(any_hall: Services) -> None:
    _sealed_hall(any_hall)
    _drop_event_triggers(any_hall)
    _raw(any_hall, "DELETE FROM events WHERE id = (SELECT MIN(id) FROM events WHERE kind = 'ticket_issued')")
    problems = [p for p in check_database(any_hall.db) if "封存" in p]
    assert len(problems) == 1 and "现有" in problems[0], problems


def test_a_ticket_counter_set_back_is_named(any_hall: Services) -> None:
    _sealed_hall(any_hall)
    _raw(any_hall, "UPDATE sequences SET value = 1 WHERE substr(series, 1, 7) = 'ticket-'")
    problems = check_database(any_hall.db)
    assert any("计数器为 1" in p and "重复" in p for p in problems), problems


def test_a_postgresql_sequence_set_back_is_named(any_hall: Services, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no sequences: a new row takes the highest id + 1")
    _sealed_hall(any_hall)
    _raw(any_hall, "SELECT setval(pg_get_serial_sequence('tickets', 'id'), 1)")
    problems = check_database(any_hall.db)
    assert any("tickets" in p and "序列落后" in p for p in problems), problems


def test_the_seals_are_append_only(any_hall: Services) -> None:
    _sealed_hall(any_hall)
    with pytest.raises(Exception, match="append-only"):
        _raw(any_hall, "UPDATE event_seals SET digest = 'x'")
    assert check_database(any_hall.db) == []


def test_events_newer_than_the_margin_wait_for_the_next_sweep(any_hall: Services,
                                                              clock: list[dt.datetime]) -> None:
    queue.issue_walkin(any_hall, DESK, count_ahead=False)
    assert seal_events(any_hall.db, any_hall.now()) == 0  # just written: a slower commit may still come


def test_a_bogus_status_is_named(any_hall: Services) -> None:
    ids = _sealed_hall(any_hall)
    _raw(any_hall, f"UPDATE tickets SET status = 'bogus' WHERE id = {ids[0]}")
    problems = check_database(any_hall.db)
    assert any("tickets" in p and "bogus" in p and "未知状态" in p for p in problems), problems
