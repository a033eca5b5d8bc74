"""`hallterm db check`: a sound database passes; a broken one exits 1 naming what is wrong."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hallterm.cli import main


def test_a_sound_database_passes_and_a_dangling_reference_is_named(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hall.sqlite3"
    assert main(["--db", str(db), "db", "upgrade"]) == 0
    assert main(["--db", str(db), "db", "check"]) == 0
    assert "未发现问题" in capsys.readouterr().out

    with sqlite3.connect(db) as raw:  # a shift of a staff member who does not exist: foreign keys off
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("INSERT INTO staff_shifts (staff_id, days, start, \"end\") "
                    "VALUES ('S9999', 'mon', '08:30', '17:00')")
    assert main(["--db", str(db), "db", "check"]) == 1
    out = capsys.readouterr().out
    assert "staff_shifts" in out and "staff" in out and "外键" in out


def test_checking_a_database_that_is_not_there_creates_nothing(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "typo.sqlite3"
    assert main(["--db", str(missing), "db", "check"]) == 1
    assert "数据库文件不存在" in capsys.readouterr().err
    assert not missing.exists()
