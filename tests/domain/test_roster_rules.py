"""The roster CSV's rules row by row: what is accepted, what is refused, and where (hallterm.domain.roster)."""

from __future__ import annotations

import datetime as dt

import pytest

from hallterm.domain.cards import DEFAULT_FORMAT, CardFormat
from hallterm.domain.holders import CardStatus
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import COLUMNS, RosterFileError, RowError, check_roster, decode

PLAIN = CardFormat(r"AS(?P<tier>[A-E])(?P<serial>\d{6})", check="none")
HEADER = ",".join(COLUMNS)
TODAY = dt.date(2026, 11, 26)  # the hall's day, as the services' clock passes it in


def rid(first17: str = "21030219900307123") -> str:
    return first17 + resident_id_check_char(first17)


def row(**cells: str) -> str:
    values = {
        "card_no": "ASB000001", "name": "张三", "id_number": rid(), "tier": "B", "issued_on": "2022-01-15",
        "expires_on": "2027-01-14", "status": "active", "phone": "13800000000", "employer": "鞍钢",
    }
    values.update(cells)
    return ",".join(values[c] for c in COLUMNS)


def check(*rows: str, header: str = HEADER, fmt: CardFormat = PLAIN) -> tuple[list, list[RowError]]:
    result = check_roster(("\n".join([header, *rows]) + "\n").encode(), fmt, today=TODAY)
    assert result.ok is (not result.errors)
    return list(result.rows), list(result.errors)


def test_a_good_row_is_read_field_by_field() -> None:
    rows, errors = check(row(card_no=" asb 000001 ", id_number=rid("11010519491231002")))
    assert errors == []
    (r,) = rows
    assert (r.line, r.card_no, r.name, r.tier) == (2, "ASB000001", "张三", "B")
    assert r.id_number == rid("11010519491231002")
    assert (r.issued_on, r.expires_on, r.status) == (dt.date(2022, 1, 15), dt.date(2027, 1, 14), CardStatus.ACTIVE)
    assert (r.phone, r.employer) == ("13800000000", "鞍钢")


def test_a_lower_case_x_check_character_is_accepted_upper_cased() -> None:
    first17 = next(f"2103021990030{n:04d}" for n in range(1000, 2000)
                   if resident_id_check_char(f"2103021990030{n:04d}") == "X")
    rows, errors = check(row(id_number=first17 + "x"))
    assert errors == [] and rows[0].id_number == first17 + "X"


@pytest.mark.parametrize(("cells", "refused"), [
    ({"card_no": ""}, True),
    ({"card_no": "ASX000001"}, True),
    ({"name": ""}, True),
    ({"name": "张" * 64}, False),
    ({"name": "张" * 65}, True),
    ({"id_number": ""}, True),
    ({"id_number": rid()[:-1] + ("0" if rid()[-1] != "0" else "1")}, True),
    ({"tier": "b类"}, False),
    ({"tier": "F"}, True),
    ({"tier": ""}, True),
    ({"tier": "AB"}, True),
    ({"tier": "C"}, True),  # the card says B
    ({"issued_on": "2022/1/5"}, False),
    ({"issued_on": "2022年1月5日"}, False),
    ({"issued_on": "2022.01.05"}, False),
    ({"issued_on": "2022-02-30"}, True),
    ({"issued_on": "22-01-05"}, True),
    ({"issued_on": ""}, True),
    ({"expires_on": "2022-13-01"}, True),
    ({"expires_on": ""}, True),
    ({"expires_on": "2022-01-15"}, False),  # the same day it was issued
    ({"expires_on": "2022-01-14"}, True),  # before it was issued
    ({"status": "ACTIVE"}, False),
    ({"status": "已注销"}, False),
    ({"status": "lost"}, True),
    ({"status": ""}, True),
    ({"phone": ""}, False),
    ({"phone": "12345"}, False),
    ({"phone": "1234"}, True),
    ({"phone": "+86 138-0000-0000"}, False),
    ({"phone": "1" * 20}, False),
    ({"phone": "1" * 21}, True),
    ({"phone": "138abc00000"}, True),
])
def test_each_cell_rule(cells: dict[str, str], refused: bool) -> None:
    rows, errors = check(row(**cells))
    assert bool(errors) is refused
    assert len(rows) == (0 if refused else 1)
    if refused:
        assert errors[0].line == 2 and str(errors[0]).startswith("第 2 行：")


def test_values_read_from_the_aliases() -> None:
    rows, _ = check(row(tier="e类", card_no="ASE000001", issued_on="2022年1月5日", expires_on="2030/12/31",
                        status="已注销"))
    assert rows[0].tier == "E"
    assert rows[0].issued_on == dt.date(2022, 1, 5) and rows[0].expires_on == dt.date(2030, 12, 31)
    assert rows[0].status is CardStatus.REVOKED
    rows, _ = check(row(status="过期"))
    assert rows[0].status is CardStatus.EXPIRED


def test_every_problem_of_a_row_is_named_at_once() -> None:
    _, errors = check(row(name="", phone="x", status="?"))
    assert errors[0].reason.count("；") == 2


def test_checked_card_numbers_name_the_wrong_check_character() -> None:
    good = DEFAULT_FORMAT.make("GD2022B00001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows, errors = check(row(card_no=good), row(card_no=bad), fmt=DEFAULT_FORMAT)
    assert [r.card_no for r in rows] == [good]
    assert errors[0].line == 3 and "校验位" in errors[0].reason and "请" not in errors[0].reason


def test_duplicates_blank_lines_and_wrong_column_counts() -> None:
    rows, errors = check(row(), "", " , ,,,,,,,", row(), row(card_no="ASB000002") + ",extra", row(card_no="ASB000003"))
    assert [r.line for r in rows] == [2, 7]
    assert [e.line for e in errors] == [5, 6]
    assert "第 2 行重复" in errors[0].reason
    assert "应有 9 列，实际 10 列" in errors[1].reason


def test_a_refused_row_does_not_claim_its_card_number() -> None:
    rows, errors = check(row(name=""), row())
    assert [r.line for r in rows] == [3] and [e.line for e in errors] == [2]


def test_headers_in_chinese_and_in_any_order() -> None:
    header = "姓名,英才卡号,身份证号码,等级,发卡日期,有效期至,状态,手机,单位"
    line = ",".join(["李四", "ASA000009", rid(), "A", "2022-01-15", "2027-01-14", "正常", "", "鞍钢"])
    rows, errors = check(line, header=header)
    assert errors == [] and (rows[0].card_no, rows[0].name, rows[0].tier) == ("ASA000009", "李四", "A")
    rows, _ = check(row(), header=" " + HEADER.upper().replace(",", " , "))
    assert rows[0].card_no == "ASB000001"


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers() -> None:
    rows, errors = check(row(employer='"鞍钢\n炼铁厂"'), row(card_no="ASB000002", name=""))
    assert rows[0].employer == "鞍钢\n炼铁厂"
    assert errors[0].line == 4


def test_an_unclosed_quote_is_an_error_not_a_swallowed_file() -> None:
    rows, errors = check(row(), row(card_no="ASB000002", employer='"鞍钢'), row(card_no="ASB000003"))
    assert [r.line for r in rows] == [2]
    assert errors[-1].line == 3 and "引号" in errors[-1].reason


@pytest.mark.parametrize(("data", "message"), [
    (b"", "文件是空的"),
    (b"card_no,name\n", "表头缺少列"),
    ((HEADER + "\n").encode(), "只有表头"),
    ((HEADER + "\n\n  \n").encode(), "只有表头"),
    (b'"card_no\n', "第 1 行不是有效的 CSV"),
])
def test_files_refused_as_a_whole(data: bytes, message: str) -> None:
    with pytest.raises(RosterFileError, match=message):
        check_roster(data, PLAIN, today=TODAY)


def test_missing_columns_are_listed() -> None:
    with pytest.raises(RosterFileError) as info:
        check_roster(b"card_no,name,id_number,tier,issued_on,expires_on,status\n", PLAIN, today=TODAY)
    assert "phone, employer" in str(info.value)


def test_decode_tells_the_encoding() -> None:
    text = HEADER + "\n" + row() + "\n"
    assert decode(text.encode()) == (text, "UTF-8")
    assert decode(b"\xef\xbb\xbf" + text.encode()) == (text, "UTF-8 (BOM)")
    assert decode(text.encode("gb18030")) == (text, "GB18030")
    assert check_roster(text.encode("gb18030"), PLAIN, today=TODAY).encoding == "GB18030"
    with pytest.raises(RosterFileError, match="编码"):
        decode(b"\xff\xff\xff\xff")


def test_an_empty_cell_is_named_as_empty() -> None:
    _, errors = check(row(id_number="", tier="", issued_on="", expires_on="", status=""))
    reason = errors[0].reason
    for words in ("身份证号 (空) 无效", "类别 (空) 无效", "发卡日期 (空) 不是有效日期", "有效期 (空) 不是有效日期",
                  "状态 (空) 无效"):
        assert words in reason


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("hidden", ["\x1b[2J", "\x1b]52;c;aGk=\x07", "\u202e", "\x9b", "\x00", "\u200b"])
def test_a_control_or_format_character_in_any_field_refuses_the_line_naming_it(column: str, hidden: str) -> None:
    """Issue 16 point 2: every field, not just the free-text ones; the message shows it escaped."""
    good = row()
    value = dict(zip(COLUMNS, good.split(","), strict=True))[column]
    middle = len(value) // 2
    rows, errors = check(row(), row(**{column: value[:middle] + hidden + value[middle:]}))
    assert len(rows) == 1
    assert [e.line for e in errors] == [3]
    message = str(errors[0])
    assert message.startswith("第 3 行：")
    assert message.isprintable() or all(ch == "\u3000" for ch in message if not ch.isprintable())
    for ch in hidden:
        if not ch.isprintable():
            assert ch not in message


def test_an_over_long_card_number_is_refused_before_its_pattern() -> None:
    loose = CardFormat(r"AS(?P<tier>[A-E])(?P<serial>\d{6,60})", check="none")
    _, errors = check(row(card_no="ASB" + "1" * 40), fmt=loose)
    assert [str(e) for e in errors] == ["第 2 行：卡号过长（最多 32 位）"]
