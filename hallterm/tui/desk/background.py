"""Running a use case off the event loop and turning every failure into a Chinese message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode

from hallterm.tui.desk.messages import Done, Failed


def explain(exc: BaseException) -> str:
    """The message staff see; expected refusals carry their own Chinese text."""
    # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
    from hallterm.domain.auth import AuthError
    from hallterm.domain.cards import ScanError
    from hallterm.domain.cases import CaseInputError
    from hallterm.storage.engine import DatabaseUnavailable

    if isinstance(exc, AuthError | ScanError | CaseInputError):
        return str(exc)
    if isinstance(exc, DatabaseUnavailable):
        return f"{exc}。请稍后重试"
    return f"操作失败（{type(exc).__name__}：{exc}）。已输入的内容保留，请重试或联系管理员"


def run_use_case(node: DOMNode, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Call ``fn(*args, **kwargs)`` in a thread worker; post Done(what, result) or Failed(what, reason)."""

    def work() -> None:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # every failure becomes a message on screen
            node.post_message(Failed(what, explain(exc)))
        else:
            node.post_message(Done(what, result))

    node.run_worker(work, thread=True, exit_on_error=False, group="db", name=what)
