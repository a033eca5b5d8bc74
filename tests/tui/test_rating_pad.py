"""好差评 on screen (issue 13 point 6): the rating pad a visitor presses, and the follow-up list its owner
closes with a note. Hand-outs are appended as the hand-out use case's event (contract of issue 13);
switch to the real hand-out once it is merged."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from textual.widgets import DataTable

from hallterm.config import Settings, load_settings
from hallterm.domain.cases import CaseDraft
from hallterm.domain.events import EventKind
from hallterm.domain.jurisdiction import CaseKind, EnterpriseKind
from hallterm.services import rating
from hallterm.services.case_views import CaseView
from hallterm.services.cases import open_case
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import events as events_table
from hallterm.storage.tables import ratings
from hallterm.tui.desk.follow_ups import FollowUpScreen
from hallterm.tui.rating.app import RatingPadApp, Step
from tests.services.handout_flow import hand_out_case
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import settle, text_of, type_text, until


def a_case(svc: Services, session: StaffSession, card_no: str) -> CaseView:
    return open_case(svc, session, CaseDraft(card_no=card_no, kind=CaseKind.ENTERPRISE, item_codes=("QY-GSSL",),
                                             enterprise_kind=EnterpriseKind.FOREIGN,
                                             enterprise_name="鞍山喆玥科技有限公司"))


def hand_out(svc: Services, case_id: int) -> int:
    return hand_out_case(svc, case_id)


def pad_settings(settings: Settings) -> Settings:
    return load_settings(environ={"HALLTERM_DB_URL": settings.db.url, "HALLTERM_RATING_PAD_POLL_MS": "100",
                                  "HALLTERM_RATING_THANKS_S": "1"})


async def test_the_pad_shows_the_hand_out_masked_takes_2_and_a_reason_and_thanks(
    loaded: Services, settings: Settings, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    app = RatingPadApp(pad_settings(settings), "F1", services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.step == Step.WAITING and "请在此为本次服务评价" in text_of(app, "#pad-prompt"),
                    "the pad waits")
        view = a_case(loaded, desk_session, cards["valid"])  # 王喆
        hand_out(loaded, view.id)
        await until(pilot, lambda: app.step == Step.LEVEL, "the hand-out appears on the pad")
        shown = text_of(app, "#pad-case") + text_of(app, "#pad-prompt")
        assert view.case_no in shown and "公司设立登记" in shown and "王*" in shown
        assert "王喆" not in shown and view.card_no not in shown  # masked; no card or ID number
        await pilot.press("2")  # 不满意
        assert app.step == Step.REASON and "态度不好" in text_of(app, "#pad-prompt")
        await pilot.press("2")  # 态度不好
        await until(pilot, lambda: app.step == Step.THANKS, "thanks")
        assert "感谢您的评价" in text_of(app, "#pad-prompt") and "不满意" in text_of(app, "#pad-prompt")
        await until(pilot, lambda: app.step == Step.WAITING, "back to waiting for the next hand-out")
        await pilot.press("5")  # nothing on offer: a key does nothing
        await settle(pilot)
    with loaded.db.read() as conn:
        stored = conn.execute(select(ratings.c.level, ratings.c.reason, ratings.c.case_id)).all()
        given = conn.execute(select(events_table.c.staff_id, events_table.c.details)
                             .where(events_table.c.kind == EventKind.RATING_GIVEN.value)).all()
    assert [tuple(r) for r in stored] == [(2, "attitude", view.id)]
    assert [tuple(g) for g in given] == [(None, {"level": 2, "reason": "attitude"})]  # nothing of the rater


async def test_the_owner_sees_the_follow_ups_late_marked_and_closes_one_with_a_note(
    loaded: Services, desk_app: DeskAppFactory, desk_session: StaffSession, cards: dict[str, str],
    clock: list[dt.datetime],
) -> None:
    view = a_case(loaded, desk_session, cards["valid"])
    assert view.coordinator is not None
    rating.rate(loaded, "F1", hand_out(loaded, view.id), 1)  # Thursday: call back due Friday
    clock[0] += dt.timedelta(days=4)  # Monday: the call back is late
    app = desk_app(view.coordinator.staff_id)  # the coordinator's own view
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "您有 2 项差评整改待办（1 项已逾期），按 Ctrl+F" in text_of(app, "#follow-up-banner")
        await pilot.press("ctrl+f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FollowUpScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 2
        assert [str(c) for c in table.get_row_at(0)][1:3] == ["回访核实", "非常不满意"]
        assert str(table.get_row_at(0)[-1]) == "已逾期" and str(table.get_row_at(1)[-1]) == "待办"
        assert "1 项已逾期" in text_of(screen, "#follow-up-notice")
        await pilot.press("x")
        await pilot.press("enter")  # an empty note is not taken
        assert "不能为空" in text_of(app, "#reason-error")
        await type_text(pilot, "已电话回访，致歉并说明", "enter")
        await settle(pilot)
        await until(pilot, lambda: table.row_count == 1, "the closed follow-up leaves the list")
        assert "回访核实已办结（逾期办结）" in text_of(screen, "#follow-up-notice")
        await pilot.press("escape")
        await settle(pilot)
        assert "您有 1 项差评整改待办，" in text_of(app, "#follow-up-banner")
    closed = rating.case_rating(loaded, view.id)
    assert closed is not None and closed.follow_ups[0].note == "已电话回访，致歉并说明"


async def test_a_counter_the_hall_does_not_have_is_said_on_the_pad(loaded: Services, settings: Settings) -> None:
    app = RatingPadApp(pad_settings(settings), "X9", services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "窗口代码 X9 不存在" in text_of(app, "#pad-notice"), "the refusal is shown")
        assert app.step == Step.WAITING


async def test_the_pad_records_the_rule_settings_it_starts_with(loaded: Services, settings: Settings) -> None:
    """Issue 15 point 6: the pad enforces the rating window (rating.max_age_minutes) from its own settings:
    a start with another window than the one last recorded is recorded, by the OS user."""
    import getpass

    from hallterm.services.rule_settings import note_rule_settings

    note_rule_settings(loaded, "hallterm desk")  # the desk's settings, recorded first
    pad = load_settings(environ={"HALLTERM_DB_URL": settings.db.url, "HALLTERM_RATING_PAD_POLL_MS": "100",
                                 "HALLTERM_RATING_MAX_AGE_MINUTES": "10"})
    app = RatingPadApp(pad, "F1")  # opens its own services, as `hallterm rate` does

    def recorded() -> list[dict[str, object]]:
        with loaded.db.read() as conn:
            return [dict(d) for d in conn.execute(select(events_table.c.details).where(
                events_table.c.kind == EventKind.RULE_SETTINGS_CHANGED).order_by(events_table.c.id)).scalars()]

    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(recorded()) == 2, "the pad's start is recorded")
    change = recorded()[-1]
    assert change["program"] == "hallterm rate" and change["by"] == getpass.getuser()
    assert change["changed"] == {"rating.max_age_minutes": [30, 10]}
