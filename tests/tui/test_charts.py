"""The supervisor's small charts (issue 14 point 3): block characters, numbers in text, no data never a zero."""

from __future__ import annotations

from rich.cells import cell_len

from hallterm.domain.report import Series
from hallterm.tui.widgets.charts import caption, draw_bars, draw_columns, value_text


def plain(lines: list) -> list[str]:
    return [line.plain for line in lines]


def test_columns_scale_to_the_largest_day_and_say_their_numbers() -> None:
    days = Series("cases_per_day", "每日受理", "count",
                  (("11-23", 0), ("11-24", 8), ("11-25", 4), ("11-26", None)))
    lines = plain(draw_columns(days, 38, rows=4))
    assert lines[0].startswith("8┤")  # the axis names the top value
    assert lines[3].startswith("0┤")
    columns = [line[2:] for line in lines[:4]]
    step = 3  # 36 cells for 4 days: at most 3 cells each (two of bar, one gap)
    day = [[col[i * step] for col in columns] for i in range(4)]
    assert day[0] == [" ", " ", " ", " "]  # a true zero: an empty column
    assert day[1] == ["█"] * 4  # the largest: full height
    assert day[2] == [" ", " ", "█", "█"]  # half of it
    assert day[3] == [" ", " ", " ", "·"]  # no data: a dot, not a zero
    assert lines[-1].split() == ["11-23", "11-25"]  # labels where they fit, never overlapping
    assert caption(days) == "合计 12，最多 8（11-24）"
    assert all(cell_len(line) <= 38 for line in lines)


def test_columns_of_a_month_fit_38_cells_with_wide_labels() -> None:
    month = Series("waits_by_hour", "各时段等候", "minutes",
                   tuple((f"{h}时", float(h)) for h in range(8, 20)))
    lines = plain(draw_columns(month, 38))
    assert all(cell_len(line) <= 38 for line in lines)
    assert "8时" in lines[-1]
    assert caption(month) == "最高 19 分钟（19时），最低 8 分钟（8时）"


def test_bars_show_rates_out_of_100_percent_and_no_data_in_words() -> None:
    sections = Series("on_time_by_section", "各科室按时办结率", "rate",
                      (("审批一科", 1.0), ("审批二科", 0.5), ("审批三科", None), ("审批四科", 0.0)))
    lines = plain(draw_bars(sections, 40))
    full, half, none, zero = lines
    assert full.endswith("100.0%") and half.endswith("50.0%") and none.endswith("无数据") and zero.endswith("0.0%")
    assert full.count("█") == 2 * half.count("█") and zero.count("█") == 0 and "·" in none
    assert all(cell_len(line) <= 40 for line in lines)
    long = Series("on_time_by_section", "各科室按时办结率", "rate",
                  (("政务服务中心帮办代办部", 0.5), ("综合受理科", 1.0)))
    cut, whole = plain(draw_bars(long, 38))
    assert cut.startswith("政务服务中…") and whole.startswith("综合受理科") and cell_len(cut) == cell_len(whole) == 38


def test_a_series_with_nothing_in_it_says_so() -> None:
    for values in ((None, None), (0.0, 0.0)):  # nothing happened: no row of empty bars to read through
        empty = Series("ratings_by_level", "评价", "count", (("非常满意", values[0]), ("满意", values[1])))
        assert plain(draw_bars(empty, 40)) == ["本期没有数据"]
        assert plain(draw_columns(empty, 40)) == ["本期没有数据"]
    waits = Series("waits_by_hour", "等候", "minutes", (("08时", None), ("09时", 0.0)))
    bottom = plain(draw_columns(waits, 40))[-3]
    assert bottom[2:5] == "·· " and bottom[5:7] == "  "  # no visit at 08时: dots; a wait of 0 at 09时: no bar
    assert value_text(None, "rate") == "无数据" and value_text(0, "count") == "0"
    assert value_text(0.875, "rate") == "87.5%" and value_text(7.25, "minutes") == "7.2 分钟"
