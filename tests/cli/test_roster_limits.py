"""Big rosters (issue 16 point 11): a file past the size limit is refused unread, and the error lines
of a bad one are bounded and mask ID numbers. Through the real ``hallterm cards import`` process."""

from __future__ import annotations

import re
from pathlib import Path

from hallterm.domain.roster import MAX_FILE_BYTES, SHOWN_ERRORS
from tests.cli.test_roster import csv_bytes, db_url, holder_count, holder_row, import_file, resident_id

__all__ = ["db_url"]  # the fixture, used by name


def test_a_file_past_the_size_limit_is_refused_unread(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "huge.csv"
    head = csv_bytes([holder_row(1)])
    with path.open("wb") as handle:  # a valid roster start, then sparse zeros: 51 MB on disk's word only
        handle.write(head)
        handle.truncate(MAX_FILE_BYTES + 1024 * 1024)
    result = import_file(db_url, path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "名册文件太大（51 MB），超过 50 MB 的上限，未读取" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert holder_count(db_url) == 0


def test_error_lines_are_bounded_and_never_show_a_whole_id_number(tmp_path: Path, db_url: str) -> None:
    bad_ids = [resident_id(sequence=f"{n:03d}")[:-1] + ("0" if resident_id(sequence=f"{n:03d}")[-1] != "0" else "1")
               for n in range(SHOWN_ERRORS + 30)]  # each a real-looking ID with a wrong check character
    rows = [holder_row(n + 1, id_number=bad) for n, bad in enumerate(bad_ids)]
    rows.insert(0, holder_row(999, phone="138000000001234a"))  # a long number where a phone goes: masked too
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))
    result = import_file(db_url, path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    err = result.stderr
    listed = re.findall(r"^  第 (\d+) 行：", err, flags=re.MULTILINE)
    assert len(listed) == SHOWN_ERRORS
    assert f"有 {len(rows)} 行错误" in err
    assert f"另有 {len(rows) - SHOWN_ERRORS} 行错误未列出" in err
    for bad in bad_ids:
        assert bad not in err
    assert f"身份证号 {bad_ids[0][:3]}{'*' * 13}{bad_ids[0][-2:]} 无效" in err
    assert "第 2 行：电话 138**********34a 无效" in err and "138000000001234" not in err
    assert holder_count(db_url) == 0
