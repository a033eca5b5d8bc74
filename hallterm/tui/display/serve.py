"""``hallterm display --serve``: the same display in a browser on the hall's TV (textual-serve).

textual-serve starts one display process per browser connection. When that process ends (the
server restarted, the app crashed, the PC rebooted) its page shows "Session ended" and stays
there (research/textual.md, pitfall 23). Our page template (``templates/app_index.html``) watches
for that, asks the server every few seconds whether it is back, and reloads itself when it is:
nobody has to walk to the TV with a keyboard. It loads no web fonts from the internet (the hall may
have none): the Latin terminal font comes with textual-serve, and the Chinese is drawn with the
font hallterm ships for its slips, served at ``FONT_ROUTE``, so the TV's own fonts do not matter.

textual-serve 1.1.3 closes the browser's websocket only when the app says goodbye (its "exit"
packet). A display process that dies without one (killed, out of memory, a crash below Python)
left the page connected to nothing, showing a frozen screen forever: `DisplayServer` closes the
websocket when the process ends, whatever the reason, so the page's reload logic takes over.

The served page is a display only, and safely so (issue 16 point 7): a websocket from a page of another
origin is refused (a web page the hall PC's browser opens could otherwise watch the queue), no more than
``max_connections`` browsers at once (each costs a process), the terminal size a browser asks for is
capped, keystrokes and clicks from browsers are dropped, every answer carries security headers (no
framing, a content policy with a nonce for the page's own scripts, nosniff), static folders are never
listed, and an optional token in the address is required for the page and the websocket. The database
URL reaches each display process in its environment, never on its command line (issue 16 point 6).

Stopping: SIGTERM (systemd's stop and restart), SIGINT (Ctrl+C) or SIGHUP stops the server within
seconds, after it has ended every display process (``DisplayServer.serve_until_stopped``), and it
exits 0. A display process ends by itself when its server goes away however it went, and on SIGTERM
even when it is stuck (its driver, ``served_driver.ServedDriver``).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import secrets
import shlex
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from hallterm.printing.fonts import FontMissing, font_path
from hallterm.tui.display.speech import SAY_META  # a call's words; the page speaks them (issue 17 point 3)

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_HOST = "127.0.0.1"  # loopback unless told otherwise: textual-serve has no authentication
DEFAULT_PORT = 8000
FONT_ROUTE = "/hallterm/cjk.otf"  # the page's @font-face points here (templates/app_index.html)
DEFAULT_MAX_CONNECTIONS = 4  # DisplaySettings.serve_max_connections
# A 4K TV at a 12 px font is about 320 × 90 cells: anything past this is not a screen but a way to make the
# display process allocate gigabytes (a browser picks the size it asks for).
MAX_COLUMNS = 512
MAX_ROWS = 256
TOKEN_PARAM = "token"
SAY_MAX_CHARS = 200  # a call's words are ~20 characters: anything longer is not a call
CSP_NONCE = web.RequestKey("csp_nonce", str)  # the page's nonce, for its Content-Security-Policy
# The display processes' driver: textual's WebDriver, plus it ends with its server (served_driver.py).
DRIVER = "hallterm.tui.display.served_driver:ServedDriver"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)  # systemd's stop, Ctrl+C, a closed terminal
STOP_GRACE = 5.0  # seconds a display process gets to end after SIGTERM before it is killed
SHUTDOWN_GRACE = 2.0  # seconds the browsers' connections get to close once their displays have ended

log = logging.getLogger(__name__)
_closing: set[asyncio.Future[Any]] = set()


def display_command(argv_prefix: Sequence[str] = ()) -> str:
    """The shell command textual-serve runs for each browser: this interpreter, ``-m hallterm … display``."""
    return shlex.join([sys.executable, "-m", "hallterm", *argv_prefix, "display"])


def is_loopback(host: str) -> bool:
    """``host`` (as given to --host) is reachable from this PC only."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name: it may resolve to any interface
        return False


def exposure_warning(host: str, token: bool) -> str | None:
    """What to say, loudly, when the display listens beyond this PC (issue 16 point 7); None on loopback."""
    if is_loopback(host):
        return None
    guard = ("已要求网址带令牌：只把完整网址告诉大厅电视" if token else
             "未设置令牌：同一网络中任何人都能打开；建议加 --token 或设置 display.serve_token")
    return (f"！！！警告：叫号显示网页在 {host} 上监听，本机以外的电脑也能访问（网页显示候叫号码）。"
            f"{guard}，并用防火墙只允许大厅电视访问。只在本机使用请去掉 --host。！！！")


def clamp_size(width: Any, height: Any) -> tuple[int, int]:
    """The terminal size a browser asked for, within what a TV can show (1…MAX_COLUMNS × 1…MAX_ROWS)."""
    def bounded(value: Any, default: int, most: int) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            number = default
        return max(1, min(number, most))

    return bounded(width, 80, MAX_COLUMNS), bounded(height, 24, MAX_ROWS)


class _DisplayProcess(AppService):
    """One browser's display process: its size capped, its settings in its environment, no input."""

    def __init__(self, command: str, *, env: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self._extra_env = dict(env)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(*clamp_size(width, height))
        environment["TEXTUAL_DRIVER"] = DRIVER
        environment.update(self._extra_env)  # the database URL: never on a command line `ps` shows (point 6)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # textual-serve runs the command through /bin/sh, which stays as the display's parent (dash does not
        # exec it): a SIGTERM to "the display" reached the shell, and the display's parent was not the
        # server. Run the command itself: the process the server signals and reaps is the display.
        self._process = process = await asyncio.create_subprocess_exec(
            *shlex.split(self.command), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width=width, height=height))
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def start(self, width: int, height: int) -> None:
        await super().start(*clamp_size(width, height))

    async def terminate(self) -> None:
        """End the display process: SIGTERM, then SIGKILL if it is still there after ``STOP_GRACE``."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=STOP_GRACE)
        except ProcessLookupError:  # it ended meanwhile
            return
        except TimeoutError:
            log.warning("叫号显示进程 %d 未在 %.0f 秒内结束，已强制结束", process.pid, STOP_GRACE)
            process.kill()
            await process.wait()

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*clamp_size(width, height))

    async def send_bytes(self, data: bytes) -> bool:
        return True  # keys and clicks from a browser: the served display is a display only (point 7)

    async def on_meta(self, data: bytes) -> None:
        # A call to speak: the TV's browser says it (Web Speech API, templates/app_index.html), not this PC.
        # textual-serve 1.1.3 only logs meta types it does not know.
        try:
            meta = json.loads(data)
        except ValueError:
            meta = None
        if isinstance(meta, dict) and meta.get("type") == SAY_META:
            text = meta.get("text")
            if isinstance(text, str) and text:
                await self.remote_write_str(json.dumps([SAY_META, {"text": text[:SAY_MAX_CHARS]}]))
            return
        await super().on_meta(data)

    async def stop(self) -> None:
        await super().stop()
        # textual-serve stops reading at the process's end of output but never reaps it: wait for it (a
        # display that ignores "quit" is killed), so no zombie or open transport outlives its browser.
        process = self._process
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()


def _server_class() -> type:
    class DisplayServer(Server):
        """textual-serve's server, plus: a display process that ends ends its browser session; and the
        guards of issue 16 point 7 (see the module's docstring)."""

        def __init__(self, command: str, *, env: Mapping[str, str], max_connections: int, token: str,
                     **kwargs: Any) -> None:
            super().__init__(command, **kwargs)
            self.env = dict(env)
            self.max_connections = max_connections
            self.token = token
            self.sessions = 0
            self.displays: set[_DisplayProcess] = set()  # the processes of the browsers connected now

        async def _process_messages(self, websocket: Any, app_service: Any) -> None:
            task = getattr(app_service, "_task", None)  # textual-serve 1.1.3: the task reading the process
            if isinstance(task, asyncio.Task):

                def process_ended(_: asyncio.Task[None]) -> None:
                    if not websocket.closed:  # a graceful exit has closed it already
                        log.warning("叫号显示进程意外结束，已断开浏览器连接（页面会自动重连）")
                        closing = asyncio.ensure_future(websocket.close())
                        _closing.add(closing)  # the loop keeps only a weak reference to a task
                        closing.add_done_callback(_closing.discard)

                task.add_done_callback(process_ended)
            else:  # pragma: no cover - a textual-serve other than the pinned one
                log.warning("textual-serve 内部接口已变化：显示进程意外结束时页面不会自动重连")
            await super()._process_messages(websocket, app_service)

        async def _make_app(self) -> Any:
            # textual-serve's routes, less its directory listing of /static and its /download (a display
            # hands out no files), plus our font; every answer gets the security headers.
            app = web.Application()
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
            app.add_routes([
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket_token"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
                web.get(FONT_ROUTE, _cjk_font, name="cjk_font"),
            ])
            app.on_response_prepare.append(_security_headers)
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        def _refuse(self, request: web.Request) -> None:
            # DNS rebinding: a site whose name is made to point at 127.0.0.1 would be same-origin with
            # itself. Served on loopback, only a loopback name may be asked for.
            try:
                asked = urlsplit(f"//{request.host}").hostname or ""
            except ValueError:
                asked = ""
            if is_loopback(self.host) and not is_loopback(asked):
                log.warning("拒绝了以其他主机名（%s）访问本机叫号显示的请求", request.host)
                raise web.HTTPForbidden(text="此叫号显示网页只在本机提供：请用 http://127.0.0.1 打开")
            if not self.token:
                return
            given = request.match_info.get("token") or request.query.get(TOKEN_PARAM, "")
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                log.warning("拒绝了没有正确令牌的访问（来自 %s）", request.remote)
                raise web.HTTPForbidden(text="此叫号显示网页需要令牌：请使用启动时显示的完整网址（含 ?token=…）")

        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request: web.Request) -> dict[str, Any]:
            self._refuse(request)
            request[CSP_NONCE] = nonce = secrets.token_urlsafe(16)
            # The page's addresses are the one the browser used (textual-serve builds them from --host,
            # which is 0.0.0.0 when serving the hall's network: no TV reaches that).
            websocket_path = f"/ws/{self.token}" if self.token else "/ws"
            return {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "app_websocket_url": f"{'wss' if request.secure else 'ws'}://{request.host}{websocket_path}",
                "config": {"static": {"url": "/static/"}},
                "application": {"name": self.title},
                "nonce": nonce,
            }

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            self._refuse(request)
            origin = request.headers.get("Origin")
            # A page of another site open in a browser of the hall's network could connect here and read
            # the queue (cross-site websocket hijacking): browsers always send Origin, so check it.
            if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
                log.warning("拒绝了来自其他网站（%s）的叫号显示连接", origin)
                raise web.HTTPForbidden(text="不接受其他网站发起的连接")
            if self.sessions >= self.max_connections:
                log.warning("叫号显示网页已有 %d 个浏览器连接，拒绝了新的连接", self.sessions)
                raise web.HTTPServiceUnavailable(
                    text=f"叫号显示网页同时最多 {self.max_connections} 个浏览器（display.serve_max_connections）")
            self.sessions += 1
            try:
                return await self._run_session(request)
            finally:
                self.sessions -= 1

        async def _run_session(self, request: web.Request) -> web.WebSocketResponse:
            # textual-serve 1.1.3's handle_websocket, with our _DisplayProcess in place of its AppService.
            websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
            width, height = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
            app_service: _DisplayProcess | None = None
            try:
                await websocket.prepare(request)
                app_service = _DisplayProcess(
                    self.command, env=self.env, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                    close=websocket.close, download_manager=self.download_manager, debug=self.debug)
                self.displays.add(app_service)
                await app_service.start(width, height)
                await self._process_messages(websocket, app_service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:
                log.exception(error)
            finally:
                if app_service is not None:
                    await app_service.stop()
                    self.displays.discard(app_service)
            return websocket

        def serve_until_stopped(self) -> signal.Signals:
            """Serve until SIGTERM, SIGINT or SIGHUP; end every display process; return the signal.

            textual-serve's ``serve`` (aiohttp's run_app) took some 20 s to stop on SIGTERM and never ended
            the display processes itself: they outlived a killed server. Here the displays end first
            (their browsers' pages then see the session end, and reload once a server is back), then the
            connections, each step bounded."""
            self.initialize_logging()
            return asyncio.run(self._serve())

        async def _serve(self) -> signal.Signals:
            loop = asyncio.get_running_loop()
            stopped: asyncio.Future[signal.Signals] = loop.create_future()

            def stop(number: signal.Signals) -> None:
                if not stopped.done():
                    stopped.set_result(number)

            for number in STOP_SIGNALS:
                loop.add_signal_handler(number, stop, number)
            runner = web.AppRunner(await self._make_app(), handle_signals=False, shutdown_timeout=SHUTDOWN_GRACE)
            await runner.setup()
            try:
                site = web.TCPSite(runner, self.host, self.port)
                await site.start()
                received = await stopped
                await site.stop()  # no new browser (and display process) while the displays end
                await self.end_displays()
            finally:
                await runner.cleanup()
            return received

        async def end_displays(self) -> None:
            """End every display process at once (each within STOP_GRACE)."""
            await asyncio.gather(*(display.terminate() for display in list(self.displays)))

    return DisplayServer


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer: no framing (clickjacking), no type sniffing, no referrer, and a content policy that
    lets the page run only its own scripts (ours carry the nonce) and connect only to this server."""
    nonce = request.get(CSP_NONCE)
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    websocket = f"{'wss' if request.secure else 'ws'}://{request.host}"
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self' {websocket}; object-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"


async def _cjk_font(request: Any) -> Any:
    """The font the slips print with, for the page's Chinese: the TV needs no Chinese font of its own."""
    try:
        path = font_path()
    except FontMissing as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    # 9 MB, fetched once: the browser keeps it for a week (it changes only with a new release).
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=604800"})


def make_server(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, title: str = "叫号显示", *,
                env: Mapping[str, str] | None = None, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                token: str = "") -> Any:
    # An absolute templates path replaces textual-serve's own folder (it joins it onto its package path).
    return _server_class()(command, host=host, port=port, title=title, templates_path=TEMPLATES,
                           env=env or {}, max_connections=max_connections, token=token)


def serve(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, env: Mapping[str, str] | None = None,
          max_connections: int = DEFAULT_MAX_CONNECTIONS, token: str = "") -> signal.Signals:
    """Serve until a stop signal (its display processes ended with it); the signal that stopped it."""
    server = make_server(command, host, port, env=env, max_connections=max_connections, token=token)
    stopped: signal.Signals = server.serve_until_stopped()
    return stopped
