"""The after-hours desk and the handover list (issue 12 point 6, S6) as staff use them, with the clock
set to an evening and to the next working morning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.services import appointment_slots, appointments
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk.coordinator import CoordinatorScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.handover import EveningPanel, HandoverBanner, HandoverScreen
from tests.tui.conftest import DeskAppFactory, signed_in
from tests.tui.pilot_helpers import open_and_route, scan, settle, text_of, until
from tests.tui.test_open_case_flow import routing_text

FRIDAY_18 = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # 18:00 in Anshan: 陈昊天 is on the duty roster
MONDAY_9 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
MONDAY_18 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)  # the roster: the after-hours staff member receives


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the spool folder and the signing key in the test's own folder."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


def rows(app: object) -> list[str]:
    table = app.screen.query_one(DataTable)  # type: ignore[attr-defined]
    return [" ".join(str(c) for c in table.get_row_at(n)) for n in range(table.row_count)]


async def test_the_evening_desk_shows_tonight_routes_by_the_roster_and_hands_over(
    loaded: Services, desk_app: DeskAppFactory, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    evening = signed_in(loaded, "S1502")  # 梁鑫宇, after_hours
    clock[0] = FRIDAY_18 - dt.timedelta(hours=8)  # Friday 10:00: booked in the day, not on the handover
    tonight = appointments.book(loaded, evening, cards["valid"], dt.date(2026, 11, 27), "18:30")
    clock[0] = FRIDAY_18
    saturday = appointments.book(loaded, evening, cards["valid"], dt.date(2026, 11, 28), "09:00",
                                 section="业务协调科", items="QY-FGSSL")
    app = desk_app(evening)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen) and "延时服务" in app.screen.sub_title
        panel = app.screen.query_one(EveningPanel).text
        assert tonight.number in panel and saturday.number in panel and "11-28（星期六）09:00" in panel
        assert panel.index(tonight.number) < panel.index(saturday.number)
        # A walk-in (another holder: the first one's card would check them in for 18:30): the same flow
        # as the day desk; the duty roster names who receives the case.
        await open_and_route(pilot, cards["markup"])
        case = app.screen.last_case
        assert case is not None and case.coordinator is not None
        assert (case.coordinator.name, case.duty) == ("陈昊天", "值班协调员")
        await pilot.press("f10")  # the visit slip, as it will print, says the duty roster chose him
        await settle(pilot)
        slip = text_of(app, "#pv-text")
        assert "值班协调员接待" in slip and "陈昊天" in slip and "按值班表接待" in slip
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)
        listed = rows(app)
        assert any(case.case_no in r and "延时受理办件" in r for r in listed)
        assert not any(tonight.number in r for r in listed)  # booked in the day
        assert not any(saturday.number in r for r in listed)  # a duty slot: the weekend desk's own business
        await pilot.press("a")  # the evening does not acknowledge its own list
        await settle(pilot)
        assert "交接单由白班接班时确认" in text_of(app, "#handover-notice")
        await pilot.press("p")
        await settle(pilot)
        assert "交接单：" in text_of(app, "#handover-notice") and "失败" not in text_of(app, "#handover-notice")
        assert list((Path(loaded.settings.printing.spool_path)).rglob("*handover*.pdf"))


async def test_a_check_in_shows_on_the_evening_panel_and_the_desk_names_itself_as_receiver(
    loaded: Services, desk_app: DeskAppFactory, cards: dict[str, str], clock: list[dt.datetime]
) -> None:
    evening = signed_in(loaded, "S1502")  # 梁鑫宇, after_hours; on Monday evenings the roster says "self"
    from hallterm.storage.catalog import active_items

    clock[0] = MONDAY_9
    tonight = appointments.book(loaded, evening, cards["valid"], dt.date(2026, 11, 30), "18:30")
    with loaded.db.read() as conn:
        codes = iter([i.code for i in active_items(conn)])  # one per holder and item: a new item each
    weekend = [appointments.book(loaded, evening, cards["markup"], s.day, s.start, section=s.section, items=next(codes))
               for day in (dt.date(2026, 12, 5), dt.date(2026, 12, 6))
               for s in appointment_slots.day_slots(loaded, day, "业务协调科").slots[:5]]
    clock[0] = MONDAY_18
    app = desk_app(evening)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(EveningPanel)
        assert tonight.number in panel.text and "待签到" in panel.text
        # Eleven appointments: every one listed (no "另有 … 未列出"); at 36 lines all in view, no scrolling
        # (on a shorter terminal the panel scrolls for what does not fit).
        assert all(a.number in panel.text for a in weekend) and "未列出" not in panel.text
        assert "共 11 个预约" in str(panel.border_subtitle) and panel.max_scroll_y == 0 and panel.size.height >= 11
        assert "交接单" in [k.description for k in app.screen.query(FooterKey)]  # Ctrl+T in the footer too
        await scan(pilot, cards["valid"])  # the holder arrives: the card checks the appointment in
        await until(pilot, lambda: "已签到" in text_of(app, "#notice"), "the check-in said")
        await until(pilot, lambda: "已签到" in panel.text, "the evening panel updated")
        assert "待签到" not in panel.text.splitlines()[0]  # tonight's, the first line
        await open_and_route(pilot, cards["markup"])
        case = app.screen.last_case
        assert case is not None and case.duty == "值班人员"
        routed = routing_text(app)
        assert "值班人员  梁鑫宇" in routed and "协调员" not in routed
        await pilot.press("f10")
        await settle(pilot)
        slip = text_of(app, "#pv-text")
        assert "值班人员将前来对接" in slip and "协调员" not in slip


async def test_the_demo_counts_the_handover_list_the_desk_then_shows(
    loaded: Services, desk_app: DeskAppFactory, clock: list[dt.datetime]
) -> None:
    from hallterm.services.appointment_sweep import sweep_missed
    from hallterm.services.demo import build_demo

    # Friday 19:45: an appointment of today nobody came for is past its end and grace.
    clock[0] = dt.datetime(2026, 12, 4, 11, 45, tzinfo=dt.UTC)
    summary = build_demo(loaded, 60, days=1)
    sweep_missed(loaded)  # as the desk does when it starts: the list must not shrink under the count
    app = desk_app("S1502")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        await until(pilot, lambda: screen.listed is not None, "the handover list loaded")
        assert summary["handover"] >= 1 and len(rows(app)) == summary["handover"]


async def test_the_coordinators_see_the_handover_next_morning_until_it_is_acknowledged(
    loaded: Services, desk_app: DeskAppFactory, desk_session: StaffSession, cards: dict[str, str],
    clock: list[dt.datetime]
) -> None:
    evening = signed_in(loaded, "S1502")
    clock[0] = FRIDAY_18
    appointments.book(loaded, evening, cards["valid"], dt.date(2026, 11, 30), "09:30")
    app = desk_app("coordinator")
    clock[0] = FRIDAY_18 + dt.timedelta(hours=1)  # still the evening: nothing to take over yet
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        assert not app.screen.query_one(HandoverBanner).display
    clock[0] = MONDAY_9
    app = desk_app("coordinator")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        banner = app.screen.query_one(HandoverBanner)
        assert banner.display and "新增预约 1" in str(banner.render()) and "Ctrl+T" in str(banner.render())
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen) and len(rows(app)) == 1
        await pilot.press("a")
        await settle(pilot)
        assert "张喆" not in text_of(app, "#handover-notice")
        assert "王芳已确认交接 1 项" in text_of(app, "#handover-notice") and rows(app) == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CoordinatorScreen)
        await until(pilot, lambda: not app.screen.query_one(HandoverBanner).display, "the banner gone")
    kinds = [k for (k,) in _event_kinds(loaded)]
    assert "handover_acknowledged" in kinds


def _event_kinds(svc: Services) -> list[tuple[str]]:
    from sqlalchemy import select

    from hallterm.storage.tables import events

    with svc.db.read() as conn:
        return [tuple(r) for r in conn.execute(select(events.c.kind))]
