"""The counter's calling screen, driven with Pilot (issue 5, point 2): every action on a key in the
footer, a confirmation before calling out of order, the counter picked first, and a queue that
follows what other counters do. A walk-in ticket issued here is printed at once (issue 6), and a
printer that fails loses nothing: Ctrl+R opens the reprint list from here too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import DataTable, Input, Static

from hallterm.config import Settings, load_settings
from hallterm.services import print_jobs, queue, queue_views
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.storage.tables import events, slips, tickets
from hallterm.tui.desk import calling
from hallterm.tui.desk.app import DeskApp
from hallterm.tui.desk.calling import CallingScreen, ConfirmScreen, PickScreen
from hallterm.tui.desk.print_screens import ReprintScreen
from hallterm.tui.desk.walkin_ticket import IssueScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_calling, settle, until
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


async def test_call_recall_finish_and_the_footer_keys(loaded: Services, desk_app: DeskAppFactory) -> None:
    for _ in range(3):
        queue.issue_walkin(loaded)
    app = desk_app()
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

        await pilot.press("n")  # call A002
        await settle(pilot)
        await pilot.press("x")  # 过号 cannot be undone: it asks first
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "A002 号过号？" in question(app)
        await pilot.press("n")  # here N answers 否: it must not call the next visitor
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        assert status_of(loaded, "A002") == "called" and status_of(loaded, "A003") == "waiting"
        assert "正在接待 A002" in current(app)
        await pilot.press("x", "y")
        await settle(pilot)
        assert status_of(loaded, "A002") == "no_show"
        assert notice(app) == "A002 号已过号"
        assert queue_numbers(app) == ["A003"]


def question(app: DeskApp) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def test_a_recall_past_the_limit_asks_before_it_becomes_a_no_show(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    for _ in range(2):
        queue.issue_walkin(loaded)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("n")
        await settle(pilot)
        for n in (1, 2, 3):  # the three recalls the policy allows (queue.recall_limit) need no question
            await pilot.press("r")
            await settle(pilot)
            assert f"第 {n} 次" in notice(app) and isinstance(app.screen, CallingScreen)
        await pilot.press("r")  # a 4th would be a 过号: never silently
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        said = question(app)
        assert "A001 号已重呼 3 次，按过号处理？" in said
        assert "Y 或 回车：是" in said and "N 或 Esc：否" in said  # its keys, N included, are spelt out
        await pilot.press("n")  # 否 — and not 叫下一位 on the screen below
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        assert (status_of(loaded, "A001"), status_of(loaded, "A002")) == ("called", "waiting")
        assert "已重呼 3 次" in current(app)
        await pilot.press("r", "enter")
        await settle(pilot)
        assert status_of(loaded, "A001") == "no_show"
        assert "按过号处理" in notice(app)
        assert "空闲" in current(app)


async def test_calling_a_chosen_ticket_asks_first(loaded: Services, desk_app: DeskAppFactory) -> None:
    for _ in range(3):
        queue.issue_walkin(loaded)
    app = desk_app()
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


async def test_hold_then_back_to_the_front_and_transfer_to_a_lounge(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    for _ in range(3):
        queue.issue_walkin(loaded)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("n")
        await settle(pilot)  # the call is stored before A001 can be held
        await pilot.press("h")  # A001 goes to fetch papers
        await settle(pilot)
        assert status_of(loaded, "A001") == "held"
        assert app.screen.query_one("#held", DataTable).row_count == 1
        await pilot.press("b")  # back with the papers
        await settle(pilot)
        assert queue_numbers(app)[0] == "A001"
        assert "回到队首" in str(app.screen.query_one("#queue", DataTable).get_row_at(0)[6])

        await pilot.press("n")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")  # below the other counter: 二楼业务洽谈室1
        await settle(pilot)
        # No card, no case: there is no seat to take, and the clerk is told how to get one (issue 11 point 11).
        assert "没有扫描钢都英才卡" in notice(app) and "F3 开办件" in notice(app)
        assert status_of(loaded, "A001") == "called"  # still served here


def free_seats(svc: Services) -> dict[str, int]:
    """Free seats per lounge, as the hall display shows them."""
    return {x.code: x.free for x in queue_views.display_snapshot(svc).lounges}


async def test_a_transfer_to_a_lounge_takes_a_seat_there_for_the_holders_case(
    loaded: Services, desk_app: DeskAppFactory, desk_session: StaffSession, cards: dict[str, str]
) -> None:
    """Issue 11 point 11: the seat is the holder's case's, moved as F7 moves it; the display follows."""
    from hallterm.services import cases
    from tests.services.test_open_and_route import draft

    routed = cases.open_case(loaded, desk_session, draft(cards["valid"]))
    assert routed.status == "waiting" and routed.lounge_code is not None
    target = "L3" if routed.lounge_code != "L3" else "L4"
    queue.issue_walkin(loaded, card_text=cards["valid"])
    before = free_seats(loaded)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        keys = [key for _label, key in app.screen.options]
        await pilot.press(*["down"] * keys.index(f"lounge:{target}"), "enter")
        await settle(pilot)
        assert notice(app).startswith("A001 号已转移到"), notice(app)
        assert status_of(loaded, "A001") == "transferred"
    moved = cases.get_case(loaded, routed.id)
    assert moved is not None and (moved.lounge_code, moved.status) == (target, "waiting")
    assert free_seats(loaded) == {**before, routed.lounge_code: before[routed.lounge_code] + 1,
                                  target: before[target] - 1}
    assert "case_reassigned" in [e.kind for e in cases.history(loaded, routed.id)]


async def test_issue_a_walkin_ticket_with_a_scanned_card(
    loaded: Services, settings: Settings, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    queue.issue_walkin(loaded)
    app = desk_app()
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
        (printed,) = print_jobs.recent_slips(loaded)
        assert (printed.kind, printed.title, printed.status) == ("ticket", "排队票 A002", "spooled")
        assert printed.ticket_id == queue_numbers_ids(loaded)["A002"]
        assert len(list(Path(settings.printing.spool_path).rglob("*.png"))) == 1
        await pilot.press("i", *"GD123", "enter")
        await settle(pilot)
        assert isinstance(app.screen, IssueScreen)  # refused, the dialog stays open; nothing issued
        assert "钢都英才卡" in dialog_notice(app) or "卡号" in dialog_notice(app)
        assert len(print_jobs.recent_slips(loaded)) == 1  # nor printed
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert notice(app) == "请 A001 号到绿色通道2号窗口"


def dialog_notice(app: DeskApp) -> str:
    return str(app.screen.query_one("#issue-notice", Static).render())


async def test_a_typo_in_the_card_number_keeps_the_ticket_dialog_open(
    loaded: Services, cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    from textual.widgets import Input

    card = cards["valid"]
    typo = card[:-1] + ("0" if card[-1] != "0" else "1")  # a wrong check character
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("i", *typo, "enter")
        await settle(pilot)
        assert isinstance(app.screen, IssueScreen)  # still open, with the reason in it
        assert "校验位" in dialog_notice(app)
        assert app.screen.query_one("#issue-notice").has_class("-error")
        field = app.screen.query_one("#issue-card", Input)
        assert field.value == typo and field.selected_text == typo  # kept, and selected to be typed over
        assert queue_numbers_ids(loaded) == {}
        await pilot.press(*card, "enter")  # typed over the selection, as a second scan would
        await settle(pilot)
        assert isinstance(app.screen, CallingScreen)
        await until(pilot, lambda: "正在打印" not in notice(app), "the print's outcome")
        assert notice(app).startswith("已取号 A001")
        assert queue_numbers(app) == ["A001"]
        assert "王喆" in str(app.screen.query_one("#queue", DataTable).get_row_at(0)[3])


@pytest.mark.parametrize("label", ["revoked", "tier_e", "expired", "expired_status", "future"])
async def test_a_card_the_desk_refuses_gets_no_ticket_and_the_override_is_named(
    loaded: Services, cards: dict[str, str], label: str, desk_app: DeskAppFactory
) -> None:
    """The dialog says why (the desk's words) and names the one way past it, the supervisor's F4 at the
    desk; it never teaches a way round the refusal (issue 11, point 9: no "clear the card and press Enter")."""
    from hallterm.services.cards import check_card

    desk_says = check_card(loaded, cards[label]).message  # the desk's scan field, same rule, same words
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("i", *cards[label], "enter")
        await settle(pilot)
        assert isinstance(app.screen, IssueScreen)
        said = dialog_notice(app).replace("\n", "")
        assert said.startswith(desk_says) and "督查人员" in said and "F4 特批放行" in said
        assert "清空" not in said and "不关联" not in said
        assert queue_numbers_ids(loaded) == {}  # no ticket, no number used
        assert app.screen.query_one(Input).value == cards[label]  # kept, for correcting a typo


async def test_the_queue_follows_other_counters(
    loaded: Services, desk_session: StaffSession, desk_app: DeskAppFactory
) -> None:
    for _ in range(2):
        queue.issue_walkin(loaded)
    app = desk_app()
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
    tmp_path: Path, db_file: Path, loaded: Services, monkeypatch: pytest.MonkeyPatch, desk_app: DeskAppFactory
) -> None:
    failing = load_settings(environ=environ(tmp_path, db_file, HALLTERM_PRINTING_BACKEND="cups",
                                            HALLTERM_PRINTING_CUPS_PRINTER="thermal80"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-cups-here"))  # lp is not installed
    loaded.settings = failing
    app = desk_app(settings=failing)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        await pilot.press("i", "enter")  # no card: an anonymous walk-in
        await settle(pilot)
        await until(pilot, lambda: "正在打印" not in notice(app), "the print's outcome")
        said = notice(app)
        assert said.startswith("已取号 A001") and "号已生效" in said
        assert "请联系管理员" in said and "cups-client" not in said and "已保存到" in said and "Ctrl+R" in said
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


async def test_the_clerk_reads_counter_names_and_a_printer_failure_in_plain_chinese(
    tmp_path: Path, db_file: Path, loaded: Services, desk_app: DeskAppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 11, point 9: the held list names the counter as the hall does (not G1), and a thermal
    printer that refuses the connection reads 打印机未连接 and what to do — the system's English
    (ConnectionRefusedError, Errno 111) and the settings to check are for the log."""
    import logging
    import socket

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there
    refusing = load_settings(environ=environ(
        tmp_path, db_file, HALLTERM_PRINTING_BACKEND="escpos", HALLTERM_PRINTING_ESCPOS_CONNECTION="network",
        HALLTERM_PRINTING_ESCPOS_HOST="127.0.0.1", HALLTERM_PRINTING_ESCPOS_PORT=str(port),
        HALLTERM_PRINTING_ESCPOS_TIMEOUT_S="1"))
    loaded.settings = refusing
    app = desk_app(settings=refusing)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        with caplog.at_level(logging.WARNING, logger="hallterm.services.print_jobs"):
            await pilot.press("i", "enter")  # an anonymous walk-in
            await settle(pilot)
            await until(pilot, lambda: "正在打印" not in notice(app), "the print's outcome")
        said = notice(app)
        assert said.startswith("已取号 A001") and "打印机未连接" in said and "补打" in said
        assert not re.search(r"[A-Za-z_]{4,}", said.split("已保存到")[0]), said  # no English, no setting names
        assert "ConnectionRefusedError" in caplog.text and "escpos_port" in caplog.text  # the technician's

        await pilot.press("n")
        await until(pilot, lambda: "正在接待 A001" in current(app), "A001 at the counter")
        await pilot.press("h")  # A001 goes to fetch papers
        held = app.screen.query_one("#held", DataTable)
        await until(pilot, lambda: held.row_count == 1, "A001 held")
        assert str(held.get_row_at(0)[2]) == "绿色通道1号窗口"


async def test_a_key_right_after_n_sees_the_call_even_while_a_routine_poll_is_out(
    loaded: Services, desk_app: DeskAppFactory
) -> None:
    """A routine poll that read the board before N committed must not leave the screen idle: H or O
    pressed at once would answer 没有正在接待的号 (found when point 5 of issue 11 was tried)."""
    from hallterm.tui.desk.calling import CounterBoardLoaded

    queue.issue_walkin(loaded)
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_calling(pilot)
        screen = app.screen
        assert isinstance(screen, CallingScreen)
        screen._polling = True  # a routine poll has left with the board as it was before N
        await pilot.press("n")
        await settle(pilot)
        assert status_of(loaded, "A001") == "called"
        screen.post_message(CounterBoardLoaded(None))  # ... and comes back: nothing had moved when it read
        await settle(pilot)
        await settle(pilot)
        assert "正在接待 A001" in current(app)  # the reload N asked for ran after it, not a second later
        await pilot.press("h")
        await settle(pilot)
        assert "没有正在接待" not in notice(app)
