"""Issue 17 point 3, checked in a real browser: ``hallterm display --serve`` on a demo database, opened in
headless Chromium (Debian's, through Playwright), and a real call made by another process. The page must
show the called number and speak it in zh-CN, stay silent with ``?speech=off``, and, where the browser
refuses to speak before anyone touched the page (its autoplay rule), show the corner notice until a tap.

Not part of the normal suite (it needs Chromium and Playwright): ``bash .ci/browser-check`` installs both
and runs it with HALLTERM_BROWSER_TESTS=1.

The page is watched only through what its own scripts print to the console (``WATCH``), never through
Playwright's ``evaluate`` before a call: Playwright evaluates as a user gesture, and one gesture is enough
for Chromium to let the page speak, which would hide the very refusal the third test is about.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hallterm.config import sqlite_url
from hallterm.config_locations import PROJECT_ROOT
from hallterm.tui.display import bigtext

ENABLE = "HALLTERM_BROWSER_TESTS"
if os.environ.get(ENABLE) != "1":
    pytest.skip(f"needs Chromium and Playwright: run `bash .ci/browser-check` (sets {ENABLE}=1)",
                allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"  # Debian's: Playwright never downloads a browser here (no network)
ALLOW_SPEECH = "--autoplay-policy=no-user-gesture-required"  # as a kiosk TV is set up (README)
NOTICE = "浏览器未允许叫号语音：请点一下屏幕"
PLACES = {"G1": "绿色通道1号窗口", "G2": "绿色通道2号窗口"}  # assets/hall.toml
DIGITS = "零一二三四五六七八九"
WAIT_S = 60.0  # generous: two cores shared with other work; a wait, never an assertion on time
REPORT = "hallterm-test "

# Runs in the page before its own scripts (Playwright's init script). It reports to the console:
#  - "spoken": each utterance handed to speechSynthesis.speak (text, lang), which then really speaks, so
#    the browser's own refusal ("not-allowed") reaches the page; the machine needs no voice for the test;
#  - "speech-error": the error an utterance ended with;
#  - "say-heard": a ["hallterm_say", …] websocket message, reported once every listener of the page had it
#    (setTimeout), so anything the page spoke for it was reported before;
#  - "screen": the terminal's text when it changes, read from xterm.js's buffer. textual.js keeps its
#    Terminal in a local object, found as the one that sets `fitAddon` (a setter on Object.prototype);
#  - "body": <body>'s classes when they change (-mute shows the notice), and the notice's text while shown.
WATCH = """
(() => {
  const report = (kind, data) => console.log("@REPORT@" + JSON.stringify([kind, data]));
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (utterance) => {
    report("spoken", {text: utterance.text, lang: utterance.lang});
    utterance.addEventListener("error", (event) => report("speech-error", event.error));
    speak(utterance);
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string" && event.data.startsWith('["hallterm_say"')) {
          setTimeout(() => report("say-heard", JSON.parse(event.data)[1].text), 0);
        }
      });
    }
  };
  let view = null;
  Object.defineProperty(Object.prototype, "fitAddon", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "fitAddon", {value, writable: true, configurable: true, enumerable: true});
      view = this;
    },
  });
  let shown = "";
  setInterval(() => {
    if (view === null || !view.terminal) { return; }
    const buffer = view.terminal.buffer.active;
    const lines = [];
    for (let y = 0; y < buffer.length; y++) { lines.push(buffer.getLine(y).translateToString(true)); }
    const text = lines.join("\\n");
    if (text !== shown) { shown = text; report("screen", text); }
  }, 200);
  const reportBody = () => {
    const notice = document.querySelector(".speech-blocked");
    const shown = notice !== null && getComputedStyle(notice).display !== "none";
    report("body", {classes: document.body.className, notice: shown ? notice.innerText : ""});
  };
  window.addEventListener("DOMContentLoaded", () => {
    reportBody();
    new MutationObserver(reportBody).observe(document.body, {attributes: true, attributeFilter: ["class"]});
  });
})();
""".replace("@REPORT@", REPORT)

# Another process, as a counter would: the demo's front-desk clerk issues a walk-in ticket and calls it
# at the first free green-channel window. Prints the number and the counter.
CALLER = """
import json, sys
from hallterm.config import load_settings
from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.services.staff import sign_in
svc = Services.open(load_settings())
try:
    desk = sign_in(svc, "S1401", "1234")
    ticket = queue.issue_walkin(svc, desk)
    refused = []
    for counter in ("G1", "G2"):
        try:
            called = queue.call_ticket(svc, desk, counter, ticket.id)
        except queue.QueueError as exc:
            refused.append(str(exc))
            continue
        print(json.dumps({"number": called.number, "counter": called.counter_code}))
        break
    else:
        sys.exit("; ".join(refused))
finally:
    svc.close()
"""


def spoken(number: str, place: str) -> str:
    """请A零一七号到绿色通道1号窗口, written out here rather than taken from hallterm's own code."""
    return f"请{number[0]}{''.join(DIGITS[int(d)] for d in number[1:])}号到{place}"


def shows_big(screen: str, number: str) -> bool:
    """Whether the screen's text holds ``number`` drawn in the display's block font, at some size."""
    lines = screen.split("\n")
    for h in range(1, 13):
        rows = bigtext.render(number, h)
        for y in range(len(lines) - len(rows) + 1):
            x = lines[y].find(rows[0])
            while x >= 0:
                if all(lines[y + i][x:x + len(row)] == row for i, row in enumerate(rows)):
                    return True
                x = lines[y].find(rows[0], x + 1)
    return False


def environment(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env["HALLTERM_DB_URL"] = sqlite_url(db)
    return env


@pytest.fixture
def db(cli_demo_template: Path, tmp_path: Path) -> Path:
    """A copy of the demo database of this test's own: calls made in one test are not in another's."""
    copy = tmp_path / "hall.sqlite3"
    shutil.copyfile(cli_demo_template, copy)
    return copy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(db: Path, tmp_path: Path) -> Iterator[str]:
    """A real ``hallterm display --serve`` on the copy; its address."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "hallterm", "display", "--serve", "--port", str(port)],
                              cwd=PROJECT_ROOT, env=environment(db), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + WAIT_S
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text(encoding="utf-8")
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)  # it ends its display processes first (serve.py)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def call(db: Path) -> tuple[str, str]:
    """A real call from another process; the ticket's number and the words the hall should hear."""
    run = subprocess.run([sys.executable, "-c", CALLER], cwd=PROJECT_ROOT, env=environment(db),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    called = json.loads(run.stdout.strip().splitlines()[-1])
    return called["number"], spoken(called["number"], PLACES[called["counter"]])


class Watched:
    """What the page reported to the console (WATCH), gathered as Playwright delivers it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.spoken: list[dict[str, str]] = []
        self.errors: list[str] = []
        self.heard: list[str] = []
        self.screen = ""
        self.body: list[str] = []
        self.notice = ""
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if not message.text.startswith(REPORT):
            return
        kind, data = json.loads(message.text[len(REPORT):])
        if kind == "spoken":
            self.spoken.append(data)
        elif kind == "speech-error":
            self.errors.append(data)
        elif kind == "say-heard":
            self.heard.append(data)
        elif kind == "screen":
            self.screen = data
        elif kind == "body":
            self.body = data["classes"].split()
            self.notice = data["notice"]

    def until(self, what: str, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_S
        while not check():
            assert time.monotonic() < deadline, f"{what}: not seen; the screen:\n{self.screen}" if self.screen else (
                f"{what}: not seen, and the terminal's text never reached the test (has textual.js changed "
                "how it keeps its Terminal? see WATCH)")
            self.page.wait_for_timeout(100)  # Playwright delivers console messages while it waits


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


def open_page(playwright: Playwright, url: str, *args: str) -> tuple[Browser, Watched]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(args))
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.add_init_script(WATCH)
    watched = Watched(page)
    page.goto(url)
    # The display's first picture (its waiting line): a call made before it would not be news to it.
    watched.until("the display's first picture", lambda: "等候" in watched.screen)
    return browser, watched


def test_the_tv_shows_and_speaks_a_call_in_zh_cn(playwright: Playwright, served: str, db: Path,
                                                   tmp_path: Path) -> None:
    browser, page = open_page(playwright, served, ALLOW_SPEECH)
    try:
        number, words = call(db)
        page.until("the words reaching the page", lambda: page.heard == [words])
        page.until("the number on the screen", lambda: shows_big(page.screen, number))
        assert page.spoken == [{"text": words, "lang": "zh-CN"}]
        assert "not-allowed" not in page.errors  # no voice here may fail it otherwise; the browser allowed it
        assert PLACES["G1"] in page.screen or PLACES["G2"] in page.screen
        assert "-mute" not in page.body and page.notice == ""
        # The Chinese is drawn with the font the server hands out (FONT_ROUTE): look at it.
        page.page.screenshot(path=str(tmp_path / "called.png"))
    finally:
        browser.close()


def test_speech_off_in_the_address_silences_the_tv_but_still_shows_the_call(
    playwright: Playwright, served: str, db: Path,
) -> None:
    browser, page = open_page(playwright, served + "?speech=off", ALLOW_SPEECH)
    try:
        number, words = call(db)
        page.until("the words reaching the page", lambda: page.heard == [words])
        page.until("the number on the screen", lambda: shows_big(page.screen, number))
        assert page.spoken == []  # heard, and everything the page did with it is over: nothing said
    finally:
        browser.close()


def test_a_browser_that_refuses_to_speak_says_so_until_the_screen_is_tapped(
    playwright: Playwright, served: str, db: Path, tmp_path: Path,
) -> None:
    browser, page = open_page(playwright, served)  # Chromium's own autoplay rule: no speech before a gesture
    try:
        number, words = call(db)
        page.until("the refusal", lambda: bool(page.errors))
        assert page.spoken == [{"text": words, "lang": "zh-CN"}]  # the page tried
        assert page.errors == ["not-allowed"]
        page.until("the notice", lambda: "-mute" in page.body)
        assert page.notice == NOTICE
        page.until("the number on the screen", lambda: shows_big(page.screen, number))
        # Straight from the browser (CDP): Playwright's own screenshot first evaluates in the page (a gesture).
        shot = page.page.context.new_cdp_session(page.page).send("Page.captureScreenshot")
        (tmp_path / "refused.png").write_bytes(base64.b64decode(shot["data"]))
        page.page.mouse.click(640, 360)  # someone taps the TV once
        page.until("the notice gone", lambda: "-mute" not in page.body)
        assert page.notice == ""
        # From then on the browser lets the page speak: the next call is not refused, the notice stays away.
        second, second_words = call(db)
        page.until("the second call's words", lambda: page.heard == [words, second_words])
        assert page.spoken == [{"text": words, "lang": "zh-CN"}, {"text": second_words, "lang": "zh-CN"}]
        assert page.errors.count("not-allowed") == 1
        assert "-mute" not in page.body and page.notice == ""
        page.until("the second number on the screen", lambda: shows_big(page.screen, second))
    finally:
        browser.close()
