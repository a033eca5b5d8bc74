"""The talent office's roster: `hallterm cards import` and `hallterm cards lookup`, end to end.

Each CLI test runs the real program in a subprocess against an SQLite file in tmp_path; the same
rules are also driven through ``hallterm.services.roster.import_roster`` so that every kind of bad
row is covered without starting a process per case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.config import load_settings, sqlite_url
from hallterm.domain.cards import DEFAULT_FORMAT
from hallterm.domain.ids import mask_id, resident_id_check_char
from hallterm.domain.roster import COLUMNS, RosterFileError
from hallterm.services.context import Services
from hallterm.services.roster import import_roster
from hallterm.storage import events, holders
from hallterm.storage.tables import card_holders
from tests.conftest import FIXED_NOW

CHINESE_HEADER = ("卡号", "姓名", "身份证号", "类别", "发卡日期", "有效期至", "状态", "电话", "工作单位")


def resident_id(region: str = "210302", birth: str = "19850315", sequence: str = "123") -> str:
    body = region + birth + sequence
    return body + resident_id_check_char(body)


def card(year: int, tier: str, serial: int) -> str:
    return DEFAULT_FORMAT.make(f"GD{year}{tier}{serial:05d}")


def holder_row(serial: int, *, name: str = "", tier: str = "A", status: str = "active", **changes: str) -> list[str]:
    """One valid roster row; ``changes`` overrides columns by name to make it bad."""
    row = {
        "card_no": card(2022, tier, serial),
        "name": name or ["张三明", "李四", "欧阳娜娜", "王小川", "赵敏"][serial % 5],
        "id_number": resident_id(birth=f"19{60 + serial % 30:02d}0{1 + serial % 9}1{serial % 9}",
                                 sequence=f"{serial % 1000:03d}"),
        "tier": tier,
        "issued_on": "2022-01-15",
        "expires_on": "2099-12-31",  # far ahead: the CLI judges with the real clock
        "status": status,
        "phone": f"139{serial:08d}",
        "employer": "鞍钢集团有限公司",
    }
    row.update(changes)
    return [row[c] for c in COLUMNS]


def csv_bytes(rows: Sequence[Sequence[str]], *, header: Sequence[str] = COLUMNS, encoding: str = "utf-8",
              newline: str = "\r\n") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


GOOD_ROWS = [
    holder_row(1, name="张三明"), holder_row(2, name="李四", tier="B"), holder_row(3, name="欧阳娜娜", tier="E"),
]


# ---------- running the program ----------


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path / "x.sqlite3")


def hallterm(db_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["PYTHONUTF8"] = "1"
    return subprocess.run([sys.executable, "-m", "hallterm", "--db", db_url, *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, cwd=cwd, timeout=120)


def import_file(db_url: str, path: Path) -> subprocess.CompletedProcess[str]:
    return hallterm(db_url, "cards", "import", str(path), cwd=path.parent)


def lookup(db_url: str, card_no: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return hallterm(db_url, "cards", "lookup", card_no, cwd=cwd)


def open_services(db_url: str) -> Services:
    return Services.open(load_settings(environ={"HALLTERM_DB_URL": db_url}))


def holder_count(db_url: str) -> int:
    svc = open_services(db_url)
    try:
        with svc.db.read() as conn:
            return holders.count(conn)
    finally:
        svc.close()


def stored_names(db_url: str) -> dict[str, str]:
    svc = open_services(db_url)
    try:
        with svc.db.read() as conn:
            return {card_no: name for card_no, name in conn.execute(select(card_holders.c.card_no,
                                                                           card_holders.c.name))}
    finally:
        svc.close()


# ---------- good files through the CLI ----------


@pytest.mark.parametrize(("encoding", "label"), [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 (BOM)"),  # Excel's "CSV UTF-8"
    ("gb18030", "GB18030"),  # Excel's plain "CSV" on a Chinese Windows
])
def test_cli_imports_a_roster_in_each_encoding(tmp_path: Path, db_url: str, encoding: str, label: str) -> None:
    path = tmp_path / "roster.csv"
    data = csv_bytes(GOOD_ROWS, encoding=encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):  # the test must really need the GB18030 fallback
            data.decode("utf-8")
    path.write_bytes(data)

    result = import_file(db_url, path)

    assert result.returncode == 0, result.stderr
    assert f"（{label}）" in result.stdout
    assert "共 3 人，新增 3，更新 0" in result.stdout
    assert holder_count(db_url) == 3
    # The names survive the decoding: mojibake would not equal the original characters.
    assert sorted(stored_names(db_url).values()) == sorted(["张三明", "李四", "欧阳娜娜"])


def test_cli_lookup_prints_the_holder_with_a_masked_id(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS, encoding="gb18030"))
    assert import_file(db_url, path).returncode == 0
    card_no, id_number = GOOD_ROWS[0][0], GOOD_ROWS[0][2]

    # Typed as a person would: lower case with spaces.
    result = lookup(db_url, f" {card_no.lower()[:6]} {card_no.lower()[6:]} ", tmp_path)

    assert result.returncode == 0, result.stderr
    assert f"卡号：{card_no}" in result.stdout
    assert "姓名：张三明" in result.stdout
    assert f"身份证号：{mask_id(id_number)}" in result.stdout
    assert id_number not in result.stdout  # personal data is minimised
    assert "A类" in result.stdout
    assert "2022-01-15 至 2099-12-31" in result.stdout
    assert "可走绿色通道" in result.stdout
    assert "139****0001" in result.stdout


def test_cli_lookup_of_tier_e_says_it_is_not_in_the_green_channel(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS))
    assert import_file(db_url, path).returncode == 0
    result = lookup(db_url, GOOD_ROWS[2][0], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "不在绿色通道服务范围" in result.stdout


def test_cli_accepts_chinese_headers_and_values(tmp_path: Path, db_url: str) -> None:
    rows = [
        holder_row(1, tier="A", status="有效", issued_on="2022/1/15"),
        holder_row(2, tier="B", status="已注销", issued_on="2022年1月15日"),
        holder_row(3, tier="C", status="过期", expires_on="2023.1.14"),
    ]
    rows = [[*r[:3], r[3] + "类", *r[4:]] for r in rows]  # "A类", as the template writes the tier
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes(rows, header=CHINESE_HEADER, encoding="gb18030"))

    result = import_file(db_url, path)

    assert result.returncode == 0, result.stderr
    assert "共 3 人，新增 3" in result.stdout
    revoked = lookup(db_url, rows[1][0], tmp_path)
    assert "注销" in revoked.stdout
    expired = lookup(db_url, rows[2][0], tmp_path)
    assert "已于 2023-01-14 过期" in expired.stdout


def test_cli_reimport_updates_holders_and_lookup_respects_revocation(tmp_path: Path, db_url: str) -> None:
    first = tmp_path / "roster-1.csv"
    first.write_bytes(csv_bytes(GOOD_ROWS))
    assert import_file(db_url, first).returncode == 0
    card_no, id_number = GOOD_ROWS[0][0], GOOD_ROWS[0][2]
    assert "可走绿色通道" in lookup(db_url, card_no, tmp_path).stdout

    # The talent office corrected a name and revoked the card; one new holder joined.
    changed = [holder_row(1, name="张三鸣", status="revoked"), GOOD_ROWS[1], holder_row(4, name="王小川")]
    second = tmp_path / "roster-2.csv"
    second.write_bytes(csv_bytes(changed, encoding="utf-8-sig"))
    result = import_file(db_url, second)

    assert result.returncode == 0, result.stderr
    assert "共 3 人，新增 1，更新 2" in result.stdout
    assert holder_count(db_url) == 4  # holders missing from a file are kept, not deleted
    after = lookup(db_url, card_no, tmp_path)
    assert after.returncode == 0, after.stderr  # the holder was found and printed; the verdict is in the text
    assert "姓名：张三鸣" in after.stdout
    assert "此卡已被注销" in after.stdout
    assert "可走绿色通道" not in after.stdout
    assert f"身份证号：{mask_id(id_number)}" in after.stdout
    assert id_number not in after.stdout


# ---------- bad files through the CLI ----------


def test_cli_lists_every_bad_row_and_writes_nothing(tmp_path: Path, db_url: str) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    assert import_file(db_url, good).returncode == 0

    rows = [
        holder_row(1, name="不应写入"),  # line 2: good, an update that must not land
        holder_row(5, card_no="GD2022A000168"),  # 3: check character
        holder_row(6, tier="F", card_no=card(2022, "A", 6)),  # 4: tier F
        holder_row(7, tier="B", card_no=card(2022, "A", 7)),  # 5: tier does not match the card
        holder_row(8, issued_on="2023-02-30"),  # 6: no such date
        holder_row(9, issued_on="2024-05-01", expires_on="2024-04-30"),  # 7: expires before issued
        holder_row(10, id_number="110105194912310021"),  # 8: resident-ID check character
        holder_row(11, status="suspended"),  # 9: unknown status
        holder_row(2, tier="B"),  # 10: GOOD_ROWS[1] again … first seen here
        holder_row(2, tier="B"),  # 11: … and duplicated
        holder_row(12)[:8],  # 12: a column short
    ]
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows, encoding="gb18030"))

    result = import_file(db_url, path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "未导入任何数据" in result.stderr
    expected = {
        3: "校验位", 4: "类别 F 无效", 5: "不一致", 6: "发卡日期 2023-02-30", 7: "有效期早于发卡日期",
        8: "身份证号 110*************21 无效", 9: "状态 suspended 无效", 11: "与第 10 行重复", 12: "应有 9 列",
    }
    listed = {int(m.group(1)): m.group(2) for m in re.finditer(r"第 (\d+) 行：(.*)", result.stderr)}
    assert set(listed) == set(expected)
    for line, fragment in expected.items():
        assert fragment in listed[line], (line, listed[line])
    assert f"有 {len(expected)} 行错误" in result.stderr
    # Nothing written: same count, and the good update on line 2 did not land either.
    assert holder_count(db_url) == 3
    assert stored_names(db_url)[GOOD_ROWS[0][0]] == "张三明"


def test_cli_reports_an_unclosed_quote_on_the_line_where_it_opens(tmp_path: Path, db_url: str) -> None:
    text = csv_bytes(GOOD_ROWS).decode()
    lines = text.split("\r\n")
    lines[2] = lines[2].replace(",鞍钢集团有限公司", ',"鞍钢集团有限公司')  # line 3 opens a quote, never closed
    path = tmp_path / "quote.csv"
    path.write_bytes("\r\n".join(lines).encode())

    result = import_file(db_url, path)

    assert result.returncode == 1, result.stdout
    assert re.search(r"第 3 行：.*引号", result.stderr), result.stderr
    assert holder_count(db_url) == 0


def test_cli_missing_file_exits_1(tmp_path: Path, db_url: str) -> None:
    result = import_file(db_url, tmp_path / "absent.csv")
    assert result.returncode == 1
    assert "找不到名册文件" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "空"),
    (",".join(COLUMNS).encode() + b"\r\n", "只有表头"),
    (b"card_no,name\r\nGD2022A000178,x\r\n", "表头缺少列"),
])
def test_cli_unusable_file_exits_1_with_one_line(tmp_path: Path, db_url: str, content: bytes, fragment: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    result = import_file(db_url, path)
    assert result.returncode == 1
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


# ---------- cards lookup refusals ----------


@pytest.mark.parametrize(("card_no", "fragment"), [
    ("GD2019B00001D", "不在人才名册中"),  # well-formed but unknown
    ("GD2022A000168", "校验位"),  # mistyped
    ("GD2022A00017", "格式不对"),  # a digit short
    ("hello", "无法识别"),
    ("HT1:T:20261126:A017", "不是钢都英才卡号"),  # a hall slip, not a card
])
def test_cli_lookup_refuses_with_a_clear_message(tmp_path: Path, db_url: str, card_no: str, fragment: str) -> None:
    open_services(db_url).close()  # the hall's database exists (a lookup never creates one)
    result = lookup(db_url, card_no, tmp_path)
    assert result.returncode == 1
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# ---------- the same rules through the service ----------


def _write(tmp_path: Path, rows: Sequence[Sequence[str]], **kwargs: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(rows, **kwargs))
    return path


def _count(svc: Services) -> int:
    with svc.db.read() as conn:
        return holders.count(conn)


def test_service_import_counts_and_logs_an_event(services: Services, tmp_path: Path) -> None:
    result = import_roster(services, _write(tmp_path, GOOD_ROWS), staff_id="S1401")
    assert result.ok
    assert (result.inserted, result.updated) == (3, 0)
    assert result.check.encoding == "UTF-8"
    again = import_roster(services, _write(tmp_path, GOOD_ROWS))
    assert (again.inserted, again.updated) == (0, 3)
    assert _count(services) == 3
    with services.db.read() as conn:
        logged = events.recent(conn, kind="roster_imported")
    assert [e.details["inserted"] for e in logged] == [0, 3]  # newest first
    assert logged[1].staff_id == "S1401"


def test_service_import_refuses_birth_dates_after_the_clocks_day_or_impossible(
        services: Services, tmp_path: Path, clock: list[dt.datetime]) -> None:
    """The day is the services' clock (2026-11-26, FIXED_NOW), never the system's: a holder born on
    2026-11-27 is refused today and accepted once the clock has reached that day."""
    tomorrow = resident_id(birth="20261127")
    rows = [holder_row(1, id_number=tomorrow),
            holder_row(2, id_number="110105203102300024"),  # Feb 30; checksum hand-verified in tests/unit/test_ids.py
            holder_row(3, id_number=resident_id(birth="18991231")),
            holder_row(4, id_number=resident_id(birth="20261126"))]  # born today: a real, if young, resident
    result = import_roster(services, _write(tmp_path, rows))
    assert not result.ok and _count(services) == 0  # nothing written while any row is bad
    reasons = {e.line: e.reason for e in result.check.errors}
    assert reasons == {
        2: f"身份证号 {mask_id(tomorrow)} 无效：身份证号码中的出生日期晚于今天（号码已遮盖，请按行号核对原文件）",
        3: "身份证号 110*************24 无效：身份证号码中的出生日期不存在（号码已遮盖，请按行号核对原文件）",
        4: f"身份证号 {mask_id(rows[2][2])} 无效：身份证号码中的出生日期早于 1900 年（号码已遮盖，请按行号核对原文件）",
    }
    assert not any(date in str(result.check.errors) for date in ("20261127", "2026-11-27", "2031-02-30", "1899"))
    clock[0] = FIXED_NOW + dt.timedelta(days=1)  # the clock reaches the birth date: that row is good now
    later = import_roster(services, _write(tmp_path, [rows[0], rows[3]]))
    assert later.ok and later.inserted == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_service_reads_each_encoding(services: Services, tmp_path: Path, encoding: str) -> None:
    result = import_roster(services, _write(tmp_path, GOOD_ROWS, encoding=encoding, newline="\n"))
    assert result.ok
    with services.db.read() as conn:
        holder = holders.find(conn, GOOD_ROWS[2][0])
    assert holder is not None
    assert holder.name == "欧阳娜娜"
    assert holder.employer == "鞍钢集团有限公司"


BAD_ROWS: list[tuple[str, list[str], str]] = [
    ("card check character", holder_row(5, card_no="GD2022A000168"), "校验位"),
    ("card format", holder_row(5, card_no="GD22A000178"), "格式不对"),
    ("empty card number", holder_row(5, card_no=""), "卡号为空"),
    ("tier outside A-E", holder_row(5, tier="F", card_no=card(2022, "A", 5)), "类别 F 无效"),
    ("tier not matching the card", holder_row(5, tier="C", card_no=card(2022, "A", 5)), "不一致"),
    ("impossible date", holder_row(5, issued_on="2023-02-30"), "发卡日期 2023-02-30"),
    ("unreadable expiry", holder_row(5, expires_on="明年"), "有效期 明年"),
    ("expiry before issue", holder_row(5, issued_on="2024-05-01", expires_on="2024-04-30"), "有效期早于发卡日期"),
    ("resident-ID checksum", holder_row(5, id_number="110105194912310021"), "身份证号"),
    ("resident-ID birth date", holder_row(5, id_number="110105194902300026"), "身份证号"),
    ("unknown status", holder_row(5, status="suspended"), "状态 suspended 无效"),
    ("empty name", holder_row(5, name=" ", tier="A"), "姓名为空"),
    ("bad phone", holder_row(5, phone="call me"), "电话"),
    ("too many columns", [*holder_row(5), "extra"], "应有 9 列，实际 10 列"),
    ("too few columns", holder_row(5)[:-1], "应有 9 列，实际 8 列"),
]


@pytest.mark.parametrize(("row", "fragment"), [(r, f) for _, r, f in BAD_ROWS], ids=[k for k, _, _ in BAD_ROWS])
def test_service_refuses_each_kind_of_bad_row(services: Services, tmp_path: Path, row: list[str],
                                              fragment: str) -> None:
    import_roster(services, _write(tmp_path, GOOD_ROWS))
    # The bad row sits between good ones, on line 3 (the header is line 1).
    rows = [holder_row(1, name="改名不应生效"), row, GOOD_ROWS[1]]
    result = import_roster(services, _write(tmp_path, rows))
    assert not result.ok
    assert [e.line for e in result.check.errors] == [3]
    assert fragment in result.check.errors[0].reason
    assert str(result.check.errors[0]).startswith("第 3 行：")
    assert (result.inserted, result.updated) == (0, 0)
    assert _count(services) == 3
    with services.db.read() as conn:
        holder = holders.find(conn, GOOD_ROWS[0][0])
        assert holder is not None and holder.name == "张三明"
        assert len(events.recent(conn, kind="roster_imported")) == 1  # only the first, good import


def test_service_reports_a_duplicate_card_with_both_lines(services: Services, tmp_path: Path) -> None:
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], holder_row(1, name="同一张卡")]
    result = import_roster(services, _write(tmp_path, rows))
    assert not result.ok
    assert [(e.line, e.reason) for e in result.check.errors] == [(4, f"卡号 {GOOD_ROWS[0][0]} 与第 2 行重复")]
    assert _count(services) == 0


def test_service_lists_all_bad_rows_not_just_the_first(services: Services, tmp_path: Path) -> None:
    rows = [GOOD_ROWS[0]] + [r for _, r, _ in BAD_ROWS]
    result = import_roster(services, _write(tmp_path, rows))
    assert [e.line for e in result.check.errors] == list(range(3, 3 + len(BAD_ROWS)))
    assert _count(services) == 0


def test_service_unclosed_quote_in_the_last_column_does_not_swallow_later_rows(services: Services,
                                                                              tmp_path: Path) -> None:
    # The employer is the last column and not checked: a lenient CSV reader read the rest of the
    # file into that one cell, imported line 2 alone and silently dropped the holders after it.
    text = csv_bytes(GOOD_ROWS).decode()
    lines = text.split("\r\n")
    lines[1] = lines[1].replace(",鞍钢集团有限公司", ',"鞍钢集团有限公司')
    path = tmp_path / "roster.csv"
    path.write_bytes("\r\n".join(lines).encode())
    result = import_roster(services, path)
    assert not result.ok
    assert [e.line for e in result.check.errors] == [2]
    assert "引号" in result.check.errors[0].reason
    assert _count(services) == 0


def test_service_accepts_a_quoted_cell_spanning_lines(services: Services, tmp_path: Path) -> None:
    # Excel writes a cell with Alt+Enter as a quoted multi-line value: valid CSV, must import.
    rows = [holder_row(1, employer="鞍钢集团\n矿业公司"), GOOD_ROWS[1]]
    result = import_roster(services, _write(tmp_path, rows))
    assert result.ok, result.check.errors
    assert [r.line for r in result.check.rows] == [2, 4]  # the second holder starts on line 4


def test_service_line_numbers_skip_blank_lines_correctly(services: Services, tmp_path: Path) -> None:
    text = csv_bytes([GOOD_ROWS[0]]).decode() + "\r\n,,,,,,,,\r\n" + ",".join(holder_row(7, status="x")) + "\r\n"
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode())
    result = import_roster(services, path)
    assert [e.line for e in result.check.errors] == [5]


def test_service_raises_for_a_file_without_the_needed_columns(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("卡号,姓名\r\nGD2022A000178,张三明\r\n".encode("gb18030"))
    with pytest.raises(RosterFileError, match="id_number"):
        import_roster(services, path)
