"""The responsibility list (责任清单, S10) on A4 paper, for a supervisor's file or a wall.

The list is the report's table ``responsibility`` (``domain.report.Table``, filled by
``services.responsibility``); this module only sets it: landscape A4 (ten columns of Chinese do not fit
portrait at a readable size), the shipped CJK font, a table whose cells wrap, the heading row repeated on
every page, the time printed and the page number on each page. Late and unheld rows say so in words, in
working days (逾期3个工作日, 未指定责任人); the print is black and white. Holders' names arrive masked.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

from hallterm.domain.report import Table
from hallterm.printing import fonts

MARGIN = 12.0  # mm
FONT_PT = 9.0
# (column keys of the table, heading, share of the width). 责任人 joins the name and the staff id.
_COLUMNS: tuple[tuple[tuple[str, ...], str, float], ...] = (
    (("state",), "状态", 34),
    (("kind",), "类别", 18),
    (("what",), "事项", 58),
    (("case_no",), "案件编号", 38),
    (("holder",), "申请人", 15),
    (("section",), "责任部门", 40),
    (("person", "person_id"), "责任人（工号）", 40),
    (("due_on",), "期限", 22),
)


@dataclass(frozen=True)
class ResponsibilitySheet:
    hall_name: str
    printed_at: dt.datetime  # hall-local
    section: str  # "" for the whole hall
    table: Table
    flagged: int  # late or unheld rows

    @property
    def title(self) -> str:
        return f"责任清单 {self.printed_at:%Y-%m-%d %H:%M}"

    @property
    def scope(self) -> str:
        # A section filter matches the approving department or the holder's section: say so on paper too.
        return f"{self.section}（责任部门或责任人所在科室）" if self.section else "全部科室"


def _cell(keys: tuple[str, ...], row: dict[str, object]) -> str:
    values = [row.get(k) for k in keys]
    if keys == ("person", "person_id"):
        name, staff_id = values
        return f"{name}（{staff_id}）" if staff_id else str(name or "")
    value = values[0]
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def rows(sheet: ResponsibilitySheet) -> list[list[str]]:
    """The printed cells, row by row (also what the glyph check reads)."""
    return [[_cell(keys, r) for keys, _, _ in _COLUMNS] for r in sheet.table.as_dicts()]


def heading_lines(sheet: ResponsibilitySheet) -> list[str]:
    return [sheet.hall_name, "责任清单",
            f"范围：{sheet.scope}　打印时间：{sheet.printed_at:%Y-%m-%d %H:%M}　"
            f"共 {len(sheet.table.rows)} 项，其中逾期或未指定责任人 {sheet.flagged} 项"]


def visible_text(sheet: ResponsibilitySheet) -> str:
    lines = [*heading_lines(sheet), "　".join(title for _, title, _ in _COLUMNS)]
    lines += ["　".join(r) for r in rows(sheet)]
    return "\n".join(lines)


def missing_in(sheet: ResponsibilitySheet) -> list[str]:
    return fonts.missing_glyphs(visible_text(sheet))


def render_pdf(sheet: ResponsibilitySheet) -> bytes:
    """The list as a landscape A4 PDF; the heading row repeats on every page, pages are numbered."""
    # lazy: fpdf2 takes ~0.3 s to import; only printing needs it
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    footer_text = f"{sheet.hall_name}　责任清单　{sheet.scope}　{sheet.printed_at:%Y-%m-%d %H:%M}"

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-MARGIN * 0.8)
            self.set_font("cjk", size=8)
            self.cell(0, 4, f"{footer_text}　第 {self.page_no()}/{{nb}} 页", align="C")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pdf = _Pdf(orientation="landscape", format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN + 4)
    pdf.add_font("cjk", "", str(fonts.font_path()))
    pdf.set_title(sheet.title)
    pdf.set_subject(f"责任清单 {sheet.scope}")
    pdf.set_creator("hallterm")
    pdf.set_creation_date(sheet.printed_at.astimezone(dt.UTC))
    pdf.add_page()
    hall, heading, scope = heading_lines(sheet)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 7, hall, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=18)
    with pdf.local_context(text_mode="FILL_STROKE", line_width=0.25):  # the font has no bold face
        pdf.cell(0, 10, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 6, scope, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("cjk", size=FONT_PT)
    body = rows(sheet)
    if not body:
        pdf.cell(0, 8, "目前没有在办事项。", align="C")
        return bytes(pdf.output())
    widths = tuple(share for _, _, share in _COLUMNS)
    headings = FontFace(emphasis="", fill_color=(225, 225, 225))  # no bold face: shaded instead
    with pdf.table(col_widths=widths, width=pdf.epw, line_height=FONT_PT * 25.4 / 72 * 1.5, text_align="LEFT",
                   headings_style=headings, repeat_headings=1, first_row_as_headings=True) as table:
        heading_row = table.row()
        for _, title, _ in _COLUMNS:
            heading_row.cell(title)
        for cells in body:
            row = table.row()
            for text in cells:
                row.cell(text)
    return bytes(pdf.output())
