"""An unexpected error on the desk (issue 15 point 7): one line with the log's path, never a traceback on
the terminal; a failing use case leaves the desk working."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from hallterm import logfile
from hallterm.config import Settings
from hallterm.services import cases
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.faults import LoggedFaults
from hallterm.tui.widgets.message_line import MessageLine
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_and_route, settle, until


def said(app: App[int]) -> str:
    return str(app.screen.query_one(MessageLine).render())


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


def test_the_textual_methods_the_fault_handler_overrides_still_exist() -> None:
    for name in ("_handle_exception", "_fatal_error", "_close_messages_no_wait"):
        assert callable(getattr(App, name, None)), f"Textual no longer has App.{name}: see hallterm/tui/faults.py"
    assert isinstance(App()._exit_renderables, list)


async def test_a_handler_raising_leaves_one_line_and_the_traceback_in_the_log(log_file: Path) -> None:
    class Broken(LoggedFaults):
        program = "前台"

        def on_key(self) -> None:
            raise ValueError("GD2024A00001 in a local variable")

    app = Broken()
    with pytest.raises(ValueError):
        async with app.run_test() as pilot:
            await pilot.press("x")
            await pilot.pause()
    assert "前台 程序内部错误" in app.fault_line and str(log_file) in app.fault_line
    assert "GD2024A00001" not in app.fault_line
    assert "ValueError: GD2024A00001" in log_file.read_text(encoding="utf-8")
