"""``hallterm bench``: the performance budget of DESIGN.md, measured on a synthetic database.

The bench builds a hall database in a temporary folder through the normal path (settings →
``Services.open`` → Alembic migrations → reference data) and fills it in bulk (``dataset``): 100,000
card holders, made by the demo's generator (``services.synthetic_holders``), and 1,000,000 past cases,
each case with one case item (a tenth of that with ``--quick``). Then it reopens the database, as a
desk starting on it would, and runs the measurements in order (``runner``).

The measurements live by family: ``scan`` (card lookups, opening cases, scan → routed), ``startup``
(desk start against a bare Textual app), ``screens`` (a key → the case form, checklist or print
preview drawn with its data), ``slip_images`` (slip rendering and decoding), ``tickets``
(issuing, also from several processes) and ``display`` (a call until the display shows it).

Adding a figure: in its family's module, write ``def measure_x(ctx: BenchContext) -> dict[str, Any]``
returning the new JSON keys, append it to the module's ``MEASUREMENTS`` and give each key a row in its
``LABELS`` (a new family goes into ``runner.FAMILIES``); a figure with a budget gets it in the module's
``BUDGETS`` (``("<=", 150.0)``), and every run says whether it was kept. A measurement may write to the
database (it is thrown away); it should leave it usable for the ones after it.
"""

from hallterm.bench.dataset import BuildResult, build_database
from hallterm.bench.measuring import FULL, QUICK, BenchContext, BenchPlan, Measurement, percentile
from hallterm.bench.runner import BUDGETS, LABELS, MEASUREMENTS, collect, run_bench, run_plan

__all__ = ["BUDGETS", "FULL", "LABELS", "MEASUREMENTS", "QUICK", "BenchContext", "BenchPlan", "BuildResult",
           "Measurement", "build_database", "collect", "percentile", "run_bench", "run_plan"]
