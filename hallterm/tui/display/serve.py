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
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.server import Server

from hallterm.printing.fonts import FontMissing, font_path

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_HOST = "127.0.0.1"  # loopback unless told otherwise: textual-serve has no authentication
DEFAULT_PORT = 8000
FONT_ROUTE = "/hallterm/cjk.otf"  # the page's @font-face points here (templates/app_index.html)

log = logging.getLogger(__name__)
_closing: set[asyncio.Future[Any]] = set()


def display_command(argv_prefix: Sequence[str] = ()) -> str:
    """The shell command textual-serve runs for each browser: this interpreter, ``-m hallterm … display``."""
    return shlex.join([sys.executable, "-m", "hallterm", *argv_prefix, "display"])


def _server_class() -> type:
    class DisplayServer(Server):
        """textual-serve's server, plus: a display process that ends ends its browser session."""

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
            app = await super()._make_app()
            app.router.add_get(FONT_ROUTE, _cjk_font, name="cjk_font")
            return app

    return DisplayServer


async def _cjk_font(request: Any) -> Any:
    """The font the slips print with, for the page's Chinese: the TV needs no Chinese font of its own."""
    try:
        path = font_path()
    except FontMissing as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    # 9 MB, fetched once: the browser keeps it for a week (it changes only with a new release).
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=604800"})


def make_server(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, title: str = "叫号显示"):
    # An absolute templates path replaces textual-serve's own folder (it joins it onto its package path).
    return _server_class()(command, host=host, port=port, title=title, templates_path=TEMPLATES)


def serve(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    make_server(command, host, port).serve()
