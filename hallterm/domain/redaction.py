"""The one place that hides secrets in an address before it is shown, printed or logged (issue 16 point 6).

A database URL carries its password in the user-info part (``user:pw@host``) or, as libpq allows, as a
query parameter (``?password=pw``, ``sslpassword=…``). Every message, ``hallterm config`` and the log
show addresses through ``redact_url``. Stdlib only: the log's start line must not cost the desk the
import of SQLAlchemy.
"""

from __future__ import annotations

import re

HIDDEN = "***"
# Query keys whose value is a secret: password, sslpassword, passwd, pwd, a token or secret of any kind.
_SECRET_KEY = re.compile(r"pass|pwd|secret|token", re.IGNORECASE)


def redact_url(url: str) -> str:
    """``url`` with every password or token replaced by ``***``; the rest exactly as given (not
    re-encoded: ``sqlite:////path`` keeps its four slashes). Never raises, whatever the text."""
    rest, hash_sign, fragment = url.partition("#")
    rest, question, query = rest.partition("?")
    scheme, slashes, after = rest.partition("://")
    # The user-info ends at the last "@": a password typed with "/" or "@" unencoded stays hidden too.
    # An empty authority (sqlite:////path) has none, whatever its path holds.
    if slashes and "@" in after and not after.startswith("/"):
        userinfo, host_and_path = after.rsplit("@", 1)
        if ":" in userinfo:
            rest = f"{scheme}{slashes}{userinfo.split(':', 1)[0]}:{HIDDEN}@{host_and_path}"
    if query:
        query = "&".join(_redact_pair(pair) for pair in query.split("&"))
    return f"{rest}{question}{query}{hash_sign}{fragment}"


def _redact_pair(pair: str) -> str:
    key, sep, value = pair.partition("=")
    return f"{key}={HIDDEN}" if sep and value and _SECRET_KEY.search(key) else pair
