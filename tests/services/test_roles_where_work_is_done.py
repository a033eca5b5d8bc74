"""Issue 16 point 9: roles are checked where the work is done. Every use case that changes something
takes the signed-in session as a required argument and checks its role; callers that are not a person
act as a system actor with only the rights they need, recorded as such."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from hallterm.domain.auth import AuthError
from hallterm.services import appointments, cases, check_in, print_jobs, printables, queue, responsibility
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in, system_session
from hallterm.storage.tables import events
from tests.conftest import TODAY

USE_CASES: list[Callable[..., Any]] = [queue.issue_walkin, queue.check_in, queue.check_in_card,
                                       queue.book_appointment, cases.route_queued, check_in.check_scan,
                                       check_in.check_slip, print_jobs.print_slip, print_jobs.print_notice,
                                       print_jobs.print_handover, print_jobs.print_minutes, print_jobs.print_sheet,
                                       print_jobs.reprint, printables.print_printable, printables.print_appointment,
                                       printables.print_handover_list, responsibility.print_list,
                                       appointments.book, appointments.reschedule, appointments.cancel,
                                       appointments.mark_missed]


@pytest.mark.parametrize("use_case", USE_CASES, ids=lambda f: f.__name__)
def test_the_session_is_a_required_argument(use_case: Callable[..., Any]) -> None:
    param = inspect.signature(use_case).parameters["session"]
    assert param.default is inspect.Parameter.empty, f"{use_case.__name__} runs without a session"
    assert "None" not in str(param.annotation), f"{use_case.__name__} accepts None for the session"


def _signed_in(svc: Services, staff_id: str) -> StaffSession:
    set_pin(svc, staff_id, "8642")
    return sign_in(svc, staff_id, "8642")


def test_each_queue_use_case_refuses_a_role_without_the_right(loaded: Services, cards: dict[str, str],
                                                                desk_session: StaffSession) -> None:
    proxy = _signed_in(loaded, "S1201")  # 帮办代办: no tickets, no bookings, no routing
    with pytest.raises(AuthError, match="帮办代办无权取号"):
        queue.issue_walkin(loaded, proxy)
    with pytest.raises(AuthError, match="帮办代办无权预约"):
        queue.book_appointment(loaded, proxy, cards["valid"], TODAY, "10:00", "10:30")
    booked = queue.book_appointment(loaded, desk_session, cards["valid"], TODAY, "10:00", "10:30")
    with pytest.raises(AuthError, match="帮办代办无权取号"):
        queue.check_in(loaded, proxy, booked)
    with pytest.raises(AuthError, match="帮办代办无权取号"):
        queue.check_in_card(loaded, proxy, cards["valid"])
    with pytest.raises(AuthError, match="帮办代办无权改派"):
        cases.route_queued(loaded, proxy)
    # Nothing was issued by the refused calls: the desk's check-in is the first ticket of the day.
    assert queue.check_in(loaded, desk_session, booked).number == "B001"


def test_a_system_actor_has_only_its_rights_and_is_recorded_as_the_system(loaded: Services) -> None:
    bench = system_session("bench", "性能测试", "issue_ticket")
    ticket = queue.issue_walkin(loaded, bench, count_ahead=False)
    with pytest.raises(AuthError, match="系统任务“性能测试”无权改派"):
        cases.route_queued(loaded, bench)
    with pytest.raises(AuthError, match="无权叫号"):
        queue.call_next(loaded, bench, "G1")
    with loaded.db.read() as conn:
        who = conn.execute(select(events.c.staff_id).where(events.c.ticket_id == ticket.id)).scalars().all()
    assert who == ["system:bench"]
    with pytest.raises(ValueError, match="unknown actions"):
        system_session("sweep", "夜间巡检", "everything")


def test_printing_and_reprinting_need_a_session_with_the_right(loaded: Services,
                                                               desk_session: StaffSession) -> None:
    ticket = queue.issue_walkin(loaded, desk_session, count_ahead=False)
    printable = printables.printable_ticket(loaded, ticket)
    sweeper = system_session("sweep", "夜间巡检", "issue_ticket")  # not granted printing
    with pytest.raises(AuthError, match="系统任务“夜间巡检”无权打印"):
        printables.print_printable(loaded, printable, session=sweeper)
    printed = printables.print_printable(loaded, printable, session=desk_session)
    with pytest.raises(AuthError, match="无权补打"):
        print_jobs.reprint(loaded, printed.slip_id, session=sweeper)
    again = print_jobs.reprint(loaded, printed.slip_id, session=desk_session)
    assert again.slip_id == printed.slip_id
    with loaded.db.read() as conn:
        who = conn.execute(select(events.c.staff_id).where(events.c.kind.like("slip_%"))).scalars().all()
    assert who == ["S1401", "S1401"]  # the refused attempts printed and recorded nothing


def test_a_coordinator_acts_only_on_their_own_cases_until_a_supervisor_reassigns(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession) -> None:
    from hallterm.domain.cases import CaseInputError
    from tests.services.test_open_and_route import draft

    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.coordinator is not None and view.status == "waiting"
    owner = view.coordinator.staff_id
    other_id = next(s for s in ("S1001", "S1002", "S1003") if s != owner)
    other = _signed_in(loaded, other_id)
    refused = f"办件 {view.case_no} 由.*负责，您不能标记已接待：如需接手，请督查人员先改派给您"
    with pytest.raises(AuthError, match=refused):
        cases.mark_met(loaded, other, view.id)
    with pytest.raises(AuthError, match="您不能改派"):
        cases.reassign(loaded, other, view.id, coordinator_id=other_id, reason="我来接")
    assert cases.get_case(loaded, view.id).status == "waiting"  # type: ignore[union-attr]
    # A supervisor reassigns it; now it is theirs to meet, and the first coordinator's no longer.
    supervisor = _signed_in(loaded, "S1601")
    cases.reassign(loaded, supervisor, view.id, coordinator_id=other_id, reason="原协调员外出")
    with pytest.raises(AuthError, match="您不能标记已接待"):
        cases.mark_met(loaded, _signed_in(loaded, owner), view.id)
    assert cases.mark_met(loaded, other, view.id).status == "met"
    with pytest.raises(CaseInputError, match="只有在洽谈室等候中"):
        cases.mark_met(loaded, other, view.id)


def test_the_missed_sweep_and_the_command_line_act_as_system_actors(loaded: Services, cards: dict[str, str],
                                                                     clock: list) -> None:
    import datetime as dt

    from hallterm.services.appointment_sweep import SWEEPER, sweep_missed
    from hallterm.services.staff import command_line_session
    from hallterm.services.who import os_user

    clerk = command_line_session("book_appointment")
    booked = appointments.book(loaded, clerk, cards["valid"], TODAY, "10:30")
    clock[0] += dt.timedelta(hours=8)  # long past the slot and its grace
    assert sweep_missed(loaded).missed == (booked.number,)
    with loaded.db.read() as conn:
        rows = conn.execute(select(events.c.kind, events.c.staff_id)
                            .where(events.c.kind.in_(["appointment_booked", "appointment_missed"]))
                            .order_by(events.c.id)).all()
    assert [tuple(r) for r in rows] == [("appointment_booked", f"system:cli:{os_user()}"[:32]),
                                        ("appointment_missed", "system:sweep")]
    with pytest.raises(AuthError, match="系统任务“失约巡检”无权取号"):
        queue.issue_walkin(loaded, SWEEPER)
