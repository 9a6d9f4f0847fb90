"""Table definitions of the event store.

The same column names and types exist on DuckDB (the embedded store) and PostgreSQL (used by the test suite to prove
that the query layer is portable), so every query runner reads the same shape on both engines.

* ``events`` keeps ``person_id`` on the row ("persons on events"): it is set at write time from the distinct id, and
  rewritten when two persons merge, so queries never join the mapping table.
* ``event_id`` numbers the event name (table ``event_names``): filters compare small integers instead of strings,
  which is most of the cost of scanning a hundred million events.
* ``properties`` is JSON text (``VARCHAR``/``TEXT``), read with ``->>`` after a cast, portable to both engines.
* ``event_days`` holds each distinct (event number, UTC day, person) once: daily active users of an event become a
  count of rows per day. The store keeps it in step with ``events`` (appends, person merges, compaction).
"""

from __future__ import annotations

EVENT_COLUMNS = ("uuid", "event", "distinct_id", "person_id", "timestamp", "properties", "event_id")
TABLES = ("events", "event_days", "event_names", "persons", "person_distinct_ids", "groups")

_DDL = {
    "events": """
        CREATE TABLE IF NOT EXISTS events (
            uuid VARCHAR,
            event VARCHAR NOT NULL,
            distinct_id VARCHAR NOT NULL,
            person_id BIGINT NOT NULL,
            timestamp TIMESTAMP NOT NULL,
            properties VARCHAR,
            event_id INTEGER NOT NULL
        )""",
    "event_days": """
        CREATE TABLE IF NOT EXISTS event_days (
            event_id INTEGER NOT NULL,
            day DATE NOT NULL,
            person_id BIGINT NOT NULL
        )""",
    "event_names": """
        CREATE TABLE IF NOT EXISTS event_names (
            id INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL UNIQUE
        )""",
    "persons": """
        CREATE TABLE IF NOT EXISTS persons (
            id BIGINT PRIMARY KEY,
            created_at TIMESTAMP NOT NULL,
            properties VARCHAR
        )""",
    "person_distinct_ids": """
        CREATE TABLE IF NOT EXISTS person_distinct_ids (
            distinct_id VARCHAR PRIMARY KEY,
            person_id BIGINT NOT NULL
        )""",
    "groups": """
        CREATE TABLE IF NOT EXISTS groups (
            group_type VARCHAR NOT NULL,
            group_key VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            properties VARCHAR,
            customer_id BIGINT,
            PRIMARY KEY (group_type, group_key)
        )""",
}


def create_statements(dialect: str = "duckdb") -> list[str]:
    """The CREATE TABLE statements for ``dialect`` (``duckdb`` or ``postgres``)."""
    statements = list(_DDL.values())
    if dialect == "postgres":
        return [statement.replace("VARCHAR", "TEXT") for statement in statements]
    return statements
