"""Running a use case off the event loop: its result comes back as the message the caller names.

``run_use_case(node, CaseOpened, open_case, svc, draft)`` calls ``open_case(svc, draft)`` in a thread
worker and posts ``CaseOpened(result)`` to ``node``, handled by ``on_case_opened``; whatever it
raises becomes ``Failed(CaseOpened, line)`` with the line ``services.errors.explain`` gives.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode

from hallterm import logfile
from hallterm.tui.desk.messages import Done, Failed
from hallterm.tui.desk.outage import DatabaseDown, Parked


def run_use_case(node: DOMNode, done: type[Done], fn: Callable[..., Any], *args: Any,
                 group: str = "db", resend: bool = False, **kwargs: Any) -> None:
    """Call ``fn(*args, **kwargs)`` in a thread worker; post ``done(result)`` or ``Failed(done, reason)``.

    Any failure that means the database is away tells the app, which probes until it is back
    (hallterm.tui.desk.outage). With ``resend`` the call waits for that and is sent again, once: only
    for a use case that is safe to send twice (its first sending may have committed unanswered).
    """

    def work() -> None:
        started = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # every failure becomes a message on screen
            # Imported in the worker: it imports SQLAlchemy, which the first screen must not wait for.
            # lazy: services load SQLAlchemy (~0.5 s), which the connect worker imports off the event loop
            from hallterm.services.errors import explain, is_outage

            reason = explain(exc)
            outage = is_outage(exc)
            if outage:
                parked = Parked(node, done, fn, args, kwargs) if resend else None
                node.app.post_message(DatabaseDown(reason, parked))
            node.post_message(Failed(done, reason, parked=outage and resend, outage=outage))
        else:
            node.post_message(done(result))
        finally:
            logfile.slow(getattr(fn, "__qualname__", repr(fn)), started)

    node.run_worker(work, thread=True, exit_on_error=False, group=group, name=done.__name__)
