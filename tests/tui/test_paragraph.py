"""Message lines break where Chinese may break, at the width they are laid out at."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from hallterm.linebreak import NO_LINE_START
from hallterm.tui.widgets.paragraph import Paragraph

MESSAGE = "此卡已于 2025-12-17 过期：请提醒持卡人到人才办续期，续期后再来办理；也可由督查特批放行（F4）。"


class OneLine(App[None]):
    CSS = "#msg { width: 30; height: auto; }"

    def compose(self) -> ComposeResult:
        yield Static(Paragraph(MESSAGE), id="msg")


async def test_a_message_fills_its_lines_and_no_line_starts_with_closing_punctuation() -> None:
    app = OneLine()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        widget = app.query_one("#msg", Static)
        lines = [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]
        shown = str(widget.render())
    assert "".join(lines).replace(" ", "") == MESSAGE.replace(" ", "")  # nothing lost or repeated
    assert lines[0] == "此卡已于 2025-12-17 过期：请提"  # not cut after the date, as Rich would
    assert all(line and line[0] not in NO_LINE_START for line in lines)
    assert "（F4）。" in lines[-1]  # the bracket, the key and its punctuation stay together
    assert shown == MESSAGE, shown  # what tests and screen readers get: the message itself


def test_styles_of_a_rich_text_survive_the_breaking() -> None:
    text = Text.assemble(("排队等候第 1 位", "bold yellow"), "\n", ("业务协调科协调员 08:30 到岗：请持卡人稍候", "red"))
    lines = Paragraph(text).lines(20)
    assert [line.plain for line in lines] == ["排队等候第 1 位", "业务协调科协调员", "08:30 到岗：请持卡人", "稍候"]
    assert all(span.style == "red" for line in lines[1:] for span in line.spans)
    assert lines[0].spans[0].style == "bold yellow"


def test_a_table_cell_breaks_the_same_way() -> None:
    from rich.console import Console
    from rich.table import Table

    from hallterm.tui.widgets.paragraph import RichParagraph

    console = Console(width=60, record=True)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text("结论"), RichParagraph(Text("此卡已于 2025-12-15 过期：请持卡人到人才办续期后再来办理")))
    console.print(grid)
    lines = console.export_text().splitlines()
    assert lines[0].rstrip() == "结论  此卡已于 2025-12-15 过期：请持卡人到人才办续期后再来办"  # not cut after the date
    assert lines[1].strip() == "理"
