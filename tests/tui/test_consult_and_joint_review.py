"""Early consultation (S5) and joint review (S8) driven with Pilot as staff would (issue 13 points 4 and 5):
a phone consultation logged from the desk and turned into a case that remembers it; a joint review of a
case scheduled from the coordinators' view, two opinions and an outcome recorded, the 会商纪要 printed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.widgets import DataTable, Input, Static

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.cases import CaseDraft
from hallterm.domain.consultations import Channel, ConsultationDraft, ConsultationStatus
from hallterm.domain.joint_reviews import Conclusion, Opinion
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import cases, consultations, joint_reviews
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.consultations import ConsultationForm, ConsultationsScreen
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.desk.joint_review import JointReviewScreen, OpinionForm, OutcomeForm, ScheduleForm
from hallterm.tui.desk.routing_panel import RoutingPanel
from hallterm.tui.widgets.toggles import Select, SelectionList
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import hold_lookups, settle, type_text, until


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the spool folder in the test's own folder."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


def line(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def choose(pilot, selector: str, downs: int) -> None:  # type: ignore[no-untyped-def]
    """Open a Select with Enter, move down ``downs`` options, take it with Enter: as the clerk does."""
    pilot.app.screen.query_one(selector, Select).focus()
    await pilot.press("enter", *["down"] * downs, "enter")
    await settle(pilot)


async def test_a_phone_consultation_becomes_a_case_that_remembers_it(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession, desk_app: DeskAppFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    card = cards["valid"]
    # an earlier consultation of the same holder: F3 after F2 must act on the new one, not this
    earlier = consultations.log_consultation(loaded, desk_session, ConsultationDraft(
        Channel.ON_SITE, "业务协调科", "供热报装", "", card, "", "", None))
    app = desk_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        held, go = hold_lookups(monkeypatch)
        await type_text(pilot, card, "enter")
        await until(pilot, held.is_set, "the look-up under way")
        await pilot.press("ctrl+g")  # before the holder is drawn: opens once they are, preset with them
        assert not isinstance(app.screen, ConsultationsScreen)
        go.set()
        await until(pilot, lambda: isinstance(app.screen, ConsultationsScreen), "the consultations list")
        await settle(pilot)
        assert app.screen.query_one("#consult-search", Input).value  # the holder's name, searched
        table = app.screen.query_one(DataTable)
        widths = {str(c.label): c.get_render_width(table) - 2 for c in table.columns.values()}
        # the number, section and status whole ("ZX000012", "业务协调科", "待跟进"), not cut to their labels
        assert widths["编号"] >= 8 and widths["科室"] >= 10 and widths["状态"] >= 6
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ConsultationForm)
        assert app.screen.query_one("#cf-card", Input).value == card  # the holder on the desk, preset
        await choose(pilot, "#cf-section", 1)
        assert app.screen.query_one("#cf-section", Select).value == "业务协调科"
        await pilot.press("f10")  # no topic yet: refused, the form stays with what was chosen
        await settle(pilot)
        assert isinstance(app.screen, ConsultationForm)
        assert "请填写咨询事项" in line(app, "#cf-message")
        app.screen.query_one("#cf-topic", Input).focus()
        await type_text(pilot, "公司设立登记材料", "escape")  # closed before saving: what was typed is kept
        await settle(pilot)
        assert isinstance(app.screen, ConsultationsScreen)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.query_one("#cf-topic", Input).value == "公司设立登记材料"
        assert app.screen.query_one("#cf-section", Select).value == "业务协调科"
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ConsultationsScreen)
        (held,) = [c for c in consultations.find_consultations(loaded) if c.id != earlier.id]
        assert (held.channel.value, held.section, held.topic) == ("phone", "业务协调科", "公司设立登记材料")
        assert f"已记录咨询 {held.number}（电话，业务协调科）" in line(app, "#consult-message")

        await pilot.press("f3")  # the case form, preset with the consultation's holder
        await settle(pilot)
        assert isinstance(app.screen, CaseFormScreen)
        await pilot.press("enter", "f10")  # tick the first item, open and route
        await settle(pilot)
        # back on the desk, the new case shown as after an ordinary F3 → F10: routed, F10 prints its slip
        desk = app.screen
        assert isinstance(desk, DeskScreen) and desk.last_case is not None
        routing = desk.query_one(RoutingPanel)
        assert routing.display and routing.case is not None and routing.case.case_no == desk.last_case.case_no
        assert desk.query_one(HolderPanel).check is None  # no stale "在办 N 件" of before the case
        assert f"已开办件 {desk.last_case.case_no}" in line(app, "#notice")
        assert "F12 核对材料" in line(app, "#notice")  # the desk's own next steps (Ctrl+N too for 全程代办)
    after = consultations.get_consultation(loaded, held.id)
    assert after.case_no == desk.last_case.case_no
    assert consultations.get_consultation(loaded, earlier.id).status is ConsultationStatus.OPEN
    assert after.status is ConsultationStatus.CONVERTED and after.case_no
    story = cases.history(loaded, after.case_id or 0)
    assert [e.details.get("number") for e in story if e.kind == "consultation_converted"] == [held.number]


async def test_a_coordinator_is_not_offered_f3_on_consultations(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession, desk_app: DeskAppFactory) -> None:
    consultations.log_consultation(loaded, desk_session, ConsultationDraft(
        Channel.PHONE, "业务协调科", "供热报装", "", cards["valid"], "", "", None))
    app = desk_app("coordinator")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9", "z")
        await settle(pilot)
        assert isinstance(app.screen, ConsultationsScreen)
        assert "Ctrl+Y 转预约" in line(app, "#consult-message") and "F3" not in line(app, "#consult-message")
        await pilot.press("f3")
        assert "转办件须由前台办理" in line(app, "#consult-message")


async def test_a_joint_review_scheduled_recorded_and_printed(
        loaded: Services, cards: dict[str, str], desk_session: StaffSession, desk_app: DeskAppFactory,
        tmp_path: Path, clock: list[dt.datetime]) -> None:
    case = cases.open_case(loaded, desk_session, CaseDraft(
        card_no=cards["valid"], kind=CaseKind.ENTERPRISE, item_codes=("QY-GSSL",),
        enterprise_kind=EnterpriseKind.FOREIGN, enterprise_name="鞍山喆玥科技有限公司"))
    app = desk_app("supervisor")  # the whole hall's cases in the coordinators' view (F9)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, JointReviewScreen) and app.screen.case_no == case.case_no
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ScheduleForm)
        await type_text(pilot, "15:00")
        app.screen.query_one(SelectionList).focus()
        await pilot.press("down", "down", "down", "down", "down", "down", "down", "space", "down", "down",
                          "space", "f10")  # 市发展和改革委员会 and 市住房和城乡建设局
        await settle(pilot)
        assert isinstance(app.screen, JointReviewScreen)
        (review,) = joint_reviews.reviews_of_case(loaded, case.id)
        assert review.invited == ("市发展和改革委员会", "市住房和城乡建设局") and review.start == "15:00"

        await pilot.press("f4")  # the department under the cursor, preset
        await settle(pilot)
        assert isinstance(app.screen, OpinionForm)
        await choose(pilot, "#jr-opinion", 1)  # 同意
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("down", "f4")
        await settle(pilot)
        await choose(pilot, "#jr-opinion", 2)  # 有条件同意: needs its condition
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, OpinionForm) and "请写明所附条件" in line(app, "#jr-form-message")
        app.screen.query_one("#jr-opinion-text", Input).focus()
        await type_text(pilot, "竣工前完成消防验收", "f10")
        await settle(pilot)
        assert isinstance(app.screen, JointReviewScreen)

        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, OutcomeForm)
        await choose(pilot, "#jr-conclusion", 2)  # 有条件同意办理
        app.screen.query_one("#jr-outcome-text", Input).focus()
        await type_text(pilot, "消防验收后发证", "f10")
        await settle(pilot)
        # Before 15:00 the meeting has not begun: refused, and what was typed stays.
        assert isinstance(app.screen, OutcomeForm) and "开会后才能记录结论" in line(app, "#jr-form-message")
        clock[0] = clock[0].replace(hour=7, minute=30)  # 15:30 in the hall
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, JointReviewScreen)
        await pilot.press("f10")
        await settle(pilot)
        assert "会商纪要" in line(app, "#jr-message")
    (done,) = joint_reviews.reviews_of_case(loaded, case.id)
    assert done.conclusion is Conclusion.CONDITIONAL and done.outcome == "消防验收后发证"
    assert [d.opinion for d in done.departments] == [Opinion.AGREE, Opinion.CONDITIONAL]
    (pdf,) = (tmp_path / "spool").rglob("*minutes*.pdf")
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\x00", "")
    assert case.case_no in text and "有条件同意办理" in text and "竣工前完成消防验收" in text
