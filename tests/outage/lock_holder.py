"""Hold a SQLite database's write lock, as another terminal stuck in a long transaction would.

Run as ``python lock_holder.py DB READY RELEASE``: opens DB, takes the write lock (``BEGIN IMMEDIATE``),
touches READY, waits until RELEASE exists, then rolls back and exits. Plain sqlite3, no hallterm.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path


def main(db: str, ready: str, release: str) -> int:
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    Path(ready).touch()
    deadline = time.monotonic() + 120  # never outlive a broken test by long
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    conn.execute("ROLLBACK")
    conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
