"""The report's writers (issue 14 point 1) on a report made by hand: no database, every value known.

JSON for scripts, one CSV per table, one workbook: read back with the csv module and openpyxl and
compared value by value; a forged formula and a stored control character come out harmless; the files
are the owner's only; a failure while writing leaves nothing behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import json
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hallterm.domain.report import FIGURES, Column, Period, Report, Table
from hallterm.linebreak import display_width
from hallterm.services import report_export
from hallterm.services.report_export import (
    ReportFileError,
    check_csv_dir,
    check_xlsx_path,
    report_json,
    write_csv,
    write_xlsx,
)

CST = dt.timezone(dt.timedelta(hours=8))
FORGED = "=HYPERLINK(\"http://evil\",\"点我\")"


def hand_made() -> Report:
    figures: dict[str, int | float | None] = {f.key: 0 for f in FIGURES}
    figures.update(cases_opened=12, cases_closed=9, on_time_rate=7 / 9, overdue_items=2, wait_p50_min=14.5,
                   wait_p90_min=None, conditional_breached=1, ratings_total=10, satisfaction_rate=0.8)
    sections = Table("by_section", "分科室", (
        Column("section", "科室", "text"), Column("cases_opened", "受理", "count"),
        Column("on_time_rate", "按时办结率", "rate"), Column("wait_p50_min", "等候中位数（分钟）", "minutes"),
        Column("balance", "增减", "count")), (
        ("企业登记科", 8, 0.75, 12.0, -3),
        ("工程建设审批科", 4, None, None, 2),
    ))
    overdue = Table("overdue_items", "超期/未办结事项", (
        Column("case_no", "办件编号", "text"), Column("item", "事项", "text"), Column("owner", "责任人", "text"),
        Column("due_on", "承诺办结日", "date"), Column("days_late", "超期工作日", "day")), (
        ("210300-20261201-0001", FORGED, "+SUM(A1:A9)", dt.date(2026, 12, 2), 1),
        ("210300-20261201-0002", "食品经营许可", "王\x1b[2J芳", dt.date(2026, 12, 1), 2),
    ))
    empty = Table("proxy_late", "代办逾期", (Column("task", "任务", "text"),), ())
    return Report(Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31)), None,
                  dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC), figures, {5: 6, 4: 2, 2: 1, 1: 1},
                  (sections, overdue, empty))


@pytest.fixture(scope="module")
def report() -> Report:
    return hand_made()


@pytest.fixture(scope="module")
def as_json(report: Report) -> dict[str, object]:
    return json.loads(json.dumps(report_json(report, CST), ensure_ascii=False))  # what a script reads


def test_json_has_every_figure_the_ratings_and_the_tables(as_json: dict[str, object]) -> None:
    for key in ("cases_opened", "cases_closed", "on_time_rate", "wait_p50_min", "wait_p90_min", "ratings",
                "satisfaction_rate", "conditional_outstanding", "conditional_breached", "appointments_kept",
                "appointments_missed", "overdue_items", "period", "section", "generated_at", "tables"):
        assert key in as_json, key
    # rates to 4 decimals (7 / 9 = 0.77777… → 0.7778): what a script reads, without float noise
    assert as_json["on_time_rate"] == 0.7778 and as_json["wait_p90_min"] is None
    assert as_json["ratings"] == {"5": 6, "4": 2, "3": 0, "2": 1, "1": 1, "total": 10}
    assert as_json["period"] == {"start": "2026-12-01", "end": "2026-12-31", "days": 31}
    assert as_json["section"] is None and as_json["generated_at"] == "2026-12-03T18:00:00+08:00"
    tables = as_json["tables"]
    assert isinstance(tables, dict) and list(tables) == ["by_section", "overdue_items", "proxy_late"]
    assert tables["by_section"][1] == {"section": "工程建设审批科", "cases_opened": 4, "on_time_rate": None,
                                       "wait_p50_min": None, "balance": 2}
    assert tables["overdue_items"][0]["due_on"] == "2026-12-02"
    assert tables["overdue_items"][0]["item"] == FORGED  # JSON is data for scripts: kept as it was stored
    assert tables["proxy_late"] == []


def _expected_csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return str(value).replace("\x1b", "\\x1b")


def test_csv_one_file_per_table_with_bom_chinese_headers_and_the_json_values(
        tmp_path: Path, report: Report, as_json: dict[str, object]) -> None:
    folder = tmp_path / "new" / "报表"
    paths = write_csv(report, folder, CST)
    assert [p.name for p in paths] == ["overview.csv", "by_section.csv", "overdue_items.csv", "proxy_late.csv"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    tables: dict[str, list[dict[str, object]]] = as_json["tables"]  # type: ignore[assignment]
    for path, table in zip(paths[1:], report.tables, strict=True):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens the Chinese as it is
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [c.title for c in table.columns]
        assert len(rows) - 1 == len(tables[table.key])
        for got, want in zip(rows[1:], tables[table.key], strict=True):
            assert got == [_expected_csv_cell(want[c.key]) for c in table.columns]
    by_section = paths[1].read_text(encoding="utf-8-sig").splitlines()
    assert by_section[1] == "企业登记科,8,0.75,12.0,-3"  # a negative number is a number, not a formula
    overdue = paths[2].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in overdue and "'+SUM(A1:A9)" in overdue and "王\\x1b[2J芳" in overdue
    with paths[0].open(encoding="utf-8-sig", newline="") as f:
        overview = {row[3]: row for row in csv.reader(f)}
    assert overview["键"] == ["指标", "数值", "单位", "键", "口径"]
    assert overview["on_time_rate"][:3] == ["按时办结率", "0.7778", "比率"]  # 7 / 9 to 4 decimals
    assert all(overview[f.key][4] == f.explain and f.explain for f in FIGURES)  # how each figure is counted
    assert overview["wait_p90_min"][1] == "" and overview["ratings_5"][1] == "6"
    assert overview["section"][1] == "全大厅" and overview["period_start"][1] == "2026-12-01"


def test_csv_over_existing_files_tightens_their_mode(tmp_path: Path, report: Report) -> None:
    old = tmp_path / "by_section.csv"
    old.write_text("old")
    old.chmod(0o644)
    write_csv(report, tmp_path)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and old.read_text(encoding="utf-8-sig").startswith("科室,")
    assert not list(tmp_path.glob(".*.part"))


def test_a_failure_while_writing_leaves_no_file_and_no_folder(
        tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    real = report_export._stage
    calls: list[Path] = []

    def flaky(path: Path, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(report_export, "_stage", flaky)
    folder = tmp_path / "out"
    with pytest.raises(ReportFileError, match=r"无法写入文件 .*overdue_items\.csv：磁盘已满。") as raised:
        write_csv(report, folder)
    assert "No space" not in str(raised.value)  # the system's English words only in the log
    assert not folder.exists()  # neither the two files staged before, nor the folder made for them


def test_xlsx_overview_and_one_sheet_per_table_read_back(
        tmp_path: Path, report: Report, as_json: dict[str, object]) -> None:
    path = tmp_path / "报表.xlsx"
    write_xlsx(report, path, CST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    book = load_workbook(path)
    assert book.sheetnames == ["概览", "分科室", "超期／未办结事项", "代办逾期"]

    overview = book["概览"]
    values = {row[0].value: row[1] for row in overview.iter_rows(min_row=2)}
    explains = {row[0].value: row[3].value for row in overview.iter_rows(min_row=2)}
    assert [c.value for c in overview[1]] == ["指标", "数值", "单位", "口径"]
    for f in FIGURES:
        cell = values[f.label]
        assert cell.value == as_json[f.key], f.key
        assert explains[f.label] == f.explain, f.key
        if f.unit == "rate" and cell.value is not None:
            assert cell.number_format == "0.0%"
    assert values["统计起始日"].value == dt.datetime(2026, 12, 1) and values["统计起始日"].is_date
    assert values["评价：非常满意"].value == 6 and values["评价：基本满意"].value == 0
    assert values["生成时间"].value == "2026-12-03 18:00"

    tables: dict[str, list[dict[str, object]]] = as_json["tables"]  # type: ignore[assignment]
    for sheet_name, table in zip(book.sheetnames[1:], report.tables, strict=True):
        sheet = book[sheet_name]
        header = [c.value for c in sheet[1]]
        assert header == [c.title for c in table.columns]
        assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
        for n, column in enumerate(table.columns, start=1):
            letter = sheet.cell(row=1, column=n).column_letter
            assert sheet.column_dimensions[letter].width > display_width(column.title)
        rows = list(sheet.iter_rows(min_row=2))
        assert len(rows) == len(tables[table.key])
        for got, want in zip(rows, tables[table.key], strict=True):
            for cell, column in zip(got, table.columns, strict=True):
                expected = want[column.key]
                if column.unit == "date":
                    assert cell.is_date and cell.value.date().isoformat() == expected
                elif isinstance(expected, str):
                    assert cell.data_type == "s" and cell.value == _expected_csv_cell(expected)
                else:
                    assert cell.value == expected, (table.key, column.key)
                    if column.unit == "rate" and expected is not None:
                        assert cell.number_format == "0.0%"
    overdue = book["超期／未办结事项"]
    assert overdue["B2"].value == "'" + FORGED and overdue["B2"].data_type == "s"  # not a formula
    assert overdue["C3"].value == "王\\x1b[2J芳"  # shown, and openpyxl's refusal of ESC never reached
    assert overdue.column_dimensions["B"].width >= display_width("'" + FORGED)
    assert book["分科室"]["E2"].value == -3


@pytest.mark.parametrize(("name", "message"), [
    ("file.txt/sub", "不可写或不是目录"),
    ("file.txt", "已存在但不是目录"),
])
def test_a_csv_folder_that_cannot_be(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ReportFileError, match=message):
        check_csv_dir(tmp_path / name)


@pytest.mark.parametrize(("name", "message"), [
    ("missing/报表.xlsx", "不存在：请先创建它"),
    ("folder.xlsx", "是一个目录"),
    ("报表.csv", "不是 .xlsx 文件名"),
])
def test_a_workbook_path_that_cannot_be(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(ReportFileError, match=message):
        check_xlsx_path(tmp_path / name)


def test_sheet_names_excel_accepts(tmp_path: Path) -> None:
    """31 characters at most, unique (Excel compares them ignoring case), no []:*?/\\ (full-width instead)."""
    long = "各事项按时办结率（工作日，扣除特殊程序，含容缺受理和特别程序的暂停计时）"
    tables = tuple(Table(f"t{n}", title, (Column("a", "甲", "text"),), (("",),))
                   for n, title in enumerate(("概览", long, long, "A:B[1]?")))
    base = hand_made()
    path = tmp_path / "names.xlsx"
    write_xlsx(Report(base.period, "企业登记科", base.generated_at, base.figures, {}, tables), path)
    book = load_workbook(path)
    assert book.sheetnames == ["概览", "概览(2)", long[:31], long[:28] + "(2)", "A：B［1］？"]
    assert book["概览(2)"]["A2"].value is None  # an empty text is an empty cell
    overview = {row[0].value: row[1].value for row in book["概览"].iter_rows(min_row=2)}
    assert overview["科室"] == "企业登记科" and overview["评价：满意"] == 0 and overview["满意率"] == 0.8


def test_csv_file_names_stay_in_the_folder_and_never_collide(tmp_path: Path) -> None:
    tables = tuple(Table(key, "表", (Column("a", "甲", "count"),), ((1,),)) for key in ("../up", "overview", "ok"))
    base = hand_made()
    paths = write_csv(Report(base.period, None, base.generated_at, base.figures, {}, tables), tmp_path / "out")
    assert [p.name for p in paths] == ["overview.csv", "___up.csv", "overview_2.csv", "ok.csv"]
    assert all(p.parent == tmp_path / "out" for p in paths) and not (tmp_path / "up.csv").exists()


def test_a_folder_without_write_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a clerk's account sees a folder it may not write (the tests run as root, who may write anywhere)."""
    monkeypatch.setattr(report_export.os, "access", lambda path, mode: False)
    with pytest.raises(ReportFileError, match=r"目录 .* 不可写：请换一个有写权限的目录（--csv），报表未保存"):
        check_csv_dir(tmp_path)
    with pytest.raises(ReportFileError, match=r"无法创建目录 .*：请换一个有写权限的位置（--csv）"):
        check_csv_dir(tmp_path / "new")
    with pytest.raises(ReportFileError, match=r"无法写入 .*报表\.xlsx：没有写权限。请换一个有写权限的位置（--xlsx）"):
        check_xlsx_path(tmp_path / "报表.xlsx")


@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOENT, "目录不存在"), (errno.EACCES, "没有写入权限"), (errno.EPERM, "没有写入权限"),
    (errno.ENOSPC, "磁盘已满"), (errno.EROFS, "磁盘只读"), (errno.EIO, "读写出错"),
])
def test_os_errors_are_said_in_chinese(code: int, words: str) -> None:
    """``无法写入目录 /proc/nope：No such file or directory`` was English inside a Chinese line."""
    message = str(report_export._file_error(Path("/proc/nope"), OSError(code, "English words"), "目录"))
    assert message.startswith(f"无法写入目录 /proc/nope：{words}") and "English" not in message


def test_a_sections_overview_says_the_tickets_are_not_per_section() -> None:
    base = hand_made()
    mine = Report(base.period, "企业登记科", base.generated_at, {**base.figures, "tickets_issued": None}, {}, ())
    rows = {key: explain for key, _label, _value, _unit, explain in report_export.overview_rows(mine)}
    assert rows["tickets_issued"].startswith("不分科室") and rows["cases_opened"] == FIGURES[0].explain
