"""The record of a joint review (会商纪要, S8) as an A4/A5 PDF, in the shipped CJK font.

The PDF is vector text set with fpdf2 in ``assets/fonts`` (SIL OFL 1.1, which allows embedding a subset
in documents); the case number is on every page's footer, in the body and in the metadata, so the file
can be found and checked by its case number. The same layout renders as text for the screen's preview.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hallterm.printing.layout import Align, Role, Sheet, TextSheet
from hallterm.printing.notices import PAPERS, PdfSheet


@dataclass(frozen=True)
class MinutesOpinion:
    department: str
    opinion: str  # 同意 / 有条件同意 / 不同意 / 未出具意见
    text: str


@dataclass(frozen=True)
class Minutes:
    """What the record says; names as staff may print them (the applicant's name is on the case anyway)."""

    bureau: str  # who held the meeting
    number: str  # 会商〔2026〕第0001号
    case_no: str
    applicant: str
    items: str
    project: str
    when: str  # 2026年12月1日 14:30
    place: str
    organiser: str
    departments: tuple[MinutesOpinion, ...]
    conclusion: str  # 同意办理 …, "" while none
    outcome: str
    printed_on: dt.date

    @property
    def title(self) -> str:
        return f"会商纪要 {self.number} {self.case_no}"


def layout_minutes(m: Minutes, sheet: Sheet) -> None:
    sheet.text(m.bureau, Role.TITLE, align=Align.CENTER)
    sheet.text("会商纪要", Role.HEADING, align=Align.CENTER, bold=True)
    sheet.text("（特事特办、一事一议　集中会商、联合审查）", Role.SMALL, align=Align.CENTER)
    sheet.text(m.number, Role.BODY, align=Align.RIGHT)
    labels = ["办件编号：", "申请人：", "审批事项：", "项目名称：", "会商时间：", "会商地点：", "组织人："]
    sheet.label_column(labels)
    sheet.pair("办件编号：", m.case_no)
    sheet.pair("申请人：", m.applicant)
    sheet.pair("审批事项：", m.items or "—")
    if m.project:
        sheet.pair("项目名称：", m.project)
    sheet.pair("会商时间：", m.when)
    sheet.pair("会商地点：", m.place)
    sheet.pair("组织人：", m.organiser)
    sheet.rule()
    sheet.text(f"参加会商的部门（{len(m.departments)} 个）及意见：", Role.BODY, bold=True)
    for n, d in enumerate(m.departments, 1):
        sheet.text(f"{d.department}：{d.opinion}" + (f"。{d.text}" if d.text else ""), Role.BODY, indent=1,
                   bullet=f"{n}.")
    sheet.gap()
    sheet.text("会商结论：", Role.BODY, bold=True)
    if m.conclusion:
        sheet.text(f"{m.conclusion}。{m.outcome}", Role.BODY, indent=1)
    else:
        sheet.text("（尚未形成结论）", Role.BODY, indent=1)
    sheet.gap()
    sheet.text(f"{m.bureau}（印章）", Role.BODY, align=Align.RIGHT)
    sheet.text(f"{m.printed_on.year}年{m.printed_on.month}月{m.printed_on.day}日", Role.BODY, align=Align.RIGHT)
    sheet.gap(1)
    sheet.text("参会部门代表签字：________________________________", Role.BODY)


def preview_minutes(m: Minutes, width: int = 60) -> str:
    sheet = TextSheet(width)
    layout_minutes(m, sheet)
    return sheet.render()


def render_minutes_pdf(m: Minutes, paper: str = "A4") -> bytes:
    """The record as a PDF: the case number in every page's footer, in the text and in the metadata."""
    if paper not in PAPERS:
        raise ValueError(f"paper {paper!r}: A4 or A5")
    sheet = PdfSheet(paper, None, footer=f"办件编号 {m.case_no}　{m.number}")
    pdf = sheet.pdf
    pdf.set_title(m.title)
    pdf.set_subject(f"办件编号 {m.case_no}")
    pdf.set_keywords(f"{m.case_no} {m.number}")
    pdf.set_author(m.bureau)
    pdf.set_creator("hallterm")
    pdf.set_creation_date(dt.datetime(m.printed_on.year, m.printed_on.month, m.printed_on.day, tzinfo=dt.UTC))
    sheet.new_page()
    layout_minutes(m, sheet)
    return sheet.output()
