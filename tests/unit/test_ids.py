"""Resident-ID and USCC checksums against the verified examples of research/domain.md §5, and masking."""

from __future__ import annotations

import pytest

from hallterm.domain.ids import (
    birth_date,
    is_valid_resident_id,
    is_valid_uscc,
    mask_id,
    mask_name,
    mask_phone,
    resident_id_check_char,
    uscc_check_char,
)

# ---------- 居民身份证号码 (GB 11643-1999) ----------


@pytest.mark.parametrize("text", [
    "11010519491231002X",  # §5a: S = 167, 167 mod 11 = 2 → 'X'
    "440524188001010014",  # §5a: the standard's other example (born 1880)
    "11010519491231002x",  # lower-case x is what people type; the check upper-cases first
])
def test_verified_resident_ids_are_valid(text: str) -> None:
    assert is_valid_resident_id(text)


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
    assert not is_valid_resident_id(text), why


def test_resident_id_refuses_non_text() -> None:
    # Values straight from a spreadsheet cell may be numbers; they must not raise.
    assert not is_valid_resident_id(110105194912310021)  # type: ignore[arg-type]
    assert not is_valid_resident_id(None)  # type: ignore[arg-type]


def test_resident_id_check_char_computes_the_verified_examples() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("44052418800101001") == "4"


def test_every_check_character_but_the_right_one_is_refused() -> None:
    # Catches an algorithm that happens to accept the examples but not the rule (e.g. a fixed answer).
    body = "21030219850315123"
    right = resident_id_check_char(body)
    assert is_valid_resident_id(body + right)
    for wrong in "0123456789X":
        if wrong != right:
            assert not is_valid_resident_id(body + wrong)


def test_a_single_mistyped_digit_is_caught() -> None:
    # MOD 11-2 detects every single-digit substitution: what a clerk most often gets wrong.
    valid = "11010519491231002X"
    for position in range(17):
        for digit in "0123456789":
            if digit == valid[position]:
                continue
            typo = valid[:position] + digit + valid[position + 1:]
            assert not is_valid_resident_id(typo), typo


def test_leap_day_is_a_real_birth_date_only_in_leap_years() -> None:
    leap = "21030219880229001"
    plain = "21030219870229001"
    assert is_valid_resident_id(leap + resident_id_check_char(leap))
    assert not is_valid_resident_id(plain + resident_id_check_char(plain))


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
