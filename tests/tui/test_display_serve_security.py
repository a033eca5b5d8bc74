"""Issue 16 point 7: the served display is a display only, safely. Real HTTP and websocket requests to
the real server (aiohttp's test client), with real child processes standing in for the display: a
forged Origin, one browser too many, a huge terminal, keystrokes, a missing token, headers, listings.
Point 6 too: the database URL reaches the display processes in their environment, not their arguments."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from hallterm.tui.display.serve import MAX_COLUMNS, MAX_ROWS, make_server

# A stand-in display process: says hello as a Textual app does, writes its terminal size and every
# packet it receives to a file, and ends when told to quit (textual-serve's stop) or its stdin closes.
CHILD = """
import json, os, sys
out = open(sys.argv[1], "a")
out.write(json.dumps({"size": [os.environ["COLUMNS"], os.environ["ROWS"]]}) + "\\n"); out.flush()
print("__GANGLION__", flush=True)
while True:
    head = sys.stdin.buffer.read(5)
    if len(head) < 5:
        break
    body = sys.stdin.buffer.read(int.from_bytes(head[1:], "big"))
    out.write(json.dumps({"packet": head[:1].decode(), "body": body.decode()}) + "\\n"); out.flush()
    if b'"quit"' in body:
        break
"""


def child_command(record: Path) -> str:
    return shlex.join([sys.executable, "-c", CHILD, str(record)])


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[TestClient, Path]]:
    record = tmp_path / "record.jsonl"
    client = TestClient(TestServer(await make_server(child_command(record))._make_app()))
    await client.start_server()
    try:
        yield client, record
    finally:
        await all_ended(record)
        await client.close()


async def all_ended(record: Path) -> None:
    """Wait until every stand-in started has been told to quit: none outlives its test."""
    for _ in range(200):
        lines = record.read_text().splitlines() if record.exists() else []
        if sum('"size"' in line for line in lines) == sum('quit' in line for line in lines):
            return
        await asyncio.sleep(0.05)


async def lines_of(record: Path, count: int) -> list[dict[str, object]]:
    """The first ``count`` lines the stand-in wrote (it writes them as packets arrive)."""
    for _ in range(200):
        lines = record.read_text().splitlines() if record.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        await asyncio.sleep(0.05)
    raise AssertionError(f"the display process wrote {lines} after 10 s, not {count} lines")


async def test_a_websocket_from_a_page_of_another_site_is_refused(served: tuple[TestClient, Path]) -> None:
    client, record = served
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws?width=80&height=24", headers={"Origin": "http://evil.example"})
    assert refused.value.status == 403
    assert not record.exists()  # no display process was started for it
    # The page's own origin is welcome.
    websocket = await client.ws_connect("/ws?width=80&height=24",
                                        headers={"Origin": f"http://{client.host}:{client.port}"})
    assert (await lines_of(record, 1))[0] == {"size": ["80", "24"]}
    await websocket.close()


async def test_served_on_loopback_it_answers_no_other_host_name(served: tuple[TestClient, Path]) -> None:
    # DNS rebinding: evil.example made to resolve to 127.0.0.1 is same-origin with itself.
    client, record = served
    page = await client.get("/", headers={"Host": f"evil.example:{client.port}"})
    assert page.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers={"Host": f"evil.example:{client.port}",
                                                "Origin": f"http://evil.example:{client.port}"})
    assert refused.value.status == 403 and not record.exists()
    assert (await client.get("/", headers={"Host": f"localhost:{client.port}"})).status == 200


async def test_no_more_browsers_than_the_setting_allows(served: tuple[TestClient, Path]) -> None:
    client, record = served
    opened = [await client.ws_connect("/ws") for _ in range(4)]  # the default cap (display.serve_max_connections)
    await lines_of(record, 4)
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws")
    assert refused.value.status == 503
    await opened[0].close()
    await lines_of(record, 5)  # the first one's process got "quit" and ended: a place is free again
    for _ in range(100):
        try:
            again = await client.ws_connect("/ws")
            break
        except aiohttp.WSServerHandshakeError:  # the server is still closing the first session
            await asyncio.sleep(0.05)
    else:
        raise AssertionError("a closed session never freed its place")
    for websocket in [*opened[1:], again]:
        await websocket.close()


async def test_a_huge_terminal_and_keystrokes_from_a_browser_go_nowhere(served: tuple[TestClient, Path]) -> None:
    client, record = served
    websocket = await client.ws_connect("/ws?width=1000000000&height=99999999999999999999")
    assert (await lines_of(record, 1))[0] == {"size": [str(MAX_COLUMNS), str(MAX_ROWS)]}
    await websocket.send_str(json.dumps(["stdin", "\x11"]))  # Ctrl+Q: quit the hall's display
    await websocket.send_str(json.dumps(["resize", {"width": 10**9, "height": "lots"}]))
    packets = await lines_of(record, 2)
    await websocket.close()
    assert packets[1] == {"packet": "M",
                          "body": json.dumps({"type": "resize", "width": MAX_COLUMNS, "height": 24})}


async def test_a_token_is_required_when_set(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    token = "Abc-123_" * 3
    client = TestClient(TestServer(await make_server(child_command(record), token=token)._make_app()))
    await client.start_server()
    where = f"{client.host}:{client.port}"
    try:
        without = await client.get("/")
        refusal = await without.text()
        wrong = await client.get("/?token=" + "x" * 24)
        page = await client.get(f"/?token={token}")
        text = await page.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/ws?width=80&height=24")
        assert refused.value.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await client.ws_connect("/ws/" + "x" * 24 + "?width=80&height=24")
        assert not record.exists()
        websocket = await client.ws_connect(f"/ws/{token}?width=80&height=24")  # what the page asks for
        await lines_of(record, 1)
        await websocket.close()
    finally:
        await all_ended(record)
        await client.close()
    assert without.status == wrong.status == 403 and "令牌" in refusal
    assert page.status == 200
    assert f'data-session-websocket-url="ws://{where}/ws/{token}"' in text


async def test_every_answer_forbids_framing_and_sniffing_and_the_page_runs_only_its_own_scripts(
        served: tuple[TestClient, Path]) -> None:
    client, _ = served
    page = await client.get("/")
    text = await page.text()
    script = await client.get("/static/js/textual.js")
    for answer in (page, script):
        assert answer.status == 200
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    policy = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    inline = re.findall(r"<script([^>]*)>\s*[^<\s]", text)  # every inline script carries the nonce
    assert len(inline) == 2 and all(f'nonce="{nonce.group(1)}"' in attributes for attributes in inline)
    assert f"connect-src 'self' ws://{client.host}:{client.port}" in policy
    # The page's addresses are the one the browser used, not --host (0.0.0.0 reaches no TV).
    assert 'href="/static/css/xterm.css"' in text
    assert (await client.get("/")).headers["Content-Security-Policy"] != policy  # a new nonce each time


async def test_no_folder_is_listed_and_nothing_is_downloaded(served: tuple[TestClient, Path]) -> None:
    client, _ = served
    for path in ("/static/", "/static/js/", "/static/fonts"):
        answer = await client.get(path)
        assert answer.status in (403, 404), path
        assert "textual.js" not in await answer.text() and "Roboto" not in await answer.text()
    assert (await client.get("/download/anything")).status == 404


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def descendants(pid: int) -> Iterator[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(children.get(child, []))


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
async def test_served_beyond_loopback_it_warns_and_its_children_get_the_password_only_in_their_environment(
        tmp_path: Path) -> None:
    url = "postgresql+psycopg://hall:userinfo-pw@127.0.0.1:1/hall?password=query-pw"
    port = free_port()
    env = {**os.environ, "HALLTERM_LOG_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "hallterm", "--db", url, "display", "--serve", "--host", "0.0.0.0",
         "--port", str(port), "--token"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    seen: dict[int, tuple[bytes, bytes]] = {}
    try:
        assert server.stdout is not None and server.stderr is not None
        address = server.stdout.readline()
        warning = server.stderr.readline()
        token = re.search(r"\?token=([A-Za-z0-9_-]{24,})", address)
        assert token is not None, address
        async with aiohttp.ClientSession() as session:
            for _ in range(200):  # the server is starting
                try:
                    page = await session.get(f"http://127.0.0.1:{port}/?token={token.group(1)}")
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert page.status == 200
            websocket = await session.ws_connect(f"http://127.0.0.1:{port}/ws/{token.group(1)}?width=80&height=24")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not any(b"display" in argv for argv, _ in seen.values()):
                for pid in descendants(server.pid):
                    try:
                        seen[pid] = (Path(f"/proc/{pid}/cmdline").read_bytes(),
                                     Path(f"/proc/{pid}/environ").read_bytes())
                    except OSError:  # it ended meanwhile
                        continue
                await asyncio.sleep(0.05)
            await websocket.close()
    finally:
        server.terminate()
        banner_out, banner_err = server.communicate(timeout=20)
    assert "警告" in warning and "0.0.0.0" in warning and "本机以外" in warning
    displays = [(argv, environ) for argv, environ in seen.values() if b"hallterm" in argv and b"display" in argv]
    assert displays, f"no display process seen among {[argv for argv, _ in seen.values()]}"
    for argv in (argv for argv, _ in seen.values()):  # what `ps` shows of each, and what the server printed
        assert b"userinfo-pw" not in argv and b"query-pw" not in argv and b"--db" not in argv
    assert any(f"HALLTERM_DB_URL={url}".encode() in environ.split(b"\0") for _, environ in displays)
    assert "Serving" in banner_out  # textual-serve's banner names the command it runs: no URL in it
    assert all(pw not in address + banner_out + warning + banner_err for pw in ("userinfo-pw", "query-pw"))


def test_the_served_displays_settings_are_checked_and_the_token_is_never_shown(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from hallterm.cli import main
    from hallterm.config import load_settings
    from hallterm.config_checks import ConfigError

    assert load_settings(environ={}).display.serve_max_connections == 4
    with pytest.raises(ConfigError, match=r"display\.serve_max_connections"):
        load_settings(environ={"HALLTERM_DISPLAY_SERVE_MAX_CONNECTIONS": "0"})
    with pytest.raises(ConfigError, match="至少 16 位"):  # it goes in an address: guessable is no guard
        load_settings(environ={"HALLTERM_DISPLAY_SERVE_TOKEN": "1234"})
    token = "Tv-token_" * 3
    monkeypatch.setenv("HALLTERM_DISPLAY_SERVE_TOKEN", token)
    monkeypatch.setenv("HALLTERM_LOG_DIR", str(tmp_path))
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "display.serve_token = '（已设置，不显示）'" in out and token not in out
    assert "display.serve_max_connections = 4" in out
