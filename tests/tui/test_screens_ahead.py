"""The desk prepares its screens once its home screen is drawn (issue 11, point 12: every screen opens
in 150 ms; the times are the bench's, ``form_open_p95_ms`` and the rest, never asserted here): the
stylesheets are read, the case form is composed before the first F3, and the screens still work."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.widgets import SelectionList

from hallterm.config import Settings, load_settings, sqlite_url
from hallterm.domain.checklist import MaterialKind
from hallterm.tui.desk.ahead import DESK_STYLES, STYLES
from hallterm.tui.desk.app import CASE_FORM
from hallterm.tui.desk.case_form import CaseFormScreen
from hallterm.tui.desk.checklist_screen import CHECKLIST, ChecklistScreen
from hallterm.tui.desk.desk_screen import DeskScreen
from hallterm.tui.desk.print_screens import PrintPreviewScreen
from tests.tui.conftest import DeskAppFactory
from tests.tui.pilot_helpers import open_and_route, settle, text_of, until
from tests.tui.test_checklist_screen import tick_kinds


@pytest.fixture
def settings(tmp_path: Path, db_file: Path) -> Settings:
    """Overrides the root fixture: the preview signs the visit slip, the spool folder is the test's own."""
    return load_settings(environ={"HALLTERM_DB_URL": sqlite_url(db_file),
                                  "HALLTERM_SIGNING_KEY_FILE": str(tmp_path / "signing.key"),
                                  "HALLTERM_PRINTING_SPOOL_DIR": str(tmp_path / "spool")})


async def test_the_case_form_is_composed_before_the_first_f3_and_every_screen_still_opens(
    cards: dict[str, str], desk_app: DeskAppFactory
) -> None:
    app = desk_app()
    async with app.run_test(size=(100, 30)) as pilot:
        def prepared() -> bool:
            return all(app.is_screen_installed(name) and app.get_screen(name).is_mounted
                       for name in (CASE_FORM, CHECKLIST)) and not any(w.group == "ahead" for w in app.workers)

        await until(pilot, prepared, "the case form and the checklist composed ahead, the services loaded")
        form = app.get_screen(CASE_FORM)
        assert isinstance(app.screen, DeskScreen)  # composed, not shown
        assert form.query_one("#items", SelectionList) is not None
        for name in DESK_STYLES:  # read now: a screen's first push finds its stylesheet there
            assert app.stylesheet.has_source(str(STYLES / f"{name}.tcss")), name
        assert gc.get_freeze_count() > 0  # what was loaded is out of the collector's full walks

        await open_and_route(pilot, cards["valid"])  # F3 shows that same form, filled; Enter, F10
        assert app.get_screen(CASE_FORM) is form and isinstance(form, CaseFormScreen)
        assert isinstance(app.screen, DeskScreen)
        case = app.screen.last_case
        assert case is not None and case.card_no == cards["valid"]

        await pilot.press("f12")
        await settle(pilot)
        assert app.screen is app.get_screen(CHECKLIST) and isinstance(app.screen, ChecklistScreen)
        assert case.case_no in text_of(app, "#ck-title")
        assert app.screen.sheet is not None and app.screen.sheet.items[0].materials
        # A 容缺 decision whose 承诺书 is left unprinted: it belongs to this case only.
        await tick_kinds(pilot, app.screen, MaterialKind.CORE)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("enter")  # will sign: 容缺受理
        await settle(pilot)
        assert app.get_screen(CHECKLIST).to_print  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, DeskScreen) and "承诺书" in text_of(app, "#notice"),
                    "the desk names the unprinted 承诺书")
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, PrintPreviewScreen)
        assert "容缺受理承诺书" in text_of(app, "#pv-text")  # opened on the paper the desk named
        await pilot.press("escape")
        await settle(pilot)

        # The next holder's case: the same checklist screen, showing only that case.
        await open_and_route(pilot, cards["markup"])
        second = app.screen.last_case
        assert second is not None and second.id != case.id
        await pilot.press("f12")
        await settle(pilot)
        assert app.screen is app.get_screen(CHECKLIST)
        title = text_of(app, "#ck-title")
        assert second.case_no in title and case.case_no not in title
        assert app.screen.sheet is not None and app.screen.sheet.case.id == second.id
        assert app.screen.to_print == []  # the first case's unprinted 承诺书 is not offered for this one
        assert app.screen.query_one("#ck-table").cursor_row == 1  # on the first paper, as on a first open
