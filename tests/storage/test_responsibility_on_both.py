"""The responsibility list (责任清单, S10) on SQLite and PostgreSQL, from a small hall built by the real use
cases (tests/services/duties_flow.py): who holds each open case, item, 容缺 supplement, proxy task and 差评
follow-up, late or unheld first, lateness in working days; holders masked; the report's table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from hallterm.domain.responsibility import DutyKind
from hallterm.services.context import Services
from hallterm.services.responsibility import as_table, check_filters, duty_sections, responsibility_list
from tests.services.duties_flow import build_small_hall

K = DutyKind


def test_who_holds_what_late_or_unheld_first_on_both_databases(
    any_hall: Services, clock: list[dt.datetime], cards_for: Callable[[Services], str]
) -> None:
    hall = build_small_hall(any_hall, clock, cards_for(any_hall))
    duties = responsibility_list(any_hall)
    got = [(d.kind, d.case_no, d.person_id, d.due_on, d.state) for d in duties]
    a, c = hall.coordinator_a, hall.coordinator_c
    b_and_d = [(d.kind, d.case_no) for d in duties[6:]]
    assert got[:6] == [
        # late first: the call-back due Friday 27 November, 3 working days late on Wednesday 2 December
        (K.FOLLOW_UP, hall.c, c, dt.date(2026, 11, 27), "逾期3个工作日"),
        # case A and its 容缺 item, due Tuesday 1 December (3 working days, S6), supplements too (S7)
        (K.CASE, hall.a, a, dt.date(2026, 12, 1), "逾期1个工作日"),
        (K.ITEM, hall.a, a, dt.date(2026, 12, 1), "逾期1个工作日"),
        (K.SUPPLEMENT, hall.a, a, dt.date(2026, 12, 1), "逾期1个工作日"),
        # nobody holds the water task of case D (no 帮办代办 on duty that evening): a finding, with the late
        (K.PROXY, hall.d, None, dt.date(2026, 12, 3), "未指定责任人，剩1个工作日"),
        # then what is on time: the putting-right, 15 working days after the rating
        (K.FOLLOW_UP, hall.c, c, dt.date(2026, 12, 17), "剩11个工作日"),
    ]
    assert b_and_d == [(K.CASE, hall.b), (K.ITEM, hall.b), (K.CASE, hall.d), (K.ITEM, hall.d)]
    assert all(d.due_on is None and d.state == "在办" for d in duties[6:])
    assert hall.c not in {d.case_no for d in duties if d.kind in (K.CASE, K.ITEM)}  # handed out and closed

    item = duties[2]
    assert (item.what, item.section, item.person_section) == ("公司设立登记（容缺受理）", "企业登记科", "业务协调科")
    assert duties[4].section == "政务服务中心帮办代办部" and duties[4].person == "未指定责任人"
    assert {d.holder for d in duties} == {"王*"}  # masked everywhere; no phone, no ID number anywhere
    flat = repr(duties)
    assert "王喆" not in flat and "13812345678" not in flat and "210302" not in flat

    # Filters: a section (as the approving department or as the holder's section), one person.
    assert {d.kind for d in responsibility_list(any_hall, section="企业登记科")} == {K.ITEM, K.SUPPLEMENT}
    assert [d.kind for d in responsibility_list(any_hall, section="政务服务中心帮办代办部")] == [K.PROXY]
    assert {d.person_id for d in responsibility_list(any_hall, person=a.lower())} == {a}

    table = as_table(duties)
    assert (table.key, table.title) == ("responsibility", "责任清单")
    first = table.as_dicts()[0]
    assert first["state"] == "逾期3个工作日" and first["late_days"] == 3 and first["case_no"] == hall.c
    assert table.as_dicts()[4]["person"] == "未指定责任人" and table.as_dicts()[4]["person_id"] == ""

    # Every section the list names can be filtered on, the catalog's approving departments too (市政公用审批科
    # has no staff on the roster: it was refused while the list showed it as a 责任部门).
    offered = duty_sections(any_hall)
    named = {d.section for d in duties} | {d.person_section for d in duties}
    assert named - {""} <= set(offered)
    assert {"市政公用审批科", "生态环境审批科", "企业登记科", "业务协调科"} <= set(offered)
    for section in offered:
        check_filters(any_hall, section, None)  # none refused
    assert responsibility_list(any_hall, section="市政公用审批科") == ()  # accepted, and nothing of theirs open
