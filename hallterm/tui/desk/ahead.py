"""Work done ahead of the clerk's keys, once the home screen is drawn (issue 11, point 12: every screen
opens in 150 ms, measured by ``hallterm bench``: ``form_open_p95_ms``, ``checklist_open_p95_ms``,
``preview_open_p95_ms``).

Profiled, the first open of a screen paid for three things besides its own drawing:
- its stylesheet: when a pushed screen brings a ``CSS_PATH`` the app has not read, Textual re-parses
  every stylesheet of the app and restyles every widget of every screen (60–100 ms each time);
- the case form's composition: about a hundred widgets, mounted and styled (~150 ms); the checklist's
  (its footer of ten keys, the table), 60–120 ms at every F12 as a new screen was built per case;
- in the checklist's and preview's workers, importing the services they call with Pillow, fontTools
  and qrcode, and reading the print font's character map (~150 ms, holding the GIL: the event loop
  waited as well).
And Python's cyclic garbage collector walked every object of the process now and then (80–250 ms
inside a key's wait on this machine): once all that is loaded, it is frozen out of the collections.
All of it now happens once per terminal, in steps after the home screen is drawn, each step letting
the keys pressed meanwhile through. Desk start is untouched: the sign-in screen does none of it.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import Screen

if TYPE_CHECKING:
    from hallterm.services.cases import CatalogItem
    from hallterm.tui.desk.app import DeskApp

STYLES = Path(__file__).resolve().parent.parent / "styles"
# The stylesheets of the screens a desk or coordinator opens (each screen's CSS_PATH; sign_in.tcss is
# the app's own). Their rules name their screens or ids, so reading them early styles nothing else.
DESK_STYLES = ("desk_screen", "case_form", "checklist", "printing", "calling", "coordinator", "dialogs", "lists",
               "handover")

_started: weakref.WeakSet[App[Any]] = weakref.WeakSet()
_frozen = False


def prepare_ahead(home: Screen[Any], catalog: list[CatalogItem] | None = None) -> None:
    """After ``home`` is drawn: read the desk's stylesheets, compose the case form (when the catalog is
    known) and the checklist, then load the services and the font the checklist and the preview need.
    Once per app; the case form once there is a catalog."""
    app: DeskApp = home.app  # type: ignore[assignment]  # the desk's screens run in the DeskApp
    first = app not in _started
    _started.add(app)
    if first or catalog is not None:
        home.call_after_refresh(lambda: app.run_worker(_ahead(app, catalog, warm=first), group="ahead",
                                                       exit_on_error=False, name="prepare_ahead"))


async def _ahead(app: DeskApp, catalog: list[CatalogItem] | None, *, warm: bool) -> None:
    load_styles(app)
    await asyncio.sleep(0)  # a key pressed meanwhile goes first
    if catalog is not None:
        await precompose(app, app.case_form(catalog))
        await asyncio.sleep(0)
    if warm:
        # lazy: a screen's module loads when it is first needed, here after the home screen is drawn
        from hallterm.tui.desk.checklist_screen import CHECKLIST, ChecklistScreen

        if not app.is_screen_installed(CHECKLIST):
            app.install_screen(ChecklistScreen(), CHECKLIST)
        await precompose(app, app.get_screen(CHECKLIST))
        await asyncio.sleep(0)
        try:
            await app.run_worker(_warm_up, thread=True, group="ahead", exit_on_error=False, name="warm_up").wait()
        finally:  # a failed warm-up is only logged: the screens load what they need when opened
            _freeze_loaded()


def _freeze_loaded() -> None:
    """What is loaded by now (modules, the app, its screens) lives as long as the process: the cyclic
    collector need not walk it again. Its full collections walked it all, 80–250 ms on this 2-core
    machine, inside whichever key they happened to follow (Textual itself pauses it while scrolling).
    Once per process: a second desk in the same process (tests) would freeze the first one's garbage."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def load_styles(app: App[Any]) -> None:
    """Read every desk stylesheet not read yet, then re-parse and restyle once (as Textual does for one
    screen's CSS_PATH on its first push, which then finds it read and does nothing)."""
    stylesheet = app.stylesheet
    paths = [STYLES / f"{name}.tcss" for name in DESK_STYLES]
    new = [path for path in paths if not stylesheet.has_source(str(path))]
    if not new:
        return
    for path in new:
        stylesheet.read(path)
    stylesheet.reparse()
    stylesheet.update(app)


async def precompose(app: App[Any], screen: Screen[Any]) -> None:
    """Compose, mount, lay out and draw an installed screen without showing it.

    ``App._get_screen`` is the first step of ``push_screen`` (it starts the screen's message loop, which
    composes and mounts its children); it, ``Screen._refresh_layout`` and the compositor are private to
    the pinned Textual (8.2): tests/tui/test_screens_ahead.py shows the form composed ahead and working.
    """
    if screen.is_running:
        return
    _, mounted = app._get_screen(screen)
    await mounted
    if screen.is_current:
        return  # its key came first: the push lays it out and draws it
    # Laid out at the terminal's size and drawn once off screen (never written out): the first push then
    # finds the size unchanged and most widgets' lines cached, as on every later open (~60 ms less).
    screen._refresh_layout(app.size)
    await asyncio.sleep(0)  # the widgets take their Resize/Show first
    screen._compositor.render_full_update()


def _warm_up() -> None:
    # lazy: this thread worker loads them (services: SQLAlchemy, Pillow) off the event loop, ahead of the keys
    from hallterm.services.preload import warm_up
    from hallterm.tui.desk import checklist_screen, history, print_screens  # noqa: F401  (imported to be loaded)

    warm_up()
