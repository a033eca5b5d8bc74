"""``hallterm display --serve`` stops as a service must, and leaves no display process behind.

systemd stops and restarts the service with SIGTERM; the hall's PC may kill it harder. Real
processes throughout: the real server started as the hall starts it, a real websocket so that it
starts a real display process (the queue display, on a real migrated SQLite file), and the
processes looked for in /proc afterwards. The display processes are also started on their own, as
the server starts them, to put them in the states where they used to outlive everything: their
server gone, their output unread, their parent dead with their input still open."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import aiohttp
import pytest

from hallterm.config import sqlite_url
from hallterm.services.context import Services
from hallterm.tui.display.serve import DRIVER

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, uses prctl (Linux)")

DEADLINE = 60.0  # generous: the machine may be busy; nothing here measures time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def started(pid: int) -> str | None:
    """The process's start time (to tell it from a later one with its pid); None once it has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]  # a zombie has ended, only its parent has not looked


def descendants(pid: int) -> Iterator[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(children.get(child, []))


def wait_until_ended(processes: dict[int, str]) -> dict[int, str]:
    """Poll until none of ``processes`` (pid: start time) runs, or DEADLINE; those still running."""
    deadline = time.monotonic() + DEADLINE
    while True:
        running = {pid: start for pid, start in processes.items() if started(pid) == start}
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.1)


def kill_all(processes: dict[int, str]) -> None:
    for pid, start in processes.items():
        if started(pid) == start:
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def db_url(services: Services, db_file: Path) -> str:
    return sqlite_url(db_file)  # migrated by the fixture: the display shows an empty queue


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "HALLTERM_LOG_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1", **extra}


@asynccontextmanager
async def serving_one_browser(url: str, tmp_path: Path) -> AsyncIterator[tuple[subprocess.Popen[str], dict[int, str]]]:
    """The server, as systemd starts it, with a browser connected throughout (as the hall's TV stays);
    the server and its display processes (pid: start time)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "hallterm", "--db", url, "display", "--serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment(tmp_path), text=True,
        start_new_session=True)  # a process group of its own, as a service has (and this test's is spared)
    displays: dict[int, str] = {}
    try:
        async with aiohttp.ClientSession() as session:
            deadline = time.monotonic() + DEADLINE
            while True:  # the server is starting
                try:
                    await session.get(f"http://127.0.0.1:{port}/")
                    break
                except aiohttp.ClientConnectionError:
                    assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                    await asyncio.sleep(0.1)
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as websocket:
                # The display has drawn something: it is up, as a TV's would be.
                message = await asyncio.wait_for(websocket.receive(), timeout=DEADLINE)
                assert message.type == aiohttp.WSMsgType.BINARY, message
                for pid in descendants(server.pid):
                    start = started(pid)
                    if start is not None and b"display" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        displays[pid] = start
                assert displays, "the server started no display process for the browser"
                yield server, displays
    finally:
        server.kill()
        server.communicate()
        kill_all(displays)


@pytest.mark.parametrize(("stop", "group"), [
    (signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGHUP, False),
    (signal.SIGTERM, True),  # systemd's stop: every process of the service at once (KillMode=control-group)
    (signal.SIGINT, True),  # Ctrl+C in the server's terminal: its whole foreground process group
])
async def test_a_stop_signal_stops_the_server_and_every_display_process(
        stop: signal.Signals, group: bool, db_url: str, tmp_path: Path) -> None:
    async with serving_one_browser(db_url, tmp_path) as (server, displays):
        if group:
            os.killpg(server.pid, stop)
        else:  # the server alone: it must end its displays itself
            server.send_signal(stop)
        _, said = await asyncio.to_thread(server.communicate, timeout=DEADLINE)
        left = await asyncio.to_thread(wait_until_ended, displays)
    assert server.returncode == 0, said  # a stop asked for, not a failure (systemd's Restart=on-failure)
    assert f"叫号显示网页已停止（收到 {stop.name}）" in said
    assert not left, f"display processes left running after {stop.name}: {left}"


async def test_display_processes_end_by_themselves_when_the_server_is_killed(db_url: str, tmp_path: Path) -> None:
    async with serving_one_browser(db_url, tmp_path) as (server, displays):
        server.kill()  # kill -9: the server ends nothing of its own
        await asyncio.to_thread(server.communicate, timeout=DEADLINE)
        left = await asyncio.to_thread(wait_until_ended, displays)
    assert not left, f"display processes outlived their killed server: {left}"


def start_display(url: str, tmp_path: Path, **streams: IO[bytes] | int) -> subprocess.Popen[bytes]:
    """A display process as the server starts one (its driver, its environment), its output read here."""
    kwargs: dict[str, IO[bytes] | int] = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, **streams}
    display = subprocess.Popen(
        [sys.executable, "-m", "hallterm", "display"], stderr=subprocess.DEVNULL,
        env=environment(tmp_path, TEXTUAL_DRIVER=DRIVER, COLUMNS="80", ROWS="24", HALLTERM_DB_URL=url), **kwargs)
    if display.stdout is not None:
        assert display.stdout.readline() == b"__GANGLION__\n"  # it is up
    return display


def reap(process: subprocess.Popen[bytes]) -> None:
    """Whatever happened in the test: the process is gone and its pipes closed."""
    process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


WRITE = {"x86_64": "1", "aarch64": "64"}.get(platform.machine())  # the write system call's number


def blocked_writing_stdout(pid: int) -> bool:
    """The process's main thread sleeps in a write to its stdout (fd 1): its pipe is full."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        call = Path(f"/proc/{pid}/task/{pid}/syscall").read_text().split()
        where = Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False
    return state == "S" and ("pipe_write" in where or call[:2] == [WRITE, "0x1"])


def meta(display: subprocess.Popen[bytes], packet: dict[str, object]) -> None:
    """A meta packet, as textual-serve writes them to a display's stdin."""
    assert display.stdin is not None
    body = json.dumps(packet).encode()
    display.stdin.write(b"M" + len(body).to_bytes(4, "big") + body)
    display.stdin.flush()


def test_a_display_ends_when_its_input_ends(db_url: str, tmp_path: Path) -> None:
    # What a display sees of its server going away, whatever took it: the end of its stdin.
    display = start_display(db_url, tmp_path)
    try:
        assert display.stdin is not None
        display.stdin.close()
        display.wait(timeout=DEADLINE)
    finally:
        reap(display)
    assert display.returncode is not None


def test_a_display_whose_output_nobody_reads_still_ends_on_sigterm(db_url: str, tmp_path: Path) -> None:
    # A server that stopped reading (a TV on a dead network holds up its websocket, and so the reading):
    # the display blocks in a write from its event loop, where textual's own SIGTERM handler never runs.
    display = start_display(db_url, tmp_path)
    try:
        assert display.stdout is not None
        fcntl.fcntl(display.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)  # fills with a few screens
        for width in range(100, 130):  # each size is a full new screen to draw
            meta(display, {"type": "resize", "width": width, "height": 40})
            time.sleep(0.05)
        deadline = time.monotonic() + DEADLINE
        while not blocked_writing_stdout(display.pid):
            assert time.monotonic() < deadline and display.poll() is None, "the display never filled its pipe"
            time.sleep(0.1)
        display.send_signal(signal.SIGTERM)
        display.wait(timeout=DEADLINE)
    finally:
        reap(display)
    assert display.returncode == 0  # ended by its watchdog, not by a SIGKILL


def test_a_display_ends_with_its_parent_even_if_its_input_stays_open(db_url: str, tmp_path: Path) -> None:
    # The kernel's guard (PR_SET_PDEATHSIG), alone: a parent killed with -9 whose pipe to the display is held
    # open by another process (here, this test), and output to a file, which never breaks.
    output = tmp_path / "display.out"
    parent_code = (
        "import subprocess, sys, time\n"
        f"display = subprocess.Popen([sys.executable, '-m', 'hallterm', 'display'], stdin=0,"
        f" stdout=open({str(output)!r}, 'wb'), stderr=subprocess.DEVNULL)\n"
        "print(display.pid, flush=True)\n"
        "time.sleep(3600)\n")
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=environment(tmp_path, TEXTUAL_DRIVER=DRIVER, COLUMNS="80", ROWS="24", HALLTERM_DB_URL=db_url))
    displays: dict[int, str] = {}
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        start = started(pid)
        assert start is not None
        displays[pid] = start
        deadline = time.monotonic() + DEADLINE
        while not (output.exists() and output.read_bytes().startswith(b"__GANGLION__\n")):  # it is up
            assert time.monotonic() < deadline, "the display did not start"
            time.sleep(0.1)
        parent.kill()
        parent.wait(timeout=DEADLINE)
        left = wait_until_ended(displays)
    finally:
        parent.kill()
        kill_all(displays)
        parent.communicate()
    assert not left, "the display outlived its parent"
