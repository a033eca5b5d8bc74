"""Hostile values for the options the commands do know: one Chinese line and exit 1 or 2, never a fault.

test_cli_args.py fuzzes options nobody knows; here each command gets its own options with random text,
dates that are not dates, paths that cannot be, undecodable bytes (as Linux hands them to Python), on a
real SQLite database. A fault would end in main()'s "程序内部错误" line (the traceback in the log): that
line is a failure here, as is any traceback.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hallterm.cli import main
from hallterm.services.context import Services

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
X = "\0X"  # where the hostile value goes

COMMANDS = [
    ["cards", "lookup", X], ["cases", "show", X, "--json"], ["report", "--from", X], ["report", "--to", X],
    ["report", "--section", X], ["report", "--xlsx", X], ["report", "--csv", X],
    ["callbacks", "--day", X], ["callbacks", "--csv", X],
    ["duties", "--section", X], ["duties", "--person", X], ["duties", "--pdf", X], ["proxy", "list", "--staff", X],
    ["appointments", "list", "--day", X], ["appointments", "list", "--day", "2026-11-26", "--csv", X],
    ["appointments", "slots", "--day", "2026-11-26", "--section", X],
    ["appointments", "book", X, "--day", "2026-11-27", "--slot", "10:00"],
    ["appointments", "cancel", X, "--reason", "改期"], ["calendar", "check", "--today", X],
    ["--db", X, "proxy", "list"], ["--config", X, "config"], ["db", "backup", X],
]
value = st.one_of(
    st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=30),  # no NUL: argv cannot hold one
    st.from_regex(r"-?[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True),
    st.sampled_from(["", " ", "2026-02-30", "9999-12-31", "0001-01-01", "２０２６-１１-２６", "../../etc/passwd",
                     "/proc/self/mem", "/", ".", "a" * 5000, "x\udcffy", "\u202e", "sqlite:///", "postgresql://:x@/",
                     "=cmd|' /C calc'!A0", "\x1b[2J", "GD2022A000178", "210300-20261126-0001", "HT1:T:1:2:3"]),
)


@pytest.fixture
def hall(services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test's database URL; the working directory is a folder of its own (relative paths land there)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    return services.settings.db.resolved_url()


def test_hostile_option_values_end_in_one_chinese_line(hall: str) -> None:
    @settings(settings.default, max_examples=max(15, settings.default.max_examples // 3))  # ~0.2 s a command
    @given(st.sampled_from(COMMANDS), value)
    @example(["--db", X, "proxy", "list"], "x\udcffy")
    @example(["report", "--xlsx", X], "/proc/self/mem")
    @example(["calendar", "check", "--today", X], "9999-12-31")
    def run(command: list[str], text: str) -> None:
        argv = [text if part == X else part for part in command]
        if "--db" not in argv:
            argv = ["--db", hall, *argv]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse's refusal
                code = exit_.code
        said = err.getvalue()
        assert "Traceback" not in said and "程序内部错误" not in said, (argv, said)
        assert code in (0, 1, 2), (argv, code, said)
        if code:
            assert _CHINESE.search(said), (argv, said)

    run()
