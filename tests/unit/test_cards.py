"""Card numbers, what the scan field receives, and whether a holder may use the green channel."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallterm.config import CardSettings, Settings, load_settings, sqlite_url
from hallterm.domain.cards import (
    DEFAULT_FORMAT,
    MAX_SCAN_LENGTH,
    CardFormat,
    Scan,
    ScanError,
    mod37_36_check_char,
    parse_scan,
)
from hallterm.domain.holders import CardStatus, Holder, Verdict, assess
from hallterm.services.context import Services

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese(message: str) -> bool:
    return bool(_CJK.search(message))


# ---------- the default format: GD + year + tier + serial + MOD 37,36 check ----------


@pytest.mark.parametrize("card_no", ["GD2022A000178", "GD2019B00001D", "GD2026E00420M"])
def test_issue_examples_are_valid_card_numbers(card_no: str) -> None:
    assert DEFAULT_FORMAT.is_valid(card_no)
    assert DEFAULT_FORMAT.validate(card_no).group("tier") == card_no[6]


def test_issue_example_with_wrong_check_character_is_invalid() -> None:
    assert not DEFAULT_FORMAT.is_valid("GD2022A000168")
    with pytest.raises(ScanError, match="校验位"):
        DEFAULT_FORMAT.validate("GD2022A000168")


def test_default_format_matches_the_settings_default() -> None:
    # The pattern lives in two places (config and domain); they must not drift apart.
    assert CardSettings().pattern == DEFAULT_FORMAT.pattern
    assert CardSettings().check == DEFAULT_FORMAT.check


@pytest.mark.parametrize(("body", "check"), [
    ("GD2022A00017", "8"), ("GD2019B00001", "D"), ("GD2026E00420", "M"),
])
def test_make_appends_the_iso_7064_check_character(body: str, check: str) -> None:
    assert mod37_36_check_char(body) == check
    assert DEFAULT_FORMAT.make(body) == body + check


def test_tier_of_reads_the_tier_letter() -> None:
    assert DEFAULT_FORMAT.tier_of("GD2019B00001D") == "B"
    with pytest.raises(ScanError):
        DEFAULT_FORMAT.tier_of("GD2019B00001E")


@given(year=st.integers(2000, 2099), tier=st.sampled_from("ABCDE"), serial=st.integers(0, 99999),
       position=st.integers(2, 12), replacement=st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_any_single_character_substitution_is_detected(year: int, tier: str, serial: int, position: int,
                                                       replacement: str) -> None:
    # ISO/IEC 7064 MOD 37,36 catches every single substitution: the reason the office uses it.
    card_no = DEFAULT_FORMAT.make(f"GD{year}{tier}{serial:05d}")
    assert DEFAULT_FORMAT.is_valid(card_no)
    typo = card_no[:position] + replacement + card_no[position + 1:]
    if typo != card_no:
        assert not DEFAULT_FORMAT.is_valid(typo)


# ---------- parse_scan: normalising what scanners and people type ----------


@pytest.mark.parametrize(("raw", "why"), [
    ("GD2022A000178\r", "wedge scanner ending with CR"),
    ("GD2022A000178\n", "wedge scanner ending with LF"),
    ("GD2022A000178\r\n", "CR LF"),
    ("GD2022A000178\t", "wedge scanner ending with Tab"),
    ("  GD2022A000178  ", "surrounding spaces"),
    ("\u3000GD2022A000178\u3000", "ideographic (full-width) spaces"),
    ("gd2022a000178", "lower case"),
    ("Gd2022a000178", "mixed case"),
    ("ＧＤ２０２２Ａ０００１７８", "full-width characters from a Chinese IME"),
    ("ｇｄ２０２２ａ０００１７８\r", "full-width lower case with CR"),
    ("GD 2022 A 00017 8", "internal spaces, as printed in groups on the card"),
])
def test_parse_scan_normalises_a_card_number(raw: str, why: str) -> None:
    scan = parse_scan(raw)
    assert scan.kind == "card", why
    assert scan.card_no == "GD2022A000178", why


def test_parse_scan_finds_a_card_number_inside_a_url_payload() -> None:
    # A card's QR code may carry a link to the talent office's site with the number as a parameter.
    scan = parse_scan("https://rc.anshan.gov.cn/card/verify?no=GD2019B00001D&sig=ab12\r")
    assert scan.kind == "card"
    assert scan.card_no == "GD2019B00001D"


def test_parse_scan_refuses_a_url_with_a_mistyped_card_number() -> None:
    with pytest.raises(ScanError, match="校验位"):
        parse_scan("https://rc.anshan.gov.cn/card/verify?no=GD2022A000168")


def test_parse_scan_reads_a_slip_with_an_ime_full_width_colon() -> None:
    scan = parse_scan("HT1：T：20261126：A017\r")
    assert scan.kind == "slip"
    assert scan.slip_fields == ("HT1", "T", "20261126", "A017")
    assert scan.card_no == ""


def test_parse_scan_refuses_a_truncated_slip() -> None:
    with pytest.raises(ScanError, match="回执") as info:
        parse_scan("HT1:T")
    assert _chinese(str(info.value))


@pytest.mark.parametrize(("raw", "fragment"), [
    ("GD2022A000168", "校验位"),  # wrong check character
    ("gd2022a000168\r", "校验位"),  # wrong check character, after normalisation
    ("GD2022A00017", "格式"),  # one character short
    ("GD2022A0001788", "格式"),  # one character long
    ("GD2022F000178", "格式"),  # tier F does not exist
    ("XY2022A000178", "无法识别"),  # another prefix
    ("SH2022A000178", "无法识别"),  # another city's card
    ("hello world", "无法识别"),  # junk
    ("!!!###", "无法识别"),
    ("\x1b[A", "控制字符"),  # arrow key's escape sequence reaching the field
    ("GD2022A\x1b[A000178", "控制字符"),
    ("GD2022A000178\x00", "控制字符"),
    ("GD2022A\t000178", "控制字符"),  # a Tab inside, not at the end: the scanner's suffix is misconfigured
    ("GD2022A000178\rGD2019B00001D", "控制字符"),  # two scans run together: never guess which one
    ("GD2022A000178" * 50, "过长"),  # a stuck scanner or a pasted document
    ("", "没有读到"),
    (" \r\n\t", "没有读到"),
])
def test_parse_scan_refuses_with_a_chinese_message(raw: str, fragment: str) -> None:
    with pytest.raises(ScanError) as info:
        parse_scan(raw)
    message = str(info.value)
    assert fragment in message
    assert _chinese(message)
    # ScanError is a ValueError: callers that only know ValueError still catch it.
    assert isinstance(info.value, ValueError)


def test_input_just_over_the_limit_is_refused_and_at_the_limit_is_parsed() -> None:
    padded = "GD2022A000178".rjust(MAX_SCAN_LENGTH)
    assert parse_scan(padded).card_no == "GD2022A000178"
    with pytest.raises(ScanError, match="过长"):
        parse_scan(" " + padded)


def test_digits_of_other_scripts_are_a_format_error_not_a_check_error() -> None:
    # NFKC leaves Arabic-Indic digits alone; they must not count as the year's digits.
    with pytest.raises(ScanError, match="格式"):
        parse_scan("GD٢٠٢٢A000178")


def test_error_message_shortens_long_junk() -> None:
    with pytest.raises(ScanError) as info:
        parse_scan("x" * 200)
    assert "x" * 25 not in str(info.value)
    assert "…" in str(info.value)


@given(st.text())
def test_parse_scan_returns_a_scan_or_raises_scan_error_for_any_text(text: str) -> None:
    try:
        result = parse_scan(text)
    except ScanError as exc:
        assert _chinese(str(exc))
    else:
        assert isinstance(result, Scan)
        assert result.kind in {"card", "slip"}
        if result.kind == "card":
            assert DEFAULT_FORMAT.is_valid(result.card_no)


@given(st.text(alphabet=st.sampled_from(list("GDHT1:：0123456789ABCDEZgdxX ＧＤ２Ａ\t\r\n\u3000/?=&٢"))))
def test_parse_scan_never_fails_otherwise_on_card_like_text(text: str) -> None:
    # Random st.text() rarely hits the card shape; this alphabet exercises the card and slip paths.
    try:
        result = parse_scan(text)
    except ScanError:
        return
    assert isinstance(result, Scan)
    if result.kind == "card":
        assert DEFAULT_FORMAT.is_valid(result.card_no)


# ---------- a different format, as the talent office may issue ----------

_PLAIN = CardFormat(r"AS(?P<tier>[A-E])(?P<serial>\d{6})", check="none")
_OTHER_CHECKED = CardFormat(r"RC(?P<year>\d{2})(?P<tier>[A-E])(?P<serial>\d{4})(?P<check>[0-9A-Z])")


def test_a_format_without_check_character_accepts_any_matching_number() -> None:
    assert _PLAIN.make("ASB123456") == "ASB123456"
    assert _PLAIN.is_valid("ASB123456")
    assert _PLAIN.tier_of("ASC000001") == "C"
    assert parse_scan(" asb 123456\r", _PLAIN).card_no == "ASB123456"


def test_a_format_without_check_character_still_refuses_other_shapes() -> None:
    with pytest.raises(ScanError, match="格式"):
        parse_scan("ASB12345", _PLAIN)  # prefix right, length wrong
    with pytest.raises(ScanError):
        parse_scan("GD2022A000178", _PLAIN)  # the old format is not this office's any more
    assert not _PLAIN.is_valid("ASB١٢٣٤٥٦")


def test_a_different_checked_format_validates_its_own_check_character() -> None:
    card_no = _OTHER_CHECKED.make("RC26D0042")
    assert len(card_no) == 10
    assert parse_scan(card_no.lower(), _OTHER_CHECKED).card_no == card_no
    wrong = card_no[:-1] + ("0" if card_no[-1] != "0" else "1")
    with pytest.raises(ScanError, match="校验位"):
        parse_scan(wrong, _OTHER_CHECKED)


def test_card_format_comes_from_the_settings(tmp_path: Path) -> None:
    settings = load_settings(environ={
        "HALLTERM_DB_URL": sqlite_url(tmp_path / "fmt.sqlite3"),
        "HALLTERM_CARDS_PATTERN": r"AS(?P<tier>[A-E])(?P<serial>\d{6})",
        "HALLTERM_CARDS_CHECK": "none",
    })
    svc = Services.open(settings, upgrade=False)
    try:
        assert svc.card_format == _PLAIN
        assert parse_scan("ＡＳＢ１２３４５６", svc.card_format).card_no == "ASB123456"
        with pytest.raises(ScanError):
            parse_scan("GD2022A000178", svc.card_format)
    finally:
        svc.close()


# ---------- assess: may this holder use the green channel today? ----------

TODAY = dt.date(2026, 11, 26)
DEFAULT_TIERS = Settings().cards.eligible_tiers


def _holder(**changes: object) -> Holder:
    values: dict[str, object] = {
        "card_no": "GD2022A000178", "name": "张三明", "id_number": "11010519491231002X", "tier": "A",
        "issued_on": dt.date(2022, 1, 15), "expires_on": dt.date(2027, 1, 14), "status": CardStatus.ACTIVE,
    }
    values.update(changes)
    return Holder(**values)  # type: ignore[arg-type]


def test_default_eligible_tiers_are_a_to_d() -> None:
    assert DEFAULT_TIERS == "ABCD"


def test_assess_unknown_card() -> None:
    result = assess(None, "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.UNKNOWN
    assert not result.ok
    assert result.holder is None
    assert "GD2022A000178" in result.message
    assert "名册" in result.message


def test_assess_revoked_card_even_when_dates_are_fine() -> None:
    result = assess(_holder(status=CardStatus.REVOKED), "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.REVOKED
    assert "注销" in result.message
    assert result.holder is not None


def test_assess_expired_by_status_even_before_the_expiry_date() -> None:
    # The talent office can end a card early; the roster's status wins over the printed date.
    result = assess(_holder(status=CardStatus.EXPIRED), "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.EXPIRED
    assert "过期" in result.message


def test_assess_expired_by_date() -> None:
    holder = _holder(expires_on=TODAY - dt.timedelta(days=1))
    result = assess(holder, "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.EXPIRED
    assert "2026-11-25" in result.message


def test_assess_card_is_still_valid_on_its_expiry_date() -> None:
    result = assess(_holder(expires_on=TODAY), "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.OK


def test_assess_not_yet_valid() -> None:
    holder = _holder(issued_on=TODAY + dt.timedelta(days=3), expires_on=TODAY + dt.timedelta(days=1000))
    result = assess(holder, "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.NOT_YET_VALID
    assert "2026-11-29" in result.message


def test_assess_card_is_valid_on_its_issue_date() -> None:
    result = assess(_holder(issued_on=TODAY), "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.OK


def test_assess_tier_e_is_not_eligible_by_default() -> None:
    holder = _holder(card_no="GD2026E00420M", tier="E")
    result = assess(holder, "GD2026E00420M", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.NOT_ELIGIBLE
    assert "E类" in result.message
    assert "ABCD" in result.message


def test_assess_tier_e_is_eligible_when_the_setting_includes_it() -> None:
    holder = _holder(card_no="GD2026E00420M", tier="E")
    assert assess(holder, "GD2026E00420M", TODAY, "ABCDE").verdict is Verdict.OK


@pytest.mark.parametrize("tier", list("ABCD"))
def test_assess_ok_for_each_eligible_tier(tier: str) -> None:
    result = assess(_holder(tier=tier), "GD2022A000178", TODAY, DEFAULT_TIERS)
    assert result.verdict is Verdict.OK
    assert result.ok
    assert result.holder is not None and result.holder.tier == tier


def test_assess_messages_are_chinese_and_refer_elsewhere_when_refused() -> None:
    cases = [
        assess(None, "GD2022A000178", TODAY, DEFAULT_TIERS),
        assess(_holder(status=CardStatus.REVOKED), "GD2022A000178", TODAY, DEFAULT_TIERS),
        assess(_holder(status=CardStatus.EXPIRED), "GD2022A000178", TODAY, DEFAULT_TIERS),
        assess(_holder(issued_on=TODAY + dt.timedelta(days=1)), "GD2022A000178", TODAY, DEFAULT_TIERS),
        assess(_holder(tier="E"), "GD2026E00420M", TODAY, DEFAULT_TIERS),
    ]
    assert len({c.verdict for c in cases}) == 5
    for result in cases:
        assert not result.ok
        assert "综合受理窗口" in result.message  # every refusal says where to go instead
