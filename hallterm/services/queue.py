"""Walk-in tickets, appointment check-in, calling at the green-channel counters, and the display's
view of it all (S4, S6, S9; issue 5).

Each public call that changes something is one write transaction that appends its events; the
display polls the events log's last id and reloads only when it moved (DESIGN.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection

from hallterm.domain.appointments import appointment_no, outside_window
from hallterm.domain.cards import ScanError, parse_scan
from hallterm.domain.cases import ACTIVE_STATUSES, VISIT_STATUSES, CaseInputError
from hallterm.domain.events import EventKind
from hallterm.domain.queue import (
    Action,
    AppointmentStatus,
    QueueError,
    Target,
    TargetKind,
    TicketKind,
    TicketStatus,
    check_action,
    check_transfer,
    decide_recall,
    lounge_place,
    sequence_key,
    ticket_number,
)
from hallterm.domain.waits import seconds_between
from hallterm.services.cards import check_card
from hallterm.services.case_views import find_case_views
from hallterm.services.cases import move_case
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.services.ticket_view import TicketView, _counter, _ordered, _view
from hallterm.storage import appointments as appointment_store
from hallterm.storage import cases as case_store
from hallterm.storage import events, sequences
from hallterm.storage import tickets as store
from hallterm.storage.tickets import AppointmentRow, CounterRow, TicketRow

CALL_ATTEMPTS = 60  # counters calling at the same moment each take a different one of the first 60 (a 50-desk hall)


# --- issuing --------------------------------------------------------------------------------------


def _issue(svc: Services, conn: Connection, *, kind: TicketKind, holder_id: int | None, staff_id: str | None,
           card_no: str | None, **details: object) -> TicketRow:
    """Number and insert one ticket: the number comes from the counter row, in this transaction."""
    q = svc.settings.queue
    series = q.walkin_series if kind is TicketKind.WALKIN else q.appointment_series
    day = svc.today()
    seq = sequences.next_value(conn, sequence_key(series), day)
    number = ticket_number(series, seq)
    now = svc.now()
    ticket_id = store.insert_ticket(conn, number=number, series=series, day=day, seq=seq, kind=kind.value,
                                    issued_at=now, holder_id=holder_id)
    store.append_event(conn, EventKind.TICKET_ISSUED, now, staff_id=staff_id, ticket_id=ticket_id, card_no=card_no,
                       number=number, series=series, ticket_kind=kind.value, **details)
    return TicketRow(ticket_id, number, series, day, seq, kind.value, TicketStatus.WAITING.value, None, 0, now,
                     None, None, None, None, holder_id, None, None)


# The one way past a refused card is the supervisor's override at the desk (F4, logged with a reason, S4);
# the dialog never teaches a way round it (such as a ticket linked to nobody).
WITHOUT_CARD = "不能为此卡取绿色通道号；确需办理的，请督查人员在前台扫描此卡后按 F4 特批放行"


def issue_walkin(svc: Services, session: StaffSession, card_text: str = "", *,
                 count_ahead: bool = True) -> TicketView:
    """A walk-in green-channel ticket (A017); a scanned talent card links it to the holder.

    A card the desk would refuse (unknown, revoked, expired, not yet valid, a tier outside the green
    channel) is refused here too, with the desk's message; an empty card field issues a plain ticket.

    ``count_ahead`` counts the tickets waiting before it (for the slip: 前面还有 N 人).
    """
    session.require("issue_ticket")  # checked here, not only on the screen (issue 16 point 9)
    card_no: str | None = None
    if card_text.strip():
        try:
            scan = parse_scan(card_text, svc.card_format)
        except ScanError as exc:
            raise QueueError(str(exc)) from None
        if scan.kind != "card":
            raise QueueError("这不是钢都英才卡号：取号时可扫描持卡人的卡，也可不填直接取号")
        card_no = scan.card_no
        # S4: the green channel is for valid card holders. The desk's own check judges the card (and logs
        # the scan), so a revoked, expired, not-yet-valid or tier-E card is refused here in the same words.
        check = check_card(svc, card_text, staff_id=session.staff_id)
        if not check.ok:
            raise QueueError(f"{check.message}。{WITHOUT_CARD}")
    with svc.db.write() as conn:
        holder_id = case_store.holder_id(conn, card_no) if card_no else None
        if card_no and holder_id is None:  # removed from the roster since the check, a moment ago
            raise QueueError(f"卡号 {card_no} 不在人才名册中。{WITHOUT_CARD}")
        row = _issue(svc, conn, kind=TicketKind.WALKIN, holder_id=holder_id,
                     staff_id=session.staff_id, card_no=card_no)
        ahead = store.waiting_before(conn, row.day, row.id) if count_ahead else None
    if holder_id is not None:
        with svc.db.read() as conn:
            row = dataclasses.replace(row, holder_name=store.holder_names(conn, [row.id]).get(row.id))
    said = f"，前面还有 {ahead} 人等候" if ahead is not None else ""
    return _view(row, ahead=ahead, message=f"已取号 {row.number}{said}")


def book_appointment(svc: Services, session: StaffSession, card_no: str, day: dt.date, slot_start: str,
                     slot_end: str, *, item_codes: str = "", after_hours: bool = False) -> int:
    """Record an appointment as given, without the booking rules and without taking a seat: for tests of
    check-in and calling. Booking is ``services.appointments.book`` (hours, capacity, card checks)."""
    session.require("book_appointment")
    with svc.db.write() as conn:
        holder_id = case_store.holder_id(conn, card_no)
        if holder_id is None:
            raise QueueError(f"卡号 {card_no} 不在人才名册中")
        appointment_id = store.insert_appointment(conn, holder_id=holder_id, day=day, slot_start=slot_start,
                                                  slot_end=slot_end, created_at=svc.now(), item_codes=item_codes,
                                                  after_hours=after_hours)
        events.append(conn, EventKind.APPOINTMENT_BOOKED, svc.now(), staff_id=session.staff_id, card_no=card_no,
                      appointment_id=appointment_id,
                      day=day.isoformat(), slot=f"{slot_start}-{slot_end}")
    return appointment_id


def check_in(svc: Services, session: StaffSession, appointment_id: int, *,
             verify: Callable[[AppointmentRow | None], None] | None = None) -> TicketView:
    """The visitor with an appointment has arrived: an appointment ticket (B003) joins the queue.

    Up to ``[appointments] check_in_late_minutes`` after its start the ticket is an appointment one,
    called first when due (S6); an arrival before ``check_in_early_minutes`` is told it waits behind
    the walk-ins until then. Later, a walk-in ticket, and the message says why. Either way the
    appointment is checked in (the visitor came, so it is not missed) and its seat stays taken.

    ``verify`` sees the appointment row (None when there is none) locked, in the check-in's own write
    transaction, and raises to refuse: a scanned slip is checked against the appointment as it is when it
    is checked in, never as it was a moment before (a reschedule or cancel from another terminal waits)."""
    session.require("issue_ticket")
    a = svc.settings.appointments
    with svc.db.write() as conn:
        # Locked until commit (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds every
        # writer off): what is checked below is what is checked in.
        appt = appointment_store.get_for_update(conn, appointment_id)
        if verify is not None:
            verify(appt)  # raising rolls back: nothing is written
        if appt is None or appt.day != svc.today():
            raise QueueError("该预约不是今天的，或不存在")
        if appt.status == AppointmentStatus.CHECKED_IN:
            raise QueueError("该预约已签到，不能重复签到")
        if appt.status == AppointmentStatus.CANCELLED:
            raise QueueError("该预约已取消，不能签到：请重新预约，或现场取号")
        if appt.status != AppointmentStatus.BOOKED:
            raise QueueError(f"该预约已失约（{appt.slot_start}–{appt.slot_end} 未签到），不能签到：请现场取号")
        late, why = outside_window(appt.day, appt.slot_start, svc.now().astimezone(svc.settings.hall.tz),
                             a.check_in_early_minutes, a.check_in_late_minutes)
        kind = TicketKind.WALKIN if late else TicketKind.APPOINTMENT
        row = _issue(svc, conn, kind=kind, holder_id=appt.holder_id,
                     staff_id=session.staff_id, card_no=appt.card_no,
                     appointment_id=appt.id, slot=f"{appt.slot_start}-{appt.slot_end}")
        if not store.check_in_appointment(conn, appt.id, row.id, svc.now()):
            raise QueueError("该预约刚刚已在其他终端签到")  # rolls the ticket (and its number) back
        events.append(conn, EventKind.APPOINTMENT_CHECKED_IN, svc.now(), staff_id=session.staff_id,
                      ticket_id=row.id, card_no=appt.card_no, appointment_id=appt.id, number=row.number,
                      in_window=not why, outside=why)
        issued = store.get(conn, row.id)
        assert issued is not None
        ahead = store.waiting_before(conn, issued.day, issued.id)
    # The appointment's number (000008, on the slip) and the queue ticket's (B003, called out) are two numbers.
    number = appointment_no(appt.id)
    if late:
        said = f"{why}，不能按预约优先：已改取现场号 {issued.number}（预约 {number}），按现场顺序叫号"
    else:
        done = f"已签到（预约 {number}），排队号 {issued.number}"
        said = f"{why}。{done}" if why else done
    return _view(issued, ahead=ahead, message=said)


def check_in_card(svc: Services, session: StaffSession, card_no: str) -> TicketView | None:
    """A card scanned on arrival: today's booked appointment of its holder is checked in (``check_in``);
    None when the holder has none today. With several, the first whose window is open, else the next
    one to come, else the earliest."""
    session.require("issue_ticket")
    with svc.db.read() as conn:
        booked = appointment_store.booked_today_of_card(conn, card_no, svc.today())
    if not booked:
        return None
    a = svc.settings.appointments
    now = svc.now().astimezone(svc.settings.hall.tz)
    timing = [(outside_window(r.day, r.slot_start, now, a.check_in_early_minutes, a.check_in_late_minutes), r)
              for r in booked]
    chosen = next((r for (late, why), r in timing if not late and not why),
                  next((r for (late, _), r in timing if not late), booked[0]))
    return check_in(svc, session, chosen.id)


# --- the counter ---------------------------------------------------------------------------------


def _require_free(svc: Services, conn: Connection, counter: CounterRow) -> None:
    busy = store.called_at_counter(conn, svc.today(), counter.code)
    if busy is not None:
        raise QueueError(f"{counter.name}还在接待 {busy.number} 号：请先办结、过号、暂挂或转移，再叫下一位")


def _call(svc: Services, conn: Connection, session: StaffSession, counter: CounterRow, row: TicketRow) -> bool:
    now = svc.now()
    values: dict[str, object] = {"status": TicketStatus.CALLED.value, "counter_code": counter.code,
                                 "recalls": 0, "returned_at": None, "for_counter": None}
    if row.called_at is None:
        values["called_at"] = now
    if not store.transition(conn, row.id, TicketStatus.WAITING.value, **values):
        return False
    events.append(conn, EventKind.TICKET_CALLED, now, staff_id=session.staff_id, ticket_id=row.id, number=row.number,
                  counter=counter.code, place=counter.name, ticket_kind=row.kind,
                  waited_s=seconds_between(row.issued_at, now))
    return True


def call_next(svc: Services, session: StaffSession, counter_code: str) -> TicketView:
    """Call the first ticket in this counter's order; QueueError when nobody waits."""
    session.require("call_ticket")
    with svc.db.write() as conn:
        counter = _counter(conn, counter_code)
        _require_free(svc, conn, counter)
        ordered = _ordered(svc, conn, counter.code)
        if not ordered:
            raise QueueError("暂无等候的号")
        # Other counters may be calling the first ones this very moment: take the first nobody holds.
        for row in ordered[:CALL_ATTEMPTS]:
            if store.claim_waiting(conn, row.id) and _call(svc, conn, session, counter, row):
                called = store.get(conn, row.id)
                assert called is not None
                return _view(called, message=f"请 {called.number} 号到{counter.name}")
        if len(ordered) <= CALL_ATTEMPTS:  # the other counters took every one of them this very moment
            raise QueueError("暂无等候的号")
    raise QueueError("其他窗口同时在叫号，请再按一次")


def call_ticket(svc: Services, session: StaffSession, counter_code: str, ticket_id: int) -> TicketView:
    """Call a chosen ticket out of order (the screen asks for confirmation first)."""
    session.require("call_ticket")
    with svc.db.write() as conn:
        counter = _counter(conn, counter_code)
        row = store.get(conn, ticket_id)
        if row is None or row.day != svc.today():
            raise QueueError("没有这个号（只能叫今天的号）")
        check_action(Action.CALL, row.number, row.status)  # one transferred to another counter too: staff chose it
        _require_free(svc, conn, counter)
        if not _call(svc, conn, session, counter, row):
            raise QueueError(f"{row.number} 号刚刚被其他窗口叫走")
        called = store.get(conn, row.id)
    assert called is not None
    return _view(called, message=f"请 {called.number} 号到{counter.name}")


def _mine(svc: Services, conn: Connection, action: Action, counter_code: str, ticket_id: int) -> TicketRow:
    row = store.get(conn, ticket_id)
    if row is None:
        raise QueueError("没有这个号")
    check_action(action, row.number, row.status, called_here=row.counter_code == counter_code)
    return row


def recall(svc: Services, session: StaffSession, counter_code: str, ticket_id: int, *,
           no_show_at_limit: bool = False) -> TicketView:
    """Announce the ticket again; past the recall limit it becomes 过号 (no-show), but only when the
    caller says staff agreed (``no_show_at_limit``): otherwise a QueueError, and nothing changes."""
    session.require("call_ticket")
    with svc.db.write() as conn:
        counter = _counter(conn, counter_code)
        row = _mine(svc, conn, Action.RECALL, counter.code, ticket_id)
        decision = decide_recall(row.number, row.recalls, svc.settings.queue.recall_limit)
        now = svc.now()
        if decision.no_show and not no_show_at_limit:
            # The screen asks first; a second R pressed before its board caught up must not 过号 silently.
            raise QueueError(f"{row.number} 号已重呼 {row.recalls} 次：要按过号处理，请再按 R 并确认")
        if decision.no_show:
            _end(conn, row, TicketStatus.NO_SHOW, now)
            events.append(conn, EventKind.TICKET_NO_SHOW, now, staff_id=session.staff_id, ticket_id=row.id,
                          number=row.number, counter=counter.code, recalls=row.recalls, reason="recall_limit")
        else:
            store.transition(conn, row.id, TicketStatus.CALLED.value, recalls=decision.recalls)
            events.append(conn, EventKind.TICKET_RECALLED, now, staff_id=session.staff_id, ticket_id=row.id,
                          number=row.number, counter=counter.code, place=counter.name, recalls=decision.recalls)
        after = store.get(conn, row.id)
    assert after is not None
    return _view(after, message=decision.message)


def _end(conn: Connection, row: TicketRow, status: TicketStatus, now: dt.datetime) -> None:
    if not store.transition(conn, row.id, TicketStatus.CALLED.value, status=status.value, finished_at=now):
        raise QueueError(f"{row.number} 号的状态刚刚已被其他终端改变，请刷新")


def no_show(svc: Services, session: StaffSession, counter_code: str, ticket_id: int) -> TicketView:
    """过号: the visitor did not come; they must take a new ticket."""
    session.require("call_ticket")
    with svc.db.write() as conn:
        row = _mine(svc, conn, Action.NO_SHOW, counter_code, ticket_id)
        _end(conn, row, TicketStatus.NO_SHOW, svc.now())
        events.append(conn, EventKind.TICKET_NO_SHOW, svc.now(), staff_id=session.staff_id, ticket_id=row.id,
                      number=row.number, counter=counter_code, recalls=row.recalls, reason="staff")
        after = store.get(conn, row.id)
    assert after is not None
    return _view(after, message=f"{row.number} 号已过号")


def finish(svc: Services, session: StaffSession, counter_code: str, ticket_id: int) -> TicketView:
    session.require("call_ticket")
    with svc.db.write() as conn:
        row = _mine(svc, conn, Action.FINISH, counter_code, ticket_id)
        now = svc.now()
        _end(conn, row, TicketStatus.FINISHED, now)
        served = seconds_between(row.called_at, now) if row.called_at else None
        events.append(conn, EventKind.TICKET_FINISHED, now, staff_id=session.staff_id, ticket_id=row.id,
                      number=row.number, counter=counter_code, served_s=served)
        after = store.get(conn, row.id)
    assert after is not None
    return _view(after, message=f"{row.number} 号已办结")


def hold(svc: Services, session: StaffSession, counter_code: str, ticket_id: int) -> TicketView:
    """暂挂: the visitor goes to fetch papers; back, they go to the front (``return_to_queue``)."""
    session.require("call_ticket")
    with svc.db.write() as conn:
        row = _mine(svc, conn, Action.HOLD, counter_code, ticket_id)
        if not store.transition(conn, row.id, TicketStatus.CALLED.value, status=TicketStatus.HELD.value):
            raise QueueError(f"{row.number} 号的状态刚刚已被其他终端改变，请刷新")
        events.append(conn, EventKind.TICKET_HELD, svc.now(), staff_id=session.staff_id, ticket_id=row.id,
                      number=row.number, counter=counter_code)
        after = store.get(conn, row.id)
    assert after is not None
    return _view(after, message=f"{row.number} 号已暂挂；补齐材料回来后按“回到队首”")


def return_to_queue(svc: Services, session: StaffSession, counter_code: str, ticket_id: int) -> TicketView:
    """The held visitor is back: the ticket goes to the front of the queue (whichever counter is free first)."""
    session.require("call_ticket")
    with svc.db.write() as conn:
        row = _mine(svc, conn, Action.RETURN, counter_code, ticket_id)
        now = svc.now()
        if not store.transition(conn, row.id, TicketStatus.HELD.value, status=TicketStatus.WAITING.value,
                                returned_at=now, for_counter=None, recalls=0):
            raise QueueError(f"{row.number} 号的状态刚刚已被其他终端改变，请刷新")
        events.append(conn, EventKind.TICKET_RETURNED, now, staff_id=session.staff_id, ticket_id=row.id,
                      number=row.number, counter=row.counter_code)
        after = store.get(conn, row.id)
    assert after is not None
    return _view(after, message=f"{row.number} 号已回到队首，下一次叫号即叫到")


def _seat_case(svc: Services, conn: Connection, session: StaffSession, row: TicketRow, lounge_code: str,
               place: str) -> None:
    """A visitor sent to a lounge sits there: the seat is their case's (seats are counted from cases,
    S9), moved there as F7 does, in the transfer's transaction. Without a case there is no seat to
    take, so the transfer is refused and says how to get one (S4: the card holder's case first)."""
    if not row.card_no:
        raise QueueError(f"{row.number} 号取号时没有扫描钢都英才卡，转到洽谈室须有办件占座：请按 Esc 回前台"
                         "扫描持卡人的卡，按 F3 开办件后再转移；或转给协调员")
    open_cases = find_case_views(conn, card_no=row.card_no, statuses=[s.value for s in ACTIVE_STATUSES])
    if not open_cases:
        raise QueueError(f"{row.holder_name or '持卡人'}没有在办的办件，转到洽谈室须有办件占座：请先按 O 打开持卡人，"
                         "按 F3 开办件，再回来转移")
    case = open_cases[-1]  # the newest, as the desk's keys act on after a scan
    if case.lounge_code == lounge_code and case.status in [s.value for s in VISIT_STATUSES]:
        return  # already seated there: the visitor just goes back to their seat
    if case.coordinator is None:
        raise QueueError(f"办件 {case.case_no} 还没有协调员：请按 O 打开持卡人，按 F7 改派时同时选择{place}和协调员")
    try:
        move_case(svc, conn, session.staff_id, case, lounge_code=lounge_code, coordinator_id=None,
                  reason=f"叫号窗口转移 {row.number} 号到{place}")
    except CaseInputError as exc:
        raise QueueError(str(exc)) from None


def transfer(svc: Services, session: StaffSession, counter_code: str, ticket_id: int, target: Target) -> TicketView:
    """Hand the visitor on: to another counter (front of its queue), a lounge or a coordinator (S9)."""
    session.require("call_ticket")
    check_transfer(target, counter_code)
    with svc.db.write() as conn:
        row = _mine(svc, conn, Action.TRANSFER, counter_code, ticket_id)
        now = svc.now()
        announce = True
        if target.kind is TargetKind.COUNTER:
            other = _counter(conn, target.code)
            if other.kind != "green":  # only green-channel counters call tickets: it would wait for ever
                raise QueueError(f"{other.name}不叫号，只能转到绿色通道窗口")
            place = other.name
            announce = False  # the other counter calls the visitor itself, first in its queue
            ok = store.transition(conn, row.id, TicketStatus.CALLED.value, status=TicketStatus.WAITING.value,
                                  returned_at=now, for_counter=other.code, recalls=0)
        elif target.kind is TargetKind.LOUNGE:
            room = store.lounge(conn, target.code)
            if room is None:
                raise QueueError(f"洽谈室 {target.code} 不存在或已停用")
            place = lounge_place(room[1], room[0])
            # Seats are held by the cases routed there (S4): a full room cannot take one more visitor.
            load = next(x for x in case_store.lounge_loads(conn) if x.code == target.code)
            if load.free <= 0:
                raise QueueError(f"{place}已满（{load.capacity} 个座位都有人），请选择其他洽谈室或转给协调员")
            ok = store.transition(conn, row.id, TicketStatus.CALLED.value, status=TicketStatus.TRANSFERRED.value,
                                  finished_at=now)
            if ok:
                _seat_case(svc, conn, session, row, target.code, place)
        else:
            person = store.coordinator(conn, target.code)
            if person is None:
                raise QueueError(f"协调员 {target.code} 不存在或已停用")
            place = f"{person[1]}（{person[0]}）"
            ok = store.transition(conn, row.id, TicketStatus.CALLED.value, status=TicketStatus.TRANSFERRED.value,
                                  finished_at=now)
        if not ok:
            raise QueueError(f"{row.number} 号的状态刚刚已被其他终端改变，请刷新")
        events.append(conn, EventKind.TICKET_TRANSFERRED, now, staff_id=session.staff_id, ticket_id=row.id,
                      number=row.number, counter=counter_code, target_kind=target.kind.value,
                      target=target.code, place=place, announce=announce)
        after = store.get(conn, row.id)
    assert after is not None
    return _view(after, message=f"{row.number} 号已转移到{place}")
