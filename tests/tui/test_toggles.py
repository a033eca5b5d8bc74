"""Ticked and unticked boxes differ in shape, not only colour (issue 11, point 10), and the Select's
pop-up list names its key in Chinese (point 9): read as plain text, as a monochrome terminal shows them."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.widgets import Checkbox, Select, SelectionList
from textual.widgets._select import SelectOverlay

from hallterm.tui.desk.case_form import CaseFormScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_form, settle

TUI = Path(__file__).parents[2] / "hallterm" / "tui"


async def test_boxes_read_without_colour_and_the_select_speaks_chinese(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await open_form(pilot, cards["valid"])
        form = app.screen
        assert isinstance(form, CaseFormScreen)
        box = form.query_one("#urgent", Checkbox)
        before = box.render().plain
        box.value = not box.value
        await pilot.pause()
        after = box.render().plain
        ticked, unticked = (after, before) if box.value else (before, after)
        assert "✓" in ticked and "✓" not in unticked and ticked != unticked

        items = form.query_one("#items", SelectionList)
        first = items.get_option_at_index(0).value
        was = items.render_line(0).text
        items.toggle(first)
        await pilot.pause()
        now = items.render_line(0).text
        assert was != now and ("✓" in now) == (first in items.selected) and ("✓" in was) != ("✓" in now)

        select = form.query_one("#district", Select)
        select.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, SelectOverlay)
        keys = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert "收起列表" in keys and "Dismiss menu" not in keys
        await pilot.press("escape")


def test_screens_take_their_boxes_from_the_kit() -> None:
    """Every screen gets Checkbox, SelectionList and Select from hallterm.tui.widgets.toggles."""
    for path in TUI.rglob("*.py"):
        if path.name == "toggles.py":
            continue  # the kit itself
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "textual.widgets":
                names = {a.name for a in node.names}
                assert not names & {"Checkbox", "SelectionList", "Select", "RadioButton"}, path
