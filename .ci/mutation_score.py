"""Score of the last mutmut run over hallterm/domain/, message-only mutants aside (run by .ci/mutation-score).

A mutant counts as *message-only* when its function and the original differ in nothing but the wording
of messages: string literals that hold Chinese text (a CJK ideograph or full-width punctuation) and that
are not compared with anything, used as a dict key or matched in a ``case`` (the wording a clerk reads,
not a value a rule tests), or literals inside the message of a ``raise`` (``raise ValueError("months must
be >= 1")``: the wording of an error, in any language). Python's ``ast`` of the two functions is
compared node by node, so a change anywhere else (an operator, a number, a name, a dropped argument, a
message replaced by ``None``, an English key or format string outside a ``raise``) makes the mutant a
behaviour mutant, and so does a Chinese literal that is compared (``mode == "即办"``).

Of the behaviour mutants, *killed* means a test failed (mutmut's killed, timeout, segfault or type
check); survived, no tests, suspicious and not checked count against the score.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

KILLED = {"killed", "timeout", "segfault", "caught by type check"}
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


class _Behaviour(Exception):
    """The two functions differ in something other than a message's wording."""


Where = tuple[ast.AST | None, str]  # the node holding a literal, and the field of it the literal is in


def _diff_strings(a: ast.AST, b: ast.AST, where: Where, out: list[tuple[str, Where, ast.AST]]) -> None:
    if type(a) is not type(b):
        raise _Behaviour
    if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
        if a.value == b.value and type(a.value) is type(b.value):
            return
        if isinstance(a.value, str) and isinstance(b.value, str):
            out.append((a.value, where, a))
            return
        raise _Behaviour
    for field in a._fields:
        if field in ("ctx", "type_comment"):
            continue
        va, vb = getattr(a, field, None), getattr(b, field, None)
        if isinstance(va, list) and isinstance(vb, list):
            if len(va) != len(vb):
                raise _Behaviour
            for x, y in zip(va, vb, strict=True):
                if isinstance(x, ast.AST) and isinstance(y, ast.AST):
                    _diff_strings(x, y, (a, field), out)
                elif x != y:
                    raise _Behaviour
        elif isinstance(va, ast.AST) and isinstance(vb, ast.AST):
            _diff_strings(va, vb, (a, field), out)
        elif va != vb:
            raise _Behaviour


def _raised_messages(function: ast.AST) -> set[int]:
    """The string literals inside the arguments of the exception a ``raise`` builds."""
    found: set[int] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for arg in node.exc.args:
                found.update(id(n) for n in ast.walk(arg) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return found


def _is_message(text: str, where: Where) -> bool:
    parent, field = where
    if not _CHINESE.search(text):
        return False
    if isinstance(parent, ast.Compare | ast.MatchValue):
        return False  # a value a rule tests
    # a key something is looked up by is a value too
    key = isinstance(parent, ast.Dict) and field == "keys"
    index = isinstance(parent, ast.Subscript) and field == "slice"
    return not (key or index)


Function = ast.FunctionDef | ast.AsyncFunctionDef


def message_only(original: Function, mutant: Function) -> bool:
    """True when ``mutant`` differs from ``original`` only in the wording of Chinese messages."""
    changed: list[tuple[str, Where, ast.AST]] = []
    body_a = ast.Module(body=original.body, type_ignores=[])
    body_b = ast.Module(body=mutant.body, type_ignores=[])
    try:
        _diff_strings(original.args, mutant.args, (original, "args"), changed)
        _diff_strings(body_a, body_b, (None, "body"), changed)
    except _Behaviour:
        return False
    raised = _raised_messages(original)
    return bool(changed) and all(id(node) in raised or _is_message(text, where) for text, where, node in changed)


def _functions(path: Path) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text("utf-8"))
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _results() -> Iterator[tuple[str, str, Path]]:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, exit_code in data.exit_code_by_key.items():
            yield name, status_by_exit_code[exit_code], Path("mutants") / path


def main(argv: list[str]) -> int:
    from mutmut.mutation.diff_apply import generated_function_names

    verbose = "--list" in argv
    names_only = "--names" in argv
    globs = [a for a in argv if not a.startswith("--")]
    import fnmatch

    functions_by_file: dict[Path, dict[str, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    counts: Counter[str] = Counter()
    survivors: list[tuple[str, str]] = []
    for name, status, path in _results():
        if globs and not any(fnmatch.fnmatch(name, g) for g in globs):
            continue
        if path not in functions_by_file:
            functions_by_file[path] = _functions(path)
        functions = functions_by_file[path]
        orig_name, mutant_name = generated_function_names(name)
        if message_only(functions[orig_name], functions[mutant_name]):
            counts["message"] += 1
            continue
        counts["behaviour"] += 1
        if status in KILLED:
            counts["killed"] += 1
        else:
            survivors.append((name, status))
    if names_only:  # for --retest: the mutants not killed, one a line
        print("\n".join(name for name, _ in sorted(survivors)))
        return 0
    if verbose:
        for name, status in sorted(survivors):
            print(f"{status:12} {name}")
    behaviour, killed = counts["behaviour"], counts["killed"]
    if not behaviour:
        print("no behaviour mutants checked (run mutmut first)")
        return 1
    print(f"message-only mutants set aside: {counts['message']}")
    print(f"behaviour mutants killed: {killed}/{behaviour} = {100 * killed / behaviour:.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
