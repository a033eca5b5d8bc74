"""Issue 16 point 2 on the screens: a roster name or employer carrying escape sequences is shown escaped
on the desk, and nothing a screen draws from data reaches the terminal as a control character.

What the terminal would receive is taken from the compositor itself (``render_update``), the bytes the
driver writes: the hostile sequences must not be in it, though the screen's own styling escapes are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, Static

from hallterm.domain.holders import CardStatus
from hallterm.services.context import Services
from hallterm.storage import holders
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.faults import LoggedFaults
from tests.conftest import _row
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import scan

CLEAR, TITLE, CLIPBOARD, RLO, CSI = "\x1b[2J", "\x1b]0;", "\x1b]52;", "\u202e", "\x9b"
HOSTILE = (CLEAR, TITLE, CLIPBOARD, RLO, CSI)


def terminal_bytes(app: App[object]) -> str:
    update = app.screen._compositor.render_update(full=True)
    assert update is not None
    return update.render_segments(app.console)


def assert_nothing_hostile(output: str) -> None:
    assert "\x1b[" in output  # the screen's own styling is there: the capture is the real output
    for sequence in HOSTILE:
        assert sequence not in output, f"{sequence!r} would reach the terminal"


async def test_a_hostile_holder_is_shown_escaped_on_the_desk(loaded: Services, cards: dict[str, str],
                                                            desk_app: DeskAppFactory) -> None:
    row = dataclasses.replace(  # the fixture's own "valid" holder, its name and employer made hostile
        _row("GD2022A00017", "王\x1b[2J\x1b]0;pwned\x07喆", "A", dt.date(2024, 11, 26), dt.date(2029, 11, 25),
             CardStatus.ACTIVE, loaded),
        employer="鞍钢\x1b]52;c;cm0gLXJm\x07集团\u202e\x9b2J")
    with loaded.db.write() as conn:  # as another program, or a roster imported before the check, left it
        holders.upsert_rows(conn, [row], loaded.now())

    app = desk_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, cards["valid"])
        panel = app.screen.query_one(HolderPanel)
        shown = "\n".join(line.text for line in panel.render_lines(panel.region.reset_offset))
        assert "王\\x1b[2J\\x1b]0;pwned\\x07喆" in shown  # seen by the clerk, so it can be reported
        assert "\\x1b]52;c;cm0gLXJm\\x07" in shown
        assert_nothing_hostile(terminal_bytes(app))


class Careless(LoggedFaults):
    """Widgets fed data raw, as a screen that forgot to escape would: the last guard must still hold."""

    def compose(self) -> ComposeResult:
        yield Static(Text("张" + CLEAR + "三" + RLO))
        yield Input(value="鞍钢" + CLIPBOARD + "c;aGk=\x07")
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("姓名")
        table.add_row(Text("李" + TITLE + "x\x07" + CSI + "四"))


async def test_every_screen_is_guarded_where_text_meets_the_terminal() -> None:
    app = Careless()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        output = terminal_bytes(app)
        assert "张" in output and "三" in output and "李" in output  # the text itself is drawn
        assert_nothing_hostile(output)
