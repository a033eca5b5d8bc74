"""Issue 17 point 3 for ``display --serve``: the TV's browser speaks each call. The display process hands
the words to textual-serve as a meta packet, the server forwards them to the page as a websocket message,
and the page's own script (with the Content-Security-Policy's nonce) speaks them in zh-CN."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from hallterm.config import Settings
from hallterm.services import queue
from hallterm.services.context import Services
from hallterm.services.staff import StaffSession
from hallterm.tui.display.app import DisplayApp
from hallterm.tui.display.serve import SAY_MAX_CHARS, display_command, make_server
from hallterm.tui.display.speech import SAY_META, speak_in_browser
from tests.sessions import DESK
from tests.tui.pilot_helpers import until
from tests.tui.test_display import display_settings

# A stand-in display process speaking as Textual's web driver does: the hello line, then meta packets
# (b"M", 4-byte length, JSON): a call's words, an over-long one, a meta type the page must not hear.
CHILD = """
import json, sys
print("__GANGLION__", flush=True)
def meta(data):
    body = json.dumps(data).encode()
    sys.stdout.buffer.write(b"M" + len(body).to_bytes(4, "big") + body); sys.stdout.buffer.flush()
meta({"type": "hallterm_say", "text": "请A零一七号到绿色通道1号窗口"})
meta({"type": "hallterm_say", "text": "号" * 1000})
meta({"type": "hallterm_say", "text": 17})
meta({"type": "hallterm_say", "text": "请B零零二号到绿色通道2号窗口"})
while True:
    head = sys.stdin.buffer.read(5)
    if len(head) < 5:
        break
    body = sys.stdin.buffer.read(int.from_bytes(head[1:], "big"))
    if b'"quit"' in body:
        break
"""


async def test_the_page_speaks_each_call_with_its_own_nonced_script_and_can_be_turned_off() -> None:
    client = TestClient(TestServer(await make_server(display_command())._make_app()))
    await client.start_server()
    try:
        answer = await client.get("/")
        page = await answer.text()
    finally:
        await client.close()
    nonce = re.search(r"'nonce-([^']+)'", answer.headers["Content-Security-Policy"])
    assert nonce is not None
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    speaking = [(attributes, body) for attributes, body in scripts if "speechSynthesis" in body]
    assert len(speaking) == 1  # one script speaks, and the policy lets it run: it carries this answer's nonce
    attributes, body = speaking[0]
    assert f'nonce="{nonce.group(1)}"' in attributes
    assert '"hallterm_say"' in body and 'utterance.lang = "zh-CN"' in body and "new SpeechSynthesisUtterance" in body
    assert 'this.addEventListener("message", hearCall)' in body  # every websocket the terminal opens is heard
    assert 'get("speech")' in body and '"off"' in body  # ?speech=off: the page's setting that silences it
    assert "浏览器未允许叫号语音" in page  # a browser that refuses to speak says so, in Chinese


async def test_the_display_s_words_reach_the_browser_as_a_message_to_speak() -> None:
    client = TestClient(TestServer(await make_server(shlex.join([sys.executable, "-c", CHILD]))._make_app()))
    await client.start_server()
    heard: list[Any] = []
    try:
        websocket = await client.ws_connect("/ws?width=80&height=24")
        while len(heard) < 3:
            message = await websocket.receive(timeout=20)
            assert message.type == aiohttp.WSMsgType.TEXT, message
            heard.append(json.loads(message.data))
        await websocket.close()
    finally:
        await client.close()
    assert heard[0] == [SAY_META, {"text": "请A零一七号到绿色通道1号窗口"}]
    assert heard[1] == [SAY_META, {"text": "号" * SAY_MAX_CHARS}]  # cut: nothing but a call is read out
    assert heard[2] == [SAY_META, {"text": "请B零零二号到绿色通道2号窗口"}]  # the non-text one was dropped


class _Driver:
    def __init__(self) -> None:
        self.meta: list[dict[str, object]] = []

    def write_meta(self, data: dict[str, object]) -> None:
        self.meta.append(data)


class _App:
    def __init__(self, driver: object) -> None:
        self._driver = driver


def test_the_words_go_to_the_web_driver_as_a_meta_packet() -> None:
    driver = _Driver()
    assert speak_in_browser(_App(driver), "请A零一七号到绿色通道1号窗口")
    assert driver.meta == [{"type": SAY_META, "text": "请A零一七号到绿色通道1号窗口"}]
    assert not speak_in_browser(_App(object()), "请A零一七号")  # a terminal's driver: nothing to hand over


@pytest.mark.parametrize("speech", ["true", "false"])
async def test_served_the_display_hands_each_call_to_the_browser_and_never_speaks_on_the_server_pc(
    loaded: Services, settings: Settings, desk_session: StaffSession, tmp_path: Path, speech: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = tmp_path / "said.txt"  # a stand-in espeak-ng: under --serve it must never run (the TV speaks)
    script = tmp_path / "fake-espeak"
    script.write_text(f"#!{sys.executable}\nopen({str(said)!r}, 'a').write('said')\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    queue.issue_walkin(loaded, DESK)
    queue.issue_walkin(loaded, DESK)
    app = DisplayApp(display_settings(settings, speech=speech, speech_command=str(script)), services=loaded)
    app.bell = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.snapshot is not None, "its first picture")
        driver = app._driver
        assert driver is not None
        meta: list[dict[str, object]] = []
        monkeypatch.setattr(type(driver), "is_web", property(lambda _: True))  # as under textual-serve
        monkeypatch.setattr(driver, "write_meta", meta.append, raising=False)
        first = queue.call_next(loaded, desk_session, "G1")
        second = queue.call_next(loaded, desk_session, "G2")
        await until(pilot, lambda: len(app.announced) == 2, "both calls")
        await app.workers.wait_for_complete()
    assert (first.number, second.number) == ("A001", "A002")
    assert app.announced == ["请A零零一号到绿色通道1号窗口", "请A零零二号到绿色通道2号窗口"]
    if speech == "true":
        assert meta == [{"type": SAY_META, "text": words} for words in app.announced]  # in the order called
    else:
        assert meta == []  # [queue] speech = false silences the TV too
    assert not said.exists() and os.access(script, os.X_OK)
