"""``hallterm display --serve``: the same display in a browser on the hall's TV (textual-serve).

textual-serve starts one display process per browser connection. When that process ends (the
server restarted, the app crashed, the PC rebooted) its page shows "Session ended" and stays
there (research/textual.md, pitfall 23). Our page template (``templates/app_index.html``) watches
for that, asks the server every few seconds whether it is back, and reloads itself when it is:
nobody has to walk to the TV with a keyboard. It also loads no web fonts (the hall's network may
have no internet): the terminal font comes with textual-serve.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_HOST = "127.0.0.1"  # loopback unless told otherwise: textual-serve has no authentication
DEFAULT_PORT = 8000


def display_command(argv_prefix: Sequence[str] = ()) -> str:
    """The shell command textual-serve runs for each browser: this interpreter, ``-m hallterm … display``."""
    return shlex.join([sys.executable, "-m", "hallterm", *argv_prefix, "display"])


def make_server(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, title: str = "叫号显示"):  # type: ignore[no-untyped-def]
    from textual_serve.server import Server

    # An absolute templates path replaces textual-serve's own folder (it joins it onto its package path).
    return Server(command, host=host, port=port, title=title, templates_path=TEMPLATES)


def serve(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    make_server(command, host, port).serve()
