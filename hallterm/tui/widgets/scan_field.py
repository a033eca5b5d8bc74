"""The scan field: takes what a keyboard-wedge scanner or a person types.

Scanners end with CR (enter), LF (which terminals deliver as ctrl+j) or Tab; all three submit
here, so the scanner's factory setting does not matter (research/textual.md pitfalls 12 and 14).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class ScanField(Input):
    BINDINGS = [
        Binding("ctrl+j", "submit", "提交", show=False),
        Binding("tab", "submit_or_next", "提交", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="扫描钢都英才卡，或输入卡号后按回车（例如 GD2022A000178）",
            select_on_focus=True,
            id=id,
        )

    async def action_submit_or_next(self) -> None:
        """A Tab suffix ends a scan; an empty field lets Tab move focus as usual."""
        if self.value.strip():
            await self.action_submit()
        else:
            self.screen.focus_next()
