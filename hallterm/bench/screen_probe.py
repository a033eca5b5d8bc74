"""The desk as a clerk drives it, timed from each key to the first frame showing what it opened.

Run by ``bench.screens`` in a fresh interpreter (``runpy`` on this file, so that the ``hallterm.bench``
package and what it imports stay out): what a first open costs (importing the screen's module and
the services it calls, reading its stylesheet, composing it) is paid once per process, so a desk
started just now pays it, and so does each run of this probe. Before the desk starts, only what the
desk itself has imported by then is imported here; the screens are recognised by their class names.

Arguments: staff id, PIN, card numbers (comma-separated), optionally the pause between keys in
seconds (``HAND_S`` when left out; ``BenchPlan.hand_s``). The database is the one of
``HALLTERM_DB_URL``. Prints one JSON line: ``{"form_ms": [...], "checklist_ms": [...], "preview_ms": [...]}``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.screen import Screen

    from hallterm.tui.desk.app import DeskApp

SIZE = (120, 36)
# A person's hand between one key and the next (a scan, then F3…): what the desk does meanwhile
# (the workers a key started, their repaint) is over by then, as it is at a real counter.
HAND_S = 0.25  # the default; BenchPlan.hand_s is passed as the fourth argument
LIMIT_S = 30.0  # a screen that never shows its data fails the run instead of hanging it


def frame_text(screen: Screen[Any]) -> str:
    """The characters of the frame ``screen`` shows now (its compositor's cells, as last drawn)."""
    return "\n".join(strip.text for strip in screen._compositor.render_strips())


class Watch:
    """Waits for the first frame for which ``ready(screen)`` holds; ``at`` is when it was drawn."""

    def __init__(self, ready: Callable[[Screen[Any]], bool]) -> None:
        self.ready = ready
        self.at: float | None = None
        self.done = asyncio.Event()

    def drawn(self, screen: Screen[Any]) -> None:
        if self.at is not None:
            return
        at = time.perf_counter()  # taken before checking: the check is the probe's own cost
        if self.ready(screen):
            self.at = at
            self.done.set()


def _working_hours_clock(tz: dt.tzinfo) -> Callable[[], dt.datetime]:
    """10:00 on the last weekday, a second later at each call: coordinators are on duty (as bench.desk)."""
    day = dt.datetime.now(tz).date()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    start = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=tz).astimezone(dt.UTC)
    ticks = itertools.count()
    return lambda: start + dt.timedelta(seconds=next(ticks))


def _visible(text: str, frame: str, chars: int = 6) -> bool:
    """``text`` (its start: a long name may be cut at the column's edge) is in ``frame``."""
    head = text.strip().splitlines()[0].strip() if text.strip() else ""
    return head[:chars] in frame


def form_ready(card_no: str) -> Callable[[Screen[Any]], bool]:
    """The case form, titled with the holder's card, its item list filled."""
    def ready(screen: Any) -> bool:
        if type(screen).__name__ != "CaseFormScreen" or screen.holder is None or screen.holder.card_no != card_no:
            return False
        frame = frame_text(screen)
        return card_no in frame and _visible(screen.catalog[0].name, frame)
    return ready


def checklist_ready(case_no: str) -> Callable[[Screen[Any]], bool]:
    """The checklist with the case's number and its first paper in the table."""
    def ready(screen: Any) -> bool:
        if type(screen).__name__ != "ChecklistScreen" or screen.sheet is None:
            return False
        frame = frame_text(screen)
        papers = [m.name for item in screen.sheet.items for m in item.materials]
        return case_no in frame and (not papers or _visible(papers[0], frame))
    return ready


def preview_ready(screen: Any) -> bool:
    """The print preview with the first document listed and its text shown."""
    if type(screen).__name__ != "PrintPreviewScreen" or not screen.printables:
        return False
    frame = frame_text(screen)
    first = screen.printables[0]
    return _visible(first.title, frame) and _visible(first.preview, frame)


async def _run(app: DeskApp, cards: list[str], hand_s: float = HAND_S) -> dict[str, list[float]]:
    # lazy: loaded with the app already; imported here to keep this module's top to the standard library
    from textual import events

    watch: list[Watch] = []
    original = app._display

    def display(screen: Screen[Any], renderable: Any) -> None:
        original(screen, renderable)
        if watch and renderable is not None and not app._batch_count:
            watch[0].drawn(screen)

    app._display = display  # type: ignore[method-assign]  # every frame the app draws passes here
    times: dict[str, list[float]] = {"form_ms": [], "checklist_ms": [], "preview_ms": []}

    async def idle(pilot: Pilot[Any]) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await asyncio.sleep(hand_s)

    async def timed(key: str, ready: Callable[[Screen[Any]], bool], what: str) -> float:
        watch[:] = [Watch(ready)]
        driver = app._driver
        assert driver is not None
        event = events.Key(key, None)
        event.set_sender(app)
        started = time.perf_counter()
        driver.send_message(event)  # as a terminal's key arrives: through the driver to the app's queue
        try:
            await asyncio.wait_for(watch[0].done.wait(), LIMIT_S)
        except TimeoutError:
            raise RuntimeError(f"{what} never showed its data; on screen:\n{frame_text(app.screen)}") from None
        at = watch[0].at
        watch.clear()
        assert at is not None
        return round((at - started) * 1000, 1)

    async with app.run_test(size=SIZE) as pilot:
        await idle(pilot)
        for card in cards:
            desk = app.screen
            for char in card:
                await pilot.press(char)
            await pilot.press("enter")
            await idle(pilot)
            times["form_ms"].append(await timed("f3", form_ready(card), "the case form"))
            await idle(pilot)
            await pilot.press("enter", "f10")  # tick the first item, open the case
            await idle(pilot)
            case = getattr(desk, "last_case", None)
            if app.screen is not desk or case is None or case.card_no != card:
                raise RuntimeError(f"the case for {card} did not open; on screen:\n{frame_text(app.screen)}")
            times["checklist_ms"].append(await timed("f12", checklist_ready(case.case_no), "the checklist"))
            await idle(pilot)
            await pilot.press("escape")
            await idle(pilot)
            times["preview_ms"].append(await timed("f10", preview_ready, "the print preview"))
            await idle(pilot)
            await pilot.press("escape")
            await idle(pilot)
    return times


def main(argv: list[str]) -> None:
    staff_id, pin, cards = argv[0], argv[1], argv[2].split(",")
    hand_s = float(argv[3]) if len(argv) > 3 else HAND_S
    # The screens' own modules must load as they do at a counter: only what a signed-in desk has
    # imported before its first key is imported here (settings, services, sign-in, the app).
    # lazy: nothing of the desk before this process is timed (see above)
    from hallterm.config import load_settings
    from hallterm.services.context import Services
    from hallterm.services.staff import sign_in
    from hallterm.tui.desk.app import DeskApp

    settings = load_settings()
    svc = Services.open(settings, upgrade=False, clock=_working_hours_clock(settings.hall.tz))
    try:
        session = sign_in(svc, staff_id, pin)
        app = DeskApp(settings, services=svc, session=session)
        times = asyncio.run(_run(app, cards, hand_s))
    finally:
        svc.close()
    print(json.dumps(times), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
