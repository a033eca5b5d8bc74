"""Opening a case (drafts), who may do what (roles), and the identifiers' checksums at their edges."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hallterm.domain import auth
from hallterm.domain.cases import CaseDraft, check_draft
from hallterm.domain.ids import (
    birth_date,
    has_cjk,
    is_valid_resident_id,
    is_valid_uscc,
    looks_like_uscc,
    mask_id,
    mask_name,
    mask_phone,
    resident_id_check_char,
    uscc_check_char,
)
from hallterm.domain.jurisdiction import CaseKind
from hallterm.domain.service_mode import ServiceMode

TODAY = dt.date(2026, 11, 26)  # the hall's day, passed in as the services' clock gives it

CODE = "91210300MA0QN6QJ4" + uscc_check_char("91210300MA0QN6QJ4")
BAD_CODE = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")


def draft(**changes: object) -> CaseDraft:
    values: dict[str, object] = {"card_no": "GD2022A000178", "kind": CaseKind.ENTERPRISE, "item_codes": ("QY",),
                                 "enterprise_name": "鞍钢集团"}
    values.update(changes)
    return CaseDraft(**values)  # type: ignore[arg-type]


def test_a_complete_draft_has_no_problem() -> None:
    assert check_draft(draft(), ServiceMode.IMMEDIATE) == []
    startup = draft(kind=CaseKind.STARTUP, enterprise_name="", project_name="新材料")
    assert check_draft(startup, ServiceMode.IMMEDIATE) == []
    assert check_draft(draft(uscc=f" {CODE.lower()} "), ServiceMode.IMMEDIATE) == []
    assert check_draft(draft(mode=ServiceMode.IMMEDIATE), ServiceMode.IMMEDIATE) == []
    assert check_draft(draft(mode=ServiceMode.GUIDED, mode_reason="材料不全"), ServiceMode.IMMEDIATE) == []


@pytest.mark.parametrize(("changes", "problem"), [
    ({"item_codes": ()}, "请至少选择一个审批事项"),
    ({"enterprise_name": "  "}, "申办企业请填写企业名称"),
    ({"kind": CaseKind.STARTUP, "enterprise_name": "", "project_name": " "}, "创业项目请填写项目名称"),
    ({"enterprise_name": f" {CODE} "},
     f"企业名称栏填的是信用代码 {CODE}：请把它填到信用代码栏，企业名称栏填写企业全称"),
    ({"kind": CaseKind.STARTUP, "project_name": CODE},
     f"项目名称栏填的是信用代码 {CODE}：请把它填到信用代码栏，项目名称栏填写项目全称"),
    ({"uscc": " 鞍钢集团 "},
     "信用代码栏填的是“鞍钢集团”，不是统一社会信用代码（18 位数字和大写字母）：名称请填到企业名称或项目名称栏"),
    ({"uscc": BAD_CODE.lower()}, f"统一社会信用代码 {BAD_CODE} 校验不通过：请核对；确属早期代码请填写放行理由"),
    ({"mode": ServiceMode.PENDING}, "办理方式“待定”不能选择：请按建议，或选择五办之一并填写理由"),
    ({"mode": ServiceMode.GUIDED, "mode_reason": " "}, "更改建议的办理方式须填写理由"),
])
def test_each_problem_alone(changes: dict[str, object], problem: str) -> None:
    assert check_draft(draft(**changes), ServiceMode.IMMEDIATE) == [problem]


def test_an_override_reason_lets_an_early_code_through_but_never_a_name() -> None:
    assert check_draft(draft(uscc=BAD_CODE, uscc_override_reason="早期代码"), ServiceMode.IMMEDIATE) == []
    assert check_draft(draft(uscc=BAD_CODE, uscc_override_reason=" "), ServiceMode.IMMEDIATE) != []
    assert len(check_draft(draft(uscc="鞍钢", uscc_override_reason="x"), ServiceMode.IMMEDIATE)) == 1
    assert len(check_draft(draft(enterprise_name=CODE, uscc_override_reason="x"), ServiceMode.IMMEDIATE)) == 1


def test_a_startup_needs_no_enterprise_name_and_an_enterprise_no_project_name() -> None:
    assert check_draft(draft(kind=CaseKind.STARTUP, enterprise_name="", project_name="x"), ServiceMode.IMMEDIATE) == []
    assert check_draft(draft(kind=CaseKind.ENTERPRISE, project_name=""), ServiceMode.IMMEDIATE) == []


def test_every_problem_at_once() -> None:
    problems = check_draft(CaseDraft("GD2022A000178", CaseKind.ENTERPRISE, (), uscc="鞍钢", mode=ServiceMode.PENDING),
                           ServiceMode.IMMEDIATE)
    assert len(problems) == 4


# --- roles ----------------------------------------------------------------------------------------


def test_who_may_lists_the_roles_in_their_order() -> None:
    assert auth.who_may("supervise") == "督查、管理员"
    assert auth.who_may("joint_review") == "协调员、督查、管理员"
    assert auth.who_may("no_such_action") == ""


def test_the_refusals_name_the_role_the_action_and_who_may() -> None:
    assert auth.not_allowed("desk", "supervise") == "前台账号不能查看督查考核：须由督查、管理员办理"
    assert auth.not_allowed("guest", "fly") == "guest账号不能fly：须由办理"
    with pytest.raises(auth.AuthError) as info:
        auth.require("desk", "supervise")
    assert str(info.value) == "前台无权查看督查考核，请联系督查或管理员"
    with pytest.raises(auth.AuthError) as info:
        auth.require("guest", "fly")
    assert str(info.value) == "guest无权fly，请联系督查或管理员"
    auth.require("admin", "supervise")


def test_allowed_needs_the_role_in_the_action_s_set() -> None:
    assert auth.allowed("supervisor", "supervise") and not auth.allowed("desk", "supervise")
    assert not auth.allowed("admin", "no_such_action")


@pytest.mark.parametrize(("pin", "ok"), [("1234", True), ("12345678", True), ("123", False), ("123456789", False),
                                          ("12a4", False), ("１２３４", False)])
def test_pin_format(pin: str, ok: bool) -> None:
    if ok:
        auth.check_pin_format(pin)
    else:
        with pytest.raises(auth.AuthError, match="4–8 位数字"):
            auth.check_pin_format(pin)


def test_lockout_from_the_configured_failure_on() -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    policy = auth.LockoutPolicy(3, 15, 60, 3)
    assert auth.after_failure(0, now, policy) == auth.Lockout(1, None)
    assert auth.after_failure(1, now, policy) == auth.Lockout(2, None)
    assert auth.after_failure(2, now, policy) == auth.Lockout(3, now + dt.timedelta(minutes=15), 1, 15)


def test_repeated_lockouts_lengthen_then_wait_for_a_supervisor() -> None:
    """Issue 16 point 8: the failures count on across lock-outs until a sign-in, an unlock or a new PIN."""
    import datetime as dt

    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    policy = auth.LockoutPolicy(5, 15, 60, 3)
    assert auth.after_failure(5, now, policy) == auth.Lockout(6, None)  # after the first lock-out ran out
    assert auth.after_failure(9, now, policy) == auth.Lockout(10, now + dt.timedelta(minutes=60), 2, 60)
    third = auth.after_failure(14, now, policy)
    assert third.number == 3 and third.minutes is None and third.locked_until == auth.UNTIL_UNLOCKED
    assert auth.until_unlocked(third.locked_until) and not auth.until_unlocked(now + dt.timedelta(days=3650))
    never = auth.after_failure(14, now, auth.LockoutPolicy(5, 15, 60, 0))  # 0: no supervisor needed
    assert never.minutes == 60 and never.locked_until == now + dt.timedelta(minutes=60)


def test_a_stored_hash_of_another_kind_or_broken_never_verifies() -> None:
    stored = auth.hash_pin("1234", salt=b"0123456789abcdef")
    assert re.fullmatch(r"scrypt\$\d+\$8\$1\$MDEyMzQ1Njc4OWFiY2RlZg==\$[A-Za-z0-9+/=]{44}", stored)
    assert auth.verify_pin("1234", stored) and not auth.verify_pin("1235", stored)
    assert not auth.verify_pin("1234", "bcrypt" + stored.removeprefix("scrypt"))
    assert not auth.verify_pin("1234", "scrypt$x")
    kind, _cost, rest = stored.split("$", 2)
    assert not auth.verify_pin("1234", f"{kind}$abc${rest}")


# --- identifiers ----------------------------------------------------------------------------------


def rid(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def test_resident_id_check_characters() -> None:
    # GB 11643-1999's published example, and one whose check character is X
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"
    assert resident_id_check_char("00000000000000000") == "1"
    assert resident_id_check_char("00000000000000002") == "8"
    assert resident_id_check_char("10000000000000000") == "5"  # weight 7 on the first digit


@pytest.mark.parametrize(("first17", "valid"), [
    ("21030219000101123", True),  # born 1900-01-01: the earliest accepted
    ("21030218991231123", False),  # 1899: nobody that old comes to the window
    ("21030218000101123", False),  # 1800: a real date, checksum right, still refused
    ("21030219000229123", False),  # no 29 February in 1900
    ("21030220000229123", True),
    ("21030219901301123", False),  # month 13
    ("21030219900100123", False),  # day 0
    ("21030220261126123", True),  # born today (TODAY)
    ("21030220261127123", False),  # tomorrow
])
def test_resident_id_birth_dates(first17: str, valid: bool) -> None:
    assert is_valid_resident_id(rid(first17), TODAY) is valid


def test_resident_id_shape() -> None:
    good = rid("21030219900307123")
    assert is_valid_resident_id(good, TODAY) and is_valid_resident_id(f" {good.lower()} ", TODAY)
    assert is_valid_resident_id(rid("11010519491231002").lower(), TODAY)  # a lower-case x
    assert not is_valid_resident_id(good[:-1], TODAY)
    assert not is_valid_resident_id(good + "1", TODAY)
    assert not is_valid_resident_id("X" + good[1:], TODAY)
    assert not is_valid_resident_id("２" + good[1:], TODAY)  # a full-width digit is not ASCII
    assert not is_valid_resident_id(good[:-1] + ("0" if good[-1] != "0" else "1"), TODAY)
    assert not is_valid_resident_id(None, TODAY)  # type: ignore[arg-type]
    assert birth_date(f" {good} ") == dt.date(1990, 3, 7)


def test_credit_codes() -> None:
    assert uscc_check_char(CODE[:17]) == CODE[17]
    assert uscc_check_char("00000000000000000") == "0"
    assert is_valid_uscc(f" {CODE.lower()} ") and not is_valid_uscc(BAD_CODE)
    assert not is_valid_uscc(CODE[:17]) and not is_valid_uscc(CODE + "0")
    assert not is_valid_uscc(CODE[:16] + "I" + CODE[17])  # I is not used
    assert not is_valid_uscc(12)  # type: ignore[arg-type]
    assert looks_like_uscc(BAD_CODE) and not looks_like_uscc(CODE[:17] + "I") and not looks_like_uscc(CODE + "0")


@pytest.mark.parametrize(("text", "cjk"), [
    ("鞍", True), ("\u3400", True), ("\u9fff", True), ("\uf900", True), ("\ufaff", True), ("a\u33ff", False),
    ("\ua000", False), ("\uf8ff", False), ("\ufb00", False), ("ABC", False), ("", False),
])
def test_has_cjk_bounds(text: str, cjk: bool) -> None:
    assert has_cjk(text) is cjk


def test_masks() -> None:
    assert mask_id(" 210302199003071234 ") == "210*************34"
    assert mask_id("12345") == "*****" and mask_id("123456") == "123*56"
    assert mask_name(" 张三明 ") == "张*明" and mask_name("李四") == "李*" and mask_name("王") == "王"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_phone("13812345678") == "138****5678" and mask_phone("0412555123456") == "041******3456"
    assert mask_phone("5551234") == "****234" and mask_phone("12345678") == "****5678" and mask_phone("12") == "*2"
