"""A transfer of a case to a lounge (改派, F7) takes a seat there, so the seat counts and the hall
display follow it (issue 11 point 11, S9)."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.cases import CaseInputError
from hallterm.services import cases, queue_views
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from tests.services.test_open_and_route import EVENING, draft, session_for


def free(svc: Services) -> dict[str, int]:
    """Free seats per lounge, as the hall display shows them."""
    return {x.code: x.free for x in queue_views.display_snapshot(svc).lounges}


def test_a_queued_visitor_sent_to_a_lounge_takes_a_seat_and_needs_a_coordinator(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = EVENING
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.status == "queued"
    before = free(loaded)
    with pytest.raises(CaseInputError, match="须同时选择协调员"):
        cases.reassign(loaded, desk_session, view.id, lounge_code="L2", reason="持卡人愿在洽谈室等候")
    moved = cases.reassign(loaded, desk_session, view.id, lounge_code="L2", coordinator_id="S1004",
                           reason="持卡人愿在洽谈室等候")
    assert moved.status == "waiting" and moved.lounge_code == "L2"
    assert free(loaded) == {**before, "L2": before["L2"] - 1}


def test_a_visitor_back_from_the_lounge_sent_to_another_takes_a_seat_there(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.coordinator is not None and view.lounge_code is not None
    coordinator = session_for(loaded, view.coordinator.staff_id)
    cases.mark_met(loaded, coordinator, view.id)
    cases.end_visit(loaded, coordinator, view.id)
    before = free(loaded)
    target = "L3" if view.lounge_code != "L3" else "L4"
    moved = cases.reassign(loaded, desk_session, view.id, lounge_code=target, reason="补充材料后回洽谈室")
    assert moved.status == "waiting" and moved.lounge_code == target  # the coordinator sees them waiting again
    assert free(loaded) == {**before, target: before[target] - 1}
    back = cases.reassign(loaded, desk_session, view.id, lounge_code=view.lounge_code, reason="换回原洽谈室")
    assert free(loaded) == {**before, view.lounge_code: before[view.lounge_code] - 1}  # the seat moves with them
    assert back.status == "waiting"
