"""Every call gets its turn on the hall display (issue 17 point 1): two calls committed by another process
between two polls are both shown as the big number, oldest first, both listed at once, both rung and
spoken; a recall takes the big number again and is spoken again."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hallterm.config import Settings
from hallterm.config_locations import PROJECT_ROOT
from hallterm.services import queue, queue_views
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.display.app import BigNumber, DisplayApp
from tests.sessions import DESK
from tests.tui.pilot_helpers import text_of, until
from tests.tui.test_display import display_settings, fake_speech  # noqa: F401 (fake_speech: a fixture)

TWO_CALLS_IN_ANOTHER_PROCESS = """
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import call_next
from hallterm.services.staff import sign_in
svc = Services.open(load_settings(), upgrade=False)
session = sign_in(svc, "S1401", "2468")
print(call_next(svc, session, "G1").number, call_next(svc, session, "G2").number)
"""


class RecordingDisplay(DisplayApp):
    """Writes down, each time the recent list is drawn, the big number and the list beside it."""

    def __init__(self, settings: Settings, *, services: Services) -> None:
        super().__init__(settings, services=services)
        self.pictures: list[tuple[str, list[str]]] = []

    def _draw_recent(self) -> None:
        super()._draw_recent()
        listed = [line.split()[0] for line in text_of(self, "#recent-list").splitlines() if line.strip()]
        self.pictures.append((self.query_one(BigNumber).text, listed))


async def test_two_calls_between_two_polls_each_get_their_turn_oldest_first(
    loaded: Services, settings: Settings, desk_session: StaffSession, fake_speech: tuple[Path, Path],  # noqa: F811
    cards: dict[str, str], clock: list[dt.datetime], monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock[0] = dt.datetime.now(dt.UTC)  # the calling process reads the real clock: same hall-local day
    script, said = fake_speech
    queue.issue_walkin(loaded, DESK, card_text=cards["valid"])  # A001, 王喆
    queue.issue_walkin(loaded, DESK)  # A002
    # A gate in front of the poll's change check: the next poll waits there while the other process calls
    # twice, so both calls are surely committed between two polls (as a busy hall does now and then).
    armed, parked, release = threading.Event(), threading.Event(), threading.Event()
    real = queue_views.last_event_id

    def gated(svc: Services) -> int:
        if armed.is_set():
            parked.set()
            release.wait(60)
        return real(svc)

    monkeypatch.setattr(queue_views, "last_event_id", gated)
    app = RecordingDisplay(display_settings(settings, speech_command=str(script), display_hold_ms="400"),
                           services=loaded)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        armed.set()
        await until(pilot, parked.is_set, "the next poll at the gate")
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
        env["HALLTERM_DB_URL"] = settings.db.url
        out = subprocess.run([sys.executable, "-c", TWO_CALLS_IN_ANOTHER_PROCESS], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["A001", "A002"]
        armed.clear()
        release.set()

        await until(pilot, lambda: app.turns == ["A001", "A002"], "both calls' turns")
        # A001 had the big number first, with A002 (waiting for its turn) already in the recent list …
        first = next(p for p in app.pictures if p[0] == "A001")
        assert first[1] == ["A002"]
        # … then A002 took its place, A001 went to the list.
        await until(pilot, lambda: app.pictures[-1] == ("A002", ["A001"]), "A002 large, A001 listed")
        assert text_of(app, "#place") == "到 绿色通道2号窗口"
        assert bells == [1, 1]

        at_g1 = queue_views.counter_board(loaded, "G1").current
        assert at_g1 is not None and at_g1.number == "A001"
        queue.recall(loaded, desk_session, "G1", at_g1.id)
        await until(pilot, lambda: app.turns == ["A001", "A002", "A001"], "the recall's turn")
        await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "A001 large again")
        assert "重呼" in text_of(app, "#now-title")
        assert bells == [1, 1, 1]
        await app.workers.wait_for_complete()
    spoken = ["请A零零一号到绿色通道1号窗口", "请A零零二号到绿色通道2号窗口", "请A零零一号到绿色通道1号窗口"]
    assert app.announced == spoken
    assert said.read_text(encoding="utf-8").splitlines() == [f"-v cmn-latn-pinyin {s}" for s in spoken]


ONE_CALL_IN_ANOTHER_PROCESS = """
from hallterm.config import load_settings
from hallterm.services.context import Services
from hallterm.services.queue import call_next
from hallterm.services.staff import sign_in
svc = Services.open(load_settings(), upgrade=False)
print(call_next(svc, sign_in(svc, "S1401", "2468"), "G1").number)
"""


async def test_a_call_is_pushed_to_the_display_without_waiting_for_the_safety_poll(
    loaded: Services, settings: Settings, desk_session: StaffSession, clock: list[dt.datetime],
) -> None:
    """Issue 17 point 2 on SQLite: the safety poll is an hour away; only the data_version check can bring it."""
    clock[0] = dt.datetime.now(dt.UTC)
    queue.issue_walkin(loaded, DESK)
    app = DisplayApp(display_settings(settings, speech="false", display_poll_ms="3600000"), services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
        env["HALLTERM_DB_URL"] = settings.db.url
        out = subprocess.run([sys.executable, "-c", ONE_CALL_IN_ANOTHER_PROCESS], cwd=PROJECT_ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the pushed call")
        assert app.turns == ["A001"]


async def test_a_call_that_ended_before_its_turn_is_not_announced(
    loaded: Services, settings: Settings, desk_session: StaffSession, monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue.issue_walkin(loaded, DESK)  # A001
    queue.issue_walkin(loaded, DESK)  # A002
    armed, parked, release = threading.Event(), threading.Event(), threading.Event()
    real = queue_views.last_event_id

    def gated(svc: Services) -> int:
        if armed.is_set():
            parked.set()
            release.wait(60)
        return real(svc)

    monkeypatch.setattr(queue_views, "last_event_id", gated)
    app = DisplayApp(display_settings(settings, speech="false", display_hold_ms="300"), services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        armed.set()
        await until(pilot, parked.is_set, "the next poll at the gate")
        queue.call_next(loaded, desk_session, "G1")  # A001
        second = queue.call_next(loaded, desk_session, "G2")  # A002 …
        queue.no_show(loaded, desk_session, "G2", second.id)  # … 过号 before the display saw it
        armed.clear()
        release.set()
        await until(pilot, lambda: app.turns == ["A001"], "A001's turn")
        await until(pilot, lambda: not app._holding and not app.pending, "the hold over, the queue empty")
        assert app.turns == ["A001"] and app.announced == ["请A零零一号到绿色通道1号窗口"]
        assert app.query_one(BigNumber).text == "A001"
        assert text_of(app, "#recent-list").splitlines()[0].split()[:2] == ["A002", "过号"]


async def test_without_a_watcher_the_safety_poll_still_brings_the_call(
    loaded: Services, settings: Settings, desk_session: StaffSession, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A notification lost for good (no watcher at all here): the safety poll, display_poll_ms, shows the call."""
    monkeypatch.setattr(queue_views, "watch_changes", lambda _settings: None)
    queue.issue_walkin(loaded, DESK)
    app = DisplayApp(display_settings(settings, speech="false", display_poll_ms="200"), services=loaded)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        queue.call_next(loaded, desk_session, "G1")
        await until(pilot, lambda: app.query_one(BigNumber).text == "A001", "the call, by the safety poll")
        assert app.turns == ["A001"]
