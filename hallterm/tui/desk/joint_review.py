"""Joint review (特事特办、一事一议, S8; issue 13 point 5) of the case chosen in the coordinator view (J):
schedule the meeting, record each invited department's opinion and the outcome, print the 会商纪要.

Each form runs its use case itself and stays open with the message when it is refused, so nothing typed
is lost; it closes with the review as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from hallterm.domain.auth import allowed, not_allowed
from hallterm.domain.joint_reviews import (
    CONCLUSION_NAMES,
    OPINION_NAMES,
    Conclusion,
    JointReviewError,
    Opinion,
    ReviewStatus,
    parse_day,
)
from hallterm.domain.terminal_text import visible
from hallterm.tui.desk.background import run_use_case
from hallterm.tui.desk.keys import ExplainsKeys
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import Level, MessageLine, WithMessageLine
from hallterm.tui.widgets.toggles import Select, SelectionList

if TYPE_CHECKING:
    from hallterm.services.context import Services
    from hallterm.services.joint_reviews import JointReviewView
    from hallterm.services.print_jobs import PrintOutcome
    from hallterm.tui.desk.app import DeskApp


class ReviewsLoaded(Done):
    """``result``: (the case's joint reviews, the department catalog)."""


class ReviewSaved(Done):
    """``result``: the joint review after the form's change."""


class MinutesPrinted(Done):
    """``result``: how printing the 会商纪要 went."""


def _load(services: Services, case_id: int) -> tuple[list[JointReviewView], tuple[str, ...]]:
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.services.joint_reviews import department_catalog, reviews_of_case

    return reviews_of_case(services, case_id), department_catalog(services)


class _ReviewForm(CarriesOn, ModalScreen["JointReviewView | None"]):
    """A form that saves with F10 through one use case and closes with the review as it is now."""

    CSS_PATH = "../styles/consult.tcss"
    BINDINGS = [
        Binding("f10", "save", "保存", id="jr_save", priority=True),
        Binding("escape", "cancel", "取消", id="jr_cancel"),
    ]
    app: DeskApp
    TITLE_TEXT = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.TITLE_TEXT, style="bold"))
            with VerticalScroll():
                yield from self.fields()
            yield MessageLine("填好后按 F10 保存；Esc 取消", id="jr-form-message")
        yield Footer()

    def fields(self) -> ComposeResult:
        yield from ()

    def refuse(self, text: str) -> None:
        self.query_one(MessageLine).say(text, Level.ERROR)

    def run(self, fn: Callable[..., JointReviewView], *args: object, **kwargs: Any) -> None:
        self.query_one(MessageLine).say("正在保存……", Level.BUSY)
        run_use_case(self, ReviewSaved, fn, self.app.services, self.app.session, *args, **kwargs)

    def on_review_saved(self, message: ReviewSaved) -> None:
        self.dismiss(message.result)

    def on_failed(self, message: Failed) -> None:
        self.refuse(message.reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScheduleForm(_ReviewForm):
    TITLE_TEXT = "安排会商（特事特办、一事一议，S8）"

    def __init__(self, case_id: int, catalog: tuple[str, ...], today: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.catalog = catalog
        self.today = today

    def fields(self) -> ComposeResult:
        yield Static("日期、时间、地点", classes="form-label")
        yield Input(self.today, placeholder="会商日期，例如 2026-12-08", id="jr-day", max_length=10)
        yield Input(placeholder="开始时间，例如 14:30", id="jr-start", max_length=5)
        yield Input("二楼业务洽谈室", placeholder="会商地点", id="jr-place", max_length=100)
        yield Static("受邀部门（空格勾选，可多选）", classes="form-label")
        yield SelectionList[str](*[(d, d) for d in self.catalog], id="jr-departments-pick")

    def on_mount(self) -> None:
        self.query_one("#jr-start", Input).focus()

    def action_save(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.joint_reviews import schedule

        try:
            day = parse_day(self.query_one("#jr-day", Input).value)
        except JointReviewError as exc:
            self.refuse(str(exc))
            return
        departments = [str(v) for v in self.query_one("#jr-departments-pick", SelectionList).selected]
        self.run(schedule, self.case_id, day=day, start=self.query_one("#jr-start", Input).value,
                 place=self.query_one("#jr-place", Input).value, departments=departments)


class OpinionForm(_ReviewForm):
    TITLE_TEXT = "记录部门意见"

    def __init__(self, review: JointReviewView, department: str | None) -> None:
        super().__init__()
        self.review = review
        self.department = department

    def fields(self) -> ComposeResult:
        yield Static(f"会商 {self.review.number}：选择部门和意见", classes="form-label")
        preset = self.department if self.department in self.review.invited else Select.NULL
        yield Select([(d, d) for d in self.review.invited], prompt="部门", value=preset, id="jr-department")
        yield Select([(n, o.value) for o, n in OPINION_NAMES.items()], prompt="意见", id="jr-opinion")
        yield Input(placeholder="意见内容（有条件同意写条件，不同意写理由）", id="jr-opinion-text", max_length=1000)

    def on_mount(self) -> None:
        self.query_one("#jr-opinion" if self.department else "#jr-department", Select).focus()

    def action_save(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.joint_reviews import record_opinion

        department = self.query_one("#jr-department", Select).value
        opinion = self.query_one("#jr-opinion", Select).value
        if not isinstance(department, str):
            self.refuse("请选择部门")
            return
        if not isinstance(opinion, str):
            self.refuse("请选择意见：同意、有条件同意或不同意")
            return
        self.run(record_opinion, self.review.id, department, Opinion(opinion),
                 self.query_one("#jr-opinion-text", Input).value)


class OutcomeForm(_ReviewForm):
    TITLE_TEXT = "记录会商结论"

    def __init__(self, review: JointReviewView) -> None:
        super().__init__()
        self.review = review

    def fields(self) -> ComposeResult:
        given = "；".join(f"{d.department}：{d.opinion_name}" for d in self.review.departments)
        yield Static(Text(f"会商 {self.review.number}　各部门意见：{given}"), classes="form-label")
        yield Select([(n, c.value) for c, n in CONCLUSION_NAMES.items()], prompt="结论", id="jr-conclusion")
        yield Input(placeholder="结论内容（纪要将载明）", id="jr-outcome-text", max_length=1000)

    def on_mount(self) -> None:
        self.query_one("#jr-conclusion", Select).focus()

    def action_save(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.joint_reviews import record_outcome

        conclusion = self.query_one("#jr-conclusion", Select).value
        if not isinstance(conclusion, str):
            self.refuse("请选择结论")
            return
        self.run(record_outcome, self.review.id, Conclusion(conclusion),
                 self.query_one("#jr-outcome-text", Input).value)


class JointReviewScreen(CarriesOn, WithMessageLine, ExplainsKeys, Screen[None]):
    CSS_PATH = "../styles/consult.tcss"
    BINDINGS = [
        Binding("f2", "schedule", "安排会商", id="jr_schedule"),
        Binding("f4", "opinion", "记录意见", id="jr_opinion"),
        Binding("f9", "outcome", "记录结论", id="jr_outcome"),
        Binding("f10", "print_minutes", "打印纪要", id="jr_print"),
        Binding("escape", "back", "返回", id="jr_back"),
    ]
    app: DeskApp

    def __init__(self, case_id: int, case_no: str, holder_name: str = "") -> None:
        super().__init__()
        self.case_id = case_id
        self.case_no = case_no
        self.holder_name = holder_name
        self.reviews: list[JointReviewView] = []
        self.catalog: tuple[str, ...] = ()
        self.loaded = False

    @property
    def current(self) -> JointReviewView | None:
        """The latest meeting of the case: the one the keys act on."""
        return self.reviews[-1] if self.reviews else None

    def compose(self) -> ComposeResult:
        yield Header()
        title = f"办件 {self.case_no}　{visible(self.holder_name)}　会商（特事特办、一事一议）"
        yield Static(Text(title), id="jr-title")
        yield DataTable(id="jr-list", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="jr-departments", cursor_type="row", zebra_stripes=True)
        yield Static("", id="jr-outcome")
        yield MessageLine(id="jr-message")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "会商"
        self.query_one("#jr-list", DataTable).add_columns("纪要编号", "时间", "地点", "状态", "结论")
        self.query_one("#jr-departments", DataTable).add_columns("受邀部门", "意见", "意见内容")
        self.query_one("#jr-departments", DataTable).focus()
        self.say("正在载入……", Level.BUSY)
        self._reload()

    def _reload(self) -> None:
        run_use_case(self, ReviewsLoaded, _load, self.app.services, self.case_id)

    def why_not(self, action: str) -> str:
        role = self.app.session.role if self.app.session else ""
        if action in ("schedule", "opinion", "outcome", "print_minutes") and not allowed(role, "joint_review"):
            return not_allowed(role, "joint_review")
        if not self.loaded and action != "back":
            return "正在载入，请稍候"
        current = self.current
        if action in ("opinion", "outcome", "print_minutes") and current is None:
            return "该办件还没有安排会商：先按 F2 安排"
        if action in ("opinion", "outcome") and current is not None and current.status is ReviewStatus.CONCLUDED:
            return f"会商 {current.number} 已形成结论：如需再议，按 F2 另行安排会商"
        if action == "schedule" and current is not None and current.status is ReviewStatus.SCHEDULED:
            return f"会商 {current.number} 尚未形成结论：先按 F9 记录结论，再安排下一次"
        if action == "print_minutes" and current is not None and current.status is not ReviewStatus.CONCLUDED:
            return f"会商 {current.number} 尚未形成结论：按 F9 记录结论后才能打印纪要"
        return ""

    def on_reviews_loaded(self, message: ReviewsLoaded) -> None:
        self.reviews, self.catalog = message.result
        self.loaded = True
        self._show()

    def _show(self, said: str = "") -> None:
        tz_list = self.query_one("#jr-list", DataTable)
        tz_list.clear()
        for r in self.reviews:
            tz_list.add_row(r.number, f"{r.day:%Y-%m-%d} {r.start}", Text(r.place), r.status_name,
                            r.conclusion_name or "—", key=str(r.id))
        departments = self.query_one("#jr-departments", DataTable)
        row = departments.cursor_row
        departments.clear()
        current = self.current
        outcome = self.query_one("#jr-outcome", Static)
        if current is None:
            outcome.update("")
            self.say(said or "该办件还没有安排会商：按 F2 安排")
            self.refresh_bindings()
            return
        for d in current.departments:
            departments.add_row(Text(d.department), d.opinion_name, Text(d.text), key=d.department)
        if current.departments:
            departments.move_cursor(row=min(row, len(current.departments) - 1))
        outcome.update(Text(f"结论：{current.conclusion_name}。{current.outcome}" if current.conclusion
                            else f"{current.number} 待记录结论"))
        if said:
            self.say(said)
        elif current.status is ReviewStatus.CONCLUDED:
            self.say(f"会商 {current.number} 已形成结论：按 F10 打印会商纪要")
        else:
            self.say("↑↓ 选部门后按 F4 记录其意见；会后按 F9 记录结论")
        self.refresh_bindings()

    def _saved(self, view: JointReviewView | None) -> None:
        if view is None:
            return
        self.reviews = [r for r in self.reviews if r.id != view.id] + [view]
        self.reviews.sort(key=lambda r: r.id)
        self._show(view.message)

    def action_schedule(self) -> None:
        assert self.app.services is not None
        self.app.push_screen(ScheduleForm(self.case_id, self.catalog, f"{self.app.services.today():%Y-%m-%d}"),
                             self._saved)

    def action_opinion(self) -> None:
        current = self.current
        if current is None:
            return
        table = self.query_one("#jr-departments", DataTable)
        department = None
        if table.row_count:
            department = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.push_screen(OpinionForm(current, department), self._saved)

    def action_outcome(self) -> None:
        if self.current is not None:
            self.app.push_screen(OutcomeForm(self.current), self._saved)

    def action_print_minutes(self) -> None:
        # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
        from hallterm.services.joint_reviews import print_minutes_of

        if self.current is None:
            return
        self.say("正在打印会商纪要……", Level.BUSY)
        run_use_case(self, MinutesPrinted, print_minutes_of, self.app.services, self.app.session, self.current.id)

    def on_minutes_printed(self, message: MinutesPrinted) -> None:
        outcome: PrintOutcome = message.result
        self.say(f"会商纪要：{outcome.message}", Level.INFO if outcome.ok else Level.ERROR)

    def on_failed(self, message: Failed) -> None:
        self.say(message.reason, Level.ERROR)

    @on(DataTable.RowHighlighted, "#jr-departments")
    def _department_chosen(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        self.app.pop_screen()
