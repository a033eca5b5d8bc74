"""The notices as A4/A5 PDF: they open, hold the case number as text on every page (issue 6, point 8)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from hallterm.domain.documents import Document
from hallterm.printing import notices
from hallterm.printing.samples import SAMPLE_CASE, sample_notices
from tests.printing.conftest import NOW_LOCAL

DOCS = sample_notices(NOW_LOCAL.date())
MM_PER_PT = 25.4 / 72


def page_texts(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    # pypdf puts a NUL before each character of fpdf2's CID fonts (poppler's pdftotext does not): drop them.
    return reader, [page.extract_text().replace("\x00", "") for page in reader.pages]


@pytest.mark.parametrize("paper", ["A4", "A5"])
@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.header.kind.value)
def test_each_notice_opens_and_holds_the_case_number(doc: Document, paper: str) -> None:
    pdf = notices.render_pdf(doc, paper)
    assert pdf.startswith(b"%PDF-")
    reader, texts = page_texts(pdf)
    width, height = notices.PAPERS[paper]
    for page, text in zip(reader.pages, texts, strict=True):
        assert abs(float(page.mediabox.width) * MM_PER_PT - width) < 1
        assert abs(float(page.mediabox.height) * MM_PER_PT - height) < 1
        assert SAMPLE_CASE in text  # in the body of the first page, in every page's footer
        assert doc.header.number in text
    first = texts[0]
    assert doc.header.title in first and "鞍山市行政审批局" in first
    assert reader.metadata is not None and SAMPLE_CASE in (reader.metadata.subject or "")
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # the font is embedded (a subset): the PDF prints the same anywhere


def test_the_conditional_notice_has_two_copies() -> None:
    doc = next(d for d in DOCS if d.header.title == "容缺受理通知书")
    _reader, texts = page_texts(notices.render_pdf(doc, "A4"))
    joined = "\n".join(texts)
    assert "第一联：申请人留存" in joined and "第二联：存档" in joined
    assert len(texts) == 2


def test_what_each_notice_must_say() -> None:
    by_title = {d.header.title: "\n".join(page_texts(notices.render_pdf(d, "A4"))[1]) for d in DOCS}
    assert "承诺办结日期：2026年12月3日" in by_title["受理通知书"]
    assert "董事、监事、经理任职文件及身份证明" in by_title["一次性告知书"]
    assert "第三十二条" in by_title["一次性告知书"]
    assert "本人（单位）郑重承诺" in by_title["容缺受理承诺书"]
    assert "6 个月内不得适用容缺受理" in by_title["容缺受理通知书"]
    assert "现场勘验" in by_title["特殊程序告知书"] and "第四十五条" in by_title["特殊程序告知书"]
    for text in by_title.values():
        assert "年　　月　　日" in text  # the signature lines


def test_a_long_list_flows_onto_a_second_page_with_the_case_number_on_it() -> None:
    import dataclasses

    from hallterm.domain.documents import MissingMaterial

    doc = next(d for d in DOCS if d.header.title == "一次性告知书")
    many = tuple(MissingMaterial(f"第{i}项补正材料：股东会决议及全体股东签署的章程修正案", "次要材料")
                 for i in range(60))
    _reader, texts = page_texts(notices.render_pdf(dataclasses.replace(doc, missing=many), "A5"))
    assert len(texts) >= 3
    assert all(SAMPLE_CASE in t for t in texts)
    assert "第59项补正材料" in "".join(texts)


def test_bilingual_notices_carry_the_english_title() -> None:
    _reader, texts = page_texts(notices.render_pdf(DOCS[0], "A4", bilingual=True))
    assert "Notice of Acceptance" in texts[0] and "Chinese text prevails" in texts[0]


def test_the_preview_is_the_same_content_as_text() -> None:
    text = notices.preview(DOCS[0])
    assert "受理通知书" in text and SAMPLE_CASE in text and "鞍审批绿〔2026〕受理第0001号" in text
    assert notices.missing_in(DOCS[0]) == []


def _district_docs() -> list[Document]:
    """The sample notices as a 铁东区 case would have them (S2: the district bureau handles it)."""
    import dataclasses

    from hallterm.domain.documents import issuer_for

    tiedong = issuer_for("district", "铁东区")
    return [dataclasses.replace(d, header=dataclasses.replace(d.header, issuer=tiedong.name)) for d in DOCS]


def test_the_commitment_is_the_applicants_letter_to_the_handling_bureau() -> None:
    doc = next(d for d in _district_docs() if d.header.title == "容缺受理承诺书")
    text = notices.preview(doc)
    lines = [line.strip() for line in text.splitlines()]
    # Addressed to the bureau, not to the applicant who writes it; no bureau seal or letterhead.
    assert "鞍山市铁东区行政审批局：" in lines
    assert f"{doc.header.applicant}：" not in lines
    assert "（印章）" not in text and "鞍山市行政审批局" not in text
    assert any(line.startswith("承诺人：") and doc.header.applicant in line for line in lines)


@pytest.mark.parametrize("title", ["受理通知书", "一次性告知书", "容缺受理通知书", "特殊程序告知书"])
def test_every_notice_names_the_handling_bureau(title: str) -> None:
    doc = next(d for d in _district_docs() if d.header.title == title)
    joined = "\n".join(page_texts(notices.render_pdf(doc, "A4"))[1])
    assert "鞍山市铁东区行政审批局（印章）" in joined
    assert "鞍山市行政审批局" not in joined


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_the_signature_date_stays_on_one_line(paper: str) -> None:
    import dataclasses

    from hallterm.domain.documents import SignatureLine

    long_label = SignatureLine("受托代理人（签字，附授权委托书）")  # the longest label, on the narrowest page
    for doc in DOCS:
        doc = dataclasses.replace(doc, signatures=(*doc.signatures, long_label))
        lines = [line.strip() for t in page_texts(notices.render_pdf(doc, paper))[1] for line in t.splitlines()]
        dates = [line for line in lines if "年　　月" in line]
        assert len(dates) == len(doc.signatures) * len(notices.copies(doc)), (doc.header.title, dates)
        assert all(line.endswith("年　　月　　日") for line in dates)
        assert "日" not in {line for line in lines}  # no "日" left alone on a line
        assert notices.preview(doc).count("年　　月　　日") == len(doc.signatures)
