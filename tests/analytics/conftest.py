"""Fixtures for analytics tests: build an event store from compact event lists and run queries on DuckDB and,
through a mirrored copy of the same tables, on PostgreSQL (skipped when PostgreSQL is absent, unless ``CI=true``)."""

from __future__ import annotations

import os
import uuid as uuid_module
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest

from northstar.analytics.queries.engine import DuckDBEngine, PostgresEngine, SqlEngine
from northstar.analytics.store import EventRecord, EventStore
from northstar.analytics.store.schema import TABLES, create_statements

PG_DSN = os.environ.get("NORTHSTAR_ANALYTICS_TEST_PG", "host=127.0.0.1 port=5432 dbname=test user=postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"

EventRow = tuple[str, str, datetime] | tuple[str, str, datetime, dict[str, Any]]


def build_store(rows: Sequence[EventRow]) -> EventStore:
    """A fresh in-memory store holding ``(distinct_id, event, timestamp[, properties])`` rows."""
    store = EventStore()
    records = [
        EventRecord(
            event=row[1],
            distinct_id=row[0],
            timestamp=row[2],
            properties=dict(row[3]) if len(row) > 3 else {},  # type: ignore[misc]
        )
        for row in rows
    ]
    store.append(records)
    return store


def _postgres_connection() -> Any:
    try:
        import psycopg

        return psycopg.connect(PG_DSN, autocommit=True, connect_timeout=3)
    except Exception as error:
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL not reachable ({error})")


def mirror_to_postgres(store: EventStore, connection: Any, schema: str) -> None:
    """Copy every store table into ``schema`` on PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'SET search_path TO "{schema}"')
        for statement in create_statements("postgres"):
            cursor.execute(statement)
        for table in TABLES:
            rows = store.connection.execute(f"SELECT * FROM {table}").fetchall()
            if rows:
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgresql)])
def engine_for(request: pytest.FixtureRequest) -> Iterator[Callable[[EventStore], SqlEngine]]:
    """A factory turning a store into an engine: DuckDB directly, or a PostgreSQL copy of its tables."""
    cleanups: list[Callable[[], None]] = []

    def make(store: EventStore) -> SqlEngine:
        if request.param == "duckdb":
            return DuckDBEngine(store.connection)
        connection = _postgres_connection()
        schema = "analytics_" + uuid_module.uuid4().hex[:12]
        mirror_to_postgres(store, connection, schema)

        def drop() -> None:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
            connection.close()

        cleanups.append(drop)
        return PostgresEngine(connection)

    yield make
    for cleanup in cleanups:
        cleanup()
