"""The record of a joint review (会商纪要, S8) as a PDF: the case number on every page and in the metadata, the
opinions and the outcome in its text, the shipped CJK font embedded; spooled readable by its owner only."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from hallterm.printing.backends import PrintJob, Spool
from hallterm.printing.minutes import Minutes, MinutesOpinion, preview_minutes, render_minutes_pdf

MINUTES = Minutes(
    "鞍山市行政审批局", "会商〔2026〕第0007号", "210300-20261126-0042", "王喆", "建筑工程施工许可", "喆玥新材料产业园",
    "2026年11月26日 15:00", "二楼业务洽谈室", "王芳",
    (MinutesOpinion("市自然资源局", "同意", ""), MinutesOpinion("市消防救援支队", "有条件同意", "竣工前完成消防验收"),
     MinutesOpinion("国网鞍山供电公司", "未出具意见", "")),
    "有条件同意办理", "消防验收合格后发证", dt.date(2026, 11, 26))


def pages(pdf: bytes) -> list[str]:
    # pypdf puts a NUL before each character of fpdf2's CID fonts: drop them (as tests/printing/test_notices.py)
    return [p.extract_text().replace("\x00", "") for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_the_record_says_the_case_the_opinions_and_the_outcome(paper: str) -> None:
    pdf = render_minutes_pdf(MINUTES, paper)
    assert pdf.startswith(b"%PDF-")
    text = "".join(pages(pdf))
    for expected in ("会商纪要", "210300-20261126-0042", "会商〔2026〕第0007号",
                     "市消防救援支队：有条件同意。竣工前完成消防验收", "国网鞍山供电公司：未出具意见",
                     "有条件同意办理。消防验收合格后发证", "喆玥新材料产业园"):
        assert expected in text, expected
    assert all("210300-20261126-0042" in page for page in pages(pdf))  # the footer of every page
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None and "210300-20261126-0042" in (meta.subject or "")
    assert b"NotoSansCJK" in pdf  # the shipped font, embedded (a subset)


def test_a_record_without_an_outcome_says_so_and_the_text_check_would_fail() -> None:
    pending = Minutes(**{**MINUTES.__dict__, "conclusion": "", "outcome": ""})
    text = "".join(pages(render_minutes_pdf(pending)))
    assert "尚未形成结论" in text and "有条件同意办理" not in text
    assert "（尚未形成结论）" in preview_minutes(pending)


def test_a_private_spool_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        spooled = Spool(tmp_path).write(PrintJob("minutes-1", "会商纪要", "notice", b"%PDF-1.4"),
                                        dt.date(2026, 11, 26), mode=0o600)
        plain = Spool(tmp_path).write(PrintJob("notice-1", "通知", "notice", b"%PDF-1.4"), dt.date(2026, 11, 26))
    finally:
        os.umask(old)
    assert stat.S_IMODE(spooled.path("pdf").stat().st_mode) == 0o600
    # issue 16 point 5: every slip and notice too (they name holders), not only the minutes
    assert stat.S_IMODE(plain.path("pdf").stat().st_mode) == 0o600
