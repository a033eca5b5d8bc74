"""`hallterm duties [--section S] [--person ID] [--pdf FILE] [--json]` (issue 14 point 2, S10), run in-process
through main() on the small hall of tests/services/duties_flow.py.

The command reads the real clock: the hall's duties were due in late 2026, so the late ones stay late
whenever the test runs; only what does not depend on the day is asserted."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import stat
from pathlib import Path

import pypdf
import pytest

from hallterm import cli
from hallterm.services.context import Services
from tests.services.duties_flow import build_small_hall


def run(svc: Services, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", svc.db.url, "duties", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_list_printed_filtered_as_json_and_as_pdf(
    loaded: Services, cards: dict[str, str], clock: list[dt.datetime], capsys: pytest.CaptureFixture[str],
    tmp_path: Path
) -> None:
    hall = build_small_hall(loaded, clock, cards["valid"])
    pdf = tmp_path / "责任清单.pdf"
    code, out, err = run(loaded, capsys, "--json", "--pdf", str(pdf))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("责任清单（全部科室）") and "共 10 项，逾期或未指定责任人 5 项" in lines[0]
    assert "逾期" in lines[1] and hall.c in lines[1] and "回访核实" in lines[1]  # the oldest late duty first
    assert "个工作日" in lines[1] and "天" not in lines[1].split("　")[0]  # the unit said: working days (S6)
    assert "王喆" not in out and "王*" in out and "13812345678" not in out
    listed = json.loads(lines[-1])
    assert listed["count"] == 10 and listed["flagged"] == 5
    # the hall's time, as `hallterm report --json` gives it (UTC read as the previous day in the evening)
    generated = dt.datetime.fromisoformat(listed["generated_at"])
    assert generated.utcoffset() == dt.timedelta(hours=8)
    first = listed["duties"][0]
    assert first["state"].startswith("逾期") and first["state"].endswith("个工作日")
    assert first["late_working_days"] >= 1 and first["working_days_left"] is None
    unheld = [d for d in listed["duties"] if d["unassigned"]]
    assert [(d["kind"], d["case_no"], d["person_id"]) for d in unheld] == [("proxy", hall.d, None)]
    assert f"已写入 {pdf}" in out and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    text = "".join(pypdf.PdfReader(pdf).pages[0].extract_text().replace("\x00", "").split())
    assert "责任清单" in text and all(n in text for n in (hall.a, hall.b, hall.c, hall.d))

    code, out, _ = run(loaded, capsys, "--section", "政务服务中心帮办代办部")
    assert code == 0 and "共 1 项" in out.splitlines()[0] and "供水报装" in out
    assert "按科室筛选：政务服务中心帮办代办部（责任部门或责任人所在科室）" in out.splitlines()[0]
    # a department of the catalog with no staff on the roster: accepted, not refused
    code, out, err = run(loaded, capsys, "--section", "市政公用审批科")
    assert code == 0 and "共 0 项" in out.splitlines()[0], err

    code, out, _ = run(loaded, capsys, "--person", hall.coordinator_a.lower(), "--json")
    assert {d["person_id"] for d in json.loads(out.splitlines()[-1])["duties"]} == {hall.coordinator_a}

    # Asked wrongly: one Chinese line, exit 2 as `hallterm report` (and argparse), nothing written.
    code, _, err = run(loaded, capsys, "--section", "不存在科")
    assert code == 2 and "没有科室“不存在科”" in err and "企业登记科" in err and "生态环境审批科" in err
    code, _, err = run(loaded, capsys, "--person", "S9999")
    assert code == 2 and "没有工号 S9999 的工作人员" in err


REFUSED_PDFS = (  # where, what the line says
    ("nowhere/x.pdf", "目录 {out}/nowhere 不存在"),
    ("list.txt", "不是 .pdf 文件名"),
    (".", "是一个文件夹"),
    ("/proc/x.pdf", "无法写入 /proc/x.pdf：目录 /proc 中不能新建文件"),
    ("/sys/x.pdf", "没有写入权限"),  # EACCES, or EROFS where /sys is mounted read-only
)


def test_a_pdf_that_cannot_be_written_is_refused_in_chinese_and_leaves_nothing(
    loaded: Services, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for where, said in REFUSED_PDFS:
        target = where if where.startswith("/") else str(out_dir / where)
        code, out, err = run(loaded, capsys, "--pdf", target)
        assert code == 2 and out == "" and "Traceback" not in err, (where, err)
        assert said.format(out=out_dir) in err and "Error" not in err and "denied" not in err, (where, err)
        assert list(out_dir.iterdir()) == []  # no PDF, no temporary file

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)  # the PDF's bytes are written, the disk refuses to keep them
    code, out, err = run(loaded, capsys, "--pdf", str(out_dir / "责任清单.pdf"))
    assert code == 2 and out == ""
    assert "磁盘已满" in err and "No space" not in err and "责任清单未保存" in err
    assert list(out_dir.iterdir()) == []  # the half-written temporary file removed
