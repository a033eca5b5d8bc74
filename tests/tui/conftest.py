"""Fixtures for driving the desk with Textual's Pilot on a real SQLite file.

``desk_app`` builds the desk on the test's database (``loaded``: reference data in it), signed in:

    app = desk_app()                      # the front-desk clerk S1401 (``desk_session``)
    app = desk_app("supervisor")          # S1601, PIN 1357; "coordinator" is S1001
    app = desk_app("S1003")               # any staff member of assets/staff.toml, PIN 1357
    app = desk_app(session)               # a StaffSession the test signed in itself
    app = desk_app(None)                  # nobody signed in: the sign-in screen
    app = desk_app(settings=failing, after_hours=True)   # other settings, DeskApp's own options

Pilot helpers (typing, waiting, reading text) are in tests/tui/pilot_helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.widgets import Input

from hallterm.config import Settings
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession, set_pin, sign_in
from hallterm.tui.desk.app import DeskApp

DeskAppFactory = Callable[..., DeskApp]

ROLES = {"clerk": "S1401", "desk": "S1401", "supervisor": "S1601", "coordinator": "S1001"}
PIN = "1357"


@pytest.fixture(autouse=True)
def _steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor: screens are compared as they are, not mid-blink."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)


def signed_in(svc: Services, staff_id: str, pin: str = PIN) -> StaffSession:
    """Give ``staff_id`` a PIN and sign them in (sign-in itself is tested through its own screen)."""
    set_pin(svc, staff_id, pin)
    return sign_in(svc, staff_id, pin)


@pytest.fixture
def desk_app(loaded: Services, settings: Settings, request: pytest.FixtureRequest) -> DeskAppFactory:
    """A factory: the desk app on the test's services, signed in as a role, a staff id or a session."""
    def make(who: str | StaffSession | None = "clerk", *, settings: Settings = settings,
             services: Services = loaded, **options: object) -> DeskApp:
        session: StaffSession | None
        if not isinstance(who, str):
            session = who
        elif (staff_id := ROLES.get(who, who)) == "S1401" and services is loaded:
            session = request.getfixturevalue("desk_session")  # the same clerk the test's own calls use
        else:
            session = signed_in(services, staff_id)
        return DeskApp(settings, services=services, session=session, **options)  # type: ignore[arg-type]

    return make



@pytest.fixture(autouse=True)
def _quick_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    """Less waiting between key presses: a third off the Pilot tests, the same CPU work.

    Pilot.press waits after each key until a whole ``SLEEP_GRANULARITY`` (20 ms) passes with under
    1 ms of CPU, twice; the screen repaints at most every ``UPDATE_PERIOD`` (1/60 s). So each key cost
    at least 40 ms, and a key that opens a screen waited a frame at each step. Here the idle check
    looks at 5 ms windows (same 1 ms CPU bound) and the screen repaints within 2 ms, so a repaint is
    always done before an idle window can pass (a shorter window alone let ``call_after_refresh``
    work run after the test had already looked).
    """
    import textual._wait
    import textual.screen

    monkeypatch.setattr(textual.screen, "UPDATE_PERIOD", 1 / 500)
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 1 / 200)


@pytest.fixture(autouse=True)
def _gc_between_apps() -> Iterator[None]:
    """Each Pilot test starts with the garbage of the ones before collected and the survivors frozen.

    A finished app leaves tens of thousands of objects in reference cycles (widgets, their parents,
    message queues); collected in the middle of the next test, each full collection walked them all
    again, and the heap grew test after test. Collected here once, and what survives moved out of the
    collector's sight (``gc.freeze``), later collections only walk the current test's objects.
    """
    import gc

    gc.collect()
    gc.freeze()
    yield
