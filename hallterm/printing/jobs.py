"""Rendering a slip or a notice into a print job: PNG, PDF and ESC/POS bytes (slips) or PDF (notices)."""

from __future__ import annotations

import io
import re

from hallterm.domain.documents import Document
from hallterm.printing import notices, slip_layouts
from hallterm.printing.backends import PrintJob
from hallterm.printing.slip_layouts import Slip

DPI = 203  # thermal printers: 8 dots per mm


def safe_name(text: str) -> str:
    """A file-name part from a title: letters, digits and '-' only."""
    return re.sub(r"[^0-9A-Za-z-]+", "-", text).strip("-")[:40] or "slip"


def slip_job(slip: Slip, name: str, *, width: int, profile: str = "") -> PrintJob:
    from hallterm.printing.thermal import escpos_bytes  # lazy: python-escpos takes ~0.3 s to import

    image = slip_layouts.render(slip, width)
    png = io.BytesIO()
    image.save(png, "PNG", optimize=True)
    pdf = io.BytesIO()
    image.save(pdf, "PDF", resolution=DPI, title=slip.title)  # the slip at its printed size
    return PrintJob(name, slip.title, "slip", pdf.getvalue(), png.getvalue(), escpos_bytes(image, width, profile))


def notice_job(doc: Document, name: str, *, paper: str = "A4", bilingual: bool = False) -> PrintJob:
    return PrintJob(name, notices.title(doc), "notice", notices.render_pdf(doc, paper, bilingual=bilingual))
