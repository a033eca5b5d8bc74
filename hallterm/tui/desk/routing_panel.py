"""Where the visitor goes: room, floor, coordinator and extension, large and plain (S9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from hallterm.domain.cases import CaseStatus
from hallterm.domain.floors import floor_name
from hallterm.domain.jurisdiction import Jurisdiction
from hallterm.domain.service_mode import MODE_NAMES, ServiceMode
from hallterm.domain.terminal_text import visible
from hallterm.tui.widgets.paragraph import Paragraph

if TYPE_CHECKING:  # services load SQLAlchemy, which the desk imports in its connect worker only
    from hallterm.services.case_views import CaseView


class RoutingPanel(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.case: CaseView | None = None
        self.display = False

    def clear(self) -> None:
        self.case = None
        self.display = False
        self.update("")

    def show_case(self, case: CaseView) -> None:
        self.case = case
        self.display = True
        queued = case.status is CaseStatus.QUEUED
        self.set_class(queued, "-queued")
        self.set_class(not queued, "-routed")
        self.border_title = f"办件 {case.case_no}"
        self.update(Paragraph(render_case(case)))  # breaks where Chinese may break


def render_case(case: CaseView) -> Text:
    mode = MODE_NAMES[case.service_mode]
    if case.service_mode is ServiceMode.PENDING:  # nobody has checked the papers yet (S1)
        mode += "（F12 核验材料后确定）"
    where = Jurisdiction(case.jurisdiction, case.district, case.handling).describe()
    lines: list[Text] = []
    if case.status is CaseStatus.QUEUED:
        lines.append(Text(f"排队等候第 {case.queue_position or '?'} 位", style="bold yellow"))
        reason = case.queue_reason or "洽谈室已满或暂无在岗协调员"
        if "已下班" in reason or "没有排班" in reason or "无人值班" in reason:
            lines.append(Text(reason))
        else:
            lines.append(Text(f"{reason}：请持卡人在绿色通道等候区稍候，有空位或协调员到岗时按顺序分配（F8）"))
    else:
        lines.append(Text.assemble(("请到  ", "bold"), (f"{floor_name(case.lounge_floor)} {case.lounge_name}",
                                                       "bold reverse")))
        if case.coordinator:
            # S6: after hours the duty roster may name the after-hours staff member, not a coordinator.
            lines.append(Text.assemble((f"{case.duty or '协调员'}  ", "bold"), (case.coordinator.name, "bold"),
                                       f"    分机 {case.coordinator.extension}"))
    if case.proxy:
        lines.append(Text(f"帮办代办  {case.proxy.name}    分机 {case.proxy.extension}"))
    elif case.proxy_reason:  # promised on the form, nobody on duty: say when one comes, not nothing (S3)
        lines.append(Text(case.proxy_reason, style="bold yellow"))
    lines.append(Text(""))
    lines.append(Text(f"{visible(case.holder_name)} · {'、'.join(case.item_names)}"))
    lines.append(Text(f"办理方式：{mode}{'（全程代办）' if case.full_proxy else ''} · {where}"))
    if case.first_contact:
        lines.append(Text(f"首问负责：{case.first_contact.name}"))
    return Text("\n").join(lines)
