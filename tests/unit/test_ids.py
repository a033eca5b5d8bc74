"""Resident-ID and USCC checksums against the verified examples of research/domain.md §5, and masking."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.ids import (
    birth_date,
    is_valid_resident_id,
    is_valid_uscc,
    mask_id,
    mask_name,
    mask_phone,
    resident_id_check_char,
    resident_id_problem,
    uscc_check_char,
)

TODAY = dt.date(2026, 11, 26)  # the hall's day: passed in (the services' clock), never read by the domain

# ---------- 居民身份证号码 (GB 11643-1999) ----------


@pytest.mark.parametrize("text", [
    "11010519491231002X",  # §5a: S = 167, 167 mod 11 = 2 → 'X'
    "11010519491231002x",  # lower-case x is what people type; the check upper-cases first
])
def test_verified_resident_ids_are_valid(text: str) -> None:
    assert is_valid_resident_id(text, TODAY)


@pytest.mark.parametrize(("text", "why"), [
    ("110105194912310021", "check character should be X"),
    ("110105194902300026", "February 30 is not a date"),
    ("11010519491231002", "17 characters"),
    ("11010519491231002X0", "19 characters"),
    ("", "empty"),
    ("1101051949123100AX", "letters among the first 17"),
    ("11010519491331002X", "month 13"),
    ("11010519491200002X", "day 00"),
    ("１１０１０５１９４９１２３１００２Ｘ", "full-width digits: not what the standard prints"),
    ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "Arabic-Indic digits pass str.isdigit() but are not ASCII"),
    ("110105 9491231002X", "a space inside"),
])
def test_invalid_resident_ids_are_refused(text: str, why: str) -> None:
    assert not is_valid_resident_id(text, TODAY), why


def test_resident_id_refuses_non_text() -> None:
    # Values straight from a spreadsheet cell may be numbers; they must not raise.
    assert not is_valid_resident_id(110105194912310021, TODAY)  # type: ignore[arg-type]
    assert not is_valid_resident_id(None, TODAY)  # type: ignore[arg-type]


def test_resident_id_check_char_computes_the_verified_examples() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"


def test_every_check_character_but_the_right_one_is_refused() -> None:
    # Catches an algorithm that happens to accept the examples but not the rule (e.g. a fixed answer).
    body = "21030219850315123"
    right = resident_id_check_char(body)
    assert is_valid_resident_id(body + right, TODAY)
    for wrong in "0123456789X":
        if wrong != right:
            assert not is_valid_resident_id(body + wrong, TODAY)


def test_a_single_mistyped_digit_is_caught() -> None:
    # MOD 11-2 detects every single-digit substitution: what a clerk most often gets wrong.
    valid = "11010519491231002X"
    for position in range(17):
        for digit in "0123456789":
            if digit == valid[position]:
                continue
            typo = valid[:position] + digit + valid[position + 1:]
            assert not is_valid_resident_id(typo, TODAY), typo


def test_leap_day_is_a_real_birth_date_only_in_leap_years() -> None:
    leap = "21030219880229001"
    plain = "21030219870229001"
    assert is_valid_resident_id(leap + resident_id_check_char(leap), TODAY)
    assert not is_valid_resident_id(plain + resident_id_check_char(plain), TODAY)


# Hand-verified (§5a: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check "10X98765432"[S mod 11]):
# 11010519491231002X sums to 167, of which the birth date 19491231 gives
# 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 = 122, the rest 45.
# 20310230 gives 2·2 + 0 + 3·6 + 1·3 + 0 + 2·9 + 3·10 + 0 = 73: S = 118, 118 mod 11 = 8 → '4'.
# 20310203 gives 2·2 + 0 + 3·6 + 1·3 + 0 + 2·9 + 0 + 3·5 = 58: S = 103, 103 mod 11 = 4 → '8'.
FEB_30_2031 = "110105203102300024"
FEB_3_2031 = "110105203102030028"


def test_the_hand_verified_check_characters() -> None:
    assert resident_id_check_char(FEB_30_2031[:17]) == FEB_30_2031[17]
    assert resident_id_check_char(FEB_3_2031[:17]) == FEB_3_2031[17]
    # §5a's second example: its check character is right, and it stays refused (born 1880, below)
    assert resident_id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize(("text", "problem"), [
    (FEB_30_2031, "身份证号码中的出生日期 2031-02-30 不存在"),
    ("110105194902300026", "身份证号码中的出生日期 1949-02-30 不存在"),  # §5a's own invalid example
    (FEB_3_2031, "身份证号码中的出生日期 2031-02-03 晚于今天（2026-11-26）"),
    ("440524188001010014", "身份证号码中的出生日期 1880-01-01 早于 1900 年"),  # §5a: checksum right, born 1880
    ("110105194912310021", "身份证号码校验不通过（末位校验码与前 17 位不符，可能输错）"),  # §5a: should end in X
    ("11010519491231002", "身份证号码应为 18 位，现为 17 位"),
    (" ", "身份证号码为空"),
    ("1101051949123100AX", "身份证号码前 17 位应为数字，末位为数字或 X"),
    ("11010519491231002Y", "身份证号码前 17 位应为数字，末位为数字或 X"),
])
def test_each_problem_is_named(text: str, problem: str) -> None:
    assert resident_id_problem(text, TODAY) == problem
    assert not is_valid_resident_id(text, TODAY)


def test_the_birth_date_is_checked_against_the_day_passed_in() -> None:
    # The same number: refused before its holder's birth, accepted from that day on (no clock is read).
    assert resident_id_problem(FEB_3_2031, dt.date(2031, 2, 2)) is not None
    assert resident_id_problem(FEB_3_2031, dt.date(2031, 2, 3)) is None
    assert is_valid_resident_id(FEB_3_2031, dt.date(2040, 1, 1))
    assert not is_valid_resident_id(FEB_30_2031, dt.date(2040, 1, 1))  # not a date, whatever the day


@pytest.mark.parametrize(("born", "valid"), [
    ("18991231", False), ("19000101", True), ("20261126", True), ("20261127", False),
    ("20000229", True), ("19000229", False), ("21000229", False), ("20260431", False),
])
def test_the_birth_date_bounds_with_computed_check_characters(born: str, valid: bool) -> None:
    body = f"210302{born}123"  # check character from the module: builds the fixture only
    assert is_valid_resident_id(body + resident_id_check_char(body), TODAY) is valid


def test_the_birth_date_can_be_left_out_of_the_message() -> None:
    # Roster import errors are printed and saved: the date (personal data) stays out of them.
    assert resident_id_problem(FEB_30_2031, TODAY, show_birth_date=False) == "身份证号码中的出生日期不存在"
    assert resident_id_problem(FEB_3_2031, TODAY, show_birth_date=False) == "身份证号码中的出生日期晚于今天"
    assert resident_id_problem("440524188001010014", TODAY, show_birth_date=False) == \
        "身份证号码中的出生日期早于 1900 年"


def test_birth_date_is_read_from_the_id() -> None:
    assert birth_date("11010519491231002X").isoformat() == "1949-12-31"


# ---------- 统一社会信用代码 (GB 32100-2015) ----------


@pytest.mark.parametrize("text", [
    "91350100M000100Y43",  # §5b: S = 1640, 31 − 28 = 3
    "9144030071526726XG",
    "91110108551385082Q",
    "91350100m000100y43",  # typed in lower case
])
def test_verified_usccs_are_valid(text: str) -> None:
    assert is_valid_uscc(text)


@pytest.mark.parametrize(("text", "why"), [
    ("91350100M000100Y44", "check character should be 3"),
    ("91350100M000100Y4O", "O is not in the GB 32100 character set"),
    ("91350100M0001TGQXM", "early Fujian pilot code: real, but fails the check (§5b caveat)"),
    ("91350100M000100Y4", "17 characters"),
    ("91350100M000100Y433", "19 characters"),
    ("91350100I000100Y43", "I is not in the character set"),
    ("", "empty"),
    ("９１３５０１００Ｍ０００１００Ｙ４３", "full-width"),
])
def test_invalid_usccs_are_refused(text: str, why: str) -> None:
    assert not is_valid_uscc(text), why


def test_uscc_check_char_computes_the_verified_example() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"
    # The Fujian pilot code computes to 1 (domain.md §5b), not its printed M.
    assert uscc_check_char("91350100M0001TGQX") == "1"


def test_uscc_refuses_non_text() -> None:
    assert not is_valid_uscc(None)  # type: ignore[arg-type]


# ---------- masking (DESIGN.md: personal data is minimised) ----------


def test_mask_id_keeps_three_leading_and_two_trailing_characters() -> None:
    masked = mask_id("11010519491231002X")
    assert masked == "110*************2X"
    assert len(masked) == 18
    assert "19491231" not in masked  # the birth date must not show


def test_mask_id_of_short_text_hides_everything() -> None:
    assert mask_id("12345") == "*****"
    assert mask_id("") == ""


@pytest.mark.parametrize(("name", "masked"), [
    ("张三明", "张*明"),
    ("李四", "李*"),
    ("欧阳娜娜", "欧**娜"),
    ("王", "王"),
    ("  赵敏  ", "赵*"),
    ("", ""),
])
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    (" 13812345678 ", "138****5678"),
    ("+8613812345678", "+86*******5678"),
    ("04125551234", "041****1234"),
    ("25551234", "****1234"),
    ("5551234", "****234"),
    ("12345", "***45"),
    ("", ""),
])
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["5551234", "255512", "12345", "25551234", "13812345678"])
def test_mask_phone_never_shows_more_than_the_last_four_and_first_three(phone: str) -> None:
    # A 7-digit local number used to come back whole behind "****": at least half must be hidden.
    masked = mask_phone(phone)
    shown = sum(1 for ch in masked if ch != "*")
    assert shown <= len(phone) // 2 or (len(phone) >= 11 and shown == 7)
    assert masked.endswith(phone[-2:])
