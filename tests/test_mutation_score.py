""".ci/mutation_score.py sets aside only the mutants that change a Chinese message's wording.

(README "Mutation testing".)
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

_SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "mutation_score.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_score", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORE = _load()


def _fn(source: str) -> ast.FunctionDef:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


ORIGINAL = '''
def check(mode, n):
    if mode == "即办":
        return {"承诺": n}
    if n > 18:
        raise ValueError(f"身份证号应为 18 位，现为 {n} 位")
    if n < 0:
        raise ValueError("n must be >= 0", "x" if mode else "y")
    return {"kind": "办结", "n": n}
'''


@pytest.mark.parametrize(
    ("mutant", "expected"),
    [
        # wording of a message: set aside
        (ORIGINAL.replace("身份证号应为 18 位", "XX身份证号应为 18 位XX"), True),
        (ORIGINAL.replace('"办结"', '"XX办结XX"'), True),
        # a Chinese value compared, or a key: behaviour
        (ORIGINAL.replace('"即办"', '"XX即办XX"'), False),
        (ORIGINAL.replace('{"承诺": n}', '{"XX承诺XX": n}'), False),
        # an English key, a number, an operator: behaviour
        (ORIGINAL.replace('"kind"', '"XXkindXX"'), False),
        (ORIGINAL.replace("n > 18", "n > 19"), False),
        (ORIGINAL.replace("n > 18", "n >= 18"), False),
        (ORIGINAL.replace('raise ValueError(f"身份证号应为 18 位，现为 {n} 位")', "raise ValueError(None)"), False),
        (ORIGINAL, False),  # no change at all is no message mutant
        # the wording of a raised error, in any language: set aside
        (ORIGINAL.replace('"n must be >= 0"', '"XXn must be >= 0XX"'), True),
        (ORIGINAL.replace('"x" if mode', '"XXxXX" if mode'), True),
        # but not what the error is, nor when it is raised
        (ORIGINAL.replace("raise ValueError(\"n must", "raise TypeError(\"n must"), False),
        (ORIGINAL.replace("n < 0", "n <= 0"), False),
    ],
)
def test_message_only(mutant: str, expected: bool) -> None:
    assert SCORE.message_only(_fn(ORIGINAL), _fn(mutant)) is expected
