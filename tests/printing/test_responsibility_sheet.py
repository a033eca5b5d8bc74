"""The responsibility list on A4 (责任清单, S10; issue 14 point 2), read back with pypdf: the title, the time
and the scope, every case number, the heading row repeated on each following page, page numbers; and the
sheet sent through the print path like every notice (spooled, recorded, 0600)."""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path

import pypdf

from hallterm.domain.responsibility import Duty, DutyKind, timing
from hallterm.domain.workdays import WorkCalendar
from hallterm.printing.responsibility_sheet import ResponsibilitySheet, missing_in, render_pdf
from hallterm.services import print_jobs
from hallterm.services.context import Services
from hallterm.services.responsibility import as_table, print_list
from tests.printing.conftest import NOW_LOCAL
from tests.sessions import SUPERVISOR

HEADINGS = ("状态", "类别", "事项", "案件编号", "申请人", "责任部门", "责任人（工号）", "期限")


def duties(n: int) -> tuple[Duty, ...]:
    cal = WorkCalendar()
    today = NOW_LOCAL.date()
    out = []
    for i in range(n):
        due = today + dt.timedelta(days=i % 9 - 4)
        who = None if i % 7 == 0 else "S1001"
        what = "建设工程规划许可证核发（审查中，暂停计时）" if i % 5 == 0 else "公司设立登记（审查中）"
        out.append(Duty(DutyKind.ITEM, what, i + 1, f"210300-20261126-{i + 1:04d}", "王*", "工程建设审批科", who,
                        "王芳" if who else "", "业务协调科", due, timing(cal, due, today)))
    return tuple(out)


def pages_text(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "list.pdf"
    path.write_bytes(pdf)
    return ["".join(page.extract_text().replace("\x00", "").split()) for page in pypdf.PdfReader(path).pages]


def test_a_long_list_continues_on_the_next_page_with_its_heading_and_page_numbers(tmp_path: Path) -> None:
    listed = duties(45)
    sheet = ResponsibilitySheet("鞍山市政务服务中心", NOW_LOCAL, "工程建设审批科", as_table(listed),
                                sum(d.flagged for d in listed))
    assert missing_in(sheet) == []  # every character is in the shipped font
    pages = pages_text(render_pdf(sheet), tmp_path)
    assert len(pages) == 2
    first, second = pages
    assert "责任清单" in first and "范围：工程建设审批科" in first and "2026-11-2610:05" in first
    assert "第1/2页" in first and "第2/2页" in second
    heading = "".join(HEADINGS)
    assert heading in first and heading in second  # repeated on the following page
    assert all(d.case_no in first + second for d in listed)
    assert first.index(listed[0].case_no) < first.index(listed[1].case_no)  # in the list's order
    assert "未指定责任人" in first and "逾期" in first  # said in words on a black-and-white print
    assert "个工作日" in first and not re.search(r"逾期\d+天", first)  # the unit: working days (S6), never bare 天
    assert "范围：工程建设审批科（责任部门或责任人所在科室）" in first  # what the filter matched


def test_an_empty_list_says_so(tmp_path: Path) -> None:
    sheet = ResponsibilitySheet("鞍山市政务服务中心", NOW_LOCAL, "", as_table(()), 0)
    (page,) = pages_text(render_pdf(sheet), tmp_path)
    assert "范围：全部科室" in page and "目前没有在办事项" in page


def test_the_sheet_goes_through_the_print_path_like_every_notice(loaded: Services) -> None:
    outcome = print_list(loaded, duties(3), "工程建设审批科", session=SUPERVISOR)
    assert outcome.ok and outcome.status == "spooled" and outcome.title.startswith("责任清单")
    pdf = Path(outcome.spool_base + ".pdf")
    assert pdf.is_file() and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert str(loaded.settings.printing.spool_path) in outcome.spool_base
    (record,) = print_jobs.recent_slips(loaded)
    assert (record.kind, record.title, record.status) == ("notice", outcome.title, "spooled")
