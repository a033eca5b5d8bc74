"""Scans, slips and identifiers at their edges: what a scanner or a URL brings, lengths at the limit,
the wrong number of digits, slips of another day; and calendar-file lines that only a second entry shows."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.calendar_files import CalendarFileError, parse_year_file
from hallterm.domain.cards import DEFAULT_FORMAT, ScanError, normalize, parse_scan
from hallterm.domain.ids import mask_phone, resident_id_check_char, uscc_check_char
from hallterm.domain.payloads import Keyring, PayloadError, Refusal, appointment_payload, check_day, handout_payload
from hallterm.domain.payloads import verify as verify_payload

CARD = DEFAULT_FORMAT.make("GD2022A00017")
RING = Keyring("K1", {"K1": b"hall-secret-0123456789-012345678"}, region="210300")
DAY = dt.date(2026, 11, 26)


def test_a_card_number_inside_a_url_in_lower_case() -> None:
    scan = parse_scan(f"https://hall.example/card?no={CARD.lower()}&x=1")
    assert (scan.kind, scan.card_no, scan.raw) == ("card", CARD, f"https://hall.example/card?no={CARD.lower()}&x=1")
    assert parse_scan(f" {CARD}\r\n").raw == CARD
    slip = parse_scan("HT2:210300:Q:20261126:A017:K1:ABCDEFGHIJKLMNOP")
    assert slip.raw == "HT2:210300:Q:20261126:A017:K1:ABCDEFGHIJKLMNOP" and slip.slip_fields[3] == "20261126"


def test_invisible_and_control_characters_are_refused_not_stripped() -> None:
    for bad in (f"\u200b{CARD}", f"{CARD[:4]}\u200b{CARD[4:]}", f"\x0c{CARD}", f"\x0b{CARD}"):
        with pytest.raises(ScanError, match="控制字符"):
            normalize(bad)
    assert normalize(f"\u3000\t{CARD}\r\n") == CARD


def test_near_misses_up_to_24_characters_get_the_format_message() -> None:
    for text in ("GD" + "1" * 22, "GD" + "1" * 3):
        with pytest.raises(ScanError, match="卡号格式不对"):
            parse_scan(text)
    with pytest.raises(ScanError, match="无法识别"):
        parse_scan("GD" + "1" * 23)


def test_long_input_is_shown_cut_at_24_characters() -> None:
    with pytest.raises(ScanError) as info:
        parse_scan("X" * 24)
    assert "“" + "X" * 24 + "”" in str(info.value)
    with pytest.raises(ScanError) as info:
        parse_scan("X" * 25)
    assert "“" + "X" * 24 + "…”" in str(info.value)


def test_check_characters_need_exactly_17_characters() -> None:
    with pytest.raises(ValueError):
        resident_id_check_char("1" * 16)
    with pytest.raises(ValueError):
        uscc_check_char("1" * 18)


def test_a_ten_digit_phone_keeps_four() -> None:
    assert mask_phone("0412555123") == "******5123"
    assert mask_phone("041255512") == "*****5512"


def test_a_hand_out_slip_upper_cases_the_case_number() -> None:
    payload = verify_payload(handout_payload("zx-1", 3, DAY, RING), RING)
    assert payload.fields[0] == "ZX-1"


def test_slips_of_another_day_say_which_slip_and_day() -> None:
    slip = verify_payload(appointment_payload(7, DAY, "09:30", RING), RING)
    with pytest.raises(PayloadError) as info:
        check_day(slip, DAY + dt.timedelta(days=1))
    assert info.value.reason is Refusal.EXPIRED
    assert str(info.value) == "这是 2026-11-26 的预约回执，已过期，请重新预约或现场取号"
    with pytest.raises(PayloadError) as info:
        check_day(slip, DAY - dt.timedelta(days=1))
    assert info.value.reason is Refusal.NOT_YET and str(info.value).startswith("这是 2026-11-26 的预约回执，未到")
    check_day(slip, DAY)


YEAR = """\
year = 2027
source = "x"
makeup_workdays = [
  2027-02-20,
  2027-02-22,
]

[[holidays]]
name = "春节"
start = 2027-02-05
end = 2027-02-11

[[holidays]]
name = "劳动节"
start = 2027-05-01
end = 2027-05-05
"""


def year_refusal(text: str) -> CalendarFileError:
    with pytest.raises(CalendarFileError) as info:
        parse_year_file(text, "2027.toml", None)
    return info.value


def test_lines_named_inside_the_second_entry() -> None:
    assert year_refusal(YEAR).line == 5  # 2027-02-22 is a Monday, on its own line of the list
    fixed = YEAR.replace("  2027-02-22,\n", "")
    assert parse_year_file(fixed, "2027.toml").makeup_workdays == (dt.date(2027, 2, 20),)
    error = year_refusal(fixed.replace("end = 2027-05-05", "end = 2028-01-02"))
    assert error.line == 15 and error.reason.startswith("日期 2028-01-02 不属于 2027 年")
    error = year_refusal(fixed.replace("end = 2027-05-05", "end = 2027-04-30"))
    assert error.line == 15 and error.reason.startswith("「劳动节」的结束日期")
    error = year_refusal(fixed.replace("end = 2027-05-05", "end = 2027-05-05\nsource = 1"))
    assert error.line == 16 and error.reason.startswith("未知的键 source")


@pytest.mark.parametrize(("year", "ok"), [(2000, True), (2100, True), (1999, False), (2101, False)])
def test_years_from_2000_to_2100(year: int, ok: bool) -> None:
    text = f'year = {year}\nsource = "x"\n[[holidays]]\nname = "元旦"\nstart = {year}-01-01\n'
    if ok:
        assert parse_year_file(text, "f.toml").year == year
    else:
        assert year_refusal(text).line == 1
