"""A full disk under the database, the spool folder and the log (issue 15 point 4), for real.

full_disk_script.py runs in a private mount namespace on a 4 MB tmpfs of its own (``unshare -rm``:
no root needed where user namespaces are allowed), fills it to the last byte under a running hall
and reports what each step came to; full_disk_desk_script.py does the same under a Pilot desk. A full
disk must give a clear Chinese line, never a traceback, and lose nothing already saved (the form
being typed included); freed, the hall carries on with the next numbers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hallterm.storage.engine import DISK_FULL

SCRIPT = Path(__file__).with_name("full_disk_script.py")
DESK_SCRIPT = Path(__file__).with_name("full_disk_desk_script.py")
ROOT = Path(__file__).parents[2]
MOUNT = 'mount -t tmpfs -o size={size} tmpfs "$1" && shift && exec "$@"'


def _in_small_disk(folder: Path, size: str, *command: str,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["unshare", "-rm", "sh", "-c", MOUNT.format(size=size), "sh", str(folder), *command],
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed: no private tmpfs to fill")
    folder = tmp_path_factory.mktemp("small-disk")
    probe = _in_small_disk(folder, "64k", "true")
    if probe.returncode:
        pytest.skip(f"cannot mount a private tmpfs here (unshare -rm / mount refused): {probe.stderr.strip()}")
    return _run(folder, SCRIPT)


@pytest.fixture(scope="module")
def desk_report(report: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run(tmp_path_factory.mktemp("small-disk-desk"), DESK_SCRIPT)


def _run(folder: Path, script: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the desk script drives the desk with tests/tui's helpers
    done = _in_small_disk(folder, "4m", sys.executable, str(script), str(folder), env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return dict(json.loads(done.stdout.splitlines()[-1]))


def _refused_with(outcome: dict[str, Any], line: str) -> None:
    assert outcome["ok"] is False, outcome
    assert outcome["line"] == line, outcome
    assert outcome["outage"] is False  # no silent retry: the clerk reads it and frees the disk


def test_a_full_disk_refuses_a_ticket_and_a_case_in_one_chinese_line(report: dict[str, Any]) -> None:
    assert report["free_when_full"] == 0
    _refused_with(report["full_ticket"], DISK_FULL)
    _refused_with(report["full_case"], DISK_FULL)
    assert report["full_counts"] == report["before"]  # nothing half-written, nothing lost


def test_what_was_saved_survives_and_numbering_carries_on(report: dict[str, Any]) -> None:
    assert report["saved_tickets"] == ["A001", "A002", "A003"]
    assert report["before"] == {"tickets": 3, "cases": 1, "events": 9, "slips": 1}
    for check in ("full_cli_check", "after_cli_check", "reopened_check"):
        assert report[check]["rc"] == 0, report[check]
        assert "未发现问题" in report[check]["out"]
    assert report["after_counts"] == report["before"]
    assert report["next_ticket"] == {"ok": True, "result": "A004"}  # no number lost to the failed attempt
    assert report["next_case"] == {"ok": True, "result": "210300-20261126-0002"}
    assert report["next_slip"] == {"ok": True, "result": "spooled"}
    assert report["reopened_ticket"] == {"ok": True, "result": "A005"}
    assert report["reopened_counts"]["tickets"] == 4 and report["reopened_counts"]["cases"] == 2


def test_a_full_spool_says_so_and_keeps_the_record(report: dict[str, Any]) -> None:
    slip = report["full_slip"]
    assert slip["ok"] is False and slip["type"] == "PrintFailed"
    assert "磁盘已满" in slip["line"] and "打印暂存目录" in slip["line"]
    assert report["full_counts"]["slips"] == report["before"]["slips"]
    assert report["full_counts"]["tickets"] == 3  # the ticket the slip was for is still there
    assert all("-A001-" in name for name in report["full_spool_files"])  # only the slip printed before
    assert len(report["full_spool_files"]) == 3
    printed = report["full_print_test"]
    assert printed["rc"] == 1
    assert printed["out"].count("磁盘已满") == printed["out"].count("[失败]") > 0


def test_a_slip_job_is_spooled_whole_or_not_at_all(report: dict[str, Any]) -> None:
    sizes = report["partial_sizes"]
    first, *rest = sizes.values()
    # the scenario held: the first file fitted, the rest did not
    assert report["partial_room"] >= first and sum(rest) > report["partial_room"] - first
    assert report["partial"]["ok"] is False and "磁盘已满" in report["partial"]["line"]
    assert report["partial_files"] == []  # neither the PNG that fitted nor a temporary file is left


def test_the_last_terminal_closing_on_a_full_disk_loses_nothing(report: dict[str, Any]) -> None:
    assert report["wal_kept"] > 0  # the checkpoint could not grow the file: the commits stay in the WAL
    assert report["after_full_close"] == report["saved_before_close"]
    assert report["saved_before_close"]["tickets"] == 4 and report["saved_before_close"]["cases"] == 2
    assert report["wal_after_clean_close"] is False


def test_opening_the_database_on_a_full_disk_says_the_disk_is_full(report: dict[str, Any]) -> None:
    # With every terminal closed SQLite must create the -shm file first: "disk I/O error"
    # (SQLITE_IOERR_SHMSIZE), not SQLITE_FULL. The clerk and the CLI read the same disk-full line.
    _refused_with(report["closed_open"], DISK_FULL)
    closed = report["closed_cli_check"]
    assert closed["rc"] == 1 and DISK_FULL in closed["err"]


def test_a_log_file_on_a_full_disk_is_said_once_without_a_traceback(report: dict[str, Any]) -> None:
    for run in ("full_cli_check", "full_print_test", "closed_cli_check"):
        err = report[run]["err"]
        assert "Traceback" not in err and "Logging error" not in err, err
        assert err.count("无法写入日志文件") == 1 and "（磁盘已满）" in err, err


def test_the_desk_says_the_disk_is_full_and_keeps_the_form(desk_report: dict[str, Any]) -> None:
    assert desk_report["case_line"].startswith(DISK_FULL) and "已填内容保留" in desk_report["case_line"]
    assert desk_report["kept_items"] == ["QY-GSSL"]
    assert desk_report["outage"] is False  # not the outage notice: waiting would not free the disk
    assert desk_report["cases_when_full"] == 0
    assert desk_report["scan_line"].startswith(DISK_FULL) and desk_report["scan_kept"]
    # freed: Enter looks the card up again, F3 F10 sends the kept form, one case
    assert desk_report["looked_up_after"]
    assert desk_report["after_line"].startswith("已开办件 210300-20261126-0001")
    assert desk_report["cases_after"] == 1
