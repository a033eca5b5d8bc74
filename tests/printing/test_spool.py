"""The spool folder: every slip written atomically as PNG, PDF and raw ESC/POS bytes (issue 6, point 4)."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from hallterm.domain.payloads import Keyring
from hallterm.printing.backends import PrintFailed, Spool, SpoolOnly, atomic_write
from hallterm.printing.jobs import slip_job
from hallterm.printing.samples import sample_slips
from tests.printing.conftest import NOW_LOCAL


def test_a_slip_is_kept_as_png_pdf_and_escpos_in_a_folder_per_day(ring: Keyring, tmp_path: Path) -> None:
    job = slip_job(sample_slips(ring, NOW_LOCAL)[0], "20261126-100501-ticket-A017", width=576)
    spooled = Spool(tmp_path).write(job, NOW_LOCAL.date())
    assert spooled.base == tmp_path / "2026-11-26" / "20261126-100501-ticket-A017"
    assert sorted(p.name for p in spooled.base.parent.iterdir()) == [
        "20261126-100501-ticket-A017.escpos", "20261126-100501-ticket-A017.pdf", "20261126-100501-ticket-A017.png"]
    with Image.open(spooled.path("png")) as png:
        assert png.size[0] == 576 and png.mode == "1"
    page = PdfReader(io.BytesIO(spooled.read("pdf"))).pages[0]
    assert abs(float(page.mediabox.width) * 25.4 / 72 - 72.0) < 0.5  # 576 dots at 203 dpi: 72 mm wide
    assert spooled.read("escpos") == job.escpos
    assert SpoolOnly().send(job, spooled) == f"未连接打印机，已保存到 {spooled.base.parent}"


def test_writing_is_atomic_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "slip.png"
    atomic_write(target, b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"  # never half written
    assert [p.name for p in tmp_path.iterdir()] == ["slip.png"]


def test_a_spool_folder_that_cannot_be_written_says_so(ring: Keyring, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    job = slip_job(sample_slips(ring, NOW_LOCAL)[0], "t", width=384)
    with pytest.raises(PrintFailed) as info:
        Spool(blocker).write(job, NOW_LOCAL.date())
    assert "无法写入打印暂存目录" in str(info.value) and "printing.spool_dir" in str(info.value)
    assert "不是目录" in str(info.value) and "Not a directory" not in str(info.value)  # the system's reason, in Chinese


def test_prune_deletes_only_day_folders_older_than_the_day_given(ring: Keyring, tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    job = slip_job(sample_slips(ring, NOW_LOCAL)[0], "ticket-A017", width=576)
    for day in ("2026-08-27", "2026-08-28", "2026-11-26"):
        spool.write(job, dt.date.fromisoformat(day))
    (tmp_path / "printer-notes").mkdir()  # an installer's own folder
    (tmp_path / "20260101").mkdir()  # looks like a day to fromisoformat, but is not a day folder
    (tmp_path / "2026-01-01.txt").write_text("not a folder")

    folders, size = spool.prune(dt.date(2026, 8, 28))

    assert folders == 1 and size == len(job.pdf) + len(job.png or b"") + len(job.escpos or b"")
    assert {p.name for p in tmp_path.iterdir()} == {
        "2026-01-01.txt", "20260101", "2026-08-28", "2026-11-26", "printer-notes"}
    assert spool.prune(dt.date(2026, 8, 28)) == (0, 0)  # nothing left to do: idempotent
