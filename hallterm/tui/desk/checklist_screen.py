"""The missing-documents checklist of one case (S1, S6, S7): tick what was received and see the
decision change at once — 受理, 容缺受理 or 一次性告知 — with the deadline it brings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from hallterm.domain.checklist import ACCEPTED_STATUSES, Decision, ItemStatus, MaterialKind
from hallterm.domain.reference import SPECIAL_PROCEDURES
from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.checklist_rows import deadline_text, decision_lines, material_cells
from hallterm.tui.desk.keys import FitsFooter
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine
from hallterm.tui.widgets.paragraph import Paragraph
from hallterm.tui.widgets.reason import ReasonScreen

if TYPE_CHECKING:
    from hallterm.services.checklist import IssuedDocument
    from hallterm.services.checklist_sheet import CaseChecklist, ItemChecklist, MaterialRow
    from hallterm.services.print_jobs import PrintOutcome
    from hallterm.tui.desk.app import DeskApp
    from hallterm.tui.desk.print_screens import PreviewReady


class ChecklistLoaded(Done):
    """``result``: the case's ``CaseChecklist``."""


class Ticked(Done):
    """A material or a fee was marked: ``result`` is the ``CaseChecklist`` after it."""


class Resumed(Done):
    """A paused clock runs again: ``result`` is the ``CaseChecklist`` after it."""


class Issued(Done):
    """A decision or a pause issued documents: ``result`` is the ``CaseChecklist`` and what was issued."""


class ChecklistScreen(CarriesOn, WithMessageLine, FitsFooter, Screen["IssuedDocument | None"]):
    """Closes (Esc) with the notice issued here and not printed yet, for the desk's F10 to open on."""

    CSS_PATH = "../styles/checklist.tcss"
    BINDINGS = [
        Binding("space", "toggle_received", "收到", id="ck_received"),
        Binding("o", "toggle_form", "原件/复印", id="ck_form"),
        Binding("n", "note", "备注", id="ck_note"),
        Binding("a", "toggle_applies", "条件", id="ck_applies"),
        Binding("f", "toggle_fees", "缴费", id="ck_fees"),
        Binding("f10", "decide", "决定", id="ck_decide"),
        Binding("p", "pause", "特殊程序", id="ck_pause"),
        Binding("r", "resume", "恢复计时", id="ck_resume"),
        Binding("escape", "back", "返回", id="ck_back"),
    ]
    app: DeskApp

    def __init__(self, case_id: int | None = None) -> None:
        super().__init__()
        self.case_id = case_id  # None: composed ahead, shown later for a case (``show_case``)
        self.sheet: CaseChecklist | None = None
        # Notices just issued and not printed yet, the one to sign first: F10 prints them in turn (the
        # message names the first), as long as the cursor stays on their item or another decided one.
        self.to_print: list[IssuedDocument] = []
        self._to_print_item: int | None = None
        self._fitted: tuple[int | None, ...] | None = None  # the column widths the table has now

    def show_case(self, case_id: int) -> ChecklistScreen:
        """Reuse this screen for another case: nothing of the last one stays on it (issue 11, point 12:
        composed once, ahead, like the case form; a new screen per case cost 60–120 ms at each F12)."""
        self.case_id = case_id
        self.sheet = None
        self.to_print = []  # the last case's unprinted notices must never be offered for this one
        self._to_print_item = None
        self.sub_title = "材料清单"
        if self.is_mounted:
            for selector in ("#ck-title", "#ck-banner", "#ck-decision"):
                self.query_one(selector, Static).update("")
            self.query_one(DataTable).clear()
            self.say("")
            self.query_one(DataTable).focus()
            self._load()
        return self

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="ck-title")
        yield Static("", id="ck-banner")
        yield DataTable(id="ck-table", cursor_type="row", zebra_stripes=False)
        yield Static("", id="ck-decision")
        yield MessageLine(id="ck-notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._fit_columns(table)
        table.focus()
        if self.case_id is not None:
            self._load()

    def _load(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist_sheet import load

        run_use_case(self, ChecklistLoaded, load, self.app.services, self.case_id)

    # -- showing ----------------------------------------------------------------------------

    def _show(self, sheet: CaseChecklist) -> None:
        if sheet.case.id != self.case_id:
            return  # the answer for the case shown before, arriving late: this screen has moved on
        first = self.sheet is None
        self.sheet = sheet
        case = sheet.case
        self.sub_title = f"材料清单　{case.case_no}"
        self.query_one("#ck-title", Static).update(Text.assemble(
            (f"办件 {case.case_no}", "bold"),
            f"　{visible(case.holder_name)}　{visible(case.enterprise_name or case.project_name)}"))
        banner: list[str] = list(sheet.notes)
        if sheet.credit_barred:
            banner.append("申请人有失信记录：不适用容缺受理")
        elif sheet.barred_until is not None and self.app.services and sheet.barred_until >= self.app.services.today():
            banner.append(f"申请人曾未履行容缺承诺，至 {sheet.barred_until:%Y-%m-%d} 不适用容缺受理")
        self.query_one("#ck-banner", Static).update(Text("\n".join(banner), style="bold yellow"))
        table = self.query_one(DataTable)
        # On opening, the cursor starts on the first paper (row 0 is the item's heading): Space ticks it.
        keep = 1 if first else table.cursor_row
        table.clear()
        narrow = self._fit_columns(table)
        height = None if narrow else 1  # narrow: long names wrap onto more lines instead of pushing columns off
        for item in sheet.items:
            fees = "已缴费" if item.fees_paid else "未缴费"
            table.add_row(Text(f"【{item.item_name}】", style="bold"), Text(item.status_name),
                          Text(fees, style="green" if item.fees_paid else "yellow"),
                          Text(f"{item.promised_days} 个工作日"), deadline_text(item), key=f"item:{item.case_item_id}",
                          height=height)
            for m in item.materials:
                table.add_row(*material_cells(m), key=f"mat:{item.case_item_id}:{m.material_id}", height=height)
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        self._show_decision()

    _COLUMNS = ("材料", "类别", "状态", "形式", "备注")
    _NARROW_WIDTHS = (10, 9, 10, 10)  # 类别, 状态, 形式, 备注 on a narrow terminal; 材料 takes what is left

    def _fit_columns(self, table: DataTable) -> bool:
        """On an 80-column counter terminal the five columns would run off the screen (形式 and 备注 out of
        sight, 状态 cut to "✓ 已"): fixed widths then, the material's name taking the rest and wrapping.
        Returns whether the table is narrow."""
        width = self.app.size.width
        narrow = width < 110
        wanted: tuple[int | None, ...] = (None,) * 5
        if narrow:
            rest = width - 4 - sum(self._NARROW_WIDTHS) - 2 * len(self._COLUMNS)  # margins, scrollbar, padding
            wanted = (max(16, rest), *self._NARROW_WIDTHS)
        if self._fitted != wanted:
            table.clear(columns=True)
            for label, w in zip(self._COLUMNS, wanted, strict=True):
                table.add_column(label, width=w)
            self._fitted = wanted
        return narrow

    def _current(self) -> tuple[ItemChecklist | None, MaterialRow | None]:
        table = self.query_one(DataTable)
        if self.sheet is None or not table.row_count:
            return None, None
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        parts = key.split(":")
        item = next((i for i in self.sheet.items if i.case_item_id == int(parts[1])), None)
        material = None
        if item is not None and parts[0] == "mat":
            material = next((m for m in item.materials if m.material_id == int(parts[2])), None)
        return item, material

    @on(DataTable.RowHighlighted)
    def _show_decision(self) -> None:
        item, material = self._current()
        panel = self.query_one("#ck-decision", Static)
        panel.update("" if item is None else Paragraph(Text("\n").join(decision_lines(item, material))))

    # -- acting -----------------------------------------------------------------------------

    def _act(self, done: type[Done], fn, *args, resend: bool = False, **kwargs) -> None:
        run_use_case(self, done, fn, self.app.services, self.app.session, *args, resend=resend, **kwargs)

    def action_toggle_received(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import tick
        from hallterm.tui.widgets.confirm import ConfirmScreen

        item, material = self._current()
        if item is None or material is None:
            self.say("请把光标移到一项材料上", Level.ERROR)
            return
        if material.received and item.status == ItemStatus.NOT_ACCEPTED:
            # The one-time notice rested on this tick: taking it back is a correction, on the record (S1).
            def corrected(yes: bool | None) -> None:
                if yes:
                    self._act(Ticked, tick, item.case_item_id, material.material_id, received=False,
                              note=material.note, correction=True)
                else:
                    self.say("未更改")

            self.app.push_screen(ConfirmScreen(
                f"已出具一次性告知书。把“{material.name}”改为未收？\n"
                "更正会记入办件记录；再次告知的材料不应超出原告知书（一次性告知）。"), corrected)
            return
        # After 受理 / 容缺受理 the service refuses an untick with the reason; supplements go through.
        # A tick sets a value: safe to send again when the database is back (issue 15 point 4).
        self._act(Ticked, tick, item.case_item_id, material.material_id, received=not material.received,
                  form=material.form or "original", note=material.note, resend=True)
        if not material.received:  # ticking through a pile of papers: one key per paper, not two
            self.query_one(DataTable).action_cursor_down()

    def action_toggle_form(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import tick

        item, material = self._current()
        if item is None or material is None or not material.received:
            self.say("先按空格记为收到，再选原件或复印件", Level.ERROR)
            return
        self._act(Ticked, tick, item.case_item_id, material.material_id, received=True,
                  form="copy" if material.form == "original" else "original", note=material.note)

    def action_note(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import tick

        item, material = self._current()
        if item is None or material is None:  # no silent key (issue 11): the heading row has no paper
            self.say("请把光标移到一项材料上，再按 N 写备注", Level.ERROR)
            return

        def noted(text: str | None) -> None:
            if text is not None:
                self._act(Ticked, tick, item.case_item_id, material.material_id, received=material.received,
                          form=material.form or "original", note=text)

        self.app.push_screen(ReasonScreen(f"{material.name}：备注（如“复印件需加盖公章”）", "备注"), noted)

    def action_toggle_applies(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import set_applies

        item, material = self._current()
        if item is None or material is None or material.kind is not MaterialKind.CONDITIONAL:
            self.say("只有条件材料需要确认是否适用", Level.ERROR)
            return
        self._act(Ticked, set_applies, item.case_item_id, material.material_id, not material.applies)

    def action_toggle_fees(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import set_fees_paid

        item, _ = self._current()
        if item is None:
            self.say("材料清单尚在载入，请稍候再按 F", Level.BUSY)
            return
        self._act(Ticked, set_fees_paid, item.case_item_id, not item.fees_paid)

    def action_decide(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import decide_item
        from hallterm.tui.widgets.choice import ChoiceScreen

        item, _ = self._current()
        decided = item is not None and item.status in (*ACCEPTED_STATUSES, ItemStatus.RETURNED)
        if self.to_print and (item is None or decided or item.case_item_id == self._to_print_item):
            self._print_next()
            return
        if item is None:
            self.say("材料清单尚在载入，请稍候再按 F10", Level.BUSY)
            return
        if decided:
            self.say(f"{item.item_name}：{item.status_name}，无需再决定；文书可在返回办件后按 F10 打印", Level.BUSY)
            return
        if item.decision.decision is Decision.CONDITIONAL_NEEDS_COMMITMENT:
            # The applicant chooses (S7): commit and be accepted now, or take the one-time notice of
            # everything missing and come back complete. Neither answer may leave the clerk stuck.
            def chosen(choice: str | None) -> None:
                if choice == "commit":
                    self._act(Issued, decide_item, item.case_item_id, commitment_signed=True)
                elif choice == "notice":
                    self._act(Issued, decide_item, item.case_item_id, one_time_notice=True)
                else:
                    self.say("未作决定：按 F10 重新选择")

            missing = "、".join(m.name for m in item.decision.missing)
            self.app.push_screen(ChoiceScreen(
                f"{item.item_name}仅缺次要材料（{missing}），可容缺受理。\n"
                "申请人愿意签署《容缺受理承诺书》吗？确认后打印承诺书供签字", [
                    ("愿意签署：容缺受理，打印承诺书供申请人签字", "commit"),
                    ("不愿签署：出具一次性告知书，列明全部缺少材料", "notice"),
                    ("取消", ""),
                ]), chosen)
            return
        self._act(Issued, decide_item, item.case_item_id)

    def action_pause(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import pause_item
        from hallterm.tui.widgets.choice import ChoiceScreen

        item, _ = self._current()
        if item is None:
            self.say("材料清单尚在载入，请稍候再按 P", Level.BUSY)
            return
        codes = item.clock_exempt or tuple(SPECIAL_PROCEDURES)
        options = [(SPECIAL_PROCEDURES[c], c) for c in codes]

        def chosen(code: str | None) -> None:
            if code:
                self._act(Issued, pause_item, item.case_item_id, code, expected_working_days=10)

        self.app.push_screen(ChoiceScreen(f"{item.item_name}：进入哪项特殊程序（暂停计时）？", options), chosen)

    def action_resume(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.checklist import resume_item

        item, _ = self._current()
        if item is None:
            self.say("材料清单尚在载入，请稍候再按 R", Level.BUSY)
            return
        self._act(Resumed, resume_item, item.case_item_id)

    def action_back(self) -> None:
        self.dismiss(self.to_print[0] if self.to_print else None)

    def _print_next(self) -> None:
        """The preview of this case's papers, opened on the notice the message named."""
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import open_preview

        if self.sheet is not None:
            open_preview(self, self.say, case=self.sheet.case, first=self.to_print[0].number)

    def on_preview_ready(self, message: PreviewReady) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.print_screens import show_preview

        message.stop()
        show_preview(self, self.say, message, self._printed)

    def _printed(self, outcome: PrintOutcome) -> None:
        done = next((d for d in self.to_print if outcome.title.endswith(d.number)), None)
        if done is None or not outcome.ok:
            return
        self.to_print.remove(done)
        if self.to_print:
            text, level = self.query_one(MessageLine).text, self.query_one(MessageLine).level
            self.say(f"{text}\n按 F10 打印{self.to_print[0].title}", level)

    def on_checklist_loaded(self, message: ChecklistLoaded) -> None:
        self._show(message.result)

    def on_ticked(self, message: Ticked) -> None:
        before = self.sheet
        if message.result.case.id != self.case_id:
            return
        self._show(message.result)
        self._say_after_tick(before, message.result)

    def on_resumed(self, message: Resumed) -> None:
        if message.result.case.id != self.case_id:
            return
        self._show(message.result)
        self.say("已恢复计时")

    def on_issued(self, message: Issued) -> None:
        sheet, issued = message.result
        if sheet.case.id != self.case_id:
            return
        self._show(sheet)
        issued = issued if isinstance(issued, list) else [issued]
        text = "已出具：" + "；".join(f"{d.title} {d.number}" for d in issued)
        # A notice is only saved as data: the applicant must leave with it on paper (S6, S7). The one to
        # sign comes first, and F10 (here, or on the desk after Esc) opens the preview on it.
        self.to_print = sorted(issued, key=lambda d: d.title != "容缺受理承诺书")
        item, _ = self._current()
        self._to_print_item = item.case_item_id if item is not None else None
        if self.to_print and self.to_print[0].title == "容缺受理承诺书":
            text += "。按 F10 打印承诺书，交申请人签字后存档"
        elif self.to_print:
            text += f"。按 F10 打印{self.to_print[0].title}，交给申请人"
        self.say(text)

    def _say_after_tick(self, before: CaseChecklist | None, after: CaseChecklist) -> None:
        """Replace the last message with what this tick did, so no stale notice outlives the state."""
        old = {i.case_item_id: i for i in before.items} if before is not None else {}
        for item in after.items:
            was = old.get(item.case_item_id)
            if was is None:
                continue
            if was.fees_paid != item.fees_paid:
                self.say(f"{item.item_name}：法定费用、税款" + ("已缴纳" if item.fees_paid else "改为未缴纳"))
                return
            if was.status == ItemStatus.CONDITIONAL and item.status == ItemStatus.ACCEPTED:
                day = item.supplemented_on or item.accepted_on
                self.say(f"{item.item_name}：已补正，已受理（{day:%Y-%m-%d}）")
                return
            if item.status == ItemStatus.CONDITIONAL and len(item.decision.missing) < len(was.decision.missing):
                left = "、".join(m.name for m in item.decision.missing)
                self.say(f"{item.item_name}：已登记补正材料；仍缺 {left}"
                          f"（补正期限 {item.supplement_due_on:%Y-%m-%d}）")
                return
        self.say("")

    def on_failed(self, message: Failed) -> None:
        # A refusal (已受理的材料不能改为未收…) is shown as the service words it.
        kept = "。勾选已记下，数据库恢复后自动保存" if message.parked else ""
        self.say(f"{message.reason}{kept}", Level.ERROR)


CHECKLIST = "checklist"


def checklist_for(app: App[Any], case_id: int) -> ChecklistScreen:
    """The one checklist screen of this terminal (composed ahead, see ahead.py), showing ``case_id``."""
    if not app.is_screen_installed(CHECKLIST):
        app.install_screen(ChecklistScreen(), CHECKLIST)
    screen = app.get_screen(CHECKLIST)
    assert isinstance(screen, ChecklistScreen)
    return screen.show_case(case_id)
