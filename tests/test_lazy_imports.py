"""An import inside a function stays only where the start-up budget needs it, and says why.

Every import below module level (``if TYPE_CHECKING:`` blocks aside) must carry a ``# lazy: <reason>``
comment: on the import's own line, or on the line just above the run of imports it belongs to.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hallterm

PACKAGE_DIR = Path(hallterm.__file__).resolve().parent
# Files other branches of issue 10 rewrite now: their imports are settled when those branches land.
PENDING: set[str] = set()


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    blocks = [getattr(stmt, field) for field in ("body", "orelse", "finalbody")
              if isinstance(getattr(stmt, field, None), list) and getattr(stmt, field)
              and isinstance(getattr(stmt, field)[0], ast.stmt)]
    blocks += [handler.body for handler in getattr(stmt, "handlers", [])]
    return blocks + [case.body for case in getattr(stmt, "cases", [])]


def _unexplained(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[str] = []

    def visit(body: list[ast.stmt], nested: bool) -> None:
        run_start: ast.stmt | None = None  # the first of the imports in a row
        for stmt in body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                run_start = run_start or stmt
                explained = "# lazy:" in lines[stmt.lineno - 1] \
                    or lines[run_start.lineno - 2].strip().startswith("# lazy:")
                if nested and not explained:
                    found.append(f"{path.relative_to(PACKAGE_DIR)}:{stmt.lineno} {lines[stmt.lineno - 1].strip()}")
                continue
            run_start = None
            if not _is_type_checking(stmt):
                for block in _blocks(stmt):
                    visit(block, nested or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse("\n".join(lines)).body, False)
    return found


def test_every_function_level_import_says_why_it_is_there() -> None:
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if str(path.relative_to(PACKAGE_DIR)) not in PENDING:
            offenders += _unexplained(path)
    assert offenders == [], "move these to the top of the module, or say why not (# lazy: ...):\n" + "\n".join(
        offenders)
