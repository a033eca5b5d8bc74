"""`hallterm report` (issue 14 point 1), run in-process through main() on one small hall per module.

The hall: a few cases opened in November 2026 by the real use cases — one met, handed out and rated
差评, one left open past its promised day — and a coordinator whose name in the staff file is a forged
spreadsheet formula. The command's JSON is the reference: the CSVs (csv module, BOM) and the workbook
(openpyxl) are read back and compared to it value by value. Bad input each gets its own test: one
Chinese line on stderr, exit status 2, no file written.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from hallterm import cli
from hallterm.config import load_settings, sqlite_url
from hallterm.domain.cases import CaseDraft
from hallterm.domain.checklist import MaterialKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.domain.rating import Level
from hallterm.domain.report import FIGURES
from hallterm.linebreak import display_width
from hallterm.services import cases, checklist, checklist_sheet, rating, report_export
from hallterm.services.context import Services
from hallterm.storage import holders
from hallterm.storage.tables import staff
from tests.conftest import TODAY, _row
from tests.services.handout_flow import hand_out_case, signed_in
from tests.storage.conftest import PgServer, pg_server, settings_for  # noqa: F401 - fixtures

FORGED = '=HYPERLINK("http://example.invalid","李协调")'
HOLDER = "王喆"
NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")
UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of November 2026 in the hall (UTC+8), as UTC."""
    return dt.datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


def fill_hall(svc: Services, clock: list[dt.datetime]) -> dict[str, str]:
    """Cases of November 2026 made by the real use cases; returns what the tests look for."""
    from hallterm.domain.holders import CardStatus

    year = dt.timedelta(days=365)
    row = _row("GD2022A00017", HOLDER, "A", TODAY - 2 * year, TODAY + 3 * year, CardStatus.ACTIVE, svc)
    other = _row("GD2023C00778", "赵明远", "C", TODAY - year, TODAY + year, CardStatus.ACTIVE, svc)
    with svc.db.write() as conn:
        holders.upsert_rows(conn, [row, other], svc.now())
    draft = CaseDraft(card_no=row.card_no, kind=CaseKind.ENTERPRISE, item_codes=("QY-GSSL",),
                      enterprise_kind=EnterpriseKind.FOREIGN, enterprise_name="鞍山喆玥科技有限公司")

    clock[0] = at(2, 9, 30)  # Monday 2 November: opened, met 20 minutes later, handed out and rated 差评
    desk = signed_in(svc, "S1401")
    first = cases.open_case(svc, desk, draft)
    assert first.coordinator is not None
    coordinator_id = first.coordinator.staff_id
    coordinator = signed_in(svc, coordinator_id)
    clock[0] = at(2, 9, 50)
    cases.mark_met(svc, coordinator, first.id)
    clock[0] = at(3, 14, 0)
    event_id = hand_out_case(svc, first.id, desk_id="S1402", coordinator_id=coordinator_id)
    rating.rate(svc, "F1", event_id, int(Level.VERY_DISSATISFIED), "slow")

    clock[0] = at(4, 10, 0)  # Wednesday 4 November: opened and left open, past its promised day by now
    second = cases.open_case(svc, desk, CaseDraft(card_no=other.card_no, kind=CaseKind.ENTERPRISE,
                                                  item_codes=("QY-GSSL",), enterprise_kind=EnterpriseKind.FOREIGN,
                                                  enterprise_name="鞍山明远贸易有限公司"))
    sheet = checklist_sheet.load(svc, second.id)  # its materials complete: accepted, its clock running
    for item in sheet.items:
        papers = [m.material_id for m in item.materials if m.kind in (MaterialKind.CORE, MaterialKind.SECONDARY)]
        checklist.receive_many(svc, desk, item.case_item_id, papers)
        checklist.decide_item(svc, desk, item.case_item_id)
    with svc.db.write() as conn:  # a staff file with a forged name, as `reference load` would store it
        conn.execute(update(staff).where(staff.c.staff_id == coordinator_id).values(name=FORGED))
    return {"coordinator": coordinator_id, "first": first.case_no, "second": second.case_no,
            "card": row.card_no}


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory, _sqlite_templates: dict[str, Path]) -> Iterator[tuple[str, dict]]:
    """One SQLite hall for the whole module: (its path, what fill_hall made)."""
    path = tmp_path_factory.mktemp("report") / "hall.sqlite3"
    shutil.copyfile(_sqlite_templates["loaded"], path)
    clock = [at(1, 9)]
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": sqlite_url(path)}), clock=lambda: clock[0])
    try:
        made = fill_hall(svc, clock)
    finally:
        svc.close()
    yield str(path), made


def report(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["--db", db, "report", *args])
    except SystemExit as exc:  # argparse refuses a malformed date itself, exit status 2
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def last_json(out: str) -> dict:
    return json.loads(out.splitlines()[-1])


@pytest.fixture(scope="module")
def november(hall: tuple[str, dict], tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, Path, str]:
    """`report --from … --to … --json --csv DIR --xlsx FILE` run once: (its JSON, the CSV folder, the workbook,
    the printed text)."""
    folder = tmp_path_factory.mktemp("out")
    out_dir, book = folder / "csv" / "十一月", folder / "十一月.xlsx"
    printed = io.StringIO()  # capsys is per test: this run is shared by the module
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(printed):
        for name in [n for n in os.environ if n.startswith("HALLTERM_")]:  # as tests/conftest.py does per test
            mp.delenv(name)
        code = cli.main(["--db", hall[0], "report", *NOVEMBER, "--json", "--csv", str(out_dir), "--xlsx", str(book)])
    out = printed.getvalue()
    assert code == 0, out
    return last_json(out), out_dir, book, out


# --- the JSON ----------------------------------------------------------------------------------------


def test_the_json_is_the_last_line_with_every_key_an_inspector_reads(
        november: tuple[dict, Path, Path, str], hall: tuple[str, dict]) -> None:
    data, _, _, out = november
    for key in ("cases_opened", "cases_closed", "on_time_rate", "wait_p50_min", "wait_p90_min", "ratings",
                "satisfaction_rate", "conditional_outstanding", "conditional_breached", "appointments_kept",
                "appointments_missed", "overdue_items", "period", "section", "generated_at", "tables"):
        assert key in data, key
    assert data["period"] == {"start": "2026-11-01", "end": "2026-11-30", "days": 30} and data["section"] is None
    assert data["cases_opened"] == 2
    assert data["ratings"]["1"] == 1 and data["ratings"]["total"] == 1
    assert data["on_time_rate"] is None or 0 <= data["on_time_rate"] <= 1
    assert {"by_section", "by_person", "overdue_items", "responsibility"} <= set(data["tables"])
    duties = data["tables"]["responsibility"]  # 责任清单 (issue 14 point 2): late ones first, holders masked
    assert duties and duties[0]["late_days"] == max(d["late_days"] or 0 for d in duties)
    assert {d["holder"] for d in duties} <= {"王*", "赵*远"}
    assert HOLDER not in out and hall[1]["card"] not in json.dumps(data, ensure_ascii=False)


def test_the_summary_on_the_terminal(november: tuple[dict, Path, Path, str]) -> None:
    data, _, _, out = november
    lines = out.splitlines()
    assert lines[0].startswith("督查报表　2026-11-01 至 2026-11-30　全大厅")
    assert any(line.strip().startswith("受理案件") and line.rstrip().endswith(" 2") for line in lines)
    if data["wait_p90_min"] is None:
        assert any("等候时间 90% 分位（分钟）" in line and "无数据" in line for line in lines)
    assert "好差评：非常满意 0　满意 0　基本满意 0　不满意 0　非常不满意 1" in out
    assert f"已保存 CSV {len(data['tables']) + 1} 个文件" in out and "已保存 Excel 工作簿" in out
    assert "本期没有数据" not in out
    overdue = data["tables"]["overdue_items"]
    assert data["overdue_items"] == len(overdue) == 1  # the second case's item, accepted on 4 November
    row = overdue[0]
    assert any(row["case_no"] in line and row["responsible"] in line and row["due_on"] in line for line in lines)
    assert "其余各表" in out and "责任清单" in out
    # What happened in the period and what stands now are read apart: 当前 holds the as_of_now figures.
    now = next(n for n, line in enumerate(lines) if line.strip().startswith("当前（截至 "))
    period = next(n for n, line in enumerate(lines) if line.strip().startswith("本期（2026-11-01 至 2026-11-30）"))
    label = {line.strip().split()[0]: n for n, line in enumerate(lines[:now + 8]) if line.startswith("    ")}
    assert period < label["受理案件"] < label["代办逾期"] < now < label["超期未办结事项"] and "代办逾期未完成" in label
    assert "—" not in "\n".join(lines[now:])  # tables say 无数据 where the screen does


# --- the files, read back ------------------------------------------------------------------------------


def _as_csv(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return str(value)


def test_every_csv_read_back_equals_the_json(november: tuple[dict, Path, Path, str]) -> None:
    data, folder, _, _ = november
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["overview.csv", *(f"{key}.csv" for key in data["tables"])])
    for key, rows in data["tables"].items():
        path = folder / f"{key}.csv"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        with path.open(encoding="utf-8-sig", newline="") as f:
            read = list(csv.reader(f))
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in title) for title in read[0]), read[0]  # Chinese
        assert len(read) == len(rows) + 1
        for got, want in zip(read[1:], rows, strict=True):
            assert got == [_as_csv(v) if not isinstance(v, float) else repr(v) for v in want.values()], key
    with (folder / "overview.csv").open(encoding="utf-8-sig", newline="") as f:
        overview = {row[3]: row[1] for row in csv.reader(f)}
    for figure in FIGURES:
        value = data[figure.key]
        assert overview[figure.key] == ("" if value is None else repr(value) if isinstance(value, float)
                                        else str(value)), figure.key


def test_the_workbook_read_back_equals_the_json(november: tuple[dict, Path, Path, str]) -> None:
    data, _, path, _ = november
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    book = load_workbook(path)
    assert book.sheetnames[0] == "概览" and len(book.sheetnames) == len(data["tables"]) + 1
    overview = book["概览"]
    by_label = {row[0].value: row[1] for row in overview.iter_rows(min_row=2)}
    for figure in FIGURES:
        cell = by_label[figure.label]
        assert cell.value == data[figure.key], figure.key
        if figure.unit == "rate" and cell.value is not None:
            assert cell.number_format == "0.0%"
    for sheet_name, (key, rows) in zip(book.sheetnames[1:], data["tables"].items(), strict=True):
        sheet = book[sheet_name]
        header = [c.value for c in sheet[1]]
        assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2", key
        for n, title in enumerate(header, start=1):
            assert sheet.column_dimensions[sheet.cell(row=1, column=n).column_letter].width > display_width(title)
        read = list(sheet.iter_rows(min_row=2))
        assert len(read) == len(rows), key
        for got, want in zip(read, rows, strict=True):
            for cell, value in zip(got, want.values(), strict=True):
                if cell.is_date:
                    assert cell.value.date().isoformat() == value, key
                elif value == "":
                    assert cell.value is None, key
                elif isinstance(value, str):
                    assert cell.data_type == "s" and cell.value == _as_csv(value), key
                else:
                    assert cell.value == value, key


def test_a_forged_formula_in_a_staff_name_comes_out_as_text(november: tuple[dict, Path, Path, str]) -> None:
    data, folder, path, _ = november
    in_json = [key for key, rows in data["tables"].items() if any(FORGED in map(str, r.values()) for r in rows)]
    assert in_json, "the coordinator's (forged) name is in a per-person table"
    for key in in_json:
        text = (folder / f"{key}.csv").read_text(encoding="utf-8-sig")
        assert "'" + FORGED.replace('"', '""') in text
    book = load_workbook(path)
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row if FORGED in str(c.value)]
    assert cells and all(c.value == "'" + FORGED and c.data_type == "s" for c in cells)


def test_no_holder_name_phone_or_id_number_in_any_file(november: tuple[dict, Path, Path, str]) -> None:
    """Staff are named (the report is about who is responsible); card holders are masked, and no phone or ID
    number appears anywhere."""
    _, folder, path, out = november
    texts = [out, *(p.read_text(encoding="utf-8-sig") for p in folder.iterdir())]
    book = load_workbook(path)
    texts += [str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None]
    everything = "\n".join(texts)
    for secret in (HOLDER, "赵明远", "13812345678", "210302198001010"):
        assert secret not in everything, secret
    assert "王*" in everything and "赵*远" in everything  # masked, as the responsibility list shows them


# --- what an inspector may ask for ---------------------------------------------------------------------


def test_a_period_with_no_data_says_so(hall: tuple[str, dict], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, hall[0], "--from", "2026-10-01", "--to", "2026-10-31", "--json")
    assert code == 0, err
    assert "本期没有数据" in out and "受理案件" not in out.splitlines()[1]
    data = last_json(out)
    assert data["cases_opened"] == 0 and data["satisfaction_rate"] is None and data["empty"] is True


def test_the_default_period_is_this_month_in_the_halls_time_zone(
        hall: tuple[str, dict], capsys: pytest.CaptureFixture[str]) -> None:
    before = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    code, out, err = report(capsys, hall[0], "--json")
    after = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    assert code == 0, err
    period = last_json(out)["period"]
    assert period["start"] in (before.replace(day=1).isoformat(), after.replace(day=1).isoformat())
    assert dt.date.fromisoformat(period["end"]).month == dt.date.fromisoformat(period["start"]).month


def test_from_alone_runs_to_today_to_alone_from_the_first(hall: tuple[str, dict],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, hall[0], "--to", "2026-11-04", "--json")
    assert code == 0 and last_json(out)["period"]["start"] == "2026-11-01"
    code, out, _ = report(capsys, hall[0], "--from", "2026-11-03", "--json")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    assert code == 0 and last_json(out)["period"]["end"] in (today.isoformat(),
                                                             (today + dt.timedelta(days=1)).isoformat())


def test_one_section(hall: tuple[str, dict], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, hall[0], *NOVEMBER, "--section", " 业务协调科 ", "--json")
    assert code == 0, err
    data = last_json(out)
    assert data["section"] == "业务协调科" and "　业务协调科（生成于 " in out.splitlines()[0]
    assert data["cases_opened"] == 2 and {r["section"] for r in data["tables"]["by_section"]} == {"业务协调科"}
    # Tickets carry no section: None in the JSON, but the summary says why rather than 无数据.
    assert data["tickets_issued"] is None and data["tickets_no_show"] is None
    tickets = next(line for line in out.splitlines() if line.strip().startswith("排队取号"))
    assert tickets.rstrip().endswith("不分科室") and "无数据" not in tickets
    code, out, err = report(capsys, hall[0], *NOVEMBER, "--section", "督查考核科", "--json")
    assert code == 0 and last_json(out)["cases_opened"] == 0 and "本期没有数据" in out


# --- bad input: one Chinese line, exit 2, nothing written ------------------------------------------------


@pytest.mark.parametrize(("args", "says"), [
    (("--from", "2026-13-01"), "日期 '2026-13-01' 应写成 YYYY-MM-DD"),
    (("--to", "十一月"), "日期 '十一月' 应写成 YYYY-MM-DD"),
    (("--from", "2026-11-20", "--to", "2026-11-10"), "--to 2026-11-10 早于 --from 2026-11-20：截止日不能早于起始日"),
    (("--from", "2999-01-01"), "在今天"),
    (("--section", "不存在科"), "没有名为“不存在科”的科室：请用以下之一（--section）：业务协调科、企业登记科"),
])
def test_bad_input_is_refused_with_a_chinese_line(hall: tuple[str, dict], capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    book = tmp_path / "r.xlsx"
    code, out, err = report(capsys, hall[0], *args, "--xlsx", str(book), "--csv", str(tmp_path / "c"))
    assert code == 2 and says in err and out == "", err
    assert "Traceback" not in err and not book.exists() and not (tmp_path / "c").exists()


@pytest.mark.parametrize(("where", "says"), [
    (("--csv", "{tmp}/file.txt"), "已存在但不是目录"),
    (("--csv", "{tmp}/file.txt/sub"), "不可写或不是目录"),
    (("--xlsx", "{tmp}/missing/r.xlsx"), "不存在：请先创建它"),
    (("--xlsx", "{tmp}"), "是一个目录"),
    (("--xlsx", "{tmp}/r.csv"), "不是 .xlsx 文件名"),
])
def test_a_place_the_files_cannot_go_is_refused_before_anything_is_written(
        hall: tuple[str, dict], capsys: pytest.CaptureFixture[str], tmp_path: Path,
        where: tuple[str, str], says: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    book = tmp_path / "ok.xlsx"
    code, out, err = report(capsys, hall[0], *NOVEMBER, "--xlsx", str(book), where[0],
                            where[1].format(tmp=tmp_path))
    assert code == 2 and says in err and "请" in err, err
    assert out == "" and not book.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_a_workbook_that_fails_to_write_takes_the_csvs_with_it(
        hall: tuple[str, dict], capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = report_export._stage

    def full_disk(path: Path, data: bytes) -> Path:
        if path.suffix == ".xlsx":
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(report_export, "_stage", full_disk)
    old = tmp_path / "r.xlsx"
    old.write_bytes(b"last month's")
    code, out, err = report(capsys, hall[0], *NOVEMBER, "--csv", str(tmp_path / "csv"), "--xlsx", str(old))
    # in Chinese (the system's English words go to the log only)
    assert code == 2 and out == "" and "磁盘已满" in err and "No space" not in err and "报表未保存" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"] and old.read_bytes() == b"last month's"


# --- PostgreSQL: the same hall, the same figures ----------------------------------------------------------


@pytest.mark.postgres
def test_the_json_on_postgresql_equals_sqlite(pg_server: PgServer, november: tuple[dict, Path, Path, str],  # noqa: F811
                                              capsys: pytest.CaptureFixture[str]) -> None:
    name = pg_server.create(template=pg_server.loaded_template())
    url = pg_server.url(name)
    clock = [at(1, 9)]
    svc = Services.open(settings_for(url), upgrade=False, clock=lambda: clock[0])
    try:
        fill_hall(svc, clock)
    finally:
        svc.close()
    try:
        code, out, err = report(capsys, url, *NOVEMBER, "--json")
    finally:
        pg_server.drop(name)
    assert code == 0, err
    on_pg, on_sqlite = last_json(out), dict(november[0])
    for data in (on_pg, on_sqlite):
        data.pop("generated_at")
        data.pop("files", None)
    assert on_pg == on_sqlite
