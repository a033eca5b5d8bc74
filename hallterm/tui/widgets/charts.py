"""Small terminal charts of a report's series, drawn with block characters (issue 14 point 3).

Readable without colour (NO_COLOR=1, a monochrome terminal): the bars are glyphs, not colours, and
every chart says its numbers in text — the axis's top value, and a caption with the total or the
largest and smallest — so a supervisor never has to guess a value from a bar's length.

Two shapes: ``columns`` (one column per day or hour, an axis of labels below: cases per day, waits
per hour) and ``bars`` (one labelled row per point: on-time rate per section, ratings by level). A
point without data (``None``: no visit that hour) is drawn as ``·`` and is never a zero.

The drawing is pure (``draw_columns``, ``draw_bars``: a ``Series`` and a width in, lines out), so it
is tested without a terminal; ``Chart`` is the widget that draws it at its own width.
"""

from __future__ import annotations

from typing import Literal

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from hallterm.domain.report import Series, Unit

Shape = Literal["columns", "bars"]

EIGHTHS_UP = " ▁▂▃▄▅▆▇█"  # a column's top cell, by eighths of a cell filled
EIGHTHS_RIGHT = " ▏▎▍▌▋▊▉█"  # a bar's last cell, by eighths
NO_DATA_MARK = "·"
NO_DATA = "无数据"
EMPTY_PERIOD = "本期没有数据"
COLUMN_ROWS = 5  # a column chart's height in rows (5 × 8 steps: fine enough to compare days)


def value_text(value: float | None, unit: Unit) -> str:
    """A value as a supervisor reads it: 87.5%, 12 分钟, 35; 无数据 for None (never 0)."""
    if value is None:
        return NO_DATA
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "minutes":
        return f"{value:.0f} 分钟" if value >= 10 or value == int(value) else f"{value:.1f} 分钟"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def _short_value(value: float, unit: Unit) -> str:
    """The axis's top value: no unit word (the caption has it), few cells."""
    if unit == "rate":
        return f"{value * 100:.0f}%"
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _has_data(series: Series) -> bool:
    """Something to draw: a value somewhere (a count series of zeros only has nothing to compare)."""
    if series.unit == "count":
        return any(v for _, v in series.points)
    return any(v is not None for _, v in series.points)


def caption_lines(series: Series, width: int) -> list[str]:
    """The caption on one line when it fits ``width`` cells, else a line for each of its parts."""
    text = caption(series)
    if cell_len(text) <= width:
        return [text]
    return text.split("，")


def caption(series: Series) -> str:
    """The chart's numbers in words: the total of counts, or the highest and lowest of rates and waits."""
    known = [(label, v) for label, v in series.points if v is not None]
    if not known or not _has_data(series):
        return EMPTY_PERIOD
    if series.unit == "count":
        total = sum(v for _, v in known)
        label, top = max(known, key=lambda p: p[1])
        return f"合计 {value_text(total, 'count')}，最多 {value_text(top, 'count')}（{label}）"
    high_label, high = max(known, key=lambda p: p[1])
    low_label, low = min(known, key=lambda p: p[1])
    if len(known) == 1 or high == low:
        return f"{value_text(high, series.unit)}（{high_label}）"
    return (f"最高 {value_text(high, series.unit)}（{high_label}），"
            f"最低 {value_text(low, series.unit)}（{low_label}）")


def _scale_top(series: Series) -> float:
    """The value the full height or length stands for: 100% for rates, else the largest value (at least 1)."""
    if series.unit == "rate":
        return 1.0
    return max([1.0, *(v for _, v in series.points if v is not None)])


def draw_columns(series: Series, width: int, rows: int = COLUMN_ROWS) -> list[Text]:
    """One column per point, labels below where they fit, the top value and 0 on the axis at the left."""
    if not _has_data(series):
        return [Text(EMPTY_PERIOD, style="dim")]
    top = _scale_top(series)
    gutter = max(cell_len(_short_value(top, series.unit)), 1) + 1  # the axis values, then ┤
    points = series.points
    room = max(width - gutter, len(points))
    step = max(1, min(3, room // max(len(points), 1)))  # cells per column: 1 to 3, a gap when 2 or more
    bar = 1 if step == 1 else step - 1
    heights = [None if v is None else round(v / top * rows * 8) for _, v in points]
    lines: list[Text] = []
    for row in range(rows, 0, -1):  # from the top row down
        if row == rows:
            axis = _short_value(top, series.unit).rjust(gutter - 1) + "┤"
        elif row == 1:
            axis = "0".rjust(gutter - 1) + "┤"
        else:
            axis = " " * (gutter - 1) + "│"
        line = Text(axis, style="dim")
        for h in heights:
            if h is None:
                cell = NO_DATA_MARK if row == 1 else " "
            else:
                filled = h - (row - 1) * 8
                # A small value still shows a sliver: only a true zero is an empty column.
                if row == 1 and h == 0:
                    filled = 0
                elif row == 1 and filled <= 0 and h > 0:
                    filled = 1
                cell = EIGHTHS_UP[max(0, min(8, filled))]
            line.append(cell * bar + " " * (step - bar), style="bold" if cell not in (" ", NO_DATA_MARK) else "")
        lines.append(line)
    lines.append(Text(" " * (gutter - 1) + "└" + "─" * (step * len(points)), style="dim"))
    labels = [" "] * width  # a label that would run past the chart's width is left out, not cut
    free = 0
    for i, (label, _) in enumerate(points):
        x = gutter + i * step
        if x >= free and x + cell_len(label) <= len(labels):
            at = x
            for ch in label:
                labels[at] = ch
                if cell_len(ch) == 2:  # a wide character (时) covers the next cell too
                    labels[at + 1] = ""
                at += cell_len(ch)
            free = at + 1
    lines.append(Text(set_cell_size("".join(labels).rstrip(), width).rstrip(), style="dim"))
    return lines


def draw_bars(series: Series, width: int) -> list[Text]:
    """One row per point: its label, a bar as long as its share of the scale, its value in text."""
    if not _has_data(series):
        return [Text(EMPTY_PERIOD, style="dim")]
    top = _scale_top(series)
    label_cells = min(max(cell_len(label) for label, _ in series.points), max(6, width // 3))
    values = [value_text(v, series.unit) for _, v in series.points]
    value_cells = max(cell_len(v) for v in values)
    room = max(4, width - label_cells - value_cells - 2)
    lines: list[Text] = []
    for (label, v), shown in zip(series.points, values, strict=True):
        cut = label if cell_len(label) <= label_cells else set_cell_size(label, label_cells - 1).rstrip() + "…"
        line = Text(set_cell_size(cut, label_cells) + " ")
        if v is None:
            line.append(NO_DATA_MARK.ljust(room), style="dim")
        else:
            eighths = round(max(0.0, v) / top * room * 8)
            if v > 0 and eighths == 0:
                eighths = 1  # something happened: never drawn as nothing
            full, rest = divmod(min(eighths, room * 8), 8)
            drawn = "█" * full + (EIGHTHS_RIGHT[rest] if rest else "")
            line.append(drawn, style="bold")
            line.append(" " * (room - cell_len(drawn)))
        # rjust counts characters: 无数据 is three of them but six cells
        line.append(" " * (1 + value_cells - cell_len(shown)) + shown, style="dim" if v is None else "")
        lines.append(line)
    return lines


class Chart(Widget):
    """A series drawn at the widget's width: a title, the chart, a caption with its numbers."""

    DEFAULT_CSS = """
    Chart { height: auto; padding: 0 1; margin-bottom: 1; }
    """

    def __init__(self, series: Series, shape: Shape, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series = series
        self.shape = shape

    def show(self, series: Series) -> None:
        self.series = series
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        title = Text(self.series.title, style="bold")
        body = (draw_columns(self.series, width) if self.shape == "columns" else draw_bars(self.series, width))
        tail = [Text(line, style="dim") for line in caption_lines(self.series, width)] if _has_data(self.series) else []
        return [title, *body, *tail]

    def render(self) -> Text:
        return Text("\n").join(self.lines(max(self.content_size.width, 10)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(max(width, 10)))

