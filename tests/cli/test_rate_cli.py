"""``hallterm rate --counter CODE`` (issue 13 point 6): the rating pad's command refuses a bad counter code
in one Chinese line before any screen opens (an unknown code is said on the pad: tests/tui/test_rating_pad.py)."""

from __future__ import annotations

import pytest

from tests.cli.test_help_text import hallterm


@pytest.mark.parametrize(("args", "fragment"), [
    (("rate",), "缺少以下参数：--counter"),
    (("rate", "--counter", "F 1"), "窗口代码应为字母和数字（如 F1），而不是 'F 1'"),
])
def test_a_missing_or_malformed_counter_is_one_chinese_line(args: tuple[str, ...], fragment: str) -> None:
    done = hallterm(*args)
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert fragment in last, done.stderr
