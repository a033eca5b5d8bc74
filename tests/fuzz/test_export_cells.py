"""Export cells: nothing a spreadsheet would run as a formula leaves neutralise() unguarded."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from hallterm.cli_csv import FORMULA_START, neutralise

BLANKS = " \u3000\t\r\n"


def _runs_as_formula(cell: str) -> bool:
    first = cell.lstrip(BLANKS + "\v\f")[:1]
    return bool(first) and unicodedata.normalize("NFKC", first) in FORMULA_START


@given(st.text(alphabet=st.sampled_from(BLANKS)), st.sampled_from("=+-@＝＋－＠"), st.text())
@example("", "=", "cmd|' /C calc'!A0")
@example(" ", "＝", "1+1")
@example("\t", "@", "SUM(A1)")
def test_a_formula_start_is_neutralised(blanks: str, sign: str, rest: str) -> None:
    cell = blanks + sign + rest
    out = neutralise(cell)
    assert out == "'" + cell


@given(st.text())
def test_other_cells_are_left_alone_and_none_stays_a_formula(cell: str) -> None:
    out = neutralise(cell)
    assert out == ("'" + cell if _runs_as_formula(cell) or cell.startswith(FORMULA_START) else cell)
    assert not _runs_as_formula(out)


@given(st.lists(st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12),
                         min_size=2, max_size=2), max_size=5))
def test_a_written_csv_read_back_has_no_formula_cell(rows: list[list[str]]) -> None:
    import csv
    import io

    from hallterm.cli_csv import csv_text

    back = list(csv.reader(io.StringIO(csv_text(["姓名", "电话"], rows), newline="")))
    assert len(back) == len(rows) + 1
    for cells in back[1:]:
        assert not any(_runs_as_formula(cell) or cell.startswith(FORMULA_START) for cell in cells), cells
