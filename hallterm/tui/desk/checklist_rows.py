"""How the checklist screen reads: a material's cells, an item's state (decided, or the live decision
while materials are checked, S1, S7), the deadline's words and colours (S6); the coordinator's view shares
the colours."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from hallterm.domain.checklist import (
    FORM_NAMES,
    KIND_NAMES,
    PAST_ACCEPTANCE,
    Decision,
    ItemStatus,
    MaterialForm,
    MaterialKind,
)
from hallterm.domain.deadlines import DeadlineStatus
from hallterm.domain.terminal_text import visible

if TYPE_CHECKING:
    from hallterm.services.checklist_sheet import ItemChecklist, MaterialRow

DEADLINE_STYLES = {DeadlineStatus.OVERDUE: "bold white on red", DeadlineStatus.DUE_SOON: "bold black on yellow",
                   DeadlineStatus.PAUSED: "cyan", DeadlineStatus.ON_TRACK: "green"}
DECISION_STYLES = {Decision.ACCEPTED: "bold green", Decision.CONDITIONAL: "bold yellow",
                   Decision.CONDITIONAL_NEEDS_COMMITMENT: "bold yellow", Decision.NOT_ACCEPTED: "bold red"}


def deadline_text(item: ItemChecklist) -> Text:
    if item.deadline is None or item.deadline_state is None:
        return Text("")
    state = item.deadline_state
    label = f"承诺办结 {item.deadline.due:%Y-%m-%d}（{state.name}"
    label += f"，剩 {state.working_days_left} 个工作日）" if state.status is not DeadlineStatus.OVERDUE \
        else f"，超期 {-state.working_days_left} 个工作日）"
    return Text(label, style=DEADLINE_STYLES[state.status])


def material_cells(m: MaterialRow) -> tuple[Text, Text, Text, Text, Text]:
    kind = KIND_NAMES[m.kind]
    if m.kind is MaterialKind.CONDITIONAL:
        kind += "·适用" if m.applies else "·不适用"
    if m.received:
        state = Text("✓ 已收", style="bold green")
    elif m.kind is MaterialKind.CONDITIONAL and not m.applies:
        state = Text("— 不需要", style="dim")
    else:
        state = Text("✗ 缺", style="bold red" if m.kind is not MaterialKind.SECONDARY else "bold yellow")
    form = FORM_NAMES[MaterialForm(m.form)] if m.form else ""
    return Text("  " + m.name), Text(kind), state, Text(form), Text(visible(m.note))


def state_lines(item: ItemChecklist) -> list[Text]:
    """What was decided, when decided; what would be decided (live), while materials are checked.

    A decided item shows its recorded state, not the live rule: the notice the applicant holds
    is what counts, and a supplemented 容缺 item is simply 已受理 (S7)."""
    head = Text(f"{item.item_name}：", style="bold")
    decision = item.decision
    if item.status == ItemStatus.ACCEPTED and item.supplemented_on is not None:
        return [head + Text(f"已补正，已受理（{item.supplemented_on:%Y-%m-%d}）", style="bold green"),
                Text(f"{item.accepted_on:%Y-%m-%d} 容缺受理，容缺材料已全部补齐，按已受理办理")]
    if item.status == ItemStatus.ACCEPTED:
        return [head + Text(f"已受理（{item.accepted_on:%Y-%m-%d}）", style="bold green"),
                Text("受理通知书已出具；材料不能再改为未收")]
    if item.status == ItemStatus.CONDITIONAL:
        names = "、".join(m.name for m in decision.missing)
        return [head + Text(f"容缺受理（{item.accepted_on:%Y-%m-%d}）", style="bold yellow"),
                Text(f"待补正：{names}。收到后按空格登记（边办边补）")]
    if item.status == ItemStatus.RETURNED:
        return [head + Text("退件办结", style="bold red"), Text("容缺材料逾期未补齐，已退件办结")]
    if item.status in PAST_ACCEPTANCE:
        # Moved on by the coordinator (issue 13): in review, decided, at the issuing window.
        missing = "、".join(m.name for m in decision.missing) if item.status == ItemStatus.IN_REVIEW else ""
        extra = f"；待补正：{missing}（边办边补）" if missing else ""
        return [head + Text(f"{item.status_name}（{item.accepted_on:%Y-%m-%d} 受理）", style="bold green"),
                Text(f"受理通知书已出具；材料不能再改为未收{extra}")]
    if item.status == ItemStatus.NOT_ACCEPTED:
        # The notice stands; the applicant comes back with what it listed and F10 decides again.
        names = "、".join(m.name for m in decision.missing)
        lines = [head + Text("已出具一次性告知书", style="bold cyan"),
                 Text(f"仍缺：{names}。补齐后按 F10 受理" if names else "材料已补齐：按 F10 受理")]
        if decision.decision is Decision.CONDITIONAL_NEEDS_COMMITMENT:
            lines.append(Text("申请人改为愿意签署容缺受理承诺书的，也可按 F10 容缺受理"))
        return lines
    return [head + Text(decision.name, style=DECISION_STYLES[decision.decision]), Text(decision.explanation)]


def decision_lines(item: ItemChecklist, material: MaterialRow | None) -> list[Text]:
    """The panel under the table: the item's state, the material under the cursor, the clocks."""
    lines = state_lines(item)
    if material is not None and material.kind is MaterialKind.CONDITIONAL:
        when = material.condition if material.condition.endswith("时") else material.condition + "时"
        lines.append(Text(f"{material.name}：{when}需要（按 A 切换是否适用）", style="cyan"))
    elif material is not None and material.catalog_note:
        lines.append(Text(f"{material.name}：{material.catalog_note}", style="dim"))
    if item.supplement_due_on and item.status == ItemStatus.CONDITIONAL:
        guess = "（估算：次年节假日安排未公布，调休未计）" if item.supplement_estimated else ""
        lines.append(Text(f"容缺补正期限：{item.supplement_due_on:%Y-%m-%d}{guess}", style="bold yellow"))
    if item.deadline is not None:
        lines.append(deadline_text(item))
    if item.running_pause is not None:
        lines.append(Text(f"{item.running_pause.name}中（{item.running_pause.start:%Y-%m-%d} 起），暂停计时",
                          style="cyan"))
    return lines
