"""Run one portable SQL text on DuckDB or PostgreSQL.

Every query runner writes its SQL once, in DuckDB's dialect, and :func:`render` transpiles it with SQLGlot for the
engine at hand. The test suite runs each runner on both engines and compares the results, which keeps the SQL free of
engine-only constructs (a distributed engine can be added as a third :class:`SqlEngine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, Protocol

import numpy as np
import pyarrow as pa
import sqlglot
from sqlglot import exp

Dialect = Literal["duckdb", "postgres"]


@lru_cache(maxsize=512)
def render(sql: str, dialect: Dialect) -> str:
    """Transpile ``sql`` (written in DuckDB's dialect) for ``dialect``."""
    if dialect == "duckdb":
        return sql
    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=dialect))


def literal(value: str | int | float | bool | datetime | None) -> str:
    """A safely quoted SQL literal (strings are escaped by SQLGlot, datetimes become TIMESTAMP literals)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return f"CAST({exp.Literal.string(value.isoformat(sep=' ')).sql()} AS TIMESTAMP)"
    if isinstance(value, int | float):
        return repr(value)
    return exp.Literal.string(str(value)).sql()


def property_text(name: str, column: str = "properties") -> str:
    """SQL for the text value of a top-level JSON property (NULL when absent)."""
    path = "$." + '"' + name.replace('"', '\\"') + '"'
    return f"(CAST({column} AS JSON) ->> {literal(path)})"


class SqlEngine(Protocol):
    """Something that runs SQL and returns rows or columns."""

    dialect: Dialect

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def columns(self, sql: str) -> dict[str, np.ndarray]: ...


@dataclass
class DuckDBEngine:
    """Runs queries on a DuckDB connection (the embedded event store)."""

    connection: Any
    dialect: Dialect = "duckdb"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            return [tuple(row) for row in cursor.execute(render(sql, self.dialect)).fetchall()]
        finally:
            cursor.close()

    def columns(self, sql: str) -> dict[str, np.ndarray]:
        cursor = self.connection.cursor()  # a fresh cursor: no pending result of the caller can block it
        try:
            # through Arrow: DuckDB hands over its vectors almost as they are, several times faster than NumPy
            table = cursor.sql(render(sql, self.dialect)).to_arrow_table()
        finally:
            cursor.close()
        return {name: _arrow_numpy(table.column(name)) for name in table.column_names}


@dataclass
class PostgresEngine:
    """Runs queries on a psycopg connection (used to prove the SQL is portable)."""

    connection: Any
    dialect: Dialect = "postgres"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(render(sql, self.dialect))
            return [tuple(row) for row in cursor.fetchall()]

    def columns(self, sql: str) -> dict[str, np.ndarray]:
        with self.connection.cursor() as cursor:
            cursor.execute(render(sql, self.dialect))
            names = [column.name for column in cursor.description or []]
            data = cursor.fetchall()
        return {name: _python_to_numpy([row[i] for row in data]) for i, name in enumerate(names)}


def _arrow_numpy(column: pa.ChunkedArray) -> np.ndarray:
    """Timestamps and dates as int64 microseconds, numbers with NULL as 0, text with NULL as ``None``."""
    kind = column.type
    if pa.types.is_date(kind):
        column = column.cast(pa.timestamp("us"))
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.timestamp("us", tz=column.type.tz)).cast(pa.int64())
    elif pa.types.is_decimal(kind):
        column = column.cast(pa.int64() if kind.scale == 0 else pa.float64())
    if column.null_count:
        if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
            column = column.fill_null(0)
        elif pa.types.is_boolean(column.type):
            column = column.fill_null(False)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return np.asarray(column.to_pylist(), dtype=object)
    return np.asarray(column.to_numpy())


def _python_to_numpy(values: Sequence[Any]) -> np.ndarray:
    if values and all(isinstance(value, datetime) for value in values):
        epoch = datetime(1970, 1, 1)
        return np.array([(value - epoch) // _MICROSECOND for value in values], dtype=np.int64)
    if values and all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return np.array(values, dtype=np.int64)
    return np.asarray(list(values), dtype=object)


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1) - datetime(1970, 1, 1)
