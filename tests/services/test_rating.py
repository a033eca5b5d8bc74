"""好差评 use cases (issue 13 point 6): one rating per hand-out, taken only for the hand-out the pad offers;
nothing identifies the rater; a 差评 opens follow-ups owned, due in working days, closed with a note.

Hand-outs are made by the real use cases, the whole way to the issuing window (tests/services/handout_flow.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select, update

from hallterm.domain.cases import CaseDraft
from hallterm.domain.events import EventKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.domain.rating import FollowUpKind, Level, RatingRefused
from hallterm.services import rating
from hallterm.services.case_views import CaseView
from hallterm.services.cases import open_case
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage.tables import cases as cases_table
from hallterm.storage.tables import events as events_table
from hallterm.storage.tables import rating_follow_ups, ratings
from tests.services.handout_flow import hand_out_case


def session_for(svc: Services, staff_id: str) -> StaffSession:
    set_pin(svc, staff_id, "8642")
    return sign_in(svc, staff_id, "8642")


def a_case(svc: Services, session: StaffSession, card_no: str) -> CaseView:
    return open_case(svc, session, CaseDraft(card_no=card_no, kind=CaseKind.ENTERPRISE, item_codes=("QY-GSSL",),
                                             enterprise_kind=EnterpriseKind.FOREIGN,
                                             enterprise_name="鞍山喆玥科技有限公司"))


def hand_out(svc: Services, case_id: int) -> int:
    return hand_out_case(svc, case_id)


@pytest.fixture
def handed_out(loaded: Services, desk_session: StaffSession, cards: dict[str, str]) -> tuple[CaseView, int]:
    view = a_case(loaded, desk_session, cards["valid"])
    return view, hand_out(loaded, view.id)


def test_the_pad_offers_the_hand_out_masked_and_takes_one_rating(
    loaded: Services, handed_out: tuple[CaseView, int]
) -> None:
    view, event_id = handed_out
    offer = rating.pad_state(loaded, "F1").offer
    assert offer is not None and offer.hand_out_event_id == event_id
    assert (offer.case_no, offer.holder, offer.item_names) == (view.case_no, "王*", ("公司设立登记",))
    assert rating.pad_state(loaded, "G1").offer is None  # another counter's pad shows nothing of it

    given = rating.rate(loaded, "F1", event_id, 4)
    assert given.level is Level.SATISFIED
    assert rating.pad_state(loaded, "F1").offer is None  # back to waiting
    with pytest.raises(RatingRefused, match="已经评价过"):  # 一次一评: a second is refused
        rating.rate(loaded, "F1", event_id, 1, "attitude")
    with loaded.db.read() as conn:
        assert conn.execute(select(ratings.c.level)).scalars().all() == [4]


def test_nothing_in_the_stored_rating_or_its_event_identifies_the_rater(
    loaded: Services, handed_out: tuple[CaseView, int]
) -> None:
    view, event_id = handed_out
    rating.rate(loaded, "F1", event_id, 2, "slow")
    with loaded.db.read() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("ratings")}
        row = conn.execute(select(ratings)).one()._asdict()
        given = conn.execute(select(events_table).where(events_table.c.kind == EventKind.RATING_GIVEN.value)).one()
    assert columns == {"id", "hand_out_event_id", "case_id", "counter", "level", "reason", "rated_at"}
    assert (row["case_id"], row["level"], row["reason"], row["counter"]) == (view.id, 2, "slow", "F1")
    assert given.staff_id is None and given.card_no is None and given.ticket_id is None
    assert given.case_id == view.id and given.details == {"level": 2, "reason": "slow"}


def test_an_unknown_hand_out_another_counters_and_an_old_one_are_refused(
    loaded: Services, handed_out: tuple[CaseView, int], clock: list[dt.datetime]
) -> None:
    _, event_id = handed_out
    with pytest.raises(RatingRefused, match="未找到本窗口"):
        rating.rate(loaded, "F1", event_id + 999, 5)
    with pytest.raises(RatingRefused, match="未找到本窗口"):
        rating.rate(loaded, "G1", event_id, 5)
    clock[0] += dt.timedelta(minutes=31)  # the visitor has long gone ([rating] max_age_minutes = 30)
    with pytest.raises(RatingRefused, match="已不能评价"):
        rating.rate(loaded, "F1", event_id, 5)
    assert rating.pad_state(loaded, "F1").offer is None


def test_a_later_hand_out_takes_over_after_the_grace_and_the_earlier_can_no_longer_be_rated(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], handed_out: tuple[CaseView, int],
    clock: list[dt.datetime],
) -> None:
    _, first = handed_out
    clock[0] += dt.timedelta(minutes=2)
    second = hand_out(loaded, a_case(loaded, desk_session, cards["valid"]).id)
    state = rating.pad_state(loaded, "F1")
    assert state.offer is not None and state.offer.hand_out_event_id == first  # its visitor may still be rating
    assert state.offer.replaced_at == clock[0] + dt.timedelta(seconds=60)
    clock[0] += dt.timedelta(seconds=61)
    assert rating.pad_state(loaded, "F1").offer.hand_out_event_id == second  # type: ignore[union-attr]
    with pytest.raises(RatingRefused, match="已不能评价"):  # nobody rates the earlier visitor's hand-out later
        rating.rate(loaded, "F1", first, 1)
    rating.rate(loaded, "F1", second, 5)


def test_unknown_counter_and_bad_keys_are_refused_with_what_to_do(
    loaded: Services, handed_out: tuple[CaseView, int]
) -> None:
    _, event_id = handed_out
    with pytest.raises(RatingRefused, match="窗口代码 X9 不存在"):
        rating.pad_state(loaded, "X9")
    with pytest.raises(RatingRefused, match="1–5"):
        rating.rate(loaded, "F1", event_id, 7)
    with pytest.raises(RatingRefused, match="无需原因"):
        rating.rate(loaded, "F1", event_id, 5, "slow")
    assert rating.pad_state(loaded, "F1").offer is not None  # nothing was taken


def test_a_poor_rating_opens_follow_ups_for_the_coordinator_due_in_working_days(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # Friday: the call back is due on Monday
    view = a_case(loaded, desk_session, cards["valid"])
    assert view.coordinator is not None
    hand_out_id = hand_out(loaded, view.id)
    clock[0] += dt.timedelta(minutes=2)
    rating.rate(loaded, "F1", hand_out_id, 1)
    owner = session_for(loaded, view.coordinator.staff_id)
    board = rating.follow_up_board(loaded, owner)
    assert not board.whole_hall
    assert [(f.task, f.due_on, f.owner_id, f.late) for f in board.follow_ups] == [
        (FollowUpKind.CALL_BACK, dt.date(2026, 11, 30), view.coordinator.staff_id, False),
        (FollowUpKind.PUT_RIGHT, dt.date(2026, 12, 18), view.coordinator.staff_id, False),
    ]
    assert rating.follow_up_board(loaded, session_for(loaded, "S1601")).whole_hall  # the supervisor sees them
    others = [p for p in ("S1001", "S1002", "S1003") if p != view.coordinator.staff_id]
    assert rating.follow_up_board(loaded, session_for(loaded, others[0])).follow_ups == []
    with loaded.db.read() as conn:
        opened = conn.execute(select(events_table.c.details).where(
            events_table.c.kind == EventKind.RATING_FOLLOW_UP_OPENED.value)).scalars().all()
    assert [d["task"] for d in opened] == ["call_back", "put_right"] and opened[0]["due_on"] == "2026-11-30"
    clock[0] = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # Tuesday: the call back is late
    assert [f.late for f in rating.follow_up_board(loaded, owner).follow_ups] == [True, False]


def test_a_good_rating_opens_nothing(loaded: Services, handed_out: tuple[CaseView, int]) -> None:
    rating.rate(loaded, "F1", handed_out[1], 3)
    with loaded.db.read() as conn:
        assert conn.execute(select(rating_follow_ups)).first() is None


def test_closing_needs_a_note_and_the_owner_or_a_supervisor(
    loaded: Services, handed_out: tuple[CaseView, int]
) -> None:
    view, event_id = handed_out
    assert view.coordinator is not None
    rating.rate(loaded, "F1", event_id, 2, "attitude")
    owner = session_for(loaded, view.coordinator.staff_id)
    first, second = rating.follow_up_board(loaded, owner).follow_ups
    assert first.reason == "态度不好" and first.level is Level.DISSATISFIED
    with pytest.raises(RatingRefused, match="须填写处理情况"):
        rating.close_follow_up(loaded, owner, first.id, "  ")
    desk = session_for(loaded, "S1403")
    with pytest.raises(RatingRefused, match="只有责任人或督查"):
        rating.close_follow_up(loaded, desk, first.id, "已回访")
    closed = rating.close_follow_up(loaded, owner, first.id, "已电话回访，致歉")
    assert closed.closed_at is not None and closed.note == "已电话回访，致歉"
    with pytest.raises(RatingRefused, match="已办结"):
        rating.close_follow_up(loaded, owner, first.id, "再次")
    rating.close_follow_up(loaded, session_for(loaded, "S1601"), second.id, "督查核实：窗口已整改")
    assert rating.follow_up_board(loaded, owner).follow_ups == []
    with loaded.db.read() as conn:
        shut = conn.execute(select(events_table).where(
            events_table.c.kind == EventKind.RATING_FOLLOW_UP_CLOSED.value).order_by(events_table.c.id)).all()
    assert [(e.staff_id, e.details["note"], e.details["late"]) for e in shut] == [
        (view.coordinator.staff_id, "已电话回访，致歉", False), ("S1601", "督查核实：窗口已整改", False)]
    assert rating.case_rating(loaded, view.id).follow_ups[0].closed_at is not None  # type: ignore[union-attr]


def test_a_case_without_a_coordinator_goes_to_the_default_owner(
    loaded: Services, handed_out: tuple[CaseView, int]
) -> None:
    view, event_id = handed_out
    with loaded.db.write() as conn:
        conn.execute(update(cases_table).where(cases_table.c.id == view.id).values(coordinator_id=None))
    import dataclasses

    loaded.settings = dataclasses.replace(loaded.settings, rating=dataclasses.replace(
        loaded.settings.rating, follow_up_owner="s1601"))
    rating.rate(loaded, "F1", event_id, 1)
    board = rating.follow_up_board(loaded, session_for(loaded, "S1601"))
    assert {(f.owner_id, f.owner_name) for f in board.follow_ups} == {("S1601", "韩冬梅")}


def test_cases_show_gives_the_rating_and_its_follow_ups_and_nothing_of_the_rater(
    loaded: Services, handed_out: tuple[CaseView, int], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from hallterm import cli

    view, event_id = handed_out
    rating.rate(loaded, "F1", event_id, 2, "materials")
    assert cli.main(["--db", loaded.db.url, "cases", "show", view.case_no, "--json"]) == 0
    out = capsys.readouterr().out
    story = json.loads(out.strip().splitlines()[-1])
    assert {k: story["rating"][k] for k in ("level", "level_name", "reason")} == {
        "level": 2, "level_name": "不满意", "reason": "材料要求多"}
    # (whether late depends on the real day: the command reads the real clock)
    assert [(f["task"], f["due_on"], f["closed_at"]) for f in story["rating"]["follow_ups"]] == [
        ("call_back", "2026-11-27", None), ("put_right", "2026-12-17", None)]
    assert "评价：不满意（材料要求多）" in out and "回访核实　责任人" in out
    given = next(e for e in story["events"] if e["kind"] == "rating_given")
    assert given["staff"] == "" and given["details"] == {"level": 2, "reason": "materials"}
