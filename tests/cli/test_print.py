"""``hallterm print test [--to DIR]``: one of each slip and notice, what an installer runs (issue 6, point 6)."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from hallterm.cli import main
from hallterm.scanning import decode_image

SLIPS = ("ticket", "appointment", "visit", "handout")
NOTICES = ("acceptance_notice", "one_time_notice", "conditional_commitment", "conditional_notice",
           "special_procedure_notice")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HALLTERM_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    monkeypatch.setenv("HALLTERM_PRINTING_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("HALLTERM_DB_URL", f"sqlite:///{tmp_path / 'h.sqlite3'}")
    return tmp_path


@pytest.mark.parametrize(("paper", "width"), [(None, 576), (58, 384)])
def test_print_test_to_a_folder_writes_every_slip_and_notice(env: Path, capsys: pytest.CaptureFixture[str],
                                                             paper: int | None, width: int) -> None:
    out_dir = env / "out"
    assert main(["print", "test", "--to", str(out_dir), *(["--paper", str(paper)] if paper else [])]) == 0
    mm = 58 if paper == 58 else 80
    names = {p.name for p in out_dir.iterdir()}
    for kind in SLIPS:
        assert {f"test-{kind}-{mm}mm.{ext}" for ext in ("png", "pdf", "escpos")} <= names
        with Image.open(out_dir / f"test-{kind}-{mm}mm.png") as img:
            assert img.width == width
            found = decode_image(img)
        assert len(found) == 1 and found[0].text.startswith("HT2:TEST:")
    for kind in NOTICES:
        reader = PdfReader(io.BytesIO((out_dir / f"test-{kind}-A4.pdf").read_bytes()))
        assert "210300-20261126-0007" in reader.pages[0].extract_text().replace("\x00", "")
    assert len(names) == len(SLIPS) * 3 + len(NOTICES)
    printed = capsys.readouterr().out
    assert printed.count("[完成]") == len(SLIPS) + len(NOTICES) and "排队票 A017" in printed and "受理通知书" in printed
    assert not (env / "spool").exists()  # --to: nothing in the spool, nothing printed


def test_the_test_slips_scan_back_as_valid(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["print", "test", "--to", str(env / "out")]) == 0
    capsys.readouterr()
    assert main(["scan", str(env / "out" / "test-ticket-80mm.png")]) == 0
    assert "签名有效（密钥 K1）" in capsys.readouterr().out


def test_print_test_to_a_dead_cups_printer_fails_and_keeps_the_files(env: Path, capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = env / "bin"
    bin_dir.mkdir()
    for name, body in (("lp", 'echo "request id is office-3 (1 file(s))"'),
                       ("lpstat", 'case "$*" in "-p office") echo "printer office disabled since today -";; '
                                  '"-o office") echo "office-3 hall 1024 today";; esac'),
                       ("cancel", "true")):
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HALLTERM_PRINTING_NOTICE_BACKEND", "cups")
    monkeypatch.setenv("HALLTERM_PRINTING_NOTICE_PRINTER", "office")
    assert main(["print", "test"]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("[失败]") == 5 and "打印机 office 已停止" in captured.out
    assert captured.out.count("[完成]") == len(SLIPS)  # the slips: spool only (the default)
    assert "5 份未能打印" in captured.err
    spooled = list((env / "spool").rglob("test-*.pdf"))
    assert len(spooled) == len(SLIPS) + len(NOTICES)  # every one kept, the failed notices too


def test_print_test_into_a_folder_that_cannot_be_written_says_so_once(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = env / "file"
    blocker.write_text("")
    assert main(["print", "test", "--to", str(blocker / "slips")]) == 1
    out, err = capsys.readouterr()
    assert err.strip().count("\n") == 0 and "无法写入目录" in err and "--to" in err
    assert "已保存" not in out + err  # nothing was saved: it must not say so
