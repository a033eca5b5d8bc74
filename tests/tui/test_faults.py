"""An unexpected error on the desk (issue 15 point 7): one line with the log's path, never a traceback on
the terminal, and the desk keeps running — after a failing use case and after a failing handler."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import ResultCallback, Screen
from textual.widget import Widget
from textual.widgets import Static

import hallterm.tui
from hallterm import logfile
from hallterm.config import Settings
from hallterm.services import cases, queue
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.desk import desk_cases
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.holder_panel import HolderPanel
from hallterm.tui.display.app import BigNumber, DisplayApp
from hallterm.tui.faults import LoggedFaults
from hallterm.tui.widgets import carry_on
from hallterm.tui.widgets.carry_on import CarriesOn
from hallterm.tui.widgets.message_line import MessageLine
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_and_route, open_form, scan, settle, until

SECRET = "GD2024A00001 王某"  # what a traceback's text may hold: never on the screen


def said(app: App[int]) -> str:
    return str(app.screen.query_one(MessageLine).render())


def toasts(app: App[int]) -> str:
    return "\n".join(str(toast.render()) for toast in app.screen.query("Toast"))


def once(real: Callable[..., object], times: int = 1) -> Callable[..., object]:
    """``real``, except that its first ``times`` calls raise (a bug hit); later calls do what it does."""
    calls: list[int] = []

    def broken(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) <= times:
            raise ValueError(SECRET)
        return real(*args, **kwargs)

    return broken


def assert_one_line(text: str, log_file: Path) -> None:
    assert "程序内部错误" in text and str(log_file) in text and "可以继续操作" in text
    assert "ValueError" not in text and "GD2024A00001" not in text


def assert_logged(log_file: Path, times: int = 1) -> None:
    text = log_file.read_text(encoding="utf-8")
    assert text.count("carrying on") == times
    assert "Traceback" in text and f"ValueError: {SECRET}" in text


@pytest.fixture
def log_file(settings: Settings) -> Path:
    path = logfile.setup("desk", settings)
    assert path is not None
    return path


async def test_a_use_case_failing_unexpectedly_names_the_log_and_the_desk_goes_on(
        cards: dict[str, str], desk_app: DeskAppFactory, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = cases.open_case

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("a bug in hallterm")

    monkeypatch.setattr(cases, "open_case", broken)
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_and_route(pilot, cards["valid"])
        await until(pilot, lambda: "程序内部错误" in said(app), "the fault's line")
        assert str(log_file) in said(app)
        assert "KeyError" not in said(app)
        monkeypatch.setattr(cases, "open_case", real)  # the bug fixed: the same desk, no restart, opens the case
        await pilot.press("f3")  # the form comes back as it was filled in: nothing typed was lost
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, DeskScreen) and app.screen.last_case is not None,
                    "the case opened after all")
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'a bug in hallterm'" in text


def test_the_textual_internals_the_fault_handler_relies_on_still_exist() -> None:
    """Textual is pinned; an upgrade that renames these, or stops dispatching through them, fails here."""
    for owner, name in ((MessagePump, "_dispatch_message"), (App, "_handle_exception"), (App, "_fatal_error"),
                        (MessagePump, "_close_messages_no_wait")):
        assert callable(getattr(owner, name, None)), f"Textual no longer has {owner.__name__}.{name}: see faults.py"
    assert inspect.iscoroutinefunction(MessagePump._dispatch_message)
    # every message of a widget's loop goes through _dispatch_message, and a fault there ends the loop
    loop = inspect.getsource(MessagePump._process_messages_loop)
    assert "await self._dispatch_message(message)" in loop and "self.app._handle_exception(error)" in loop
    assert "_dispatch_message(events.Mount())" in inspect.getsource(MessagePump._pre_process)
    # a dialog's result reaches the screen (or app) that opened it through call_next, which CarriesOn wraps
    assert "self.requester.call_next(" in inspect.getsource(ResultCallback.__call__)
    assert Widget()._is_mounted is False and App()._is_mounted is False
    assert isinstance(App()._exit_renderables, list)


def test_every_screen_and_every_widget_with_handlers_carries_on() -> None:
    """A screen added later without CarriesOn would end the program at its first fault."""
    missing = []
    for module in pkgutil.walk_packages(hallterm.tui.__path__, "hallterm.tui."):
        for cls in vars(importlib.import_module(module.name)).values():
            if not (inspect.isclass(cls) and cls.__module__ == module.name and issubclass(cls, Widget | App)):
                continue
            own = [name for name in vars(cls) if name.startswith(("on_", "_on_", "key_"))]
            if (issubclass(cls, Screen | App) or own or vars(cls).get("_decorated_handlers")) \
                    and not issubclass(cls, CarriesOn):
                missing.append(f"{module.name}.{cls.__qualname__}")
    assert missing == []


async def test_an_action_failing_on_the_desk_says_one_line_and_the_desk_takes_the_next_scan(
        cards: dict[str, str], desk_app: DeskAppFactory, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """F2's action runs in the app's message loop (Textual runs bindings while the app handles the key)."""
    monkeypatch.setattr(DeskScreen, "action_new_scan", once(DeskScreen.action_new_scan))
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert_one_line(said(app), log_file)
        assert app.is_running and isinstance(app.screen, DeskScreen)
        await scan(pilot, cards["valid"])  # the next key presses still work: a scan is looked up
        await until(pilot, lambda: app.screen.query_one(HolderPanel).check is not None, "the holder shown")
        await pilot.press("f2")  # the same key again: no fault this time, the holder is cleared
        await settle(pilot)
        assert app.screen.query_one(HolderPanel).check is None
    assert app.return_code in (None, 0)
    assert_logged(log_file)


async def test_a_message_handler_of_the_desk_screen_failing_leaves_its_loop_running(
        cards: dict[str, str], desk_app: DeskAppFactory, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan field's Input.Submitted is handled in the desk screen's own message loop."""
    monkeypatch.setattr(DeskScreen, "_check", once(DeskScreen._check))
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await scan(pilot, cards["valid"])
        assert_one_line(said(app), log_file)
        assert app.screen.query_one(HolderPanel).check is None
        await pilot.press("enter")  # the same scan, submitted again, is looked up by the same screen
        await settle(pilot)
        await until(pilot, lambda: app.screen.query_one(HolderPanel).check is not None, "the holder shown")
    assert_logged(log_file)


async def test_a_fault_in_a_dialog_is_a_notification_and_the_dialog_still_works(
        cards: dict[str, str], desk_app: DeskAppFactory, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case form has no message line of its own: the line is a notification over it."""
    monkeypatch.setattr(CaseFormScreen, "action_cancel", once(CaseFormScreen.action_cancel))  # Esc, app's loop
    monkeypatch.setattr(CaseFormScreen, "on_key", once(CaseFormScreen.on_key))  # the form's own loop
    app = desk_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_form(pilot, cards["valid"])
        assert isinstance(app.screen, CaseFormScreen)
        await pilot.press("down")  # on_key fails once: the form's loop goes on
        await settle(pilot)
        assert "CaseFormScreen handling Key; carrying on" in log_file.read_text(encoding="utf-8")
        await pilot.press("escape")  # its action fails once
        await settle(pilot)
        assert isinstance(app.screen, CaseFormScreen)
        assert_one_line(toasts(app), log_file)
        await pilot.press("escape")  # the same key again closes the form
        await settle(pilot)
        assert isinstance(app.screen, DeskScreen)
        await scan(pilot, cards["valid"])  # and the desk takes a scan
        await until(pilot, lambda: app.screen.query_one(HolderPanel).check is not None, "the holder shown")
    assert_logged(log_file, times=2)


async def test_the_display_keeps_polling_after_a_fault_drawing_a_picture(
        loaded: Services, settings: Settings, desk_session: StaffSession, log_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.tui.test_display import display_settings

    queue.issue_walkin(loaded)
    monkeypatch.setattr(DisplayApp, "_draw", once(DisplayApp._draw))  # the first picture fails, in a handler
    app = DisplayApp(display_settings(settings, speech="false"), services=loaded)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(pilot, lambda: "程序内部错误" in toasts(app), "the fault's notification")
        assert_one_line(toasts(app), log_file)
        queue.call_next(loaded, desk_session, "G1")  # a call made after the fault
        await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the call, drawn by a later poll")
        assert app.is_running
    assert_logged(log_file)


async def test_a_fault_while_the_app_starts_still_exits_with_one_line(log_file: Path) -> None:
    class Broken(LoggedFaults):
        program = "前台"

        def compose(self):  # type: ignore[no-untyped-def]
            yield Static("")
            raise ValueError(SECRET)

    app = Broken()
    with pytest.raises(ValueError):
        async with app.run_test() as pilot:
            await pilot.pause()
    assert "前台 程序内部错误，已退出" in app.fault_line and str(log_file) in app.fault_line
    assert "GD2024A00001" not in app.fault_line
    assert f"ValueError: {SECRET}" in log_file.read_text(encoding="utf-8")


async def test_a_fault_while_reporting_a_fault_exits_with_one_line(
        log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(LoggedFaults):
        program = "前台"

        def on_key(self) -> None:
            raise ValueError(SECRET)

    def cannot_say() -> str:
        raise OSError("the line cannot be made")

    monkeypatch.setattr(carry_on, "going_on_line", cannot_say)
    app = Broken()
    with pytest.raises(OSError):
        async with app.run_test() as pilot:
            await pilot.press("x")
            await pilot.pause()
    assert "前台 程序内部错误，已退出" in app.fault_line and str(log_file) in app.fault_line
    text = log_file.read_text(encoding="utf-8")
    assert f"ValueError: {SECRET}" in text and "OSError: the line cannot be made" in text


async def test_a_handler_of_a_bare_app_failing_is_a_notification_and_the_app_goes_on(log_file: Path) -> None:
    class Pad(LoggedFaults):
        def __init__(self) -> None:
            super().__init__()
            self.keys: list[str] = []

        def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
            self.keys.append(event.key)
            if event.key == "x":
                raise ValueError(SECRET)

    app = Pad()
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.keys == ["x", "y"] and app.is_running
        assert_one_line(toasts(app), log_file)
    assert app.fault_line == ""
    assert_logged(log_file)


async def test_a_dialog_result_callback_failing_says_one_line_and_nothing_filled_in_is_lost(
        cards: dict[str, str], desk_app: DeskAppFactory, log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case form's result reaches the desk through call_next, outside any message handler."""
    monkeypatch.setattr(desk_cases, "run_use_case", once(desk_cases.run_use_case))
    app = desk_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_and_route(pilot, cards["valid"])  # F10 in the form: its result callback fails once
        assert isinstance(app.screen, DeskScreen) and app.screen.last_case is None
        assert_one_line(said(app), log_file)
        await pilot.press("f3")  # the form comes back as it was filled in
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, DeskScreen) and app.screen.last_case is not None,
                    "the case opened after all")
    assert_logged(log_file)


async def test_timer_and_refresh_callbacks_failing_are_logged_and_said_once_and_go_on(log_file: Path) -> None:
    class Clock(LoggedFaults):
        def __init__(self) -> None:
            super().__init__()
            self.ticks = 0
            self.refreshed = False

        def on_mount(self) -> None:
            self.set_interval(0.01, once(self.tick, times=3))
            self.call_after_refresh(once(self.after_refresh))

        def tick(self) -> None:
            self.ticks += 1

        def after_refresh(self) -> None:
            self.refreshed = True

    app = Clock()
    async with app.run_test(notifications=True) as pilot:
        await until(pilot, lambda: app.ticks >= 2, "the timer ticking after its faults")
        assert app.is_running and not app.refreshed  # the one call after the refresh failed, and was said
        app.call_after_refresh(app.after_refresh)  # the next one runs
        await until(pilot, lambda: app.refreshed, "the callback after a refresh")
        assert_one_line(toasts(app), log_file)
        assert len(app.screen.query("Toast")) == 1  # four faults, one notice: a repeating fault stacks none
    assert_logged(log_file, times=4)
