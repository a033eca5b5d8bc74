"""parse_scan on hostile input: a Scan or a ScanError with a Chinese line, never anything else."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from hallterm.domain.cards import DEFAULT_FORMAT, MAX_SCAN_LENGTH, ScanError, parse_scan

_CHINESE = re.compile(r"[\u4e00-\u9fff]")

hostile = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.text(alphabet="\x00\x1b[]0123456789;mGDABCDE\t\r\n\u3000：ＧＤ０１２\u200b\u202e:HT1"),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=4), st.integers(1, 3 * MAX_SCAN_LENGTH)),
)


@given(hostile)
@example("\x1b[31mGD2022A000178\x1b[0m")
@example("ＧＤ２０２２Ａ０００１７８")
@example("HT1:" + "\u00e9" * 10)
@example("GD" + "9" * 10_000)
def test_parse_scan_gives_a_scan_or_a_chinese_refusal(text: str) -> None:
    try:
        scan = parse_scan(text)
    except ScanError as exc:
        assert _CHINESE.search(str(exc)), str(exc)
        assert "\n" not in str(exc)
        return
    assert scan.kind in {"card", "slip"}
    if scan.kind == "card":
        assert DEFAULT_FORMAT.is_valid(scan.card_no)
    else:
        assert scan.raw.isascii() and len(scan.slip_fields) >= 4


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=5, max_size=5))
def test_a_valid_card_number_survives_noise_around_it(serial: str) -> None:
    card = DEFAULT_FORMAT.make("GD2022A" + "".join(c for c in serial if c.isdigit()).ljust(5, "0"))
    assert parse_scan(f"  {card.lower()}\r\n").card_no == card
