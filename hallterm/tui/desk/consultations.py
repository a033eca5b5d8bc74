"""Early consultation (提前介入, S5; issue 13 point 4): the list of consultations, found by holder, company or
topic, or the follow-ups due; a form to log one; and one key each to turn the selected one into an
appointment (the booking screen, preset) or a case (the case form, preset with the holder).

Opened with Ctrl+G on the desk (preset with the holder on screen) and Z in the coordinator view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from hallterm.domain.auth import allowed, not_allowed
from hallterm.domain.consultations import CHANNEL_NAMES, Channel, ConsultationDraft, ConsultationError, parse_follow_up
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine
from hallterm.tui.widgets.toggles import Select

if TYPE_CHECKING:
    from hallterm.domain.cases import CaseDraft
    from hallterm.domain.holders import Holder
    from hallterm.services.case_views import CaseView
    from hallterm.services.cases import CatalogItem
    from hallterm.services.consultations import ConsultationView
    from hallterm.services.context import Services
    from hallterm.tui.desk.app import DeskApp


class ConsultationsLoaded(Done):
    """``result``: (the search it answers, the consultations found)."""


class FormChoicesLoaded(Done):
    """``result``: (the sections, the default follow-up date, the item catalog)."""


class HolderFound(Done):
    """``result``: (what to do: "case" or "appointment", the consultation, the Holder or None)."""


class CaseOpenedFromConsultation(Done):
    """``result``: the case just opened from the consultation."""


class ConsultationLogged(Done):
    """``result``: the consultation just logged."""


class ConsultationClosed(Done):
    """``result``: the consultation just closed."""


def _choices(services: Services) -> tuple[tuple[str, ...], dt.date, list[CatalogItem]]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.cases import catalog
    from hallterm.services.consultations import default_follow_up, sections

    return sections(services), default_follow_up(services), catalog(services)


def _holder_for(services: Services, purpose: str, view: ConsultationView) -> tuple[str, ConsultationView,
                                                                                    Holder | None]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.cards import find_holder

    return purpose, view, find_holder(services, view.card_no)


def _found(services: Services, text: str, due_only: bool) -> tuple[str, list[ConsultationView]]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.consultations import find_consultations

    return text, find_consultations(services, text, due_only=due_only)


class ConsultationForm(CarriesOn, ModalScreen["ConsultationView | None"]):
    """Log one consultation; stays open with the message when the service refuses (nothing typed is lost)."""

    CSS_PATH = "../styles/consult.tcss"
    BINDINGS = [
        Binding("f10", "save", "保存", id="consult_save", priority=True),
        Binding("escape", "cancel", "取消", id="consult_cancel"),
    ]
    app: DeskApp

    def __init__(self, sections: tuple[str, ...], default_follow_up: dt.date, card_no: str = "",
                 kept: dict[str, str] | None = None, keep: Callable[[dict[str, str]], None] | None = None) -> None:
        super().__init__()
        self.sections = sections
        self.default_follow_up = default_follow_up
        self.card_no = card_no
        self.kept = kept or {}
        self.keep = keep  # Esc: what was typed goes back to the list screen, to fill the form again

    def compose(self) -> ComposeResult:
        k = self.kept
        with Vertical():
            yield Static(Text("记录提前介入咨询（S5）", style="bold"))
            with VerticalScroll():
                yield Static("咨询方式", classes="form-label")
                yield Select([(n, c.value) for c, n in CHANNEL_NAMES.items()], allow_blank=False,
                             value=k.get("channel", Channel.PHONE.value), id="cf-channel")
                yield Static("持卡人卡号（扫描或输入；尚未办卡的企业留空，填下面的企业名称）", classes="form-label")
                yield Input(k.get("card", self.card_no), placeholder="钢都英才卡号", id="cf-card", max_length=40)
                yield Input(k.get("company", ""), placeholder="企业名称（未办卡企业必填）", id="cf-company",
                            max_length=200)
                yield Input(k.get("uscc", ""), placeholder="统一社会信用代码（可不填）", id="cf-uscc", max_length=18)
                yield Static("科室", classes="form-label")
                section = k["section"] if k.get("section") in self.sections else Select.NULL
                yield Select([(s, s) for s in self.sections], prompt="选择科室", value=section, id="cf-section")
                yield Input(k.get("topic", ""), placeholder="咨询事项（必填，200 字以内）", id="cf-topic",
                            max_length=200)
                yield Input(k.get("notes", ""), placeholder="备注（可不填）", id="cf-notes", max_length=1000)
                yield Static(f"跟进日期（不填为 {self.default_follow_up:%Y-%m-%d}，即 3 个工作日后）",
                             classes="form-label")
                yield Input(k.get("follow_up", ""), placeholder=f"{self.default_follow_up:%Y-%m-%d}",
                            id="cf-follow-up", max_length=12)
            yield MessageLine("填好后按 F10 保存；Esc 取消（已填内容保留）", id="cf-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cf-card" if not self.card_no else "#cf-topic", Input).focus()

    def typed(self) -> dict[str, str]:
        """Everything typed, to fill the form again after Esc."""
        section = self.query_one("#cf-section", Select).value
        return {"channel": str(self.query_one("#cf-channel", Select).value),
                "card": self.query_one("#cf-card", Input).value, "company": self.query_one("#cf-company", Input).value,
                "uscc": self.query_one("#cf-uscc", Input).value,
                "section": section if isinstance(section, str) else "",
                "topic": self.query_one("#cf-topic", Input).value, "notes": self.query_one("#cf-notes", Input).value,
                "follow_up": self.query_one("#cf-follow-up", Input).value}

    def action_save(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.consultations import log_consultation

        t = self.typed()
        services, session = self.app.services, self.app.session
        if services is None or session is None:
            return
        try:
            follow_up = parse_follow_up(t["follow_up"], services.today())
        except ConsultationError as exc:
            self.query_one(MessageLine).say(str(exc), Level.ERROR)
            self.query_one("#cf-follow-up", Input).focus()
            return
        draft = ConsultationDraft(Channel(t["channel"]), t["section"], t["topic"], t["notes"], t["card"],
                                  t["company"], t["uscc"], follow_up)
        self.query_one(MessageLine).say("正在保存……", Level.BUSY)
        run_use_case(self, ConsultationLogged, log_consultation, services, session, draft)

    def on_consultation_logged(self, message: ConsultationLogged) -> None:
        self.dismiss(message.result)

    def on_failed(self, message: Failed) -> None:
        self.query_one(MessageLine).say(message.reason, Level.ERROR)

    def action_cancel(self) -> None:
        if self.keep is not None:
            self.keep(self.typed())
        self.dismiss(None)


class ConsultationsScreen(CarriesOn, WithMessageLine, ExplainsKeys, Screen[str | None]):
    """Dismissed with the last thing done, for the message line below."""

    CSS_PATH = "../styles/consult.tcss"
    BINDINGS = [
        Binding("f2", "log", "记录咨询", id="consult_log", priority=True),
        Binding("f3", "to_case", "转办件", id="consult_to_case", priority=True),
        Binding("ctrl+y", "to_appointment", "转预约", id="consult_to_appointment", priority=True),
        Binding("f7", "due", "到期跟进/全部", id="consult_due", priority=True),
        Binding("f8", "close_one", "跟进完结", id="consult_close", priority=True),
        Binding("escape", "back", "返回", id="consult_back"),
    ]
    app: DeskApp

    def __init__(self, holder: Holder | None = None,
                 case_opened: Callable[[CaseView], None] | None = None) -> None:
        super().__init__()
        self.holder = holder
        # The desk's own handling of a case just opened (routing panel, slip, Ctrl+N): a consultation turned
        # into a case goes back to the desk to show it there, as an ordinary F3 → F10 does.
        self.case_opened = case_opened
        self._select_id: int | None = None  # a consultation just logged: the cursor goes to it
        self.found: dict[int, ConsultationView] = {}
        self.due_only = False
        self.done = ""
        self.sections: tuple[str, ...] = ()
        self.default_follow_up: dt.date | None = None
        self.catalog: list[CatalogItem] | None = None
        self._kept_form: dict[str, str] | None = None  # a form closed with Esc: filled again on F2
        self._case_draft: CaseDraft | None = None  # a case form whose case was refused: kept for F3

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("提前介入咨询（S5）", id="consult-title")
        yield Input(self.holder.name if self.holder else "", id="consult-search",
                    placeholder="查找：持卡人姓名或卡号、企业名称、信用代码、咨询事项；回车查找，留空为全部")
        yield DataTable(id="consult-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="consult-detail")
        yield MessageLine(id="consult-message")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "提前介入咨询"
        table = self.query_one(DataTable)
        # Fixed widths for the short columns: sized to their labels they cut "ZX000012" to "ZX00" and
        # "待跟进" to "待跟"; together with the auto-sized ones they fit a 120-column terminal.
        for label, width in (("编号", 8), ("方式", 4), ("对象", None), ("科室", 12), ("咨询事项", None),
                             ("跟进日期", 8), ("状态", 6), ("转办", None)):
            table.add_column(label, width=width)
        self.say("正在载入……", Level.BUSY)
        run_use_case(self, FormChoicesLoaded, _choices, self.app.services)
        self._search()
        self.query_one(DataTable).focus()

    # -- what the keys do now ---------------------------------------------------------------------

    def _selected(self) -> ConsultationView | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.found.get(int(key)) if key is not None else None

    def why_not(self, action: str) -> str:
        if not self.is_mounted:
            return ""
        role = self.app.session.role if self.app.session else ""
        chosen = self._selected()
        if action in ("log", "close_one", "to_case", "to_appointment") and not allowed(role, "consult"):
            return not_allowed(role, "consult")
        if action == "log" and self.default_follow_up is None:
            return "科室列表尚在载入，请稍候再按 F2"
        if action == "to_case" and not allowed(role, "open_case"):
            # a coordinator learns who turns it into a case, not merely that they cannot (S5)
            return f"转办件须由前台办理：{not_allowed(role, 'open_case')}"
        if action == "to_appointment" and not allowed(role, "book_appointment"):
            return not_allowed(role, "book_appointment")
        if action in ("to_case", "to_appointment", "close_one") and chosen is None:
            return "请先用 ↑↓ 在列表中选中一条咨询"
        if action in ("to_case", "to_appointment") and chosen is not None and not chosen.card_no:
            return f"咨询 {chosen.number} 的对象尚未办卡：预约和办件须凭钢都英才卡"
        if action == "close_one" and chosen is not None and chosen.status.value != "open":
            return f"咨询 {chosen.number} {chosen.status_name}，无需完结"
        return ""

    def _keys_hint(self) -> str:
        """The conversion keys this role has, for the list's line: never a key that would only refuse."""
        role = self.app.session.role if self.app.session else ""
        keys = [k for k, action in (("F3 转办件", "open_case"), ("Ctrl+Y 转预约", "book_appointment"),
                                    ("F8 跟进完结", "consult")) if allowed(role, "consult") and allowed(role, action)]
        return "".join(f"，{k}" for k in keys)

    # -- loading ------------------------------------------------------------------------------------

    def _search(self) -> None:
        text = self.query_one("#consult-search", Input).value
        run_use_case(self, ConsultationsLoaded, _found, self.app.services, text, self.due_only)

    @on(Input.Submitted, "#consult-search")
    def _submitted(self) -> None:
        self._search()
        self.query_one(DataTable).focus()

    def on_form_choices_loaded(self, message: FormChoicesLoaded) -> None:
        self.sections, self.default_follow_up, self.catalog = message.result
        self.refresh_bindings()

    def on_consultations_loaded(self, message: ConsultationsLoaded) -> None:
        text, views = message.result
        table = self.query_one(DataTable)
        keep = self._selected()
        keep_id = self._select_id if self._select_id is not None else keep.id if keep is not None else None
        self._select_id = None
        table.clear()
        self.found = {v.id: v for v in views}
        today = self.app.services.today() if self.app.services else dt.date.today()
        for v in views:
            due = Text(f"{v.follow_up_on:%m-%d}", style="bold red" if v.due(today) else "")
            table.add_row(v.number, v.channel_name, Text(v.subject), v.section, Text(v.topic), due, v.status_name,
                          Text(v.became), key=str(v.id))
        if keep_id is not None and keep_id in self.found:
            table.move_cursor(row=table.get_row_index(str(keep_id)))
        self._show_detail()
        what = "到期待跟进的咨询" if self.due_only else "咨询"
        where = f"“{text.strip()}”的" if text.strip() else ""
        if not self.done:
            self.say(f"{where}{what} {len(views)} 条" + ("；F2 记录新的咨询" if not views else
                                                         "；↑↓ 选择" + self._keys_hint()))
        self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        chosen = self._selected()
        detail = self.query_one("#consult-detail", Static)
        if chosen is None:
            detail.update("")
            return
        lines = [f"{chosen.number}　{chosen.logged_at.astimezone(self.app.settings.hall.tz):%Y-%m-%d %H:%M} 记录"]
        if chosen.uscc:
            lines.append(f"信用代码：{chosen.uscc}")
        if chosen.notes:
            lines.append(f"备注：{chosen.notes}")
        if chosen.closed_note:
            lines.append(f"跟进结果：{chosen.closed_note}")
        detail.update(Text("\n".join(lines)))
        self.refresh_bindings()

    # -- the keys -----------------------------------------------------------------------------------

    def action_log(self) -> None:
        if self.default_follow_up is None:
            return

        def logged(view: ConsultationView | None) -> None:
            if view is None:
                return
            self._kept_form = None
            self.done = (f"已记录咨询 {view.number}（{view.channel_name}，{view.section}），"
                         f"跟进日期 {view.follow_up_on:%Y-%m-%d}")
            self.say(self.done)
            self._select_id = view.id  # F3, Ctrl+Y and F8 act on the one just logged, not the one before
            self._search()

        def keep(typed: dict[str, str]) -> None:
            self._kept_form = typed

        self.app.push_screen(ConsultationForm(self.sections, self.default_follow_up,
                                              self.holder.card_no if self.holder else "", self._kept_form, keep),
                             logged)

    def action_due(self) -> None:
        self.due_only = not self.due_only
        self.done = ""
        self._search()

    def action_to_case(self) -> None:
        chosen = self._selected()
        if chosen is None or not chosen.card_no:
            return
        self.say(f"正在打开咨询 {chosen.number} 的持卡人……", Level.BUSY)
        run_use_case(self, HolderFound, _holder_for, self.app.services, "case", chosen)

    def action_to_appointment(self) -> None:
        chosen = self._selected()
        if chosen is None or not chosen.card_no:
            return
        self.say(f"正在打开咨询 {chosen.number} 的持卡人……", Level.BUSY)
        run_use_case(self, HolderFound, _holder_for, self.app.services, "appointment", chosen)

    def on_holder_found(self, message: HolderFound) -> None:
        purpose, view, holder = message.result
        if holder is None:
            self.say(f"咨询 {view.number} 的卡号 {view.card_no} 已不在人才名册中：不能转办", Level.ERROR)
            return
        if self.catalog is None:
            self.say("事项清单尚在载入，请稍候再按", Level.BUSY)
            return
        if purpose == "appointment":
            self._book(view, holder)
        else:
            self._open_case(view, holder)

    def _book(self, view: ConsultationView, holder: Holder) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.desk.booking import BookingScreen

        assert self.catalog is not None

        def back(done: str | None) -> None:
            if done:
                self.done = done
                self.say(done)
            self._search()

        self.app.push_screen(BookingScreen(holder, self.catalog, consultation=view), back)

    def _open_case(self, view: ConsultationView, holder: Holder) -> None:
        assert self.catalog is not None
        kept = self._case_draft if self._case_draft and self._case_draft.card_no == holder.card_no else None

        def opened(draft: CaseDraft | None) -> None:
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.consultations import open_case_from_consultation

            if draft is None:
                return
            self._case_draft = draft
            self.say("正在开办件并分配洽谈室和协调员……", Level.BUSY)
            run_use_case(self, CaseOpenedFromConsultation, open_case_from_consultation, self.app.services,
                         self.app.session, view.id, draft)

        def keep(unsent: CaseDraft) -> None:
            self._case_draft = unsent

        self.app.push_screen(self.app.case_form(self.catalog).load(holder, kept, keep=keep), opened)

    def on_case_opened_from_consultation(self, message: CaseOpenedFromConsultation) -> None:
        case: CaseView = message.result
        self._case_draft = None
        self.done = f"已开办件 {case.case_no}（由咨询转办，办件记录中可查来源）"
        if self.case_opened is not None:
            self.dismiss(self.done)
            self.case_opened(case)
            return
        self.say(self.done)
        self._search()

    def action_close_one(self) -> None:
        # lazy: a screen's module loads when it is first opened, not at desk start
        from hallterm.tui.widgets.reason import ReasonScreen

        chosen = self._selected()
        if chosen is None:
            return

        def with_note(note: str | None) -> None:
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.consultations import close_consultation

            if note:
                run_use_case(self, ConsultationClosed, close_consultation, self.app.services, self.app.session,
                             chosen.id, note)

        self.app.push_screen(ReasonScreen(f"咨询 {chosen.number}（{chosen.topic}）跟进完结\n请写明跟进结果",
                                          "例如：已电话答复，暂不申请"), with_note)

    def on_consultation_closed(self, message: ConsultationClosed) -> None:
        self.done = f"咨询 {message.result.number} 已跟进完结"
        self.say(self.done)
        self._search()

    def on_failed(self, message: Failed) -> None:
        if message.request is CaseOpenedFromConsultation:
            self.say(f"{message.reason}。按 F3 修改后重新提交（已填内容保留）", Level.ERROR)
            return
        self.say(message.reason, Level.ERROR)

    def action_back(self) -> None:
        self.dismiss(self.done)
