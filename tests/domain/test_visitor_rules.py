"""Consultations (S5), hand-outs at the 统一发证窗口 (S9), card checks (S4) and wait words at their limits."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.consultations import (
    MAX_COMPANY,
    MAX_FOLLOW_UP_DAYS,
    MAX_NOTES,
    MAX_TOPIC,
    Channel,
    ConsultationDraft,
    ConsultationError,
    ConsultationStatus,
    check_closable,
    check_draft,
    clean,
    parse_follow_up,
)
from hallterm.domain.handout import NAME_MAX, Recipient, RecipientError, RecipientKind, check_recipient, normalize_id
from hallterm.domain.holders import CardStatus, Holder, Verdict, assess
from hallterm.domain.ids import resident_id_check_char, uscc_check_char
from hallterm.domain.waits import minutes_of, minutes_text

TODAY = dt.date(2026, 11, 26)
SECTIONS = ("业务协调科", "企业登记科")


def draft(**changes: object) -> ConsultationDraft:
    base: dict[str, object] = {"channel": Channel.ON_SITE, "section": "企业登记科", "topic": "设立登记",
                               "card_no": " gd2022a00017x "}
    base.update(changes)
    return ConsultationDraft(**base)  # type: ignore[arg-type]


def check(d: ConsultationDraft, sections: tuple[str, ...] = SECTIONS) -> ConsultationDraft:
    return check_draft(d, today=TODAY, sections=sections, default_follow_up=TODAY + dt.timedelta(days=5))


def test_a_draft_comes_back_cleaned_field_by_field() -> None:
    code = "91210300MA0QN6QJ4" + uscc_check_char("91210300MA0QN6QJ4")
    got = check(draft(channel=Channel.PHONE, notes=" 第一行\t说明 \n\n 第二行 ", company_name=" 鞍钢  集团 ",
                      uscc=f" {code[:9].lower()} {code[9:]} ", topic=" 设立\r登记 "))
    assert got == ConsultationDraft(Channel.PHONE, "企业登记科", "设立 登记", "第一行 说明\n\n第二行", "GD2022A00017X",
                                    "鞍钢 集团", code, TODAY + dt.timedelta(days=5))


@pytest.mark.parametrize(("changes", "refused"), [
    ({"company_name": "企" * MAX_COMPANY}, False),
    ({"company_name": "企" * (MAX_COMPANY + 1)}, True),
    ({"topic": "事" * MAX_TOPIC}, False),
    ({"topic": "事" * (MAX_TOPIC + 1)}, True),
    ({"notes": "注" * MAX_NOTES}, False),
    ({"notes": "注" * (MAX_NOTES + 1)}, True),
    ({"follow_up_on": TODAY}, False),
    ({"follow_up_on": TODAY - dt.timedelta(days=1)}, True),
    ({"follow_up_on": TODAY + dt.timedelta(days=MAX_FOLLOW_UP_DAYS)}, False),
    ({"follow_up_on": TODAY + dt.timedelta(days=MAX_FOLLOW_UP_DAYS + 1)}, True),
    ({"section": "不存在的科"}, True),
])
def test_draft_limits(changes: dict[str, object], refused: bool) -> None:
    if refused:
        with pytest.raises(ConsultationError) as info:
            check(draft(**changes))
        assert "；" not in str(info.value) and str(info.value)
    else:
        assert check(draft(**changes))


def test_the_section_refusal_lists_the_sections_or_says_there_are_none() -> None:
    with pytest.raises(ConsultationError, match=r"^请选择科室（业务协调科、企业登记科）$"):
        check(draft(section="x"))
    with pytest.raises(ConsultationError, match=r"^没有可选的科室：请先载入基础数据$"):
        check(draft(section="x"), sections=())


def test_clean_turns_control_characters_into_one_space() -> None:
    assert clean("a\t\r\nb\x00c  d") == "a b c d"
    assert clean("a\u0007b") == "a b" and clean(" 甲 乙 ") == "甲 乙"


@pytest.mark.parametrize(("typed", "day"), [
    ("", None), ("  ", None), ("2026-12-08", dt.date(2026, 12, 8)), ("2026.12.8", dt.date(2026, 12, 8)),
    ("2026／12／08", dt.date(2026, 12, 8)), ("2026/12/08", dt.date(2026, 12, 8)), ("20261208", dt.date(2026, 12, 8)),
    ("11-26", TODAY), ("11-25", dt.date(2027, 11, 25)), ("12.31", dt.date(2026, 12, 31)),
])
def test_follow_up_dates(typed: str, day: dt.date | None) -> None:
    assert parse_follow_up(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["2026128", "202612080", "2026-13-01", "12", "1-2-3-4", "明天", "02-30"])
def test_follow_up_dates_refused(typed: str) -> None:
    with pytest.raises(ConsultationError, match="看不懂"):
        parse_follow_up(typed, TODAY)


def test_closing_notes_up_to_200_characters() -> None:
    assert check_closable(ConsultationStatus.OPEN, "ZX1", " 已 答复 ") == "已 答复"
    assert check_closable(ConsultationStatus.OPEN, "ZX1", "字" * 200) == "字" * 200
    with pytest.raises(ConsultationError, match="最多 200 个字，现在 201 个"):
        check_closable(ConsultationStatus.OPEN, "ZX1", "字" * 201)


# --- the hand-out window (S9) ----------------------------------------------------------------------

def rid(first17: str) -> str:
    """A fixture's check character, from the module's own function (its arithmetic is tested in test_ids)."""
    return first17 + resident_id_check_char(first17)


HOLDER_ID = rid("21030219900307123")
AGENT_ID = rid("21030219850101456")


def test_the_holder_with_their_own_id_as_read_or_typed() -> None:
    got = check_recipient(Recipient(RecipientKind.HOLDER, f" {HOLDER_ID[:6]} {HOLDER_ID[6:].lower()}"), "张三",
                          HOLDER_ID, today=TODAY)
    assert (got.kind, got.name, got.id_masked, got.power_of_attorney) == (RecipientKind.HOLDER, "张三",
                                                                          "210*************" + HOLDER_ID[-2:], False)
    assert got.kind_name == "本人领取"
    full_width = HOLDER_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    got = check_recipient(Recipient(RecipientKind.HOLDER, full_width), "张三", HOLDER_ID, today=TODAY)
    assert got.kind is RecipientKind.HOLDER


def test_the_holder_refusals() -> None:
    with pytest.raises(RecipientError, match=r"^请读取或输入持卡人本人的居民身份证号码$"):
        check_recipient(Recipient(RecipientKind.HOLDER, " "), "张三", HOLDER_ID, today=TODAY)
    with pytest.raises(RecipientError) as info:
        check_recipient(Recipient(RecipientKind.HOLDER, AGENT_ID), "张三", HOLDER_ID, today=TODAY)
    assert str(info.value).startswith("身份证号码与持卡人名册登记的不一致：")
    with pytest.raises(RecipientError) as info:
        wrong_check = HOLDER_ID[:-1] + ("0" if HOLDER_ID[-1] != "0" else "1")
        check_recipient(Recipient(RecipientKind.HOLDER, wrong_check), "张三", HOLDER_ID, today=TODAY)
    assert "；所输号码校验不通过（末位校验码与前 17 位不符，可能输错）：" in str(info.value)
    with pytest.raises(RecipientError) as info:  # a 1990 birth typed as 2990
        check_recipient(Recipient(RecipientKind.HOLDER, rid("21030229900307123")), "张三", HOLDER_ID, today=TODAY)
    assert "不一致；所输号码中的出生日期 2990-03-07 晚于今天（2026-11-26）：请核对证件" in str(info.value)


def test_a_roster_number_born_after_today_is_refused_even_when_it_matches() -> None:
    # Imported before the roster's birth dates were checked against the day: the card read matches it,
    # and is still no real resident ID.
    future = rid("21030220270307123")
    with pytest.raises(RecipientError, match=r"^身份证号码中的出生日期 2027-03-07 晚于今天（2026-11-26）："
                                             "请核对证件；证件无误时请联系人才办更正持卡人名册$"):
        check_recipient(Recipient(RecipientKind.HOLDER, future), "张三", future, today=TODAY)
    # The day comes from the caller (the services' clock): from the birth date on, it is accepted.
    assert check_recipient(Recipient(RecipientKind.HOLDER, future), "张三", future,
                           today=dt.date(2027, 3, 7)).kind is RecipientKind.HOLDER


def agent(name: str = " 李四 ", id_number: str = AGENT_ID, seen: bool = True) -> Recipient:
    return Recipient(RecipientKind.AGENT, id_number, name, seen)


def test_an_agent_with_name_valid_id_and_power_of_attorney() -> None:
    got = check_recipient(agent(name=" 李\u200b四\x07 "), "张三", HOLDER_ID, today=TODAY)
    assert (got.kind, got.name, got.id_masked, got.power_of_attorney) == (RecipientKind.AGENT, "李四",
                                                                          "210*************" + AGENT_ID[-2:], True)
    assert check_recipient(agent(name="李" * NAME_MAX), "张三", HOLDER_ID, today=TODAY).name == "李" * NAME_MAX


@pytest.mark.parametrize(("recipient", "message"), [
    (agent(name=" \x07 "), "^代理人领取须填写代理人姓名$"),
    (agent(name="李" * (NAME_MAX + 1)), f"^代理人姓名过长（最多 {NAME_MAX} 个字）：请核对$"),
    (agent(id_number=" "), "^代理人领取须填写代理人的居民身份证号码$"),
    (agent(id_number=AGENT_ID[:-1]), r"^代理人身份证号码应为 18 位，现为 17 位：请核对证件后重新输入$"),
    (agent(id_number=AGENT_ID[:-1] + ("0" if AGENT_ID[-1] != "0" else "1")), "^代理人身份证号码校验不通过"),
    # Hand-verified in tests/unit/test_ids.py: a real checksum, 30 February
    (agent(id_number="110105203102300024"), r"^代理人身份证号码中的出生日期 2031-02-30 不存在："
                                            "请核对证件后重新输入$"),
    (agent(id_number=rid("21030218991231456")), "^代理人身份证号码中的出生日期 1899-12-31 早于 1900 年"),
    (agent(id_number=rid("21030220261127456")), r"^代理人身份证号码中的出生日期 2026-11-27 晚于今天（2026-11-26）"),
    (agent(seen=False), "^代理人领取须查验持卡人签署的授权委托书"),
])
def test_agent_refusals(recipient: Recipient, message: str) -> None:
    with pytest.raises(RecipientError, match=message):
        check_recipient(recipient, "张三", HOLDER_ID, today=TODAY)


def test_normalize_id() -> None:
    assert normalize_id(" １２３ 45x ") == "12345X"


# --- card checks (S4) ------------------------------------------------------------------------------


def holder(**changes: object) -> Holder:
    values: dict[str, object] = {"card_no": "GD1", "name": "张三", "id_number": HOLDER_ID, "tier": "B",
                                 "issued_on": TODAY, "expires_on": TODAY, "status": CardStatus.ACTIVE}
    values.update(changes)
    return Holder(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "verdict"), [
    ({}, Verdict.OK),  # issued today, good through today
    ({"status": CardStatus.REVOKED}, Verdict.REVOKED),
    ({"status": CardStatus.EXPIRED, "expires_on": TODAY + dt.timedelta(days=9)}, Verdict.EXPIRED),
    ({"expires_on": TODAY - dt.timedelta(days=1), "issued_on": TODAY - dt.timedelta(days=9)}, Verdict.EXPIRED),
    ({"issued_on": TODAY + dt.timedelta(days=1), "expires_on": TODAY + dt.timedelta(days=9)}, Verdict.NOT_YET_VALID),
    ({"tier": "E"}, Verdict.NOT_ELIGIBLE),
])
def test_card_verdicts_carry_the_holder(changes: dict[str, object], verdict: Verdict) -> None:
    h = holder(**changes)
    check = assess(h, "GD1", TODAY, "ABCD")
    assert check.verdict is verdict and check.holder is h and check.message
    assert isinstance(check.message, str)


def test_an_unknown_tier_is_named_by_its_letter() -> None:
    check = assess(holder(tier="Z"), "GD1", TODAY, "ABCD")
    assert check.message.startswith("Z不在绿色通道服务范围（ABCD 类）")
    assert assess(None, "GD9", TODAY, "ABCD").holder is None
    assert assess(holder(), "GD1", TODAY, "ABCD").message == "持卡人有效，可走绿色通道"


# --- waits -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "words"), [
    (0, "0 分钟"), (59, "59 分钟"), (60, "1 小时"), (61, "1 小时 1 分钟"), (24 * 60 - 1, "23 小时 59 分钟"),
    (24 * 60, "1 天"), (24 * 61, "1 天"), (2 * 24 * 60 - 1, "1 天"), (2 * 24 * 60, "2 天"),
])
def test_minutes_text(minutes: int, words: str) -> None:
    assert minutes_text(minutes) == words


def test_minutes_of_rounds_down_and_never_goes_negative() -> None:
    assert minutes_of(119.9) == 1 and minutes_of(120) == 2 and minutes_of(-30) == 0 and minutes_of(59.99) == 0
    assert isinstance(minutes_of(90.5), int) and minutes_of(-61) == 0
