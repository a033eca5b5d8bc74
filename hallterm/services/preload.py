"""What the first checklist, print preview and printed ticket of a terminal would otherwise load while
the clerk waits: the services they call, Pillow, fontTools, qrcode and python-escpos, the print font's
character map.

``warm_up`` runs in a thread worker once the desk's home screen is drawn (``tui/desk/ahead.py``). At the
first F10 of the day, importing these and reading the font took about 150 ms of the preview's 0.4–0.6 s
(issue 11, point 12: every screen opens in 150 ms); the first queue ticket printed at the calling screen
spent 0.4 s on them (0.05 s later on), most of it python-escpos reading its printers' YAML.
"""

from __future__ import annotations

from escpos import printer as escpos_printer  # noqa: F401  (it parses its printers' YAML on import: ~0.3 s)

from hallterm.printing import fonts, qr  # noqa: F401  (imported to be loaded: qr brings qrcode)
from hallterm.services import checklist, checklist_sheet, print_jobs, printables  # noqa: F401  (the same)


def warm_up() -> None:
    """Load, once per process, what the desk's screens need on their first open."""
    fonts.missing_glyphs("")  # reads the font's character map (fontTools), cached for the process
