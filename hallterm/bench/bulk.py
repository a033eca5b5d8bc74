"""Writing the synthetic rows fast: executemany of plain tuples, converted the way SQLAlchemy would."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Table, TypeDecorator, func, select

BUILD_CACHE_KIB = 262_144  # page cache of the build connection (256 MiB): about 20% faster than 128 MiB at 1M cases


class BulkWriter:
    """executemany of an INSERT built from the Core table, with rows as tuples in ``columns`` order.

    Values pass through each column's own bind processor (UTC datetimes, dates, booleans), so what is
    stored is exactly what ``conn.execute(insert(table), dicts)`` stores; only the per-row dict
    handling of a compiled Core insert (most of the build time at a million rows) is left out.
    """

    def __init__(self, conn: Connection, table: Table, columns: tuple[str, ...]) -> None:
        self.conn = conn
        cols = [table.c[name] for name in columns]  # KeyError for a column the table does not have
        # Columns the rows leave out get their Python-side default, as a Core insert would give them.
        self.constants: list[Any] = []
        for col in table.c:
            if col.name in columns or col.default is None:
                continue
            if not col.default.is_scalar:
                raise ValueError(f"bench: give {table.name}.{col.name} a value (its default is not a constant)")
            cols.append(col)
            # A scalar default (checked above) has .arg; SQLAlchemy types the default as its base class.
            self.constants.append(col.default.arg)  # type: ignore[attr-defined]
        dialect = conn.dialect
        marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in cols)
        quote = dialect.identifier_preparer.quote
        self.sql = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in cols)}) VALUES ({marks})"
        self.converters: list[tuple[int, Callable[[Any], Any], bool]] = []
        for n, col in enumerate(cols):
            process = col.type.dialect_impl(dialect).bind_processor(dialect)
            if process is None:
                continue
            if python_type(col) is dt.datetime:
                self.converters.append((n, fast_timestamps(process), False))
            else:
                self.converters.append((n, process, True))

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Convert column by column (dates and flags repeat: each distinct value once), then insert."""
        if not rows:
            return
        if self.converters or self.constants:
            columns: list[Any] = list(zip(*rows, strict=True))
            columns += [itertools.repeat(value, len(rows)) for value in self.constants]
            for n, process, repeats in self.converters:
                if repeats:
                    column = columns[n] = list(columns[n])
                    converted = {value: process(value) for value in set(column)}
                    columns[n] = map(converted.__getitem__, column)
                else:
                    columns[n] = map(process, columns[n])
            rows = list(zip(*columns, strict=True))
        self.conn.exec_driver_sql(self.sql, rows)


def python_type(col: Any) -> Any:
    kind = col.type.impl_instance if isinstance(col.type, TypeDecorator) else col.type
    try:
        return kind.python_type
    except NotImplementedError:
        return None


_PROBES = (dt.datetime(2026, 1, 5, 0, 30, tzinfo=dt.UTC), dt.datetime(2019, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC),
           dt.datetime(2024, 2, 29, 8, 30, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))), None)


def fast_timestamps(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A quicker stand-in for a timestamp column's bind processor, used only if it gives the same text.

    SQLAlchemy's SQLite DATETIME processor formats through a dict (~6 µs a value, 20 s of the full
    build); ``isoformat`` gives the same text in a fraction of that. Probed here, so a change of the
    column type or of SQLAlchemy's format falls back to the real processor.
    """
    def fast(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).isoformat(" ", "microseconds")[:26]  # without "+00:00"

    try:
        same = all(fast(v) == process(v) for v in _PROBES)
    except Exception:
        same = False
    return fast if same else process


def next_id(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def tune_build_connection(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")


def chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

