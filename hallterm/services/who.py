"""Who did an administrative act (issue 15 point 6).

Every administrative act is an event with who and when. At a signed-in screen "who" is the staff ID
(the event's ``staff_id``); at the command line nobody signs in, so it is the operating-system user who
ran the command, written into the event's details as ``by`` (and ``host``: with several PCs on one
PostgreSQL, the same login name may exist on each).
"""

from __future__ import annotations

import getpass
import os
import socket
from typing import Any


def os_user() -> str:
    """Who ran an administrative act: the login name, as the system knows it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME (a bare container)
        return f"uid {os.getuid()}"


def host_name() -> str:
    try:
        return socket.gethostname()
    except OSError:  # pragma: no cover - gethostname does not fail on Linux
        return ""


def actor(staff_id: str | None) -> dict[str, Any]:
    """The "who" of an act, as ``events.append`` keywords: the signed-in staff member, else the OS user."""
    if staff_id:
        return {"staff_id": staff_id}
    return {"by": os_user(), "host": host_name()}
