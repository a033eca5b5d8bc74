"""Pure rules of the front desk: service modes (S1), jurisdiction (S2), routing (S9), shifts, PINs."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from hallterm.domain import auth
from hallterm.domain.cases import CaseDraft, case_number, check_draft
from hallterm.domain.jurisdiction import (
    CITY_KINDS,
    Bureau,
    EnterpriseKind,
    Handling,
    JurisdictionError,
    decide,
)
from hallterm.domain.routing import LoungeLoad, StaffLoad, coordinator_section, pick_lounge, pick_staff
from hallterm.domain.service_mode import CaseFlags, ServiceMode, needs_proxy, suggest
from hallterm.domain.shifts import on_duty, parse_window


@pytest.mark.parametrize(("urgent", "special", "major", "complete"),
                         itertools.product([False, True], [False, True], [False, True], [False, True, None]))
def test_service_mode_follows_the_policy_order(urgent: bool, special: bool, major: bool, complete: bool | None) -> None:
    mode = suggest(CaseFlags(urgent, special, major), complete)
    if urgent:
        assert mode is ServiceMode.OVERTIME
    elif special:
        assert mode is ServiceMode.FOCUSED
    elif major:
        assert mode is ServiceMode.TRACKED
    elif complete is None:
        assert mode is ServiceMode.PENDING  # nobody checked the papers: neither 马上办 nor 指导办 is claimed
    else:
        assert mode is (ServiceMode.IMMEDIATE if complete else ServiceMode.GUIDED)
    assert needs_proxy(mode, False) is (urgent or special or major)  # S1: these three get 帮办代办
    assert needs_proxy(mode, True)  # S3: 全程代办 on request


def test_flags_round_trip_through_their_codes() -> None:
    flags = CaseFlags(urgent=True, major=True)
    assert flags.codes() == "urgent,major"
    assert CaseFlags.from_codes(flags.codes()) == flags
    assert CaseFlags.from_codes("") == CaseFlags()


@pytest.mark.parametrize("kind", list(EnterpriseKind))
def test_jurisdiction_by_enterprise_kind(kind: EnterpriseKind) -> None:
    if kind in CITY_KINDS:
        assert decide(kind, ["enterprise_kind"]).bureau is Bureau.CITY
    else:
        with pytest.raises(JurisdictionError, match="县区"):
            decide(kind, ["enterprise_kind"])
        chosen = decide(kind, ["enterprise_kind"], "立山区", Handling.PROXY)
        assert (chosen.bureau, chosen.district, chosen.handling) == (Bureau.DISTRICT, "立山区", Handling.PROXY)
        assert chosen.describe() == "立山区行政审批局办理（帮办代办）"


def test_jurisdiction_refuses_unknown_districts_and_direct_handling_elsewhere() -> None:
    with pytest.raises(JurisdictionError, match="未知的县区"):
        decide(EnterpriseKind.LIMITED, ["enterprise_kind"], "朝阳区")
    with pytest.raises(JurisdictionError, match="协调办理"):
        decide(EnterpriseKind.LIMITED, ["enterprise_kind"], "铁西区", Handling.DIRECT)


def test_items_fixed_at_the_city_or_proxy_only_decide_for_themselves() -> None:
    assert decide(EnterpriseKind.LIMITED, ["city"]).bureau is Bureau.CITY
    utilities = decide(EnterpriseKind.LIMITED, ["proxy"])
    assert (utilities.bureau, utilities.handling) == (Bureau.CITY, Handling.PROXY)
    with pytest.raises(JurisdictionError):  # one county item among city ones still needs the district
        decide(EnterpriseKind.LIMITED, ["city", "enterprise_kind"])


def test_pick_lounge_spreads_visitors_and_returns_none_when_full() -> None:
    rooms = [
        LoungeLoad("L1", "业务洽谈室1", 2, 6, 5),
        LoungeLoad("L2", "业务洽谈室2", 2, 4, 1),
        LoungeLoad("L3", "业务洽谈室3", 2, 3, 0),
    ]
    assert pick_lounge(rooms).code == "L2"  # 3 free seats; L3 also has 3 but comes later by code
    assert pick_lounge([LoungeLoad("L1", "x", 2, 2, 2), LoungeLoad("L2", "y", 2, 0, 0)]) is None


def test_pick_staff_prefers_fewest_cases_then_longest_wait_and_skips_off_duty() -> None:
    t0 = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)
    people = [
        StaffLoad("S1", "甲", "业务协调科", "8001", 2, t0, True),
        StaffLoad("S2", "乙", "业务协调科", "8002", 1, t0 + dt.timedelta(minutes=5), True),
        StaffLoad("S3", "丙", "业务协调科", "8003", 1, t0, True),
        StaffLoad("S4", "丁", "业务协调科", "8004", 0, None, False),
    ]
    assert pick_staff(people).staff_id == "S3"
    assert pick_staff([p for p in people if not p.on_duty]) is None
    fresh = StaffLoad("S5", "戊", "业务协调科", "8005", 1, None, True)
    assert pick_staff([*people, fresh]).staff_id == "S5"  # never assigned: first in turn


def test_guided_enterprise_cases_go_to_the_registration_section() -> None:
    assert coordinator_section(ServiceMode.GUIDED, True) == "企业登记科"
    assert coordinator_section(ServiceMode.GUIDED, False) == "业务协调科"
    assert coordinator_section(ServiceMode.IMMEDIATE, True) == "业务协调科"


def test_shift_windows_cover_days_and_hours() -> None:
    weekday = parse_window("mon,tue,wed,thu,fri", "08:30", "17:00")
    thursday_morning = dt.datetime(2026, 11, 26, 10, 0)
    assert on_duty([weekday], thursday_morning)
    assert not on_duty([weekday], thursday_morning.replace(hour=8, minute=29))
    assert not on_duty([weekday], thursday_morning.replace(hour=17, minute=0))  # the end is exclusive
    assert not on_duty([weekday], dt.datetime(2026, 11, 28, 10, 0))  # Saturday
    assert on_duty([weekday, parse_window("sat", "08:30", "12:00")], dt.datetime(2026, 11, 28, 10, 0))


@pytest.mark.real_pin_cost
def test_pins_are_salted_scrypt_hashes() -> None:
    first, second = auth.hash_pin("2468"), auth.hash_pin("2468")
    assert first != second and first.startswith("scrypt$")  # a fresh salt each time
    assert first.split("$")[1:4] == ["16384", "8", "1"]  # the hall's cost (n, r, p), stored with the hash
    assert "2468" not in first
    assert auth.verify_pin("2468", first) and not auth.verify_pin("2469", first)
    assert not auth.verify_pin("2468", "garbage")
    for bad in ("123", "123456789", "12a4", "１２３４"):
        with pytest.raises(auth.AuthError):
            auth.hash_pin(bad)
    peppered = auth.hash_pin("2468", pepper=b"k" * 32)  # as the services hash (issue 16 point 5)
    assert peppered.split("$")[2:5] == ["16384", "8", "1"]
    assert auth.verify_pin("2468", peppered, b"k" * 32) and not auth.verify_pin("2468", peppered, b"j" * 32)


def test_lockout_after_the_configured_number_of_failures() -> None:
    now = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
    state = auth.Lockout(0, None)
    policy = auth.LockoutPolicy(5, 15, 60, 3)
    for _ in range(4):
        state = auth.after_failure(state.failures, now, policy)
        assert state.locked_until is None
    state = auth.after_failure(state.failures, now, policy)
    # issue 16 point 8: the count goes on (the next lock-out is longer), reset only by a sign-in or an unlock
    assert state.locked_until == now + dt.timedelta(minutes=15) and state.failures == 5 and state.number == 1


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("desk", "open_case", True),
        ("coordinator", "open_case", False),
        ("desk", "override_card", False),
        ("supervisor", "override_card", True),
        ("coordinator", "mark_met", True),
        ("desk", "mark_met", False),
        ("after_hours", "open_case", True),
    ],
)
def test_roles_decide_actions(role: str, action: str, allowed: bool) -> None:
    assert auth.allowed(role, action) is allowed
    if not allowed:
        with pytest.raises(auth.AuthError, match="无权"):
            auth.require(role, action)


def test_case_numbers_and_draft_checks() -> None:
    assert case_number("210300", dt.date(2026, 3, 7), 12) == "210300-20260307-0012"
    from hallterm.domain.jurisdiction import CaseKind

    empty = CaseDraft("GD2022A000178", CaseKind.STARTUP, ())
    problems = check_draft(empty, ServiceMode.IMMEDIATE)
    assert any("事项" in p for p in problems) and any("项目名称" in p for p in problems)


def test_the_checklist_settles_only_the_modes_the_materials_decide() -> None:
    from hallterm.domain.checklist import ItemStatus, materials_verdict
    from hallterm.domain.service_mode import follow_checklist

    accepted, conditional, open_ = ItemStatus.ACCEPTED, ItemStatus.CONDITIONAL, ItemStatus.RECEIVED
    assert materials_verdict([accepted, accepted]) is True
    assert materials_verdict([accepted, open_]) is None  # one item still undecided
    assert materials_verdict([open_, conditional]) is False  # 容缺 already says incomplete (S7)
    assert materials_verdict([ItemStatus.NOT_ACCEPTED]) is False
    assert follow_checklist(ServiceMode.PENDING, True) is ServiceMode.IMMEDIATE
    assert follow_checklist(ServiceMode.PENDING, False) is ServiceMode.GUIDED
    assert follow_checklist(ServiceMode.PENDING, None) is ServiceMode.PENDING
    assert follow_checklist(ServiceMode.IMMEDIATE, False) is ServiceMode.GUIDED  # the tick on the form was wrong
    assert follow_checklist(ServiceMode.GUIDED, True) is ServiceMode.GUIDED  # once guided, guided
    for flagged in (ServiceMode.OVERTIME, ServiceMode.FOCUSED, ServiceMode.TRACKED):
        assert follow_checklist(flagged, False) is flagged and follow_checklist(flagged, True) is flagged


def test_a_credit_code_is_told_from_a_name_by_its_shape() -> None:
    from hallterm.domain.ids import has_cjk, looks_like_uscc

    assert looks_like_uscc("91210300MA0QN6QJ4X") and looks_like_uscc(" 91210300 ma0qn6qj4x ")
    assert not looks_like_uscc("鞍钢集团有限公司") and not looks_like_uscc("91210300MA0QN6QJ4")  # 17 characters
    assert has_cjk("鞍钢集团") and not has_cjk("91210300MA0QN6QJ4X")
