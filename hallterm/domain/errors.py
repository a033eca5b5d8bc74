"""The one base of every refusal a clerk can meet.

A use case that cannot do what was asked raises a subclass of ``Refused`` whose ``str()`` is the
Chinese line the clerk reads (what is wrong and what to do). Screens and the CLI show that line as
it is; everything else (a locked database, a printer that is off, a bug) is explained by
``hallterm.services.errors.explain``.
"""

from __future__ import annotations


class Refused(Exception):
    """A refusal; ``str()`` is the Chinese message for the clerk."""
