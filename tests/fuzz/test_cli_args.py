"""Random command-line arguments: exit 2 with one Chinese line, never a traceback.

Every argv carries one option no subcommand knows, so argparse must refuse it and nothing runs
(no desk opens, no database is touched); what is fuzzed is the parser's refusal path.
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallterm.cli import main

_CHINESE = re.compile(r"[\u4e00-\u9fff]")
SUBCOMMANDS = ["desk", "demo", "reference load", "cards import", "cards lookup", "staff set-pin", "staff unlock",
               "bench", "sweep", "config", "callbacks", "display", "rate", "print test", "scan", "calendar check", ""]
token = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)


@given(st.sampled_from(SUBCOMMANDS), st.lists(token, max_size=4),
       st.from_regex(r"--zz[a-z0-9-]{0,10}", fullmatch=True), st.integers(min_value=0, max_value=4))
def test_an_unknown_option_exits_2_with_a_chinese_line(sub: str, args: list[str], bogus: str, at: int) -> None:
    argv = [*sub.split(), *args]
    argv.insert(len(sub.split()) + min(at, len(args)), bogus)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), pytest.raises(SystemExit) as exit_:
        main(argv)
    err = stderr.getvalue()
    assert exit_.value.code == 2, (argv, err)
    assert "Traceback" not in err
    assert _CHINESE.search(err), err
