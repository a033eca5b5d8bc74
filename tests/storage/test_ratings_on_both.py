"""好差评 storage on SQLite and PostgreSQL: the counter read from the hand-out's JSON details, one rating per
hand-out held by the database itself, the stored row and event carrying nothing of the rater, and the
follow-ups' round trip."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from hallterm.domain.cases import CaseDraft
from hallterm.domain.events import EventKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.domain.rating import RatingRefused
from hallterm.services import rating
from hallterm.services.cases import open_case
from hallterm.services.context import Services
from hallterm.services.staff import set_pin, sign_in
from hallterm.storage import events
from hallterm.storage import ratings as store
from hallterm.storage.tables import events as events_table
from hallterm.storage.tables import ratings


def test_a_rating_and_its_follow_ups_on_both_databases(any_hall: Services,
                                                       cards_for: Callable[[Services], str]) -> None:
    svc = any_hall
    set_pin(svc, "S1401", "2468")
    view = open_case(svc, sign_in(svc, "S1401", "2468"), CaseDraft(
        card_no=cards_for(svc), kind=CaseKind.ENTERPRISE, item_codes=("QY-GSSL",),
        enterprise_kind=EnterpriseKind.FOREIGN, enterprise_name="鞍山喆玥科技有限公司"))
    with svc.db.write() as conn:
        other = events.append(conn, EventKind.ITEMS_HANDED_OUT, svc.now(), case_id=view.id, counter="Z1", items=[])
        mine = events.append(conn, EventKind.ITEMS_HANDED_OUT, svc.now(), staff_id="S1402", case_id=view.id,
                             counter="F1", items=["QY-GSSL"])
    with svc.db.read() as conn:
        found = store.hand_outs_since(conn, "F1", svc.now())
    assert [(h.event_id, h.item_codes) for h in found] == [(mine, ("QY-GSSL",))] and other != mine

    rating.rate(svc, "F1", mine, 1, "trips")
    with pytest.raises(RatingRefused, match="已经评价过"):
        rating.rate(svc, "F1", mine, 5)
    with svc.db.write() as conn, pytest.raises(store.AlreadyRated):  # the unique key, not only the check
        store.insert_rating(conn, hand_out_event_id=mine, case_id=view.id, counter="F1", level=5, reason="",
                            at=svc.now())

    with svc.db.read() as conn:
        row = conn.execute(select(ratings)).one()._asdict()
        given = conn.execute(select(events_table).where(events_table.c.kind == EventKind.RATING_GIVEN.value)).one()
        follow_ups = store.follow_ups_of_case(conn, view.id)
    assert set(row) == {"id", "hand_out_event_id", "case_id", "counter", "level", "reason", "rated_at"}
    assert (row["hand_out_event_id"], row["level"], row["reason"]) == (mine, 1, "trips")
    assert given.staff_id is None and given.card_no is None and given.details == {"level": 1, "reason": "trips"}
    assert [(f.task, f.owner_id, f.closed_at) for f in follow_ups] == [
        ("call_back", view.coordinator.staff_id if view.coordinator else None, None),
        ("put_right", view.coordinator.staff_id if view.coordinator else None, None)]

    set_pin(svc, "S1601", "2468")
    supervisor = sign_in(svc, "S1601", "2468")
    closed = rating.close_follow_up(svc, supervisor, follow_ups[0].id, "已回访核实")
    assert closed.note == "已回访核实"
    assert [f.id for f in rating.follow_up_board(svc, supervisor).follow_ups] == [follow_ups[1].id]
