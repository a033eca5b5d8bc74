"""``hallterm display --serve`` (issue 5, point 4): loopback by default, our own page template that
reloads itself when the display process ends, no web fonts from the internet."""

from __future__ import annotations

import shlex
import sys

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
    assert "连接中断，正在重试" in page
    assert "googleapis" not in page  # the hall's network may have no internet
