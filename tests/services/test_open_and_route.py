"""Opening a case and routing it (S1, S2, S3, S4, S9): the use cases, on a real SQLite file."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select, update

from hallterm.domain.auth import AuthError
from hallterm.domain.cases import CaseDraft, CaseInputError, CaseStatus
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind, Handling
from hallterm.domain.service_mode import CaseFlags, ServiceMode
from hallterm.services import cases
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.storage.tables import cases as cases_table
from hallterm.storage.tables import events, lounges

EVENING = dt.datetime(2026, 11, 26, 13, 30, tzinfo=dt.UTC)  # 21:30 in Anshan: no coordinator on duty


def draft(card_no: str, **changes: object) -> CaseDraft:
    base = CaseDraft(
        card_no=card_no,
        kind=CaseKind.ENTERPRISE,
        item_codes=("QY-GSSL",),
        enterprise_kind=EnterpriseKind.FOREIGN,
        enterprise_name="鞍山喆玥科技有限公司",
    )
    return dataclasses.replace(base, **changes)


def session_for(svc: Services, staff_id: str) -> StaffSession:
    set_pin(svc, staff_id, "8642")
    return sign_in(svc, staff_id, "8642")


def event_kinds(svc: Services, case_id: int) -> list[str]:
    return [e.kind for e in cases.history(svc, case_id)]


def test_a_valid_card_is_routed_to_a_lounge_and_a_coordinator(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.case_no == "210300-20261126-0001"
    assert view.status == CaseStatus.WAITING.value
    assert view.lounge_floor == 2 and view.lounge_name and view.lounge_name.startswith("业务洽谈室")
    assert view.coordinator is not None and view.coordinator.extension
    assert view.first_contact is not None and view.first_contact.staff_id == "S1401"  # 首问负责
    assert view.service_mode == ServiceMode.PENDING.value  # nobody checked the papers: the checklist decides
    assert view.proxy is None
    assert event_kinds(loaded, view.id) == ["case_opened", "case_routed"]


def test_case_numbers_follow_each_other_and_restart_each_day(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    numbers = [cases.open_case(loaded, desk_session, draft(cards["valid"])).case_no for _ in range(3)]
    assert numbers == ["210300-20261126-0001", "210300-20261126-0002", "210300-20261126-0003"]
    clock[0] = dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC)  # 00:30 on the 27th in Anshan
    assert cases.open_case(loaded, desk_session, draft(cards["valid"])).case_no == "210300-20261127-0001"


def test_coordinators_with_fewer_cases_come_first_and_ties_go_in_turn(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    on_duty = [p.staff_id for p in cases.reassign_options(loaded).coordinators
               if p.on_duty and p.section == "业务协调科"]
    assert len(on_duty) >= 3
    opened = [cases.open_case(loaded, desk_session, draft(cards["valid"])) for _ in range(len(on_duty) + 1)]
    coordinators = [v.coordinator.staff_id for v in opened if v.coordinator]
    # Each coordinator on duty gets one case before anyone gets a second...
    assert sorted(coordinators[: len(on_duty)]) == sorted(on_duty)
    # ...and the tie then goes to whoever was assigned longest ago.
    assert coordinators[-1] == coordinators[0]


@pytest.mark.parametrize(
    ("flags", "complete", "mode", "section", "proxy"),
    [
        (CaseFlags(), True, ServiceMode.IMMEDIATE, "业务协调科", False),
        (CaseFlags(), False, ServiceMode.GUIDED, "企业登记科", False),  # S1: 企业登记科 guides
        (CaseFlags(urgent=True), True, ServiceMode.OVERTIME, "业务协调科", True),
        (CaseFlags(special=True), True, ServiceMode.FOCUSED, "业务协调科", True),
        (CaseFlags(major=True), False, ServiceMode.TRACKED, "业务协调科", True),
    ],
)
def test_every_service_mode_routes_as_the_policy_says(
    loaded: Services,
    desk_session: StaffSession,
    cards: dict[str, str],
    flags: CaseFlags,
    complete: bool,
    mode: ServiceMode,
    section: str,
    proxy: bool,
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"], flags=flags, materials_complete=complete))
    assert view.service_mode == mode.value
    coordinator = view.coordinator
    assert coordinator is not None
    people = {p.staff_id: p.section for p in cases.reassign_options(loaded).coordinators}
    assert people[coordinator.staff_id] == section
    assert (view.proxy is not None) is proxy


def test_full_proxy_on_request_gets_a_proxy_staff_member(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"], full_proxy=True))
    assert view.full_proxy and view.proxy is not None  # S3


def test_changing_the_suggested_mode_needs_a_reason_which_is_logged(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    with pytest.raises(CaseInputError, match="理由"):
        cases.open_case(loaded, desk_session, draft(cards["valid"], mode=ServiceMode.FOCUSED))
    view = cases.open_case(
        loaded, desk_session, draft(cards["valid"], mode=ServiceMode.FOCUSED, mode_reason="市重点招商项目")
    )
    assert view.service_mode == ServiceMode.FOCUSED.value
    changed = [e for e in cases.history(loaded, view.id) if e.kind == "service_mode_changed"]
    assert changed[0].details == {"suggested": "pending", "chosen": "focused", "reason": "市重点招商项目"}


def test_city_kinds_stay_with_the_city_bureau_others_go_to_the_district(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    for kind in (
        EnterpriseKind.CENTRAL_PROVINCIAL,
        EnterpriseKind.JOINT_STOCK,
        EnterpriseKind.FOREIGN,
        EnterpriseKind.REFINED_OIL,
        EnterpriseKind.NO_DIVISION,
    ):
        view = cases.open_case(loaded, desk_session, draft(cards["valid"], enterprise_kind=kind))
        assert (view.jurisdiction, view.district) == ("city", "")
    with pytest.raises(CaseInputError, match="县区"):
        cases.open_case(loaded, desk_session, draft(cards["valid"], enterprise_kind=EnterpriseKind.LIMITED))
    view = cases.open_case(
        loaded,
        desk_session,
        draft(cards["valid"], enterprise_kind=EnterpriseKind.LIMITED, district="海城市", handling=Handling.PROXY),
    )
    assert (view.jurisdiction, view.district, view.handling) == ("district", "海城市", "proxy")
    assert view.proxy is not None  # proxy service recorded and staffed (S2)


def test_an_item_fixed_at_the_city_overrides_the_enterprise_kind(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(
        loaded, desk_session, draft(cards["valid"], item_codes=("QY-FGSSL",), enterprise_kind=EnterpriseKind.LIMITED)
    )
    assert view.jurisdiction == "city"  # 分公司设立登记 is the city's whatever the kind (S2)


def test_a_failed_credit_code_warns_and_can_be_let_through_with_a_reason(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    early = "91350100M0001TGQXM"  # a real early pilot code that fails GB 32100's check
    with pytest.raises(CaseInputError, match="校验不通过"):
        cases.open_case(loaded, desk_session, draft(cards["valid"], uscc=early))
    view = cases.open_case(
        loaded, desk_session, draft(cards["valid"], uscc=early, uscc_override_reason="早期试点代码，已核营业执照")
    )
    assert view.uscc == early
    assert "uscc_override" in event_kinds(loaded, view.id)
    ok = cases.open_case(loaded, desk_session, draft(cards["valid"], uscc="91350100m000100y43"))
    assert ok.uscc == "91350100M000100Y43"


def test_refused_cards_need_a_supervisor_and_a_reason(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    with pytest.raises(CaseInputError, match="过期"):
        cases.open_case(loaded, desk_session, draft(cards["expired"]))
    with pytest.raises(AuthError):  # a desk clerk may not override, even with a reason
        cases.open_case(loaded, desk_session, draft(cards["expired"], card_override_reason="续期材料已交"))
    supervisor = session_for(loaded, "S1601")
    view = cases.open_case(loaded, supervisor, draft(cards["expired"], card_override_reason="续期材料已交"))
    override = [e for e in cases.history(loaded, view.id) if e.kind == "card_override"]
    assert override[0].details["reason"] == "续期材料已交" and override[0].staff_id == "S1601"


def test_roles_are_checked_by_the_services_not_only_the_screen(loaded: Services, cards: dict[str, str]) -> None:
    coordinator = session_for(loaded, "S1001")
    with pytest.raises(AuthError, match="无权开办件"):
        cases.open_case(loaded, coordinator, draft(cards["valid"]))


def test_full_lounges_make_visitors_wait_in_order(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    with loaded.db.write() as conn:
        conn.execute(update(lounges).values(capacity=0))
        conn.execute(update(lounges).where(lounges.c.code == "L1").values(capacity=1))
    first = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    second = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    third = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert first.status == "waiting" and first.lounge_code == "L1"
    assert (second.status, second.queue_position) == ("queued", 1)
    assert (third.status, third.queue_position) == ("queued", 2)
    assert "已满" in second.queue_reason
    coordinator = session_for(loaded, first.coordinator.staff_id if first.coordinator else "")
    cases.mark_met(loaded, coordinator, first.id)
    cases.end_visit(loaded, coordinator, first.id)  # the seat frees: the first in line takes it
    assert cases.get_case(loaded, second.id).status == "waiting"
    after = cases.get_case(loaded, third.id)
    assert (after.status, after.queue_position) == ("queued", 1)


def test_no_coordinator_on_duty_queues_the_visitor(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    clock[0] = EVENING
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.status == "queued" and view.coordinator is None
    assert view.queue_reason == "业务协调科协调员已下班，最早 11月27日 08:30 到岗；可请持卡人届时再来或预约"
    assert cases.route_queued(loaded, desk_session).routed == 0
    clock[0] = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # Friday 09:00: coordinators arrive, but
    # the visitor of last night went home: no seat for them (issue 11 point 7), a call-back instead.
    routing = cases.route_queued(loaded, desk_session)
    assert (routing.routed, routing.waiting) == (0, 0)
    assert [c.case_no for c in routing.left] == [view.case_no]
    assert cases.get_case(loaded, view.id).status == "in_progress"


def test_reassignment_needs_a_reason_and_is_logged(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    other = "L2" if view.lounge_code != "L2" else "L3"
    with pytest.raises(CaseInputError, match="理由"):
        cases.reassign(loaded, desk_session, view.id, lounge_code=other, reason=" ")
    moved = cases.reassign(
        loaded, desk_session, view.id, lounge_code=other, coordinator_id="S1005", reason="持卡人需要无障碍房间"
    )
    assert moved.lounge_code == other and moved.coordinator and moved.coordinator.staff_id == "S1005"
    logged = next(e for e in cases.history(loaded, view.id) if e.kind == "case_reassigned")
    assert logged.details["reason"] == "持卡人需要无障碍房间"
    assert logged.details["lounge_from"] == view.lounge_code and logged.details["lounge_to"] == other


def test_the_coordinator_sees_their_visitors_and_marks_them_met(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.coordinator is not None
    coordinator = session_for(loaded, view.coordinator.staff_id)
    board = cases.coordinator_board(loaded, coordinator)
    assert [c.id for c in board.waiting] == [view.id]
    clock[0] += dt.timedelta(minutes=7)
    met = cases.mark_met(loaded, coordinator, view.id)
    assert met.status == "met" and met.met_at == clock[0]
    logged = next(e for e in cases.history(loaded, view.id) if e.kind == "visitor_met")
    assert logged.details["waited_s"] == 7 * 60
    board = cases.coordinator_board(loaded, coordinator)
    assert board.waiting == [] and [c.id for c in board.open_cases] == [view.id]


def test_events_of_a_case_come_back_in_order_with_who_did_what(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    cases.reassign(
        loaded,
        desk_session,
        view.id,
        coordinator_id="S1004" if view.coordinator and view.coordinator.staff_id != "S1004" else "S1003",
        reason="原协调员外出",
    )
    history = cases.history(loaded, view.id)
    assert [e.kind for e in history] == ["case_opened", "case_routed", "case_reassigned"]
    assert all(e.staff_id == "S1401" for e in history)
    assert [e.id for e in history] == sorted(e.id for e in history)
    with loaded.db.read() as conn:
        assert conn.execute(select(events.c.id).where(events.c.case_id == view.id)).all()


def test_the_case_screens_get_carries_enums_not_codes(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    view = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert view.status is CaseStatus.WAITING and view.service_mode is ServiceMode.PENDING
    assert view.kind is CaseKind.ENTERPRISE and view.enterprise_kind is EnterpriseKind.FOREIGN
    assert isinstance(view.handling, Handling)
    # A demo database built before the mode's code was stored holds its Chinese name: still read.
    with loaded.db.write() as conn:
        conn.execute(update(cases_table).where(cases_table.c.id == view.id).values(service_mode="马上办",
                                                                                enterprise_kind=""))
    again = cases.get_case(loaded, view.id)
    assert again is not None and again.service_mode is ServiceMode.IMMEDIATE and again.enterprise_kind is None


def test_a_case_opened_on_the_demo_days_date_follows_the_demos_numbers(
        services: Services, clock: list[dt.datetime]) -> None:
    """The demo's past cases take their numbers from the day's counter: a desk whose clock shows that day
    (a demo built after midnight, a clock set back) gets the next number, not a clash with the demo's."""
    from hallterm.services.demo import DEMO_PIN, build_demo

    build_demo(services, days=1)
    clock[0] -= dt.timedelta(days=1)  # the demo's day of past activity
    session = sign_in(services, "S1401", DEMO_PIN)
    card = next(c for c in _valid_demo_cards(services))
    from hallterm.storage.tables import cases as case_table

    day = clock[0].astimezone(services.settings.hall.tz).date()
    with services.db.read() as conn:
        made = list(conn.execute(select(case_table.c.case_no).where(case_table.c.case_no.like(f"%-{day:%Y%m%d}-%")))
                    .scalars())
    assert made  # the demo's month (and its after-hours desk that evening) opened cases that day
    view = cases.open_case(services, session, draft(card))
    assert view.case_no == f"{made[0][:-4]}{len(made) + 1:04d}" and view.case_no not in made


def _valid_demo_cards(svc: Services) -> list[str]:
    from hallterm.storage.tables import card_holders

    with svc.db.read() as conn:
        return list(conn.execute(select(card_holders.c.card_no).where(card_holders.c.status == "active",
                                                                      card_holders.c.tier != "E")).scalars())


def test_an_item_only_the_proxy_service_files_gets_a_proxy_in_any_case(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    """S3: 水电气报装 is filed by 帮办代办 even beside a registration: the case is 全程代办 with a proxy,
    as the form said before F10."""
    view = cases.open_case(loaded, desk_session, draft(cards["valid"], item_codes=("QY-GSSL", "DB-SDQBZ")))
    assert view.full_proxy and view.proxy is not None
    opened_event = cases.history(loaded, view.id)[0]
    assert opened_event.details["full_proxy"] is True and opened_event.details["materials"] == "unchecked"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"enterprise_name": "91210300MA0XXXXX1Y"}, "企业名称栏填的是信用代码 91210300MA0XXXXX1Y"),
        ({"kind": CaseKind.STARTUP, "project_name": "91210300 MA0XXXXX1Y"}, "项目名称栏填的是信用代码"),
        # a name in the code field is refused even with a reason: no early code is Chinese
        ({"uscc": "鞍山喆玥科技有限公司", "uscc_override_reason": "早期代码"},
         "信用代码栏填的是“鞍山喆玥科技有限公司”"),
    ],
    ids=["code-as-name", "code-as-project", "name-as-code"],
)
def test_a_value_in_the_wrong_field_is_refused(
    loaded: Services, desk_session: StaffSession, cards: dict[str, str], changes: dict[str, object], says: str
) -> None:
    with pytest.raises(CaseInputError, match=says):
        cases.open_case(loaded, desk_session, draft(cards["valid"], **changes))
