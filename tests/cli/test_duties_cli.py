"""`hallterm duties [--section S] [--person ID] [--pdf FILE] [--json]` (issue 14 point 2, S10), run in-process
through main() on the small hall of tests/services/duties_flow.py.

The command reads the real clock: the hall's duties were due in late 2026, so the late ones stay late
whenever the test runs; only what does not depend on the day is asserted."""

from __future__ import annotations

import datetime as dt
import json
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
    assert "王喆" not in out and "王*" in out and "13812345678" not in out
    listed = json.loads(lines[-1])
    assert listed["count"] == 10 and listed["flagged"] == 5
    unheld = [d for d in listed["duties"] if d["unassigned"]]
    assert [(d["kind"], d["case_no"], d["person_id"]) for d in unheld] == [("proxy", hall.d, None)]
    assert f"已写入 {pdf}" in out and stat.S_IMODE(pdf.stat().st_mode) == 0o600
    text = "".join(pypdf.PdfReader(pdf).pages[0].extract_text().replace("\x00", "").split())
    assert "责任清单" in text and all(n in text for n in (hall.a, hall.b, hall.c, hall.d))

    code, out, _ = run(loaded, capsys, "--section", "政务服务中心帮办代办部")
    assert code == 0 and "共 1 项" in out.splitlines()[0] and "供水报装" in out

    code, out, _ = run(loaded, capsys, "--person", hall.coordinator_a.lower(), "--json")
    assert {d["person_id"] for d in json.loads(out.splitlines()[-1])["duties"]} == {hall.coordinator_a}

    code, _, err = run(loaded, capsys, "--section", "不存在科")
    assert code == 1 and "没有科室“不存在科”：可用" in err and "企业登记科" in err
    code, _, err = run(loaded, capsys, "--person", "S9999")
    assert code == 1 and "没有工号 S9999 的工作人员" in err
    code, _, err = run(loaded, capsys, "--pdf", str(tmp_path / "nowhere" / "x.pdf"))
    assert code == 1 and "不存在" in err
