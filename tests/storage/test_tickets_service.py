"""Tickets and calling through the services, on SQLite and PostgreSQL (issue 5, points 1, 2 and 5):
numbering and the midnight restart, the calling policy, recalls, hold, transfer, and what the
display is given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from hallterm.domain.auth import AuthError
from hallterm.domain.queue import QueueError, Target, TargetKind
from hallterm.services import queue, queue_views
from hallterm.services.context import Services
from hallterm.services.reference import load_reference
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage.tables import events, lounges, tickets
from tests.sessions import DESK

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(day: int, hhmm: str) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, 11, day, h, m, tzinfo=SHANGHAI).astimezone(dt.UTC)


@pytest.fixture
def hall(any_hall: Services) -> Services:
    return any_hall


@pytest.fixture
def desk(hall: Services) -> StaffSession:
    set_pin(hall, "S1401", "2468")
    return sign_in(hall, "S1401", "2468")


def kinds(svc: Services) -> list[str]:
    with svc.db.read() as conn:
        return list(conn.execute(select(events.c.kind).where(events.c.kind.like("ticket_%"))
                                 .order_by(events.c.id)).scalars())


def test_walkin_and_appointment_tickets_are_numbered_per_series(hall: Services, cards_for) -> None:
    card = cards_for(hall)
    first = queue.issue_walkin(hall, DESK)
    second = queue.issue_walkin(hall, DESK, card_text=card.lower() + "\r")  # as a scanner types it
    booked = queue.book_appointment(hall, DESK, card, hall.today(), "10:00", "10:30")
    checked = queue.check_in(hall, DESK, booked)

    assert (first.number, second.number, checked.number) == ("A001", "A002", "B001")
    assert (first.ahead, second.ahead) == (0, 1)
    assert second.holder_name == "王喆" and checked.holder_name == "王喆"
    assert checked.slot == "10:00–10:30"
    with pytest.raises(QueueError, match="不能重复签到"):
        queue.check_in(hall, DESK, booked)
    with pytest.raises(QueueError, match="不在人才名册"):
        queue.issue_walkin(hall, DESK, card_text=hall.card_format.make("GD2022A00018"))
    assert queue.issue_walkin(hall, DESK).number == "A003"  # a refused issue used up no number


def test_numbers_restart_at_local_midnight_not_at_utc_midnight(hall: Services, clock: list[dt.datetime]) -> None:
    clock[0] = local(26, "07:59")  # 23:59 UTC the day before: still the 26th in Anshan
    assert queue.issue_walkin(hall, DESK).number == "A001"
    clock[0] = local(26, "08:01")  # UTC midnight has passed: same local day, numbering goes on
    assert queue.issue_walkin(hall, DESK).number == "A002"
    clock[0] = local(26, "23:59")
    assert queue.issue_walkin(hall, DESK).number == "A003"
    clock[0] = local(27, "00:00")  # local midnight: a new day starts at 001
    assert queue.issue_walkin(hall, DESK).number == "A001"
    with hall.db.read() as conn:
        rows = conn.execute(select(tickets.c.day, tickets.c.ticket_no).order_by(tickets.c.id)).all()
    assert [(d.day, n) for d, n in rows] == [(26, "A001"), (26, "A002"), (26, "A003"), (27, "A001")]


def test_yesterdays_waiting_tickets_are_not_called_today(hall: Services, desk: StaffSession,
                                                         clock: list[dt.datetime]) -> None:
    clock[0] = local(26, "17:00")
    queue.issue_walkin(hall, DESK)
    clock[0] = local(27, "08:30")
    with pytest.raises(QueueError, match="暂无等候"):
        queue.call_next(hall, desk, "G1")
    assert queue.issue_walkin(hall, DESK).number == "A001"


def test_due_appointments_are_called_before_walkins(hall: Services, desk: StaffSession, cards_for,
                                                    clock: list[dt.datetime]) -> None:
    card = cards_for(hall)
    clock[0] = local(26, "09:00")
    queue.issue_walkin(hall, DESK)  # A001
    early = queue.book_appointment(hall, DESK, card, hall.today(), "11:00", "11:30")
    due = queue.book_appointment(hall, DESK, card, hall.today(), "09:10", "09:40")
    queue.check_in(hall, DESK, early)  # B001, two hours early
    queue.check_in(hall, DESK, due)  # B002, due within 15 minutes
    queue.issue_walkin(hall, DESK)  # A002

    board = queue_views.counter_board(hall, "G1")
    assert [(t.number, t.lane) for t in board.waiting] == [("B002", "预约到时"), ("A001", ""), ("A002", ""),
                                                         ("B001", "预约未到时")]
    called = [queue.call_next(hall, desk, "G1") for _ in range(1)]
    assert called[0].number == "B002" and "绿色通道1号窗口" in called[0].message
    with pytest.raises(QueueError, match="还在接待 B002"):  # one visitor at a time per counter
        queue.call_next(hall, desk, "G1")
    queue.finish(hall, desk, "G1", called[0].id)
    assert [queue.call_next(hall, desk, f"G{n}").number for n in (1, 2)] == ["A001", "A002"]


def test_the_ratio_gives_a_walkin_a_turn(any_db: Services, services_factory: Callable[..., Services],
                                         cards_for, clock: list[dt.datetime]) -> None:
    svc = services_factory(any_db.db.url, queue_call_ratio="2")
    load_reference(svc)
    set_pin(svc, "S1401", "2468")
    session = sign_in(svc, "S1401", "2468")
    card = cards_for(svc)
    clock[0] = local(26, "10:00")
    queue.issue_walkin(svc, DESK)  # A001
    for slot in ("09:50", "10:00", "10:10"):  # all due, none past its check-in window (15 minutes late)
        queue.check_in(svc, DESK, queue.book_appointment(svc, DESK, card, svc.today(), slot, "10:30"))
    order = []
    for _ in range(4):
        ticket = queue.call_next(svc, session, "G1")
        order.append(ticket.number)
        queue.finish(svc, session, "G1", ticket.id)
    assert order == ["B001", "B002", "A001", "B003"]  # two appointments, then the walk-in's turn


def test_recall_at_most_three_times_then_no_show(hall: Services, desk: StaffSession) -> None:
    ticket = queue.issue_walkin(hall, DESK)
    queue.call_next(hall, desk, "G1")
    said = [queue.recall(hall, desk, "G1", ticket.id).message for _ in range(3)]
    assert said[-1] == "已重呼 A001 号（第 3 次，最多 3 次）"
    with pytest.raises(QueueError, match="已重呼 3 次：要按过号处理"):  # not without staff agreeing
        queue.recall(hall, desk, "G1", ticket.id)
    assert queue_views.counter_board(hall, "G1").current.recalls == 3  # nothing changed
    last = queue.recall(hall, desk, "G1", ticket.id, no_show_at_limit=True)
    assert last.status == "no_show" and "过号" in last.message
    assert kinds(hall) == ["ticket_issued", "ticket_called"] + ["ticket_recalled"] * 3 + ["ticket_no_show"]
    with pytest.raises(QueueError, match="过号"):
        queue.recall(hall, desk, "G1", ticket.id, no_show_at_limit=True)


def test_no_show_finish_and_another_counters_ticket(hall: Services, desk: StaffSession) -> None:
    first, second = queue.issue_walkin(hall, DESK), queue.issue_walkin(hall, DESK)
    queue.call_next(hall, desk, "G1")
    queue.call_next(hall, desk, "G2")
    with pytest.raises(QueueError, match="其他窗口"):
        queue.finish(hall, desk, "G1", second.id)
    assert queue.no_show(hall, desk, "G1", first.id).status == "no_show"
    done = queue.finish(hall, desk, "G2", second.id)
    assert done.status == "finished"
    with hall.db.read() as conn:
        finished = conn.execute(select(events.c.details).where(events.c.kind == "ticket_finished")).scalar_one()
    assert finished["counter"] == "G2" and finished["served_s"] == 0


def test_a_held_visitor_comes_back_to_the_front(hall: Services, desk: StaffSession,
                                                clock: list[dt.datetime]) -> None:
    papers = queue.issue_walkin(hall, DESK)
    queue.issue_walkin(hall, DESK)
    queue.issue_walkin(hall, DESK)
    queue.call_next(hall, desk, "G1")
    held = queue.hold(hall, desk, "G1", papers.id)
    assert held.status == "held"
    nxt = queue.call_next(hall, desk, "G1")  # the counter is free for the next visitor meanwhile
    assert nxt.number == "A002"
    clock[0] += dt.timedelta(minutes=20)
    back = queue.return_to_queue(hall, desk, "G2", papers.id)  # back with the papers, at any counter
    assert back.status == "waiting"
    assert queue_views.counter_board(hall, "G2").waiting[0].lane == "回到队首"
    assert queue.call_next(hall, desk, "G2").number == "A001"  # ahead of A003, who came before them


def test_transfer_to_another_counter_a_lounge_or_a_coordinator(hall: Services, desk: StaffSession) -> None:
    a, b, c, _ = (queue.issue_walkin(hall, DESK) for _ in range(4))
    queue.call_next(hall, desk, "G1")
    with pytest.raises(QueueError, match="本窗口"):
        queue.transfer(hall, desk, "G1", a.id, Target(TargetKind.COUNTER, "G1"))
    with pytest.raises(QueueError, match="不叫号"):
        queue.transfer(hall, desk, "G1", a.id, Target(TargetKind.COUNTER, "F1"))
    moved = queue.transfer(hall, desk, "G1", a.id, Target(TargetKind.COUNTER, "G2"))
    assert moved.status == "waiting" and "绿色通道2号窗口" in moved.message
    assert queue.call_next(hall, desk, "G1").number == "A002"  # G1 does not take it back
    assert queue.call_next(hall, desk, "G2").number == "A001"  # G2 calls it first
    with pytest.raises(QueueError, match="没有扫描钢都英才卡"):  # no card, no case: no seat to take (issue 11)
        queue.transfer(hall, desk, "G1", b.id, Target(TargetKind.LOUNGE, "L2"))
    to_lounge = queue.transfer(hall, desk, "G1", b.id, Target(TargetKind.COORDINATOR, "S1002"))
    assert to_lounge.status == "transferred"
    queue.finish(hall, desk, "G2", a.id)
    queue.call_next(hall, desk, "G2")
    to_person = queue.transfer(hall, desk, "G2", c.id, Target(TargetKind.COORDINATOR, "S1001"))
    assert to_person.status == "transferred" and "业务协调科" in to_person.message

    shown = queue_views.display_snapshot(hall)
    assert [(x.number, x.place) for x in shown.calls][:2] == [("A003", to_person.message.split("转移到")[1]),
                                                              ("A002", to_lounge.message.split("转移到")[1])]
    assert "A001" in [x.number for x in shown.calls]  # its last announced call, at G2


def test_call_a_chosen_ticket_out_of_order(hall: Services, desk: StaffSession) -> None:
    tickets_ = [queue.issue_walkin(hall, DESK) for _ in range(3)]
    chosen = queue.call_ticket(hall, desk, "G1", tickets_[2].id)
    assert chosen.number == "A003"
    with pytest.raises(QueueError, match="已叫号"):
        queue.call_ticket(hall, desk, "G2", tickets_[2].id)  # G2 cannot call it a second time
    assert queue.call_next(hall, desk, "G2").number == "A001"


def test_only_staff_allowed_to_call_may_call(hall: Services) -> None:
    set_pin(hall, "S1001", "2468")
    coordinator = sign_in(hall, "S1001", "2468")
    queue.issue_walkin(hall, DESK)
    with pytest.raises(AuthError, match="无权叫号"):
        queue.call_next(hall, coordinator, "G1")
    with pytest.raises(AuthError, match="无权取号"):
        queue.issue_walkin(hall, coordinator)


def test_the_display_snapshot_masks_names_and_counts(hall: Services, desk: StaffSession, cards_for) -> None:
    card = cards_for(hall)
    named = queue.issue_walkin(hall, DESK, card_text=card)
    for _ in range(8):
        queue.issue_walkin(hall, DESK)
    queue.check_in(hall, DESK, queue.book_appointment(hall, DESK, card, hall.today(), "10:00", "10:30"))
    first = queue.call_ticket(hall, desk, "G1", named.id)
    queue.recall(hall, desk, "G1", first.id)
    queue.finish(hall, desk, "G1", first.id)
    for _ in range(6):
        queue.finish(hall, desk, "G1", queue.call_next(hall, desk, "G1").id)

    shown = queue_views.display_snapshot(hall)
    assert len(shown.calls) == 6  # the last six, each ticket once
    assert len({c.number for c in shown.calls}) == 6
    assert shown.calls[0].place == "绿色通道1号窗口"
    assert "A001" not in [c.number for c in shown.calls]
    assert [(w.series, w.waiting) for w in shown.waiting] == [("A", 3), ("B", 0)]  # B001 was called first
    assert {lounge.code for lounge in shown.lounges} == {"L1", "L2", "L3", "L4", "L5"}
    assert shown.last_event_id == queue_views.last_event_id(hall)
    early = queue_views.display_snapshot(hall)
    assert early == shown  # nothing moved, same picture


def test_the_display_shows_the_masked_name(hall: Services, desk: StaffSession, cards_for) -> None:
    card = cards_for(hall)
    ticket = queue.issue_walkin(hall, DESK, card_text=card)
    queue.call_ticket(hall, desk, "G1", ticket.id)
    shown = queue_views.display_snapshot(hall).calls[0]
    assert (shown.number, shown.name) == ("A001", "王*")


def test_a_full_lounge_takes_no_transfer_and_the_visitor_stays_called(hall: Services, desk: StaffSession) -> None:
    ticket = queue.issue_walkin(hall, DESK)
    queue.call_next(hall, desk, "G1")
    with hall.db.write() as conn:  # every seat of room 2 taken
        conn.execute(update(lounges).where(lounges.c.code == "L2").values(capacity=0))
    with pytest.raises(QueueError, match="已满"):
        queue.transfer(hall, desk, "G1", ticket.id, Target(TargetKind.LOUNGE, "L2"))
    assert queue_views.counter_board(hall, "G1").current.number == ticket.number  # still at this counter
    with pytest.raises(QueueError, match="F3 开办件"):  # a room with seats, but no case to seat
        queue.transfer(hall, desk, "G1", ticket.id, Target(TargetKind.LOUNGE, "L1"))
    assert queue_views.counter_board(hall, "G1").current.number == ticket.number


def _holder(svc: Services, body: str, tier: str, *, status: str = "active", expires_in_days: int = 1000) -> str:
    from hallterm.domain.holders import CardStatus
    from hallterm.domain.ids import resident_id_check_char
    from hallterm.domain.roster import RosterRow
    from hallterm.storage import holders

    id_body = "21030219800101001"
    today = svc.today()
    row = RosterRow(2, svc.card_format.make(body), "孙昊", id_body + resident_id_check_char(id_body), tier,
                    today - dt.timedelta(days=400), today + dt.timedelta(days=expires_in_days),
                    CardStatus(status), "13812345678", "鞍钢集团有限公司")
    with svc.db.write() as conn:
        holders.upsert_rows(conn, [row], svc.now())
    return row.card_no


def test_a_walkin_ticket_is_refused_to_a_card_the_desk_refuses(hall: Services, desk: StaffSession) -> None:
    from hallterm.services.cards import check_card

    refused = {"revoked": _holder(hall, "GD2023C00012", "C", status="revoked"),
               "tier E": _holder(hall, "GD2022E00010", "E"),
               "expired": _holder(hall, "GD2024D00004", "D", expires_in_days=-1)}
    desk_says = {why: check_card(hall, card).message for why, card in refused.items()}  # S4, the desk's words
    for why, card in refused.items():
        with pytest.raises(QueueError) as caught:
            queue.issue_walkin(hall, desk, card)
        assert str(caught.value).startswith(desk_says[why]), why
        # The override at the desk is the way past a refusal, never a ticket without the card (issue 11).
        assert "F4 特批放行" in str(caught.value) and "清空" not in str(caught.value), why
    assert kinds(hall) == []  # no ticket issued
    with hall.db.read() as conn:
        scanned = conn.execute(select(events.c.card_no, events.c.details, events.c.staff_id)
                               .where(events.c.kind == "card_scanned").order_by(events.c.id)).all()
    # Each refusal is on record, as at the desk (the first three are the test's own look-ups).
    assert [(c, d["verdict"], who) for c, d, who in scanned[3:]] == [
        (refused["revoked"], "revoked", "S1401"), (refused["tier E"], "not_eligible", "S1401"),
        (refused["expired"], "expired", "S1401")]
    assert queue.issue_walkin(hall, desk).number == "A001"  # no card: a plain ticket, the first number


def test_the_display_no_longer_invites_a_no_show_or_a_finished_ticket(hall: Services, desk: StaffSession) -> None:
    first, second, third = (queue.issue_walkin(hall, DESK) for _ in range(3))
    queue.call_next(hall, desk, "G1")
    assert queue_views.display_snapshot(hall).calls[0].live
    queue.no_show(hall, desk, "G1", first.id)
    now = queue_views.display_snapshot(hall).calls[0]
    assert (now.number, now.live, now.no_show, now.ended) == ("A001", False, True, "已过号")
    queue.call_next(hall, desk, "G1")
    shown = queue_views.display_snapshot(hall).calls
    assert [(c.number, c.live, c.status) for c in shown] == [("A002", True, "called"), ("A001", False, "no_show")]
    queue.finish(hall, desk, "G1", second.id)
    assert queue_views.display_snapshot(hall).calls[0].ended == "已办结"
    queue.call_next(hall, desk, "G1")
    to = queue.transfer(hall, desk, "G1", third.id, Target(TargetKind.COORDINATOR, "S1001"))
    sent = queue_views.display_snapshot(hall).calls[0]
    assert (sent.number, sent.place, sent.live) == ("A003", to.message.split("转移到")[1], True)  # goes there


def test_the_called_ticket_carries_its_holders_card_for_the_desk(hall: Services, desk: StaffSession,
                                                                 cards_for) -> None:
    """Issue 11 point 4: the counter opens the called holder on the desk by their card number."""
    card = cards_for(hall)
    queue.issue_walkin(hall, DESK, card_text=card)
    queue.issue_walkin(hall, DESK)
    called = queue.call_next(hall, desk, "G1")
    assert called.card_no == card
    board = queue_views.counter_board(hall, "G1")
    assert board.current is not None and board.current.card_no == card
    assert [t.card_no for t in board.waiting] == [""]  # a ticket taken without a card


def test_a_transfer_to_a_lounge_moves_the_holders_case_there_in_one_transaction(
    hall: Services, desk: StaffSession, cards_for
) -> None:
    """Issue 11 point 11: the seat is the case's (S9); it moves as F7 moves it, logged in the one log."""
    from hallterm.services import cases
    from tests.services.test_open_and_route import draft

    card = cards_for(hall)
    routed = cases.open_case(hall, desk, draft(card))
    assert routed.status == "waiting" and routed.lounge_code is not None
    target = "L3" if routed.lounge_code != "L3" else "L4"
    free = {x.code: x.free for x in queue_views.display_snapshot(hall).lounges}
    ticket = queue.issue_walkin(hall, DESK, card_text=card)
    queue.call_next(hall, desk, "G1")
    with hall.db.write() as conn:  # every seat of the target taken: nothing moves, the visitor stays called
        conn.execute(update(lounges).where(lounges.c.code == target).values(capacity=0))
    with pytest.raises(QueueError, match="已满"):
        queue.transfer(hall, desk, "G1", ticket.id, Target(TargetKind.LOUNGE, target))
    with hall.db.write() as conn:
        conn.execute(update(lounges).where(lounges.c.code == target).values(capacity=free[target]))
    queue.transfer(hall, desk, "G1", ticket.id, Target(TargetKind.LOUNGE, target))
    moved = cases.get_case(hall, routed.id)
    assert moved is not None and (moved.lounge_code, moved.status) == (target, "waiting")
    now = {x.code: x.free for x in queue_views.display_snapshot(hall).lounges}
    assert now == {**free, routed.lounge_code: free[routed.lounge_code] + 1, target: free[target] - 1}
    with hall.db.read() as conn:
        kinds_ = [k for (k,) in conn.execute(select(events.c.kind).order_by(events.c.id))][-2:]
    assert kinds_ == ["ticket_transferred", "case_reassigned"] or kinds_ == ["case_reassigned", "ticket_transferred"]
