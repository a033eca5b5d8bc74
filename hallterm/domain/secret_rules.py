"""How long a secret must be (issue 16 points 5 and 10), apart from the code that uses the secrets: the
settings check it at every start, and importing the slip payloads (hashlib, hmac) for one number cost the
desk's start-up about 6 ms (DESIGN.md performance budget)."""

from __future__ import annotations

MIN_SECRET_BYTES = 32  # what ``secrets.token_urlsafe(32)`` gives is 43
