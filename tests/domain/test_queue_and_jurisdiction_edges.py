"""Calling order (S9) and jurisdiction (S2, S3) at their edges: ties, a ratio of one, nothing to swap,
proxy-only items, the city kinds, district handling."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.jurisdiction import (
    Bureau,
    EnterpriseKind,
    Handling,
    Jurisdiction,
    JurisdictionError,
    decide,
    requires_proxy,
)
from hallterm.domain.queue import CallPolicy, TicketKind, Waiting, call_order, decide_recall, ticket_number

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
WALKIN, APPT = TicketKind.WALKIN, TicketKind.APPOINTMENT


def at(hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return NOW.replace(hour=h, minute=m)


def walkin(tid: int, issued: str, **kw: object) -> Waiting:
    return Waiting(tid, f"A{tid:03d}", WALKIN, at(issued), **kw)  # type: ignore[arg-type]


def appt(tid: int, issued: str, slot: str, **kw: object) -> Waiting:
    return Waiting(tid, f"B{tid:03d}", APPT, at(issued), at(slot), at(slot) + dt.timedelta(minutes=30),
                   **kw)  # type: ignore[arg-type]


def order(waiting: list[Waiting], ratio: int = 0, recent: tuple[TicketKind, ...] = ()) -> list[str]:
    return [t.number for t in call_order(waiting, now=NOW, counter="G1", policy=CallPolicy(ratio=ratio),
                                         recent_kinds=recent)]


def test_returned_tickets_first_transferred_here_before_held_then_by_return_time_then_id() -> None:
    waiting = [walkin(1, "09:00", returned_at=at("09:50")), walkin(2, "09:01", returned_at=at("09:40")),
               walkin(3, "09:02", returned_at=at("09:55"), for_counter="G1"), walkin(4, "09:03"),
               walkin(5, "09:04", returned_at=at("09:40")), walkin(6, "09:05", returned_at=at("09:30"),
                                                                    for_counter="G2")]
    assert order(waiting) == ["A003", "A002", "A005", "A001", "A004"]


def test_due_appointments_by_slot_then_issue_time_then_id() -> None:
    waiting = [appt(1, "09:40", "10:00"), appt(2, "09:30", "10:00"), appt(3, "09:35", "09:30"),
               appt(4, "09:30", "10:00")]
    assert order(waiting) == ["B003", "B002", "B004", "B001"]


@pytest.mark.parametrize(("ratio", "recent", "first"), [
    (1, (APPT,), "A001"),  # a ratio of one: after each appointment a walk-in
    (1, (WALKIN,), "B002"),
    (2, (APPT,), "B002"),  # not yet two in a row
    (2, (APPT, APPT), "A001"),
    (2, (APPT, WALKIN, APPT), "B002"),
    (2, (APPT, APPT, WALKIN), "A001"),  # only the newest N count
    (0, (APPT, APPT, APPT), "B002"),  # no ratio: never
])
def test_the_walk_in_ratio(ratio: int, recent: tuple[TicketKind, ...], first: str) -> None:
    waiting = [walkin(1, "09:00"), appt(2, "09:30", "10:00")]
    assert order(waiting, ratio, recent)[0] == first


def test_the_ratio_with_nothing_to_swap_keeps_the_order() -> None:
    assert order([appt(2, "09:30", "10:00"), appt(3, "09:31", "10:00")], 1, (APPT,)) == ["B002", "B003"]
    assert order([walkin(1, "09:00"), walkin(2, "09:01")], 1, (APPT,)) == ["A001", "A002"]
    # a walk-in jumps only the due appointments, to the place of the first of them
    waiting = [walkin(1, "09:00", returned_at=at("09:59")), appt(2, "09:30", "10:00"), walkin(3, "09:10")]
    assert order(waiting, 1, (APPT,)) == ["A001", "A003", "B002"]


def test_ticket_numbers_and_recalls() -> None:
    assert ticket_number("A", 1) == "A001" and ticket_number("B", 999) == "B999" and ticket_number("A", 1000) == "A1000"
    with pytest.raises(ValueError):
        ticket_number("A", 0)
    assert decide_recall("A001", 0, 3).recalls == 1 and decide_recall("A001", 3, 3).recalls == 3
    assert not decide_recall("A001", 2, 3).no_show and decide_recall("A001", 3, 3).no_show


# --- jurisdiction (S2, S3) -------------------------------------------------------------------------


def test_proxy_only_items_are_the_proxy_service_s() -> None:
    assert decide(EnterpriseKind.LIMITED, ["proxy"]) == Jurisdiction(Bureau.CITY, "", Handling.PROXY)
    assert decide(EnterpriseKind.LIMITED, ["proxy", "proxy"]).handling is Handling.PROXY
    assert requires_proxy(["city", "proxy"]) and not requires_proxy(["city"]) and not requires_proxy([])


def test_city_items_and_city_kinds_are_handled_directly() -> None:
    assert decide(EnterpriseKind.LIMITED, ["city"], "铁东区") == Jurisdiction(Bureau.CITY, "", Handling.DIRECT)
    assert decide(EnterpriseKind.LIMITED, ["city", "proxy"]) == Jurisdiction(Bureau.CITY, "", Handling.DIRECT)
    assert decide(EnterpriseKind.FOREIGN, ["enterprise_kind"]) == Jurisdiction(Bureau.CITY, "", Handling.DIRECT)


def test_district_cases() -> None:
    got = decide(EnterpriseKind.LIMITED, ["enterprise_kind", "city"], "铁东区", Handling.PROXY)
    assert got == Jurisdiction(Bureau.DISTRICT, "铁东区", Handling.PROXY)
    assert decide(EnterpriseKind.LIMITED, ["enterprise_kind"], "铁东区").handling is Handling.COORDINATION
    with pytest.raises(JurisdictionError, match="请选择所属县区"):
        decide(EnterpriseKind.LIMITED, ["enterprise_kind"])
    with pytest.raises(JurisdictionError, match=r"^未知的县区：火星区$"):
        decide(EnterpriseKind.LIMITED, ["enterprise_kind"], "火星区")
    with pytest.raises(JurisdictionError, match="协调办理"):
        decide(EnterpriseKind.LIMITED, ["enterprise_kind"], "铁东区", Handling.DIRECT)
