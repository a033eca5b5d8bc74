"""Each program's log file (issue 15 point 7): where it goes, what it holds, its mode, rotation, and an
unexpected fault on the command line reading one line with the log's path while the log has the traceback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hallterm import cli_config, logfile
from hallterm.cli import main
from hallterm.config import load_settings


def test_the_command_line_logs_beside_the_database_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "hall.sqlite3"
    assert main(["--db", str(db), "db", "upgrade"]) == 0
    log = tmp_path / "hallterm-cli.log"
    text = log.read_text(encoding="utf-8")
    assert "start cli, hallterm 0.1.0" in text and f"database sqlite:///{db}" in text
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_database_password_never_reaches_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HALLTERM_LOG_DIR", str(tmp_path / "logs"))
    url = "postgresql+psycopg://hall:s3cret-pw@127.0.0.1:1/hall"  # nothing listens on port 1
    assert main(["--db", url, "db", "check"]) == 1
    assert "s3cret-pw" not in capsys.readouterr().err
    text = (tmp_path / "logs" / "hallterm-cli.log").read_text(encoding="utf-8")
    assert "hall:***@127.0.0.1:1/hall" in text and "s3cret-pw" not in text
    assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700


def test_the_log_rotates_and_keeps_its_backups(tmp_path: Path) -> None:
    settings = load_settings(environ={"HALLTERM_LOG_DIR": str(tmp_path), "HALLTERM_LOG_MAX_KB": "16",
                                      "HALLTERM_LOG_BACKUPS": "2"})
    path = logfile.setup("cli", settings)
    assert path == tmp_path / "hallterm-cli.log"
    for i in range(400):  # ~40 KB
        logging.getLogger("hallterm.test").info("line %04d %s", i, "x" * 80)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["hallterm-cli.log", "hallterm-cli.log.1", "hallterm-cli.log.2"]
    assert all(p.stat().st_size <= 16 * 1024 for p in tmp_path.iterdir())
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in tmp_path.iterdir())
    assert "line 0399" in path.read_text(encoding="utf-8")


def test_an_unexpected_fault_is_one_line_on_screen_and_a_traceback_in_the_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_: object) -> int:
        raise ZeroDivisionError("a bug in hallterm")

    monkeypatch.setattr(cli_config, "show_config", broken)
    assert main(["--db", str(tmp_path / "hall.sqlite3"), "config"]) == 1
    out = capsys.readouterr()
    log = tmp_path / "hallterm-cli.log"
    assert out.err.strip().count("\n") == 0
    assert "程序内部错误" in out.err and str(log) in out.err
    assert "Traceback" not in out.err + out.out
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: a bug in hallterm" in text


def test_a_slow_command_is_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALLTERM_LOG_SLOW_MS", "1")
    assert main(["--db", str(tmp_path / "hall.sqlite3"), "db", "upgrade"]) == 0
    assert "slow: hallterm db took" in (tmp_path / "hallterm-cli.log").read_text(encoding="utf-8")
