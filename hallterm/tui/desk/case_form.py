"""The form that opens a case (S1, S1', S2, S3): items, kind, jurisdiction, service mode.

Built for the keyboard: the item filter has focus, ↑/↓ move through the items, Enter ticks the
highlighted one, F10 opens the case. Everything typed is kept if the form is closed or refused.

Every field is always on the form and in the Tab order, whatever the kinds chosen: a field that does
not apply (the district of a city-bureau case, the reason for a valid credit code) is dimmed, struck
through or marked 不适用, and takes no input, so the clerk who counts Tabs lands in the same field every
time (issue 11).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static
from textual.widgets.selection_list import Selection

from hallterm.domain.cases import CaseDraft, check_draft
from hallterm.domain.holders import Holder
from hallterm.domain.ids import is_valid_uscc
from hallterm.domain.jurisdiction import (
    CASE_KIND_NAMES,
    CITY_KINDS,
    DISTRICTS,
    ENTERPRISE_KIND_NAMES,
    HANDLING_NAMES,
    CaseKind,
    EnterpriseKind,
    Handling,
    JurisdictionError,
    decide,
    requires_proxy,
)
from hallterm.domain.service_mode import (
    FIVE_MODES,
    MODE_NAMES,
    MODE_REASONS,
    CaseFlags,
    ServiceMode,
    needs_proxy,
    suggest,
)
from hallterm.services.cases import CatalogItem
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.toggles import Checkbox, Select, SelectionList

SUGGESTED = "suggested"


def guess_kind(name: str) -> EnterpriseKind:
    """The enterprise kind a name implies (S2): 股份有限公司 and branches stay with the city bureau."""
    if "股份" in name or name.endswith("分公司"):
        return EnterpriseKind.JOINT_STOCK
    if "合伙" in name:
        return EnterpriseKind.PARTNERSHIP
    return EnterpriseKind.LIMITED


class NotApplicable(Message):
    """A key went to a field that does not apply now; ``why`` says so in Chinese."""

    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why


class FieldInput(Input):
    """An Input that stays in place and in the Tab order when it does not apply, taking no typing then.
    Its placeholder says 不适用 then, so it reads without colour too."""

    why_not = ""
    _own_placeholder: str | None = None

    @property
    def applies(self) -> bool:
        return not self.has_class("not-applicable")

    def set_applies(self, applies: bool, why_not: str = "") -> None:
        if self._own_placeholder is None:
            self._own_placeholder = self.placeholder
        self.set_class(not applies, "not-applicable")
        self.why_not = why_not
        self.placeholder = self._own_placeholder if applies else f"不适用（{why_not.split('：', 1)[-1]}）"

    def replace(self, text: str, start: int, end: int) -> None:
        if not self.applies and text:  # deleting stays possible: what was typed earlier can go
            self.post_message(NotApplicable(self.why_not))  # the keys were meant for another field
            return
        super().replace(text, start, end)


class FieldSelect(Select[str]):
    """A Select that stays in place and in the Tab order when it does not apply; it does not open then."""

    why_not = ""

    @property
    def applies(self) -> bool:
        return not self.has_class("not-applicable")

    def set_applies(self, applies: bool, why_not: str = "") -> None:
        self.set_class(not applies, "not-applicable")
        self.why_not = why_not

    def validate_expanded(self, expanded: bool) -> bool:
        if expanded and not self.applies:
            self.post_message(NotApplicable(self.why_not))
            return False
        return expanded


class CaseFormScreen(CarriesOn, ModalScreen[CaseDraft | None]):
    CSS_PATH = "../styles/case_form.tcss"
    BINDINGS = [
        Binding("f10", "submit", "开办件并分配", id="submit_case", priority=True),
        Binding("ctrl+s", "submit", "开办件并分配", show=False, priority=True),
        Binding("escape", "cancel", "关闭（保留已填）", id="cancel_case"),
    ]

    def __init__(self, catalog: list[CatalogItem], default_district: str) -> None:
        super().__init__()
        self.catalog = catalog
        self.default_district = default_district if default_district in DISTRICTS else ""
        self.holder: Holder | None = None
        self.draft: CaseDraft | None = None
        self.chosen: list[str] = []
        self.override_reason = ""
        self.keep: Callable[[CaseDraft], None] | None = None
        self.request_key = ""
        self._complaining = False  # the error line shows what stopped F10; it follows later edits
        self._proxy_required = False  # an item only the proxy service files is chosen (S3)
        self._hint_shown = False  # the error line holds a one-off remark, not what stops F10

    def load(self, holder: Holder, draft: CaseDraft | None = None, *, override_reason: str = "",
             keep: Callable[[CaseDraft], None] | None = None) -> CaseFormScreen:
        """Fill the form for a holder. The form is composed once and reused: building its ~250
        widgets and styling them takes about a second, too long to wait for at every case."""
        self.holder = holder
        self.draft = draft
        self.chosen = list(draft.item_codes) if draft else []
        self.override_reason = override_reason or (draft.card_override_reason if draft else "")
        self.keep = keep
        # One key per visitor's form, kept when the form comes back after a failure: sending it again
        # after an outage returns the case its first sending opened, never a second one.
        self.request_key = draft.request_key if draft and draft.request_key else uuid.uuid4().hex
        if self.is_mounted:
            self._fill()
        return self

    def compose(self) -> ComposeResult:
        def row(label: str, *widgets: Widget, row_id: str | None = None) -> Horizontal:
            return Horizontal(Label(label, classes="field-label"), *widgets, classes="row", id=row_id)

        with Vertical(id="case-form"):
            yield Static("", id="form-title")
            yield Static("", id="form-error")
            yield row("审批事项", Input(placeholder="输入名称或代码筛选；↑↓ 选择，回车勾选（可多选）", id="item-filter",
                                     compact=True))
            yield SelectionList[str](id="items", compact=True)
            yield Static("", id="chosen")
            yield row("类型", Select([(n, k.value) for k, n in CASE_KIND_NAMES.items()], allow_blank=False,
                                   id="kind", compact=True),
                      Select([(n, k.value) for k, n in ENTERPRISE_KIND_NAMES.items()], allow_blank=False,
                             id="enterprise-kind", compact=True))
            yield row("承办县区", FieldSelect([(x, x) for x in DISTRICTS], prompt="所属县区", id="district",
                                           compact=True),
                      FieldSelect([(HANDLING_NAMES[h], h.value) for h in (Handling.COORDINATION, Handling.PROXY)],
                                  allow_blank=False, id="handling", compact=True), row_id="district-row")
            yield row("企业名称", Input(placeholder="企业名称（申办企业必填）", id="enterprise-name", max_length=200,
                                     compact=True),
                      Label("", id="name-note"))
            yield row("项目名称", Input(placeholder="项目名称（创业项目必填）", id="project-name", max_length=200,
                                     compact=True))
            yield row("信用代码", Input(placeholder="统一社会信用代码（已有企业填写）", id="uscc", max_length=18,
                                     compact=True))
            yield row("放行理由", FieldInput(placeholder="信用代码校验不通过，确属早期代码请填写理由", id="uscc-reason",
                                          max_length=200, compact=True), row_id="uscc-reason-row")
            # Not ticked until someone has looked at the papers: the checklist (F12) decides (S1).
            yield row("情形", Checkbox("材料齐全", False, id="complete", compact=True),
                      Checkbox("紧急", id="urgent", compact=True),
                      Checkbox("特殊", id="special", compact=True),
                      Checkbox("重大", id="major", compact=True),
                      Checkbox("全程代办", id="full-proxy", compact=True))
            yield Static("", id="suggestion")
            yield row("办理方式", Select([("按建议", SUGGESTED)] + [(MODE_NAMES[m], m.value) for m in FIVE_MODES],
                                     allow_blank=False, id="mode", compact=True),
                      FieldInput(placeholder="更改办理方式的理由", id="mode-reason", max_length=200, compact=True))
            yield Static("", id="override-note")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()

    def on_screen_resume(self) -> None:
        self.query_one("#item-filter", Input).focus()

    def _fill(self) -> None:
        """Put the holder's defaults, or a kept draft, into every field."""
        holder, d = self.holder, self.draft
        if holder is None:
            return
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed, SelectionList.SelectedChanged):
            self.query_one("#form-title", Static).update(Text(f"为 {holder.name}（{holder.card_no}）开办件"))
            self._show_problems([])
            self.query_one("#item-filter", Input).value = ""
            name = d.enterprise_name if d else holder.employer
            self.query_one("#kind", Select).value = (d.kind if d else CaseKind.ENTERPRISE).value
            self.query_one("#enterprise-kind", Select).value = (d.enterprise_kind if d else guess_kind(name)).value
            district = d.district if d and d.district else self.default_district
            self.query_one("#district", Select).value = district or Select.NULL
            self.query_one("#handling", Select).value = (d.handling if d else Handling.COORDINATION).value
            self.query_one("#enterprise-name", Input).value = name
            self._mark_roster_change()
            self.query_one("#project-name", Input).value = d.project_name if d else ""
            self.query_one("#uscc", Input).value = d.uscc if d else ""
            self.query_one("#uscc-reason", Input).value = d.uscc_override_reason if d else ""
            self.query_one("#complete", Checkbox).value = bool(d and d.materials_complete)
            self.query_one("#urgent", Checkbox).value = d.flags.urgent if d else False
            self.query_one("#special", Checkbox).value = d.flags.special if d else False
            self.query_one("#major", Checkbox).value = d.flags.major if d else False
            self.query_one("#full-proxy", Checkbox).value = d.full_proxy if d else False
            self.query_one("#mode", Select).value = d.mode.value if d and d.mode else SUGGESTED
            self.query_one("#mode-reason", Input).value = d.mode_reason if d else ""
            note = self.query_one("#override-note", Static)
            note.update(Text(f"特批放行理由：{self.override_reason}"))
            note.display = bool(self.override_reason)
            self._fill_items("")
        self._proxy_required = requires_proxy(self._scopes())
        self._update()
        self.query_one("#item-filter", Input).focus()

    # -- items ------------------------------------------------------------------------------

    def _fill_items(self, text: str) -> None:
        needle = text.strip().upper()
        items = self.query_one("#items", SelectionList)
        items.clear_options()
        for it in self.catalog:
            if needle and needle not in it.name.upper() and needle not in it.code.upper():
                continue
            label = f"{it.name}（{it.promised_days} 个工作日{'，可容缺' if it.allow_conditional else ''}）"
            items.add_option(Selection(label, it.code, it.code in self.chosen))
        if items.option_count:
            items.highlighted = 0

    @on(Input.Changed, "#item-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill_items(event.value)

    def on_key(self, event) -> None:
        """↑/↓ in the filter move through the items, so the hands stay on one field."""
        if self.focused is self.query_one("#item-filter", Input) and event.key in {"up", "down"}:
            items = self.query_one("#items", SelectionList)
            items.action_cursor_down() if event.key == "down" else items.action_cursor_up()
            event.stop()
            event.prevent_default()

    @on(Input.Submitted, "#item-filter")
    def _tick_highlighted(self) -> None:
        items = self.query_one("#items", SelectionList)
        if items.highlighted is None:
            return
        code = items.get_option_at_index(items.highlighted).value
        items.toggle(code)

    @on(SelectionList.SelectedChanged, "#items")
    def _items_changed(self) -> None:
        visible = {self.query_one("#items", SelectionList).get_option_at_index(i).value
                   for i in range(self.query_one("#items", SelectionList).option_count)}
        selected = set(self.query_one("#items", SelectionList).selected)
        # Items hidden by the filter keep their state; visible ones follow the list.
        self.chosen = [c for c in self.chosen if c not in visible or c in selected] + \
            [c for c in selected if c not in self.chosen]
        self._update()

    # -- the rest of the form ---------------------------------------------------------------

    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(Input.Changed, "#uscc")
    def _changed(self) -> None:
        self._update()

    @on(Input.Changed, "#enterprise-name")
    def _name_changed(self) -> None:
        self._mark_roster_change()
        self._recheck()

    @on(Input.Changed, "#project-name, #uscc-reason, #mode-reason")
    def _text_changed(self) -> None:
        self._recheck()

    @on(NotApplicable)
    def _not_applicable(self, event: NotApplicable) -> None:
        """Keys typed into a field that does not apply are refused out loud: they were meant elsewhere."""
        event.stop()
        self._say_once(event.why)

    def _say_once(self, text: str) -> None:
        """A one-off line on the error line; it goes when the clerk moves to another field."""
        self.query_one("#form-error", Static).update(Text(text))
        self._hint_shown = True

    def on_descendant_focus(self) -> None:
        if self._hint_shown and not self._complaining:
            self.query_one("#form-error", Static).update("")
        self._hint_shown = False

    def _mark_roster_change(self) -> None:
        """A roster value typed over is marked, so the clerk sees it before F10 (issue 11)."""
        roster = self.holder.employer.strip() if self.holder is not None else ""
        typed = self.query_one("#enterprise-name", Input).value.strip()
        note = self.query_one("#name-note", Label)
        changed = bool(roster) and typed != roster
        note.update(Text(f"已改动：名册为 {roster}") if changed else "")
        note.display = changed

    def _recheck(self) -> None:
        """After a refused F10, the error line says what still stops the case, and goes once nothing
        does: a complaint the clerk has already fixed must not stay on screen."""
        if self._complaining and self.holder is not None:
            self._show_problems(self._problems(self.current_draft()))

    def _problems(self, draft: CaseDraft) -> list[str]:
        problems = check_draft(draft, suggest(draft.flags, draft.materials_complete))
        if self.query_one("#district", FieldSelect).applies and not draft.district:
            problems.append("请选择所属县区")
        return problems

    def _scopes(self) -> set[str]:
        return {i.jurisdiction for i in self.catalog if i.code in self.chosen}

    def _show_problems(self, problems: list[str]) -> None:
        self._complaining = bool(problems)
        self.query_one("#form-error", Static).update(Text("；".join(problems)))

    def _update(self) -> None:
        names = {i.code: i.name for i in self.catalog}
        chosen = self.query_one("#chosen", Static)
        chosen.update(Text("已选：" + ("、".join(names.get(c, c) for c in self.chosen) or "（未选）")))
        kind = EnterpriseKind(self._picked("#enterprise-kind"))
        scopes = self._scopes()
        county = kind not in CITY_KINDS and (not scopes or "enterprise_kind" in scopes)
        # Fields that do not apply stay where they are (same Tabs for every kind), dimmed and closed.
        self.query_one("#district", FieldSelect).set_applies(county, "承办县区：本办件由市局或帮办代办办理，无需选择")
        self.query_one("#handling", FieldSelect).set_applies(county, "协调/代办：仅县区办理的办件需要选择")
        uscc = self.query_one("#uscc", Input).value.strip().upper()
        self.query_one("#uscc-reason", FieldInput).set_applies(
            bool(uscc) and not is_valid_uscc(uscc), "放行理由：仅在信用代码校验不通过时填写")
        self._require_proxy(requires_proxy(scopes))
        flags, complete = self._flags()
        mode = suggest(flags, complete)
        chosen_mode = self.query_one("#mode", Select).value
        self.query_one("#mode-reason", FieldInput).set_applies(
            chosen_mode not in (SUGGESTED, mode.value), "办理方式理由：仅在更改建议的办理方式时填写")
        self.query_one("#suggestion", Static).update(self._suggestion(mode, kind, scopes, county))
        self._recheck()

    def _require_proxy(self, required: bool) -> None:
        """S3: an item only the proxy service files (水电气报装) is run as 全程代办: the box is ticked with
        it and stays ticked while it is chosen, so the form says what routing will do."""
        box = self.query_one("#full-proxy", Checkbox)
        if required and not box.value:
            if self._proxy_required:  # the clerk unticked it: say why it stays
                proxy_items = "、".join(i.name for i in self.catalog if i.code in self.chosen
                                       and i.jurisdiction == "proxy")
                self._say_once(f"{proxy_items}由帮办代办部全程代办，不能取消“全程代办”")
            with self.prevent(Checkbox.Changed):
                box.value = True
        self._proxy_required = required

    def _suggestion(self, mode: ServiceMode, kind: EnterpriseKind, scopes: set[str], county: bool) -> Text:
        """The suggestion line: the mode and where the case goes, worded as routing will do it."""
        district = self.query_one("#district", Select).value
        handling = Handling(self._picked("#handling"))
        try:
            where = decide(kind, scopes or {"enterprise_kind"}, district if isinstance(district, str) else "",
                           handling).describe()
            proxy_handling = where.startswith(HANDLING_NAMES[Handling.PROXY])
        except JurisdictionError:
            where, proxy_handling = "县区行政审批局（请选择所属县区）", False
        text = Text(f"建议办理方式：{MODE_NAMES[mode]}（{MODE_REASONS[mode]}） · 承办：{where}")
        full_proxy = bool(self.query_one("#full-proxy", Checkbox).value)
        if needs_proxy(mode, full_proxy) or proxy_handling or (county and handling is Handling.PROXY):
            text.append(" · 派帮办代办专人")
        if requires_proxy(scopes):
            proxy_items = "、".join(i.name for i in self.catalog if i.code in self.chosen and i.jurisdiction == "proxy")
            text.append(f"\n{proxy_items}须由帮办代办部办理：已勾选全程代办", style="bold")
        if county and "city" in scopes:
            city_items = "、".join(i.name for i in self.catalog if i.code in self.chosen and i.jurisdiction == "city")
            text.append(f"\n注意：{city_items}由市局办理，与县区事项请分开办件", style="bold yellow")
        return text

    def _flags(self) -> tuple[CaseFlags, bool | None]:
        """The flags, and the materials as far as known: ticked 材料齐全 means someone checked them;
        unticked means nobody has yet (None), and the checklist will decide (S1)."""
        def on(widget_id: str) -> bool:
            return bool(self.query_one(f"#{widget_id}", Checkbox).value)

        return CaseFlags(on("urgent"), on("special"), on("major")), (True if on("complete") else None)

    def _picked(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        assert isinstance(value, str), selector  # these lists have no blank entry
        return value

    def current_draft(self) -> CaseDraft:
        assert self.holder is not None  # the form is only ever shown for a holder
        flags, complete = self._flags()
        mode_value = self.query_one("#mode", Select).value
        district = self.query_one("#district", Select).value
        return CaseDraft(
            card_no=self.holder.card_no,
            kind=CaseKind(self._picked("#kind")),
            item_codes=tuple(self.chosen),
            enterprise_kind=EnterpriseKind(self._picked("#enterprise-kind")),
            enterprise_name=self.query_one("#enterprise-name", Input).value,
            project_name=self.query_one("#project-name", Input).value,
            uscc=self.query_one("#uscc", Input).value.strip().upper(),
            uscc_override_reason=self.query_one("#uscc-reason", Input).value,
            district=district if isinstance(district, str) and self.query_one("#district", FieldSelect).applies else "",
            handling=Handling(self._picked("#handling")),
            flags=flags,
            materials_complete=complete,
            mode=None if mode_value == SUGGESTED else ServiceMode(str(mode_value)),
            mode_reason=self.query_one("#mode-reason", Input).value,
            full_proxy=bool(self.query_one("#full-proxy", Checkbox).value),
            card_override_reason=self.override_reason,
            request_key=self.request_key,
        )

    def action_submit(self) -> None:
        draft = self.current_draft()
        problems = self._problems(draft)
        self._show_problems(problems)
        if problems:
            return
        self.dismiss(draft)

    def action_cancel(self) -> None:
        if self.keep is not None:
            self.keep(self.current_draft())  # F3 brings it back for the same card
        self.dismiss(None)
