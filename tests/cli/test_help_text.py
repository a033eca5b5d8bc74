"""The command line speaks Chinese around its own help texts: usage, headings and argparse's errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

ENGLISH = re.compile(r"usage:|options:|positional arguments|show this help|error:|invalid|required|unrecognized")


def hallterm(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    return subprocess.run([sys.executable, "-m", "hallterm", *args], capture_output=True, text=True,
                          encoding="utf-8", env={**env, "PYTHONUTF8": "1"}, timeout=60, check=False)


@pytest.mark.parametrize("args", [("--help",), ("display", "--help"), ("print", "test", "--help")])
def test_help_has_no_english_scaffolding(args: tuple[str, ...]) -> None:
    done = hallterm(*args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("用法：hallterm")
    assert "显示本帮助并退出" in done.stdout
    assert not ENGLISH.search(done.stdout), done.stdout


@pytest.mark.parametrize(("args", "fragment"), [
    (("frob",), "无效的选择：'frob'"),  # a typo of a command
    (("display", "--port", "x"), "'x' 不是有效的 int 值"),
    (("scan",), "缺少以下参数：IMAGE"),
    (("desk", "--after-hour", "--nope"), "无法识别的参数"),
])
def test_bad_arguments_are_one_chinese_line_saying_where_to_look(args: tuple[str, ...], fragment: str) -> None:
    done = hallterm(*args)
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert fragment in last and "--help 查看用法" in last
    assert not ENGLISH.search(done.stderr), done.stderr


def test_output_piped_into_a_reader_that_stops_early_ends_quietly() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    done = subprocess.run(f"'{sys.executable}' -m hallterm config | true", shell=True, capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
