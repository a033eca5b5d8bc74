"""``hallterm display --serve`` (issue 5, point 4): loopback by default, our own page template that
reloads itself when the display process ends, no web fonts from the internet.

Checked by hand in headless Chromium as well (screenshots, a call made from another process, the
server killed and restarted, the display process killed): these tests keep what can be kept
without a browser."""

from __future__ import annotations

import asyncio
import shlex
import sys

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from hallterm.cli import build_parser
from hallterm.tui.display.serve import DEFAULT_HOST, TEMPLATES, display_command, make_server


def test_the_command_line_serves_on_loopback_unless_told() -> None:
    args = build_parser().parse_args(["display", "--serve"])
    assert (args.serve, args.host, args.port) == (True, "127.0.0.1", 8000)
    args = build_parser().parse_args(["display", "--serve", "--host", "0.0.0.0", "--port", "8080"])
    assert (args.host, args.port) == ("0.0.0.0", 8080)
    assert build_parser().parse_args(["display"]).serve is False


def test_each_browser_gets_a_display_process_with_the_same_settings() -> None:
    command = display_command(["--db", "sqlite:////var/lib/hall terminal/hall.sqlite3"])
    assert shlex.split(command) == [sys.executable, "-m", "hallterm", "--db",
                                    "sqlite:////var/lib/hall terminal/hall.sqlite3", "display"]
    server = make_server(command)
    assert server.host == DEFAULT_HOST == "127.0.0.1"
    assert server.templates_path == TEMPLATES


async def test_the_page_reloads_itself_when_the_session_ends() -> None:
    server = make_server(display_command())
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    try:
        answer = await client.get("/?fontsize=24")
        page = await answer.text()
    finally:
        await client.close()
    assert answer.status == 200
    assert 'data-font-size="24"' in page  # a TV sets a large font in the address
    assert "/ws" in page and "textual.js" in page
    assert "MutationObserver" in page and '"-closed"' in page and "window.location.reload()" in page
    # It asks the page's own address whether the server is back: that address answers while it is.
    assert "fetch(window.location.href" in page
    assert "连接中断，正在重新连接" in page  # what the TV says meanwhile, not an English error
    assert "googleapis" not in page  # the hall's network may have no internet


async def test_a_silent_connection_counts_as_ended_and_a_tv_gets_a_legible_font() -> None:
    server = make_server(display_command())
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    try:
        page = await (await client.get("/")).text()
    finally:
        await client.close()
    # The hall PC losing power or network closes nothing: the page pings and gives up on silence.
    assert 'socket.send(JSON.stringify(["ping"' in page and "SILENT_MS" in page
    assert page.index("window.WebSocket = class") < page.index('js/textual.js"></script>')  # wrapped first
    assert 'has("fontsize")' in page and 'TV_FONT_SIZE = "24"' in page


async def test_a_display_process_that_dies_without_a_goodbye_ends_the_browser_session() -> None:
    # textual-serve 1.1.3 closes the websocket only on the app's "exit" packet; a killed or crashed
    # display left the TV on a frozen screen that never reloaded.
    dies = "import sys, time; print('__GANGLION__', flush=True); time.sleep(0.2)"
    server = make_server(shlex.join([sys.executable, "-c", dies]))
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    try:
        websocket = await client.ws_connect("/ws?width=80&height=24")
        message = await asyncio.wait_for(websocket.receive(), timeout=10)
        assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
        for _ in range(200):  # the server reaps the process: nothing of it outlives the test's loop
            if server.sessions == 0:
                break
            await asyncio.sleep(0.05)
        assert server.sessions == 0
    finally:
        await client.close()


async def test_the_tv_gets_its_chinese_font_from_the_server_not_from_its_own_fonts() -> None:
    from hallterm.printing.fonts import FONT_FILE
    from hallterm.tui.display.serve import FONT_ROUTE

    server = make_server(display_command())
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    try:
        page = await (await client.get("/")).text()
        answer = await client.get(FONT_ROUTE)
        font = await answer.read()
    finally:
        await client.close()
    assert f'url("{FONT_ROUTE}")' in page and "unicode-range" in page  # the CJK face of the terminal's family
    assert "document.fonts.load" in page  # the terminal starts once the faces are there
    assert answer.status == 200 and font == FONT_FILE.read_bytes()  # the very font the slips print with
    assert "max-age" in answer.headers["Cache-Control"]  # 9 MB: fetched once, not at every reload
