"""The one line a screen speaks through: what happened, what is under way, what went wrong.

Every screen has one ``MessageLine``; ``say`` replaces what it showed, in one of three levels
whose look is the same on every screen. The text is a ``Paragraph``: Chinese breaks where it may.
"""

from __future__ import annotations

from enum import Enum

from rich.text import Text
from textual.dom import DOMNode
from textual.widgets import Static

from hallterm.tui.widgets.paragraph import Paragraph


class Level(Enum):
    """How a message looks; the value is the CSS class it sets."""

    INFO = ""
    BUSY = "-busy"  # under way, or done with something to look at
    ERROR = "-error"


class MessageLine(Static):
    DEFAULT_CSS = """
    MessageLine { height: auto; min-height: 1; }
    MessageLine.-busy { color: $warning; }
    MessageLine.-error { color: $error; text-style: bold; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Paragraph(text), id=id, classes=classes)
        self.text = text
        self.level = Level.INFO

    def say(self, text: str | Text, level: Level = Level.INFO) -> None:
        self.update(Paragraph(text))
        self.text = text.plain if isinstance(text, Text) else text
        for other in Level:
            if other.value:
                self.set_class(other is level, other.value)
        self.level = level


class WithMessageLine:
    """For a screen with one ``MessageLine``: ``self.say(text, level)`` shows on it."""

    def say(self, text: str | Text, level: Level = Level.INFO) -> None:
        assert isinstance(self, DOMNode)
        self.query_one(MessageLine).say(text, level)
