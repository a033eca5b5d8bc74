"""`hallterm appointments slots | book | cancel | list` (issue 12 point 4), run in-process through main().

The command reads the real clock, so the tests pick a day ahead of it and a slot the command itself
offers as bookable."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat
from pathlib import Path

import pytest

from hallterm import cli
from hallterm.services.context import Services
from tests.sessions import DESK


def run(svc: Services, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", svc.db.url, "appointments", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_slots_book_cancel_and_the_call_list(loaded: Services, cards: dict[str, str], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    day = dt.date.today() + dt.timedelta(days=1)
    while True:  # a day ahead of the real clock with 企业登记科's regular slots
        code, out, _ = run(loaded, capsys, "slots", "--day", day.isoformat(), "--section", "企业登记科", "--json")
        slots = json.loads(out.strip().splitlines()[-1])
        if any(s["window"] == "regular" for s in slots):
            break
        day += dt.timedelta(days=1)
    assert code == 0 and f"{day:%Y-%m-%d}" in out.splitlines()[0]
    first = slots[0]
    assert {k: first[k] for k in ("start", "end", "capacity", "booked", "section")} == \
        {"start": "09:00", "end": "09:30", "capacity": 2, "booked": 0, "section": "企业登记科"}

    where = ("--day", day.isoformat(), "--slot", "09:00", "--section", "企业登记科")
    code, out, err = run(loaded, capsys, "book", cards["valid"], *where, "--items", "QY-GSSL",
                         "--phone", "13900001111")
    assert code == 0, err
    number = out.splitlines()[0]
    assert number.isdigit() and len(number) == 6 and "已预约" in out
    # duplicate (same holder and item), a refused card, outside the hours: exit 1 with the reason
    code, out, err = run(loaded, capsys, "book", cards["valid"], *where, "--items", "QY-GSSL")
    # staff read the catalog's item names, never the internal codes
    assert (code, out) == (1, "") and f"已有 公司设立登记 的预约（{number}" in err
    code, _, err = run(loaded, capsys, "book", cards["revoked"], *where)
    assert code == 1 and "此卡已被注销" in err
    code, _, err = run(loaded, capsys, "book", cards["valid"], "--day", day.isoformat(), "--slot", "07:00")
    assert code == 1 and "没有 07:00 开始的时段" in err
    code, _, err = run(loaded, capsys, "book", cards["markup"], *where, "--note", "=HYPERLINK(\"x\")")
    assert code == 0, err
    code, _, err = run(loaded, capsys, "book", cards["markup"], *where, "--items", "QY-FGSSL")
    assert code == 1 and "已约满" in err  # two seats, two booked
    code, out, _ = run(loaded, capsys, "slots", "--day", day.isoformat(), "--section", "企业登记科", "--json")
    assert json.loads(out.splitlines()[-1])[0]["booked"] == 2

    csv_file = tmp_path / "calls.csv"
    code, out, _ = run(loaded, capsys, "list", "--day", day.isoformat(), "--csv", str(csv_file))
    assert code == 0 and "13900001111" in out and "预约 2 人" in out
    assert "公司设立登记" in out and "QY-GSSL" not in out and "咨询" in out  # names; 咨询 without items
    data = csv_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时段", "科室", "预约编号"] and len(rows) == 3
    assert rows[1][2] == f"#{number}" and rows[1][5] == "13900001111"  # text to Excel: 000011 stays 000011
    assert (rows[1][6], rows[2][6]) == ("公司设立登记", "咨询")  # 事项 as the screen says it, never empty
    assert rows[2][-1] == "'=HYPERLINK(\"x\")"  # a formula is text, never run
    assert stat.S_IMODE(csv_file.stat().st_mode) == 0o600

    code, _, err = run(loaded, capsys, "cancel", number, "--reason", "")
    assert code == 1 and "需要填写原因" in err
    code, out, _ = run(loaded, capsys, "cancel", rows[1][2], "--reason", "持卡人来电取消")  # as the CSV has it
    assert code == 0 and "已取消预约" in out
    code, out, _ = run(loaded, capsys, "slots", "--day", day.isoformat(), "--section", "企业登记科", "--json")
    assert json.loads(out.splitlines()[-1])[0]["booked"] == 1  # the seat is free again
    code, out, _ = run(loaded, capsys, "list", "--day", day.isoformat())
    assert "预约 1 人" in out and number not in out


def test_bad_arguments_are_one_chinese_line(loaded: Services, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["--db", loaded.db.url, "appointments", "slots", "--day", "12/05"])
    assert caught.value.code == 2 and "应写成 YYYY-MM-DD" in capsys.readouterr().err
    code, _, err = run(loaded, capsys, "cancel", "abc", "--reason", "x")
    assert code == 1 and "预约编号 'abc' 应为数字" in err
    code, _, err = run(loaded, capsys, "cancel", "999999", "--reason", "x")
    assert code == 1 and "找不到预约 999999" in err


def test_db_takes_a_sqlite_file_path_as_the_readme_names_it(loaded: Services, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`hallterm --db db/demo.sqlite3 …` (a path, relative to where it is typed) works like the URL."""
    db_file = Path(loaded.db.url.removeprefix("sqlite:///"))
    monkeypatch.chdir(db_file.parent)
    day = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    by_path = cli.main(["--db", db_file.name, "appointments", "slots", "--day", day, "--json"])
    out_path, err = capsys.readouterr()
    assert by_path == 0 and "sqlite" not in err, err
    assert cli.main(["--db", loaded.db.url, "appointments", "slots", "--day", day, "--json"]) == 0
    assert capsys.readouterr().out == out_path


def test_book_prints_the_repeat_miss_note_after_the_number(loaded: Services, cards: dict[str, str],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from hallterm.services import appointments, queue

    today = dt.date.today()  # the command reads the real clock
    for back in (10, 20):
        missed = queue.book_appointment(loaded, DESK, cards["valid"], today - dt.timedelta(days=back), "09:00", "09:30")
        appointments.mark_missed(loaded, DESK, missed)
    day = today + dt.timedelta(days=1)
    while True:  # a day with a bookable slot
        code, out, _ = run(loaded, capsys, "slots", "--day", day.isoformat(), "--json")
        free = [s for s in json.loads(out.strip().splitlines()[-1]) if s["bookable"]]
        if free:
            break
        day += dt.timedelta(days=1)
    code, out, err = run(loaded, capsys, "book", cards["valid"], "--day", day.isoformat(), "--slot", free[0]["start"],
                         "--section", free[0]["section"])
    lines = out.splitlines()
    assert code == 0, err
    assert lines[0].isdigit() and len(lines[0]) == 6  # the number stays first: scripts read it
    assert "已失约 2 次" in out and "已失约" not in lines[0]
