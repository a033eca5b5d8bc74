"""The supervision workbook (``hallterm report --xlsx``) read back with openpyxl: no cell a spreadsheet runs.

Any text a report can carry (names, items, titles, headers) is fuzzed, formula starts among it (= + - @,
their full-width forms, behind blanks): every text cell read back is neither a formula cell nor text
that starts like one unless neutralised with a leading ', and carries no control character.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hallterm.domain.report import FIGURES, Column, Period, Report, Table
from hallterm.services.report_export import xlsx_bytes

BLANKS = " \u3000\t\r\n\v\f"
SIGNS = "=+-@＝＋－＠"

formula_like = st.builds(lambda blanks, sign, rest: blanks + sign + rest,
                         st.text(alphabet=BLANKS, max_size=3), st.sampled_from(SIGNS), st.text(max_size=15))
text = st.one_of(formula_like, st.text(max_size=20),
                 st.sampled_from(["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil\",\"点我\")", "@SUM(A1)",
                                  "王\x1b[2J芳", "\x00", "'=1", "-", "+86 139", "\u202e=1"]))
cell = st.one_of(text, st.none(), st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False),
                 st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))


def _runs_as_formula(value: str) -> bool:
    first = value.lstrip(BLANKS)[:1]
    return bool(first) and unicodedata.normalize("NFKC", first) in "=+-@"


@st.composite
def tables(draw: st.DrawFn) -> tuple[Table, ...]:
    out = []
    for n in range(draw(st.integers(1, 3))):
        columns = tuple(Column(f"c{i}", draw(text) or "列", draw(st.sampled_from(["text", "count", "minutes"])))
                        for i in range(draw(st.integers(1, 4))))
        rows = tuple(tuple(draw(cell) if c.unit != "text" else draw(text | st.none()) for c in columns)
                     for _ in range(draw(st.integers(0, 4))))
        out.append(Table(f"t{n}", draw(text), columns, rows))
    return tuple(out)


@settings(settings.default, max_examples=max(10, settings.default.max_examples // 4))  # ~0.1 s a workbook
@given(tables())
@example((Table("t", "=表", (Column("name", "＝姓名", "text"),), (("=cmd|' /C calc'!A0",), (" \u3000＋1",))),))
def test_no_workbook_cell_runs_as_a_formula(report_tables: tuple[Table, ...]) -> None:
    figures = {f.key: 0 for f in FIGURES}
    report = Report(Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31)), None,
                    dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC), figures, {5: 1}, report_tables)
    book = load_workbook(io.BytesIO(xlsx_bytes(report)))
    assert len(book.sheetnames) == 1 + len(report_tables)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for read in row:
                assert read.data_type != "f", (sheet.title, read.coordinate, read.value)
                if isinstance(read.value, str):
                    assert not _runs_as_formula(read.value) or read.value.startswith("'"), read.value
                    assert not any(unicodedata.category(c) == "Cc" for c in read.value), read.value
