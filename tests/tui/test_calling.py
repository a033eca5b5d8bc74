"""The counter's calling screen, driven with Pilot (issue 5, point 2): every action on a key in the
footer, a confirmation before calling out of order, the counter picked first, and a queue that
follows what other counters do. A walk-in ticket issued here is printed at once (issue 6), and a
printer that fails loses nothing: Ctrl+R opens the reprint list from here too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from hallterm.config import Settings, load_settings
from hallterm.services import queue
from hallterm.services import slips as slip_service
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import events, slips, tickets
from hallterm.tui.desk import calling
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.calling import CallingScreen, ConfirmScreen, IssueScreen, PickScreen
from hallterm.tui.desk.slips import ReprintScreen
from tests.tui.conftest import settle
from tests.tui.test_display import until
from tests.tui.test_slips import environ


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: issuing prints, so the spool and the signing key stay in the test's folder."""
    return load_settings(environ=environ(tmp_path, db_file))


@pytest.fixture(autouse=True)
def _no_remembered_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal remembers each staff member's counter for its session; every test starts afresh."""
    monkeypatch.setattr(calling, "_COUNTER_OF", {})


def notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#calling-notice", Static).render())


def current(app: DeskApp) -> str:
    return str(app.screen.query_one("#current", Static).render())


def queue_numbers(app: DeskApp) -> list[str]:
    table = app.screen.query_one("#queue", DataTable)
    return [str(table.get_row_at(n)[1]) for n in range(table.row_count)]


def status_of(svc: Services, number: str) -> str:
    with svc.db.read() as conn:
        return conn.execute(select(tickets.c.status).where(tickets.c.ticket_no == number)).scalar_one()


async def open_calling(pilot: Pilot, counter_down: int = 0) -> None:
    """F11 from the desk, then pick the counter (G1, or the one ``counter_down`` rows below)."""
    await settle(pilot)
    await pilot.press("f11")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickScreen)
    await pilot.press(*["down"] * counter_down, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CallingScreen)


async def test_call_recall_finish_and_the_footer_keys(loaded: Services, settings: Settings,
                                                      desk_session: StaffSession) -> None:
    for _ in range(3):
        queue.issue_walkin(loaded)
    app = DeskApp(settings, services=loaded, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        assert queue_numbers(app) == ["A001", "A002", "A003"]
        shown = {b.binding.description for b in app.screen.active_bindings.values()
                 if b.binding.show and b.enabled}
        assert {"叫下一位", "叫选中号", "取号", "换窗口"} <= shown
        assert "办结" not in shown  # nothing called yet

        await pilot.press("n")
        await settle(pilot)
        assert "正在接待 A001" in current(app)
        assert notice(app) == "请 A001 号到绿色通道1号窗口"
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.enabled}
        assert {"重呼", "过号", "暂挂", "转移", "办结"} <= shown and "叫下一位" not in shown

        await pilot.press("r")
        await settle(pilot)
        assert "第 1 次" in notice(app) and "已重呼 1 次" in current(app)
        await pilot.press("f")
        await settle(pilot)
        assert notice(app) == "A001 号已办结"
        assert status_of(loaded, "A001") == "finished"
        assert "空闲" in current(app)

        await pilot.press("n", "x")  # call A002, then mark it 过号
        await settle(pilot)
        assert status_of(loaded, "A002") == "no_show"
        assert queue_numbers(app) == ["A003"]


async def test_calling_a_chosen_ticket_asks_first(loaded: Services, settings: Settings,
                                                  desk_session: StaffSession) -> None:
    for _ in range(3):
        queue.issue_walkin(loaded)
    app = DeskApp(settings, services=loaded, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("down", "down", "c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "叫 A003 号？" in str(app.screen.query_one(Static).render())
        await pilot.press("escape")  # a misclick: nobody is called
        await settle(pilot)
        assert status_of(loaded, "A003") == "waiting"
        await pilot.press("c", "enter")
        await settle(pilot)
        assert "正在接待 A003" in current(app)
        assert queue_numbers(app) == ["A001", "A002"]


async def test_hold_then_back_to_the_front_and_transfer_to_a_lounge(loaded: Services, settings: Settings,
                                                                    desk_session: StaffSession) -> None:
    for _ in range(3):
        queue.issue_walkin(loaded)
    app = DeskApp(settings, services=loaded, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("n", "h")  # A001 goes to fetch papers
        await settle(pilot)
        assert status_of(loaded, "A001") == "held"
        assert app.screen.query_one("#held", DataTable).row_count == 1
        await pilot.press("b")  # back with the papers
        await settle(pilot)
        assert queue_numbers(app)[0] == "A001"
        assert "回到队首" in str(app.screen.query_one("#queue", DataTable).get_row_at(0)[6])

        await pilot.press("n", "t")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")  # below the other counter: 二楼业务洽谈室1
        await settle(pilot)
        assert notice(app) == "A001 号已转移到二楼业务洽谈室1"
        assert status_of(loaded, "A001") == "transferred"
        assert queue.display_snapshot(loaded).calls[0].place == "二楼业务洽谈室1"


async def test_issue_a_walkin_ticket_with_a_scanned_card(loaded: Services, settings: Settings,
                                                         desk_session: StaffSession, cards: dict[str, str]) -> None:
    queue.issue_walkin(loaded)
    app = DeskApp(settings, services=loaded, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot, counter_down=1)  # sits at G2
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, IssueScreen)
        await pilot.press(*cards["valid"], "enter")
        await settle(pilot)
        await until(pilot, lambda: "正在打印" not in notice(app), "the print's outcome")
        assert notice(app).startswith("已取号 A002，前面还有 1 人等候。已保存：排队票 A002。未连接打印机，已保存到")
        await until(pilot, lambda: queue_numbers(app) == ["A001", "A002"], "the new ticket")
        (printed,) = slip_service.recent_slips(loaded)
        assert (printed.kind, printed.title, printed.status) == ("ticket", "排队票 A002", "spooled")
        assert printed.ticket_id == queue_numbers_ids(loaded)["A002"]
        assert len(list(Path(settings.printing.spool_path).rglob("*.png"))) == 1
        await pilot.press("i", *"GD123", "enter")
        await settle(pilot)
        assert "钢都英才卡" in notice(app) or "卡号" in notice(app)  # refused, nothing issued
        assert len(slip_service.recent_slips(loaded)) == 1  # nor printed
        await pilot.press("n")
        await settle(pilot)
        assert notice(app) == "请 A001 号到绿色通道2号窗口"


async def test_the_queue_follows_other_counters(loaded: Services, settings: Settings,
                                                desk_session: StaffSession) -> None:
    for _ in range(2):
        queue.issue_walkin(loaded)
    app = DeskApp(settings, services=loaded, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        assert queue_numbers(app) == ["A001", "A002"]
        queue.call_next(loaded, desk_session, "G2")  # the other counter calls A001
        await until(pilot, lambda: queue_numbers(app) == ["A002"], "the other counter's call")
        await pilot.press("n")
        await settle(pilot)
        assert "正在接待 A002" in current(app)
        await pilot.press("n")  # footer hides it, but a key pressed anyway is refused with a reason
        await settle(pilot)
        with loaded.db.read() as conn:
            calls = conn.execute(select(events.c.ticket_id).where(events.c.kind == "ticket_called")).all()
        assert len(calls) == 2


def queue_numbers_ids(svc: Services) -> dict[str, int]:
    with svc.db.read() as conn:
        return dict(conn.execute(select(tickets.c.ticket_no, tickets.c.id)).all())


async def test_a_failed_print_keeps_the_ticket_and_ctrl_r_sends_it_again(
        tmp_path: Path, db_file: Path, loaded: Services, desk_session: StaffSession,
        monkeypatch: pytest.MonkeyPatch) -> None:
    failing = load_settings(environ=environ(tmp_path, db_file, HALLTERM_PRINTING_BACKEND="cups",
                                            HALLTERM_PRINTING_CUPS_PRINTER="thermal80"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-cups-here"))  # lp is not installed
    loaded.settings = failing
    app = DeskApp(failing, services=loaded, session=desk_session)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("i", "enter")  # no card: an anonymous walk-in
        await settle(pilot)
        await until(pilot, lambda: "正在打印" not in notice(app), "the print's outcome")
        said = notice(app)
        assert said.startswith("已取号 A001") and "号已生效" in said
        assert "cups-client" in said and "已保存到" in said and "Ctrl+R" in said
        assert app.screen.query_one("#calling-notice").has_class("-error")
        assert queue_numbers(app) == ["A001"]  # the ticket stands in the queue
        assert status_of(loaded, "A001") == "waiting"
        with loaded.db.read() as conn:
            row = conn.execute(select(slips)).one()
        assert (row.status, row.ticket_id, row.staff_id) == ("failed", queue_numbers_ids(loaded)["A001"], "S1401")
        assert Path(row.spool_path).with_name(Path(row.spool_path).name + ".png").is_file()  # in the spool

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ReprintScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and "排队票 A001" in str(table.get_row_at(0)[1])
        assert "打印失败" in str(table.get_row_at(0)[2])
        loaded.settings = load_settings(environ=environ(tmp_path, db_file))  # the printer is back (spool)
        await pilot.press("enter")
        await settle(pilot)
        assert "已保存：排队票 A001" in str(app.screen.query_one("#rp-notice", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        assert queue_numbers(app) == ["A001"]
