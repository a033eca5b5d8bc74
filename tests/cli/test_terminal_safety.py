"""Issue 16 point 2: no control character from data reaches a terminal through the command line.

A roster name carrying ``ESC [2J`` (clear the screen) and an employer carrying an OSC 52 clipboard
write, stored before the import refused them (or written by another program), and a QR code whose
text is an escape sequence: every command prints them escaped (``\\x1b``), never raw.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import qrcode

from hallterm.cli import main
from hallterm.config import load_settings, sqlite_url
from hallterm.services.context import Services
from hallterm.services.demo import demo_rows
from hallterm.storage import holders

HOSTILE_NAME = "张\x1b[2J\x1b[31m三\x1b]0;pwned\x07"
OSC52 = "鞍钢\x1b]52;c;ZWNobyBwd25lZA==\x07集团\u202e"  # a clipboard write and a right-to-left override
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


def assert_nothing_raw(text: str) -> None:
    for ch in RAW:
        assert ch not in text, f"{ch!r} reached the terminal raw"


def run(db_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update(PYTHONUTF8="1", HALLTERM_SIGNING_KEY_FILE=str(cwd / "signing.key"))
    return subprocess.run([sys.executable, "-m", "hallterm", "--db", db_url, *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, cwd=cwd, timeout=120, check=False)


def test_cards_lookup_prints_a_hostile_name_and_employer_escaped(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "h.sqlite3")
    svc = Services.open(load_settings(environ={"HALLTERM_DB_URL": url}))
    try:
        row = dataclasses.replace(demo_rows(svc, 1)[0], name=HOSTILE_NAME, employer=OSC52 + "\x9b2J")
        with svc.db.write() as conn:  # as a roster imported before the check, or another program, left it
            holders.upsert_rows(conn, [row], svc.now())
    finally:
        svc.close()

    done = run(url, "cards", "lookup", row.card_no, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert_nothing_raw(done.stdout + done.stderr)
    assert "姓名：张\\x1b[2J\\x1b[31m三\\x1b]0;pwned\\x07" in done.stdout  # seen, so a clerk can report it
    assert "单位：鞍钢\\x1b]52;c;ZWNobyBwd25lZA==\\x07集团\\u202e\\x9b2J" in done.stdout


def test_scan_prints_a_hostile_qr_text_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HALLTERM_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    monkeypatch.setenv("HALLTERM_DB_URL", sqlite_url(tmp_path / "h.sqlite3"))
    image = tmp_path / "q.png"
    qrcode.make("\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07GD").save(image)

    assert main(["scan", str(image)]) == 0

    out = capsys.readouterr().out
    assert_nothing_raw(out)
    assert "QRCODE \\x1b[2J\\x1b]52;c;cm0gLXJmIH4=\\x07GD" in out


def test_scan_names_a_hostile_file_name_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HALLTERM_SIGNING_KEY_FILE", str(tmp_path / "signing.key"))
    image = tmp_path / "slip\x1b[2J.png"
    qrcode.make("GD").save(image)

    main(["scan", str(image), str(tmp_path / "gone\x1b]0;x\x07.png")])

    out = capsys.readouterr().out
    assert_nothing_raw(out)
    assert "slip\\x1b[2J.png：QRCODE GD" in out


def test_every_line_the_command_line_prints_is_escaped_at_the_stream(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The guard in ``cli.main``: a command that forgot to escape still cannot write a control character."""
    import hallterm.cli as cli

    def careless(args: object, settings: object) -> int:
        print("名字 \x1b[2J 单位 \u202e\x9b", "\t列")
        print(json.dumps({"名字": "\x9b\u202e\U000e0041"}, ensure_ascii=False))  # C1 and Cf: json leaves them raw
        print("第二行\x1b[2J", file=sys.stderr)
        return 0

    monkeypatch.setattr(cli, "_dispatch", careless)
    assert main(["config"]) == 0
    captured = capsys.readouterr()
    first, second = captured.out.splitlines()
    assert first == "名字 \\u001b[2J 单位 \\u202e\\u009b \t列"  # tabs and newlines kept
    assert json.loads(second) == {"名字": "\x9b\u202e\U000e0041"}  # escaped, and still valid JSON
    assert_nothing_raw(second)
    assert captured.err == "第二行\\u001b[2J\n"
    assert sys.stdout is not None and "Printable" not in type(sys.stdout).__name__  # restored after the command
