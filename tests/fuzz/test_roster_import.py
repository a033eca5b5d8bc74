"""Roster CSV import on hostile files: every row stored is clean, or a Chinese refusal naming the line.

Random bytes, the three encodings Excel writes (UTF-8, UTF-8 with BOM, GB18030), huge fields,
formula injection (``=cmd|' /C calc'!A0``) and control characters in names, missing columns. A refused
file writes nothing: the holders and events tables are the same before and after.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hallterm.cli import main
from hallterm.config import Settings
from hallterm.domain.cards import DEFAULT_FORMAT
from hallterm.domain.events import EventKind
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.roster import COLUMNS, RosterCheck, RosterFileError, check_roster
from hallterm.services.context import Services
from hallterm.services.roster import import_roster
from hallterm.storage.tables import card_holders, events
from tests.conftest import TODAY

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
FORMULA = ("=", "+", "-", "@")
# Column widths of card_holders: PostgreSQL refuses a longer value (SQLite would keep it).
WIDTHS = {c.name: c.type.length for c in card_holders.columns if getattr(c.type, "length", None)}


def _holder(serial: int) -> dict[str, str]:
    body = f"2103021985031{serial % 10}{serial % 1000:03d}"
    return {
        "card_no": DEFAULT_FORMAT.make(f"GD2022A{serial:05d}"), "name": "张三明",
        "id_number": body + resident_id_check_char(body), "tier": "A", "issued_on": "2022-01-15",
        "expires_on": "2099-12-31", "status": "active", "phone": f"139{serial:08d}", "employer": "鞍钢集团有限公司",
    }


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def _formula(text: str) -> bool:
    first = text.lstrip(" \u3000\t\r\n\v\f")[:1]
    return bool(first) and unicodedata.normalize("NFKC", first) in FORMULA


def _clean(text: str) -> bool:
    return not any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in text)


def _unwrapped(column: str, text: str) -> str:
    """An employer may hold line breaks: a cell written with Alt+Enter in Excel."""
    return text.replace("\r\n", "").replace("\n", "") if column == "employer" else text


def _checked(data: bytes) -> RosterCheck | None:
    """The check of ``data``; None when the file is refused whole (with a Chinese line)."""
    try:
        check = check_roster(data, DEFAULT_FORMAT, today=TODAY)
    except RosterFileError as exc:
        assert _CHINESE.search(str(exc)) and "\n" not in str(exc), str(exc)
        return None
    for error in check.errors:  # one line, shown safely on a terminal, of a readable length
        assert re.fullmatch(r"第 \d+ 行：.*[\u4e00-\u9fff].*", str(error)), str(error)
        assert _clean(str(error)) and len(str(error)) < 1000, str(error)
    for row in check.rows:  # what would be stored is clean and fits every column
        for column in COLUMNS:
            value = str(getattr(row, column))
            assert _clean(_unwrapped(column, value)), (column, value)
            assert len(value) <= WIDTHS.get(column, len(value)), (column, len(value))
        assert not _formula(row.name) and not _formula(row.employer), row
    return check


@given(st.binary(max_size=600))
@example(b"\xef\xbb\xbf")
@example(b"\x00" * 10)
@example(",".join(COLUMNS).encode() + b"\r\n\"unclosed")
def test_random_bytes_are_refused_or_checked(data: bytes) -> None:
    _checked(data)


@given(st.text(max_size=300))
def test_random_text_after_a_good_header_is_refused_or_checked(text: str) -> None:
    _checked((",".join(COLUMNS) + "\r\n" + text).encode("utf-8", "surrogatepass"))


hostile_cell = st.one_of(
    st.sampled_from(["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", " =1+1", "\u3000＝1+1", "＠x", "－1",
                     "\t=1", "张\x00三", "张\x1b[2J三", "王\r\n五", "李\u202e四", "x" * 70, "鞍" * 201,
                     "9" * 30, "", " ", "GD2022A00001X", "2099-02-30", "revoked ", "e"]),
    st.text(max_size=40),
)


@given(st.integers(2, 5), st.data(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
@example(3, None, "utf-8")
def test_one_hostile_cell_is_refused_naming_its_line(rows: int, data: st.DataObject | None,
                                                     encoding: str) -> None:
    holders = [_holder(n) for n in range(1, rows + 1)]
    if data is None:  # the classic: a formula in a name
        at, column, cell = 1, "name", "=cmd|' /C calc'!A0"
    else:
        at = data.draw(st.integers(0, rows - 1))
        column = data.draw(st.sampled_from(COLUMNS))
        cell = data.draw(hostile_cell)
    holders[at][column] = cell
    try:
        payload = _csv(holders).encode(encoding)
    except UnicodeEncodeError:
        return  # GB18030 cannot carry it; the other encodings can
    check = _checked(payload)
    assert check is not None
    bad_lines = {error.line for error in check.errors}
    assert bad_lines <= {at + 2}, check.errors  # the header is line 1
    text = _unwrapped(column, cell.strip())
    if column in {"name", "employer"} and (_formula(text) or not _clean(text)):
        assert bad_lines == {at + 2}, (column, cell)


@given(st.lists(st.sampled_from(COLUMNS), unique=True, max_size=len(COLUMNS) - 1))
def test_a_missing_column_is_named(columns: list[str]) -> None:
    with pytest.raises(RosterFileError) as refusal:
        check_roster(_csv([_holder(1)], tuple(columns)).encode(), DEFAULT_FORMAT, today=TODAY)
    missing = [c for c in COLUMNS if c not in columns]
    assert all(c in str(refusal.value) for c in missing), str(refusal.value)


def test_a_huge_field_is_refused_naming_its_line() -> None:
    holders = [_holder(1), _holder(2)]
    holders[1]["employer"] = "鞍" * 200_000
    check = _checked(_csv(holders).encode("utf-8-sig"))
    assert check is not None and [e.line for e in check.errors] == [3], check.errors


def _counts(svc: Services) -> tuple[int, int]:
    """Holders, and events other than the rule settings a command records when it opens the database."""
    with svc.db.read() as conn:
        return (conn.execute(select(func.count()).select_from(card_holders)).scalar_one(),
                conn.execute(select(func.count()).select_from(events)
                             .where(events.c.kind != EventKind.RULE_SETTINGS_CHANGED.value)).scalar_one())


def test_a_refused_import_writes_nothing(services: Services, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(_csv([_holder(n) for n in range(1, 4)]), encoding="utf-8-sig")
    assert import_roster(services, good).ok

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, 2), st.sampled_from(COLUMNS), hostile_cell, st.booleans())
    def refuse(at: int, column: str, cell: str, gbk: bool) -> None:
        holders = [_holder(n) for n in range(1, 6)]  # two new holders, three updates
        holders[at]["name"] = "新名字"
        holders[at + 2][column] = cell
        path = tmp_path / "hostile.csv"
        try:
            path.write_bytes(_csv(holders).encode("gb18030" if gbk else "utf-8-sig"))
        except UnicodeEncodeError:
            return
        before = _counts(services)
        try:
            result = import_roster(services, path)
        except RosterFileError:
            result = None
        if result is None or not result.ok:
            assert _counts(services) == before

    refuse()


def test_the_command_refuses_a_formula_name_naming_the_line(settings: Settings, tmp_path: Path,
                                                            services: Services,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "名册.csv"
    holders = [_holder(1), _holder(2), _holder(3)]
    holders[2]["name"] = "=cmd|' /C calc'!A0"
    roster.write_bytes(_csv(holders).encode("gb18030"))
    before = _counts(services)
    with contextlib.suppress(SystemExit):
        code = main(["--db", settings.db.resolved_url(), "cards", "import", str(roster)])
    err = capsys.readouterr().err
    assert code == 1
    assert "第 4 行" in err and "未导入任何数据" in err and "Traceback" not in err, err
    assert _counts(services) == before
