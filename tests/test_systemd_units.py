"""The systemd units a hall installs (issue 15, point 8) parse, run commands that exist, and pass
``systemd-analyze verify`` where that tool is on PATH.

The units live in ``assets/systemd/``; README "Running it in a hall" says how to install them.
"""

from __future__ import annotations

import argparse
import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hallterm.cli import build_parser

UNITS = Path(__file__).resolve().parents[1] / "assets" / "systemd"
INSTALLED = "/opt/hallterm/bin/hallterm"  # where README "Installing on a front-desk PC" puts the program
SERVICES = ("hallterm-display.service", "hallterm-sweep.service")
DATA = "/var/lib/hallterm"


def read_unit(name: str) -> configparser.ConfigParser:
    # strict=False: systemd allows a key twice (ExecStart= resets, Environment= adds); keys keep their case.
    unit = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",), comment_prefixes=("#", ";"))
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((UNITS / name).read_text(encoding="utf-8"), source=name)
    return unit


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps its sub-parsers only here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_the_folder_holds_exactly_the_three_units() -> None:
    assert sorted(p.name for p in UNITS.iterdir()) == sorted([*SERVICES, "hallterm-sweep.timer"])


@pytest.mark.parametrize("name", SERVICES)
def test_service_runs_as_its_own_user_with_the_env_file_and_hardening(name: str) -> None:
    service = read_unit(name)["Service"]
    assert service["User"] == "hallterm"
    # the leading '-': a PC configured by the settings file alone starts without the env file
    assert service["EnvironmentFile"] == "-/etc/hallterm/env"
    assert service["NoNewPrivileges"] == "true"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "true"
    # the data folder (platformdirs honours XDG_DATA_HOME) is the one writable place
    assert service["Environment"] == "XDG_DATA_HOME=/var/lib"
    assert service["StateDirectory"] == "hallterm"
    assert service["ReadWritePaths"] == DATA


@pytest.mark.parametrize("name", SERVICES)
def test_execstart_is_an_existing_hallterm_command_with_existing_options(name: str) -> None:
    argv = shlex.split(read_unit(name)["Service"]["ExecStart"])
    assert argv[0] == INSTALLED
    # no password on a command line, where ps shows it: the URL goes in the 0600 env file
    assert not any(a.startswith("--db") or "://" in a for a in argv)
    commands = subparsers(build_parser())
    assert argv[1] in commands, f"{name}: hallterm has no command {argv[1]!r}"
    # the very parser `hallterm` uses accepts the arguments (it exits 2 on an unknown option or bad value)
    args = build_parser().parse_args(argv[1:])
    assert args.command == argv[1]


def test_display_serves_and_restarts_on_failure() -> None:
    unit = read_unit("hallterm-display.service")
    args = build_parser().parse_args(shlex.split(unit["Service"]["ExecStart"])[1:])
    assert args.serve is True
    assert unit["Service"]["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_sweep_is_a_oneshot_started_nightly_by_a_persistent_timer() -> None:
    assert read_unit("hallterm-sweep.service")["Service"]["Type"] == "oneshot"
    timer = read_unit("hallterm-sweep.timer")
    assert timer["Timer"]["Unit"] == "hallterm-sweep.service"
    assert (UNITS / timer["Timer"]["Unit"]).is_file()
    assert timer["Timer"]["OnCalendar"] == "*-*-* 23:30:00"  # after the hall closes, machine-local time
    assert timer["Timer"]["Persistent"] == "true"  # a PC off at night sweeps at boot
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not on PATH (not a systemd machine): the units' syntax was checked "
                    "only by the parser tests above")
    # verify refuses an ExecStart binary that is missing: point a copy at this environment's hallterm
    program = Path(sys.executable).with_name("hallterm")
    assert program.is_file(), f"{program} missing: install the package (bash .ci/bootstrap setup)"
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text(encoding="utf-8").replace(INSTALLED, str(program)),
                                          encoding="utf-8")
    result = subprocess.run([tool, "verify", *sorted(str(p) for p in tmp_path.iterdir())], capture_output=True,
                            text=True, timeout=120, check=False)
    # verify exits 0 on an unknown key or section and only warns: any line naming a unit is a failure
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "hallterm-" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr
