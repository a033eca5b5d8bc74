"""Textual's Checkbox, SelectionList and Select as the desk shows them: ticked boxes read without colour,
and no English in the footer. Screens import these names from here instead of ``textual.widgets``.

Textual draws a ticked and an unticked box with the same glyph (``ToggleButton.BUTTON_INNER``, "X")
and tells them apart by colour only: on a monochrome terminal, or for a colour-blind clerk, 材料齐全
ticked and unticked look the same. Here a ticked box shows ✓ and an unticked one is empty. Select's
pop-up list says "esc Dismiss menu" in the footer; here it says 收起列表.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Checkbox as _Checkbox
from textual.widgets import OptionList
from textual.widgets import Select as _Select
from textual.widgets import SelectionList as _SelectionList
from textual.widgets._select import SelectCurrent, SelectOverlay
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from hallterm.tui.widgets.carry_on import CarriesOn

T = TypeVar("T")

TICKED = "✓"
UNTICKED = " "


class Checkbox(_Checkbox):
    """A checkbox whose box shows ✓ when ticked and nothing when not, whatever the colours."""

    @property
    def _button(self) -> Content:
        # Textual's ToggleButton._button, with the inner glyph following the value instead of fixed.
        button_style = self.get_visual_style("toggle--button")
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])
        return Content.assemble((self.BUTTON_LEFT, side_style), (TICKED if self.value else UNTICKED, button_style),
                                (self.BUTTON_RIGHT, side_style))


class SelectionList(CarriesOn, _SelectionList[T], Generic[T]):
    """A selection list whose boxes show ✓ for the selected options and nothing for the others."""

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # A filter refills the list as the clerk types: a highlight posted before a refill that left fewer
        # options names one that is gone, and Textual's SelectionHighlighted raised OptionDoesNotExist,
        # which stopped the desk (found by tests/fuzz/test_case_form.py).
        # Textual calls this handler of every class in the MRO: prevent_default keeps its own from running.
        event.prevent_default()
        if event.option_index >= self.option_count:
            event.stop()
            return
        super()._on_option_list_option_highlighted(event)

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        segments = list(line)
        # Textual draws [left, inner, right, " ", prompt…]; a line past the options has no box.
        if len(segments) < 4 or segments[1].text != ToggleButton.BUTTON_INNER:
            return line
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        glyph = TICKED if option.value in self.selected else UNTICKED
        segments[1] = Segment(glyph, segments[1].style, segments[1].control)
        return Strip(segments, line.cell_length)


class _Overlay(SelectOverlay):
    BINDINGS = [Binding("escape", "dismiss", "收起列表")]


class Select(_Select[T], Generic[T]):
    """Textual's Select, with its pop-up list's key in Chinese."""

    def compose(self) -> ComposeResult:
        # Textual's Select.compose, with the overlay subclass (the Select finds it by its base class).
        yield SelectCurrent(self.prompt)
        yield _Overlay(type_to_search=self._type_to_search).data_bind(compact=_Select.compact)
