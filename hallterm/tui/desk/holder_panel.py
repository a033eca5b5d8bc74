"""The holder panel: who the card belongs to and whether the green channel is open to them."""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from hallterm.domain.holders import TIER_NAMES, CardCheck, CardStatus, Verdict
from hallterm.domain.ids import mask_id, mask_phone
from hallterm.domain.terminal_text import visible  # data shown escaped, never obeyed (issue 16 point 2)
from hallterm.tui.widgets.paragraph import RichParagraph

_STATUS = {CardStatus.ACTIVE: "有效", CardStatus.EXPIRED: "已过期", CardStatus.REVOKED: "已注销"}


class HolderPanel(Static):
    """Shows one CardCheck. Data goes in as rich Text, never markup: a name like "[b]" stays literal, and
    a control character shows as its escape (\\x1b)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.check: CardCheck | None = None
        self.display = False

    def show_check(self, check: CardCheck, today: dt.date) -> None:
        self.check = check
        self.display = True
        self.set_class(check.ok, "-ok")
        self.set_class(not check.ok, "-refused")
        self.update(self._render_check(check, today))

    def clear(self) -> None:
        self.check = None
        self.remove_class("-ok", "-refused")
        self.update("")
        self.display = False

    @staticmethod
    def _render_check(check: CardCheck, today: dt.date) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        # Rich cuts a long run of Chinese with "…" (it has no spaces to wrap at): the verdict says what
        # to do next, so it must be read whole. Fold it instead.
        grid.add_column(overflow="fold")
        verdict = Text(check.message, style="bold green" if check.ok else "bold red")
        grid.add_row(Text("结论"), RichParagraph(verdict))  # breaks where Chinese may break
        holder = check.holder
        if holder is None:
            return grid
        days_left = (holder.expires_on - today).days
        validity = Text(f"{holder.issued_on:%Y-%m-%d} 至 {holder.expires_on:%Y-%m-%d}")
        if check.verdict is Verdict.EXPIRED:
            validity.append("（已过期）", style="red")
        elif 0 <= days_left <= 30:
            validity.append(f"（{days_left} 天后到期，请提醒续期）", style="yellow")
        grid.add_row(Text("姓名"), Text(visible(holder.name), style="bold"))
        grid.add_row(Text("卡号"), Text(visible(holder.card_no)))
        grid.add_row(Text("类别"), Text(TIER_NAMES.get(holder.tier, holder.tier)))
        grid.add_row(Text("有效期"), validity)
        grid.add_row(Text("卡状态"), Text(_STATUS[holder.status],
                                       style="green" if holder.status is CardStatus.ACTIVE else "red"))
        grid.add_row(Text("身份证号"), Text(mask_id(holder.id_number)))
        if holder.phone:
            grid.add_row(Text("电话"), Text(visible(mask_phone(holder.phone))))
        if holder.employer:
            grid.add_row(Text("单位"), Text(visible(holder.employer)))
        grid.add_row(Text("办件"), Text(f"在办 {holder.open_cases} 件，历史 {holder.past_cases} 件"))
        return grid
