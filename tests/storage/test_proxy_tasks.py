"""Proxy tasks of a 全程代办 case (issue 13 point 3, S3) through the services, on SQLite and PostgreSQL:
suggested kinds, adding, moving on, notes, reassigning, the proxy's own list with what is late, the
refusals, and one event per step."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.auth import AuthError
from hallterm.domain.events import EventKind
from hallterm.domain.proxy_tasks import ProxyTaskError, ProxyTaskKind, ProxyTaskState
from hallterm.services import cases
from hallterm.services import proxy_tasks as proxy
from hallterm.services.context import Services
from hallterm.storage import events
from tests.services.test_open_and_route import draft, session_for

K, S = ProxyTaskKind, ProxyTaskState
TUESDAY_DEC_8 = dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC)  # 10:00 in the hall


def test_a_full_proxy_case_gets_its_tasks_moved_on_noted_and_reassigned(
    any_hall: Services, clock: list[dt.datetime], cards_for
) -> None:
    desk = session_for(any_hall, "S1401")
    card = cards_for(any_hall)
    case = cases.open_case(any_hall, desk, draft(card, full_proxy=True, item_codes=("QY-GSSL", "DB-SDQBZ")))
    assert case.proxy is not None
    owner_id = case.proxy.staff_id

    offer = proxy.suggest_tasks(any_hall, desk, case.id)
    assert offer.suggested == (K.MARKET_ACCESS, K.WATER, K.POWER, K.GAS)
    assert offer.existing == {} and offer.owner_name == case.proxy.name and offer.days[K.HEATING] == 10
    with any_hall.db.read() as conn:  # a suggestion creates nothing
        assert not events.recent(conn, kind=EventKind.PROXY_TASK_ADDED)

    added = proxy.add_tasks(any_hall, desk, case.id, [K.HEATING, K.MARKET_ACCESS, K.POWER],
                            suggested=offer.suggested)
    assert [t.kind for t in added] == [K.MARKET_ACCESS, K.POWER, K.HEATING]
    assert {t.owner_id for t in added} == {owner_id} and {t.state for t in added} == {S.PENDING}
    # Thursday 26 November: 5 working days → Thursday 3 December; heating's 10 → Thursday 10 December.
    assert [t.due_on for t in added] == [dt.date(2026, 12, 3), dt.date(2026, 12, 3), dt.date(2026, 12, 10)]
    with pytest.raises(ProxyTaskError, match="本办件已有代办任务：供电报装（待办）"):
        proxy.add_tasks(any_hall, desk, case.id, [K.POWER, K.GAS])

    proxy_session = session_for(any_hall, owner_id)
    power = added[1]
    with pytest.raises(ProxyTaskError, match="尚未开始办理，不能直接办结"):
        proxy.move_task(any_hall, proxy_session, power.id, S.DONE)
    assert proxy.move_task(any_hall, proxy_session, power.id).state is S.IN_PROGRESS
    noted = proxy.add_note(any_hall, proxy_session, power.id, "已向供电公司提交\x1b[2J申请")
    assert [(n.staff_id, n.text, n.at) for n in noted.notes] == [(owner_id, "已向供电公司提交[2J申请", clock[0])]
    done = proxy.move_task(any_hall, proxy_session, power.id)
    assert done.state is S.DONE and done.closed_on == dt.date(2026, 11, 26)
    with pytest.raises(ProxyTaskError, match="已办结，没有下一步"):
        proxy.move_task(any_hall, proxy_session, power.id)
    with pytest.raises(ProxyTaskError, match="须填写理由"):
        proxy.move_task(any_hall, proxy_session, added[2].id, S.CANCELLED, " ")
    cancelled = proxy.move_task(any_hall, proxy_session, added[2].id, S.CANCELLED, "厂房不需供热")
    assert cancelled.cancel_reason == "厂房不需供热" and not cancelled.is_open

    other = next(p for p in proxy.proxy_staff(any_hall) if p.staff_id != owner_id)
    with pytest.raises(ProxyTaskError, match="S1001 不是在职的帮办代办人员"):
        proxy.reassign_task(any_hall, desk, added[0].id, "S1001")  # a coordinator
    with pytest.raises(ProxyTaskError, match="无需改派"):
        proxy.reassign_task(any_hall, desk, added[0].id, owner_id)
    with pytest.raises(ProxyTaskError, match="已办结，不能改派"):
        proxy.reassign_task(any_hall, desk, power.id, other.staff_id)
    moved = proxy.reassign_task(any_hall, desk, added[0].id, other.staff_id.lower())
    assert moved.owner_id == other.staff_id and moved.owner_name == other.name

    with any_hall.db.read() as conn:
        logged = [(e.kind, e.staff_id, e.details.get("task_id")) for e in
                  reversed(events.recent(conn, case_id=case.id)) if e.kind.startswith("proxy_task")]
    assert logged == [
        (EventKind.PROXY_TASK_ADDED, "S1401", added[0].id), (EventKind.PROXY_TASK_ADDED, "S1401", power.id),
        (EventKind.PROXY_TASK_ADDED, "S1401", added[2].id), (EventKind.PROXY_TASK_MOVED, owner_id, power.id),
        (EventKind.PROXY_TASK_NOTE, owner_id, power.id), (EventKind.PROXY_TASK_MOVED, owner_id, power.id),
        (EventKind.PROXY_TASK_MOVED, owner_id, added[2].id), (EventKind.PROXY_TASK_REASSIGNED, "S1401", added[0].id),
    ]
    assert [t.state for t in proxy.tasks_of_case(any_hall, case.id)] == [S.PENDING, S.DONE, S.CANCELLED]


def test_the_proxys_own_list_shows_what_is_late_in_working_days(
    any_hall: Services, clock: list[dt.datetime], cards_for
) -> None:
    desk = session_for(any_hall, "S1401")
    card = cards_for(any_hall)
    case = cases.open_case(any_hall, desk, draft(card, full_proxy=True, item_codes=("QY-GSSL", "DB-SDQBZ")))
    assert case.proxy is not None
    proxy.add_tasks(any_hall, desk, case.id, [K.HEATING, K.WATER])
    clock[0] = TUESDAY_DEC_8  # water was due Thursday 3 December: Fri 4, Mon 7, Tue 8 → 3 working days late
    mine = proxy.task_list(any_hall, session_for(any_hall, case.proxy.staff_id))
    assert not mine.whole_hall and mine.late == 1
    assert [(t.kind, t.days_late, t.due_soon) for t in mine.tasks] == [(K.WATER, 3, False), (K.HEATING, 0, True)]
    someone_else = next(p for p in proxy.proxy_staff(any_hall) if p.staff_id != case.proxy.staff_id)
    assert proxy.task_list(any_hall, session_for(any_hall, someone_else.staff_id)).tasks == []
    everyone = proxy.task_list(any_hall, session_for(any_hall, "S1001"))  # a coordinator sees every proxy's
    assert everyone.whole_hall and len(everyone.tasks) == 2


def test_refusals_a_case_that_is_not_full_proxy_and_a_role_that_may_not(
    any_hall: Services, cards_for
) -> None:
    desk = session_for(any_hall, "S1401")
    card = cards_for(any_hall)
    plain = cases.open_case(any_hall, desk, draft(card))
    with pytest.raises(ProxyTaskError, match="不是全程代办"):
        proxy.add_tasks(any_hall, desk, plain.id, [K.MARKET_ACCESS])
    with pytest.raises(ProxyTaskError, match="办件不存在"):
        proxy.suggest_tasks(any_hall, desk, 999_999)
    with pytest.raises(ProxyTaskError, match="代办任务不存在"):
        proxy.move_task(any_hall, desk, 999_999)
    evening = session_for(any_hall, "S1501")  # after_hours
    with pytest.raises(AuthError, match="延时值班无权办理代办任务"):
        proxy.task_list(any_hall, evening)


def test_tasks_added_while_no_proxy_is_on_duty_go_to_the_one_assigned_later(
    any_hall: Services, clock: list[dt.datetime], cards_for
) -> None:
    desk = session_for(any_hall, "S1401")
    clock[0] = dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC)  # Thursday 19:00: the proxies have gone home
    case = cases.open_case(any_hall, desk, draft(cards_for(any_hall), full_proxy=True))
    assert case.proxy is None
    (task,) = proxy.add_tasks(any_hall, desk, case.id, [K.MARKET_ACCESS])
    assert task.owner_id is None
    assert [t.owner_name for t in proxy.task_list(any_hall, desk).tasks] == [None]  # listed as 未分派
    clock[0] = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # Friday 10:00
    assert cases.route_queued(any_hall, desk).proxies == 1
    after = cases.get_case(any_hall, case.id)
    assert after is not None and after.proxy is not None
    assert [t.owner_id for t in proxy.tasks_of_case(any_hall, case.id)] == [after.proxy.staff_id]
