"""The counter's written notices as A4/A5 PDF (S6, S7; research/domain.md §1, §2).

The documents themselves are data (``hallterm.domain.documents``: number, case number, what each
must say); this module only lays them out. The PDF is vector text set in the shipped font, which
fpdf2 embeds as a subset: the file prints the same on any office printer, can be searched and
copied, and holds the case number as text on every page (in the footer too) and in its metadata.
fpdf2 reports a character the font lacks (``missing_glyphs``) instead of drawing a blank.

The desk's preview uses the same layout as text (``preview``).
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

from hallterm.domain.documents import (
    AcceptanceNotice,
    ConditionalCommitment,
    ConditionalNotice,
    Document,
    Header,
    MissingMaterial,
    OneTimeNotice,
    SignatureLine,
    SpecialProcedureNotice,
)
from hallterm.printing import fonts
from hallterm.printing.layout import Align, Role, Sheet, TextSheet, wrap

PAPERS = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}
# Point sizes on A4; A5 uses 85 % of them.
_POINTS = {Role.TITLE: 16.0, Role.HEADING: 22.0, Role.BIG: 28.0, Role.LARGE: 16.0, Role.BODY: 12.0, Role.SMALL: 9.5}
_PT_MM = 25.4 / 72

TITLES_EN = {
    "受理通知书": "Notice of Acceptance",
    "一次性告知书": "One-time Notice of Materials Required",
    "容缺受理承诺书": "Commitment for Acceptance with Materials to Follow",
    "容缺受理通知书": "Notice of Acceptance with Materials to Follow",
    "特殊程序告知书": "Notice of Special Procedure",
}


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# --- layout (shared by the PDF and the preview) ---------------------------------------------------


def _header(sheet: Sheet, h: Header, bilingual: bool, copy_label: str = "", *, by_applicant: bool = False) -> None:
    """Title block and salutation. A notice goes from the handling bureau to the applicant; a
    承诺书 (``by_applicant``) is the applicant's letter to that bureau, so it is addressed to the
    bureau, names the applicant as the one who commits, and carries no bureau letterhead (S2, S7)."""
    if not by_applicant:
        sheet.text(h.issuer, Role.TITLE, align=Align.CENTER)
    sheet.text(h.title, Role.HEADING, align=Align.CENTER, bold=True)
    if bilingual:
        sheet.text(TITLES_EN.get(h.title, ""), Role.SMALL, align=Align.CENTER)
    if copy_label:
        sheet.text(copy_label, Role.SMALL, align=Align.CENTER)
    sheet.text(h.number, Role.BODY, align=Align.RIGHT)
    labels = ["办件编号：", "审批事项："] + (["承诺人："] if by_applicant else [])
    sheet.label_column(labels)
    sheet.pair("办件编号：", h.case_no)
    sheet.pair("审批事项：", h.item_name)
    if by_applicant:
        sheet.pair("承诺人：", h.applicant)
    sheet.gap()
    sheet.text(f"{h.issuer if by_applicant else h.applicant}：", Role.BODY)


def _paragraph(sheet: Sheet, text: str) -> None:
    sheet.text("\u3000\u3000" + text, Role.BODY)


def _missing(sheet: Sheet, missing: tuple[MissingMaterial, ...]) -> None:
    for n, m in enumerate(missing, 1):
        extra = "；".join(p for p in (m.condition, m.requirement) if p)
        sheet.text(f"{m.name}（{m.kind}）" + (f"：{extra}" if extra else ""), Role.BODY, indent=1,
                   bullet=f"{n}.")


def _footer(sheet: Sheet, h: Header, signatures: tuple[SignatureLine, ...], bilingual: bool, *,
            by_applicant: bool = False) -> None:
    sheet.gap()
    if not by_applicant:  # the applicant signs or seals a 承诺书; the bureau seals only its own notices
        sheet.text(f"{h.issuer}（印章）", Role.BODY, align=Align.RIGHT)
        sheet.text(_date(h.issued_on), Role.BODY, align=Align.RIGHT)
    sheet.gap(1)
    sheet.label_column([f"{sig.label}：" for sig in signatures])
    for sig in signatures:
        # The date goes on its own line under the blank: appended to it, a narrow page (A5) or a
        # long label wrapped it as "年　月" / "日".
        sheet.pair(f"{sig.label}：", "________________" + ("\n年　　月　　日" if sig.dated else ""))
        sheet.gap(0.6)
    if bilingual:
        sheet.text("The English lines are for reference; the Chinese text prevails.", Role.SMALL)


def _acceptance(doc: AcceptanceNotice, sheet: Sheet, bilingual: bool) -> None:
    h = doc.header
    _header(sheet, h, bilingual)
    _paragraph(sheet, f"你（单位）于{_date(doc.accepted_on)}提出的“{h.item_name}”申请，经审查，申请材料齐全、"
                      "符合法定形式，决定予以受理。")
    estimated = "（估算）" if doc.promised_date_estimated else ""
    _paragraph(sheet, f"承诺办理时限为 {doc.promised_days} 个工作日，"
                      f"承诺办结日期：{_date(doc.promised_date)}{estimated}。办理结果请到一楼统一发证窗口领取。")
    for n, remark in enumerate(doc.remarks, 1):
        sheet.text(remark, Role.SMALL, indent=1, bullet=f"{n}.")
    phone = f"，联系电话：{doc.staff_phone}" if doc.staff_phone else ""
    _paragraph(sheet, f"受理人：{doc.staff_name}{phone}")
    _footer(sheet, h, doc.signatures, bilingual)


def _one_time(doc: OneTimeNotice, sheet: Sheet, bilingual: bool) -> None:
    h = doc.header
    _header(sheet, h, bilingual)
    _paragraph(sheet, doc.statement)
    sheet.text("需补正的全部材料：", Role.BODY, bold=True)
    _missing(sheet, doc.missing)
    if doc.supplement_by:
        _paragraph(sheet, f"请于{_date(doc.supplement_by)}前补正。")
    _paragraph(sheet, f"依据：{doc.legal_basis}。")
    _footer(sheet, h, doc.signatures, bilingual)


def _commitment(doc: ConditionalCommitment, sheet: Sheet, bilingual: bool) -> None:
    h = doc.header
    _header(sheet, h, bilingual, by_applicant=True)
    _paragraph(sheet, f"本人（单位）申请办理“{h.item_name}”，下列材料暂缺，申请容缺受理：")
    _missing(sheet, doc.missing)
    sheet.text("本人（单位）郑重承诺：", Role.BODY, bold=True)
    for n, promise in enumerate(doc.promises, 1):
        sheet.text(promise, Role.BODY, indent=1, bullet=f"{n}.")
    _footer(sheet, h, doc.signatures, bilingual, by_applicant=True)


def _conditional(doc: ConditionalNotice, sheet: Sheet, bilingual: bool, copy_label: str = "") -> None:
    h = doc.header
    _header(sheet, h, bilingual, copy_label)
    _paragraph(sheet, f"你（单位）于{_date(doc.accepted_on)}提出的“{h.item_name}”申请，主要材料齐全，"
                      "根据你（单位）的承诺，决定容缺受理。下列材料请按期补齐：")
    _missing(sheet, doc.missing)
    estimated = "（估算）" if doc.supplement_by_estimated else ""
    _paragraph(sheet, f"补正期限：{_date(doc.supplement_by)}前{estimated}。补正方式：{'、'.join(doc.supplement_ways)}。"
                      "以材料送达之日为准。")
    sheet.text("逾期未补齐或违背承诺的后果：", Role.BODY, bold=True)
    for n, text in enumerate(doc.consequences, 1):
        sheet.text(text, Role.BODY, indent=1, bullet=f"{n}.")
    _footer(sheet, h, doc.signatures, bilingual)


def _special(doc: SpecialProcedureNotice, sheet: Sheet, bilingual: bool) -> None:
    h = doc.header
    _header(sheet, h, bilingual)
    _paragraph(sheet, doc.statement)
    sheet.label_column(["特殊程序：", "开始日期：", "预计所需时间："])
    sheet.pair("特殊程序：", doc.procedure_name)
    sheet.pair("开始日期：", _date(doc.started_on))
    expected = []
    if doc.expected_working_days:
        expected.append(f"{doc.expected_working_days} 个工作日")
    if doc.expected_end:
        expected.append(f"预计{_date(doc.expected_end)}结束")
    sheet.pair("预计所需时间：", "，".join(expected))
    _paragraph(sheet, f"依据：{doc.legal_basis}。")
    _footer(sheet, h, doc.signatures, bilingual)


def copies(doc: Document) -> list[str]:
    """The copy labels of a document (容缺受理通知书: one for the applicant, one for the file)."""
    if isinstance(doc, ConditionalNotice) and doc.copies > 1:
        labels = ["第一联：申请人留存", "第二联：存档"]
        return [labels[i] if i < 2 else f"第{i + 1}联" for i in range(doc.copies)]
    return [""]


def layout(doc: Document, sheet: Sheet, *, bilingual: bool = False, copy_label: str = "") -> None:
    if isinstance(doc, AcceptanceNotice):
        _acceptance(doc, sheet, bilingual)
    elif isinstance(doc, OneTimeNotice):
        _one_time(doc, sheet, bilingual)
    elif isinstance(doc, ConditionalCommitment):
        _commitment(doc, sheet, bilingual)
    elif isinstance(doc, ConditionalNotice):
        _conditional(doc, sheet, bilingual, copy_label)
    elif isinstance(doc, SpecialProcedureNotice):
        _special(doc, sheet, bilingual)
    else:
        raise TypeError(f"not a notice: {type(doc).__name__}")


def title(doc: Document) -> str:
    return f"{doc.header.title} {doc.header.number}"


def preview(doc: Document, width: int = 60, *, bilingual: bool = False) -> str:
    sheet = TextSheet(width)
    layout(doc, sheet, bilingual=bilingual, copy_label=copies(doc)[0])
    return sheet.render()


def visible_text(doc: Document, *, bilingual: bool = False) -> str:
    sheet = TextSheet(10_000)
    for label in copies(doc):
        layout(doc, sheet, bilingual=bilingual, copy_label=label)
    return sheet.render()


# --- PDF -------------------------------------------------------------------------------------------


class PdfSheet:
    """A ``Sheet`` that sets text with fpdf2 on A4 or A5 pages (units: mm)."""

    def __init__(self, paper: str, header: Header | None, footer: str = "") -> None:
        from fpdf import FPDF  # lazy: fpdf2 takes ~0.3 s to import; only a notice needs it

        if paper not in PAPERS:
            raise ValueError(f"paper {paper!r}: A4 or A5")
        self.factor = 1.0 if paper == "A4" else 0.85
        self.margin = 20.0 if paper == "A4" else 14.0
        footer_text = f"办件编号 {header.case_no}　{header.number}" if header is not None else footer
        sheet = self

        class _Pdf(FPDF):
            def footer(self) -> None:
                self.set_y(-sheet.margin * 0.75)
                self.set_font("cjk", size=8 * sheet.factor)
                self.cell(0, 4, f"{footer_text}　第 {self.page_no()}/{{nb}} 页", align="C")

        with warnings.catch_warnings():  # "Dimensions for page format A5 were fixed in release 2.8.5"
            warnings.simplefilter("ignore", UserWarning)
            self.pdf = _Pdf(format=paper, unit="mm")
        self.pdf.set_margins(self.margin, self.margin, self.margin)
        self.pdf.set_auto_page_break(True, self.margin)
        self.pdf.add_font("cjk", "", str(fonts.font_path()))
        self.pdf.set_font("cjk", size=12)
        self.width = int(PAPERS[paper][0])
        self.inner = PAPERS[paper][0] - 2 * self.margin
        self._label_w = 0.0

    def new_page(self) -> None:
        self.pdf.add_page()

    def _size(self, role: Role) -> float:
        return _POINTS[role] * self.factor

    def _line_h(self, size: float) -> float:
        return size * _PT_MM * 1.6

    def _set(self, size: float) -> None:
        self.pdf.set_font("cjk", size=size)

    def _cell(self, x: float, w: float, h: float, text: str, align: Align, bold: bool) -> None:
        self.pdf.set_x(x)
        mode = {"text_mode": "FILL_STROKE", "line_width": 0.18 * self.factor} if bold else {}
        with self.pdf.local_context(**mode):
            self.pdf.cell(w, h, text, align={"left": "L", "center": "C", "right": "R"}[align.value])

    def text(self, text: str, role: Role = Role.BODY, *, align: Align = Align.LEFT, bold: bool = False,
             indent: int = 0, bullet: str = "") -> None:
        size = self._size(role)
        self._set(size)
        em = size * _PT_MM
        left = self.margin + indent * em * 2
        hang = self.pdf.get_string_width(bullet + " ") if bullet else 0
        avail = self.margin + self.inner - left - hang
        h = self._line_h(size)
        for i, line in enumerate(wrap(text, avail, self.pdf.get_string_width)):
            self.pdf.set_y(self.pdf.get_y())  # a page break happens before the line, not inside it
            if self.pdf.will_page_break(h):
                self.pdf.add_page()
            y = self.pdf.get_y()
            if bullet and i == 0:
                self._cell(left, hang, h, bullet, Align.LEFT, False)
                self.pdf.set_y(y)
            self._cell(left + hang, avail, h, line, align, bold)
            self.pdf.set_y(y + h)

    def label_column(self, labels: list[str]) -> None:
        self._set(self._size(Role.BODY))
        self._label_w = max([self.pdf.get_string_width(label) for label in labels], default=0) + 4

    def pair(self, label: str, value: str, *, role: Role = Role.BODY) -> None:
        size = self._size(role)
        self._set(size)
        label_w = max(self._label_w, self.pdf.get_string_width(label) + 4)
        h = self._line_h(size)
        avail = self.inner - label_w
        for i, line in enumerate(wrap(value, avail, self.pdf.get_string_width)):
            if self.pdf.will_page_break(h):
                self.pdf.add_page()
            y = self.pdf.get_y()
            if i == 0:
                self._cell(self.margin, label_w, h, label, Align.LEFT, False)
                self.pdf.set_y(y)
            self._cell(self.margin + label_w, avail, h, line, Align.LEFT, False)
            self.pdf.set_y(y + h)

    def rule(self, *, dashed: bool = False) -> None:
        y = self.pdf.get_y() + 2
        if dashed:
            self.pdf.set_dash_pattern(dash=1, gap=1)
        self.pdf.line(self.margin, y, self.margin + self.inner, y)
        self.pdf.set_dash_pattern()
        self.pdf.set_y(y + 2)

    def gap(self, lines: float = 0.5) -> None:
        self.pdf.set_y(self.pdf.get_y() + self._line_h(self._size(Role.BODY)) * lines)

    def qr(self, payload: str, caption: str = "") -> None:
        from hallterm.printing.qr import qr_image  # lazy: qrcode costs ~30 ms; notices without a code never need it

        code = qr_image(payload, 1)
        side = 25.0 * self.factor
        if self.pdf.will_page_break(side):
            self.pdf.add_page()
        self.pdf.image(code, x=self.margin + (self.inner - side) / 2, y=self.pdf.get_y(), w=side, h=side)
        self.pdf.set_y(self.pdf.get_y() + side)
        if caption:
            self.text(caption, Role.SMALL, align=Align.CENTER)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def render_pdf(doc: Document, paper: str = "A4", *, bilingual: bool = False) -> bytes:
    """The notice as a PDF: every copy on its own page(s), the case number on each page."""
    h = doc.header
    sheet = PdfSheet(paper, h)
    pdf = sheet.pdf
    pdf.set_title(title(doc))
    pdf.set_subject(f"办件编号 {h.case_no}")
    pdf.set_keywords(f"{h.case_no} {h.number}")
    pdf.set_author(h.issuer)
    pdf.set_creator("hallterm")
    pdf.set_creation_date(dt.datetime(h.issued_on.year, h.issued_on.month, h.issued_on.day, tzinfo=dt.UTC))
    for label in copies(doc):
        sheet.new_page()
        layout(doc, sheet, bilingual=bilingual, copy_label=label)
    return sheet.output()


def missing_in(doc: Document, *, bilingual: bool = False) -> list[str]:
    return fonts.missing_glyphs(visible_text(doc, bilingual=bilingual))


# --- the handover list (交接单) of the after-hours desk (S6) ----------------------------------------------


@dataclass(frozen=True)
class HandoverNotice:
    """The handover list as the day shift reads it on paper: one section per kind, masked names."""

    hall_name: str
    number: str  # 交接单 JJ-20261127-1830, from when it was printed
    printed_at: dt.datetime  # hall-local time
    since: str  # "11月26日 17:30 确认以来" or "尚未确认过（全部记录）"
    summary: str
    sections: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]  # heading, rows (reference, name, text)
    printed_by: str

    @property
    def title(self) -> str:
        return f"交接单 {self.number}"


def layout_handover(notice: HandoverNotice, sheet: Sheet) -> None:
    sheet.text(notice.hall_name, Role.TITLE, align=Align.CENTER)
    sheet.text("延时服务交接单", Role.HEADING, align=Align.CENTER, bold=True)
    sheet.text(f"编号 {notice.number}　{notice.printed_at:%Y-%m-%d %H:%M} 打印　范围：{notice.since}",
               Role.SMALL, align=Align.CENTER)
    sheet.rule()
    sheet.text(notice.summary, Role.BODY, bold=True)
    for heading, rows in notice.sections:
        sheet.gap()
        sheet.text(f"{heading}（{len(rows)}）", Role.LARGE, bold=True)
        if not rows:
            sheet.text("无", Role.BODY, indent=1)
        for reference, name, text in rows:
            sheet.text(f"{reference}　{name}　{text}", Role.BODY, indent=1, bullet="□")
    sheet.gap()
    sheet.rule(dashed=True)
    sheet.text(f"交班人：{notice.printed_by}", Role.BODY)
    sheet.text("接班人（签名）：________________　时间：________________", Role.BODY)
    sheet.text("白班接班后请在前台或协调员视图按 Ctrl+T 打开交接单，逐项处理后按 A 确认交接。", Role.SMALL)


def preview_handover(notice: HandoverNotice, width: int = 60) -> str:
    sheet = TextSheet(width)
    layout_handover(notice, sheet)
    return sheet.render()


def render_handover_pdf(notice: HandoverNotice, paper: str = "A4") -> bytes:
    """The handover list as a PDF, its number in every page's footer."""
    sheet = PdfSheet(paper, None, footer=notice.title)
    sheet.pdf.set_title(notice.title)
    sheet.pdf.set_creator("hallterm")
    sheet.new_page()
    layout_handover(notice, sheet)
    return sheet.output()


__all__ = ["PAPERS", "HandoverNotice", "PdfSheet", "copies", "layout", "layout_handover", "missing_in", "preview",
           "preview_handover", "render_handover_pdf", "render_pdf", "title", "visible_text"]
