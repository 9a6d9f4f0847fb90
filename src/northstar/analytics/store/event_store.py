"""The embedded DuckDB event store: append events atomically, resolve persons, merge distinct ids, keep properties.

Writes go through :meth:`EventStore.append_table` (an Arrow table of normalised events), inside one transaction, so a
failed batch leaves nothing half-written. Person bookkeeping follows PostHog's model:

* every distinct id maps to one person; an unseen distinct id creates a person whose ``created_at`` is its first event;
* ``$identify`` (with ``$anon_distinct_id``), ``$create_alias`` (with ``alias``) and Segment ``alias`` merge two
  persons: the person of the event's ``distinct_id`` survives, the other one's distinct ids and events move to it;
* ``$set`` overwrites person properties, ``$set_once`` only fills keys that are absent, applied in timestamp order;
* ``$groupidentify`` upserts a group (``$group_type``, ``$group_key``, ``$group_set``), which can be linked to a
  Northstar customer through ``customer_id``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from northstar.analytics.store.records import EventRecord
from northstar.analytics.store.schema import create_statements

MERGE_EVENTS = ("$identify", "$create_alias", "$merge_dangerously")
ALL_EVENT_DAYS = (
    "INSERT INTO {target} SELECT DISTINCT event_id, CAST(timestamp AS DATE) AS day, person_id FROM events "
    "ORDER BY event_id, day, person_id"
)
DEDUPE_WINDOW = timedelta(days=2)

INCOMING_SCHEMA = pa.schema(
    [
        ("uuid", pa.string()),
        ("event", pa.string()),
        ("distinct_id", pa.string()),
        ("timestamp", pa.timestamp("us")),
        ("properties", pa.string()),
        ("set_json", pa.string()),
        ("set_once_json", pa.string()),
    ]
)


@dataclass(frozen=True)
class AppendResult:
    """What one append did: rows written, rows skipped as duplicates (same uuid), persons created and merged."""

    inserted: int
    duplicates: int
    persons_created: int
    persons_merged: int


def records_to_table(records: Sequence[EventRecord]) -> pa.Table:
    """Turn normalised records into the Arrow table :meth:`EventStore.append_table` takes."""

    def dumps(values: dict[str, Any]) -> str | None:
        return json.dumps(values, separators=(",", ":"), default=str) if values else None

    columns = {
        "uuid": [record.uuid for record in records],
        "event": [record.event for record in records],
        "distinct_id": [record.distinct_id for record in records],
        "timestamp": [record.timestamp for record in records],
        "properties": [record.properties_json() for record in records],
        "set_json": [dumps(record.set_properties) for record in records],
        "set_once_json": [dumps(record.set_once_properties) for record in records],
    }
    return pa.table(columns, schema=INCOMING_SCHEMA)


class EventStore:
    """Events, persons and groups in one DuckDB database (a file, or ``:memory:``)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self.connection = _connect(self.path)
        had_event_days = _has_table(self.connection, "event_days")
        for statement in create_statements("duckdb"):
            self.connection.execute(statement)
        if not had_event_days:  # a store written before the pre-aggregate existed
            self.connection.execute(ALL_EVENT_DAYS.format(target="event_days"))

    def close(self) -> None:
        """Close the database (a checkpoint makes the file self-contained).

        A query still running on another thread (a background job at shutdown) holds the connection for a moment:
        wait for it rather than fail."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.connection.close()
                return
            except duckdb.Error as error:
                if "busy" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def append(self, records: Sequence[EventRecord]) -> AppendResult:
        """Store ``records`` atomically (see :meth:`append_table`)."""
        return self.append_table(records_to_table(records))

    def append_table(self, table: pa.Table) -> AppendResult:
        """Store an Arrow table shaped like ``INCOMING_SCHEMA`` in one transaction; skip uuids already stored."""
        table = table.select(INCOMING_SCHEMA.names).cast(INCOMING_SCHEMA)
        con = self.connection
        con.execute("BEGIN TRANSACTION")
        try:
            result = self._append_in_transaction(table)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.execute("DROP TABLE IF EXISTS temp.batch")
        return result

    def _append_in_transaction(self, table: pa.Table) -> AppendResult:
        con = self.connection
        con.register("incoming", table)
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE batch AS SELECT *, row_number() OVER () AS seq FROM incoming"
            )
        finally:
            con.unregister("incoming")
        received = table.num_rows
        self._drop_duplicate_uuids()
        kept = _scalar(con, "SELECT count(*) FROM batch")
        created = self._create_persons_for_new_distinct_ids()
        merged = self._apply_merges()
        self._register_event_names()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE resolved AS "
            "SELECT b.uuid, b.event, b.distinct_id, m.person_id, b.timestamp, b.properties, n.id AS event_id "
            "FROM batch b JOIN person_distinct_ids m ON m.distinct_id = b.distinct_id "
            "JOIN event_names n ON n.name = b.event ORDER BY b.seq"
        )
        con.execute("INSERT INTO events SELECT * FROM temp.resolved")
        self._add_event_days()
        con.execute("DROP TABLE temp.resolved")
        self._apply_person_properties()
        self._apply_group_identifies()
        return AppendResult(
            inserted=kept, duplicates=received - kept, persons_created=created, persons_merged=merged
        )

    def _add_event_days(self) -> None:
        """Record the (event, day, person) triples of the new events that ``event_days`` does not hold yet.

        ``event_days`` is a pre-aggregate for daily active users: a daily count of distinct persons becomes a
        count of rows. Only the rows of the batch's events and days are compared (zone maps skip the rest)."""
        con = self.connection
        bounds = con.execute(
            "SELECT min(CAST(timestamp AS DATE)), max(CAST(timestamp AS DATE)) FROM temp.resolved"
        ).fetchone()
        if bounds is None or bounds[0] is None:
            return
        con.execute(
            "INSERT INTO event_days SELECT event_id, CAST(timestamp AS DATE), person_id FROM temp.resolved "
            "EXCEPT SELECT event_id, day, person_id FROM event_days WHERE day BETWEEN ? AND ? "
            "AND event_id IN (SELECT DISTINCT event_id FROM temp.resolved)",
            [bounds[0], bounds[1]],
        )

    def _drop_duplicate_uuids(self) -> None:
        """Keep the first row per uuid in the batch and drop uuids already stored near the same time."""
        con = self.connection
        con.execute(
            "DELETE FROM batch WHERE uuid IS NOT NULL AND seq NOT IN "
            "(SELECT min(seq) FROM batch WHERE uuid IS NOT NULL GROUP BY uuid)"
        )
        bounds = con.execute(
            "SELECT min(timestamp), max(timestamp) FROM batch WHERE uuid IS NOT NULL"
        ).fetchone()
        if bounds is None or bounds[0] is None:
            return
        low, high = bounds[0] - DEDUPE_WINDOW, bounds[1] + DEDUPE_WINDOW
        con.execute(
            "DELETE FROM batch WHERE uuid IN (SELECT e.uuid FROM events e WHERE e.timestamp BETWEEN ? AND ? "
            "AND e.uuid IN (SELECT uuid FROM batch WHERE uuid IS NOT NULL))",
            [low, high],
        )

    def _register_event_names(self) -> None:
        """Number every event name not seen before."""
        base = _scalar(self.connection, "SELECT coalesce(max(id), 0) + 1 FROM event_names")
        self.connection.execute(
            "INSERT INTO event_names SELECT ? + row_number() OVER (ORDER BY event) - 1, event FROM "
            "(SELECT DISTINCT event FROM batch WHERE event NOT IN (SELECT name FROM event_names)) AS fresh",
            [base],
        )

    def _next_person_id(self) -> int:
        return _scalar(self.connection, "SELECT coalesce(max(id), 0) + 1 FROM persons")

    def _create_persons_for_new_distinct_ids(self) -> int:
        """Create a person for every distinct id (event or merge partner) not seen before."""
        con = self.connection
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE new_ids AS
            WITH candidates AS (
                SELECT distinct_id, timestamp FROM batch
                UNION ALL
                SELECT coalesce(json_extract_string(properties, '$.alias'),
                                json_extract_string(properties, '$.$anon_distinct_id')), timestamp
                FROM batch WHERE event IN ('$create_alias', '$identify', '$merge_dangerously')
            )
            SELECT distinct_id, min(timestamp) AS first_seen FROM candidates
            WHERE distinct_id IS NOT NULL AND distinct_id <> ''
              AND distinct_id NOT IN (SELECT distinct_id FROM person_distinct_ids)
            GROUP BY distinct_id
            """
        )
        base = self._next_person_id()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE new_people AS "
            "SELECT distinct_id, first_seen, ? + row_number() OVER (ORDER BY first_seen, distinct_id) - 1 AS id "
            "FROM new_ids",
            [base],
        )
        con.execute("INSERT INTO persons SELECT id, first_seen, NULL FROM new_people")
        con.execute("INSERT INTO person_distinct_ids SELECT distinct_id, id FROM new_people")
        created = _scalar(con, "SELECT count(*) FROM new_people")
        con.execute("DROP TABLE temp.new_ids")
        con.execute("DROP TABLE temp.new_people")
        return created

    def _apply_merges(self) -> int:
        """Merge persons for identify / alias events, in timestamp order; return how many persons were merged away."""
        rows = self.connection.execute(
            "SELECT distinct_id, coalesce(json_extract_string(properties, '$.alias'), "
            "json_extract_string(properties, '$.$anon_distinct_id')) FROM batch "
            "WHERE event IN ('$create_alias', '$identify', '$merge_dangerously') ORDER BY timestamp, seq"
        ).fetchall()
        merged = 0
        for survivor_id, other_id in rows:
            if other_id and other_id != survivor_id and self.merge_distinct_ids(survivor_id, other_id):
                merged += 1
        return merged

    def person_id_of(self, distinct_id: str) -> int | None:
        """The person a distinct id belongs to, or ``None`` when it was never seen."""
        row = self.connection.execute(
            "SELECT person_id FROM person_distinct_ids WHERE distinct_id = ?", [distinct_id]
        ).fetchone()
        return None if row is None else int(row[0])

    def merge_distinct_ids(self, survivor_distinct_id: str, other_distinct_id: str) -> bool:
        """Make both distinct ids one person (the survivor's); return whether two persons were merged."""
        con = self.connection
        survivor = self.person_id_of(survivor_distinct_id)
        other = self.person_id_of(other_distinct_id)
        if survivor is None or other is None or survivor == other:
            return False
        survivor_row = con.execute(
            "SELECT created_at, properties FROM persons WHERE id = ?", [survivor]
        ).fetchone()
        other_row = con.execute("SELECT created_at, properties FROM persons WHERE id = ?", [other]).fetchone()
        assert survivor_row is not None and other_row is not None
        properties = {**_loads(other_row[1]), **_loads(survivor_row[1])}
        created_at = min(survivor_row[0], other_row[0])
        con.execute(
            "UPDATE persons SET created_at = ?, properties = ? WHERE id = ?",
            [created_at, _dumps(properties), survivor],
        )
        con.execute("DELETE FROM persons WHERE id = ?", [other])
        con.execute("UPDATE person_distinct_ids SET person_id = ? WHERE person_id = ?", [survivor, other])
        con.execute("UPDATE events SET person_id = ? WHERE person_id = ?", [survivor, other])
        con.execute(
            "INSERT INTO event_days SELECT event_id, day, CAST(? AS BIGINT) FROM event_days WHERE person_id = ? "
            "EXCEPT SELECT event_id, day, person_id FROM event_days WHERE person_id = ?",
            [survivor, other, survivor],
        )
        con.execute("DELETE FROM event_days WHERE person_id = ?", [other])
        return True

    def _apply_person_properties(self) -> None:
        """Apply ``$set`` / ``$set_once`` of the batch to the persons, oldest event first."""
        con = self.connection
        rows = con.execute(
            "SELECT m.person_id, b.set_json, b.set_once_json FROM batch b "
            "JOIN person_distinct_ids m ON m.distinct_id = b.distinct_id "
            "WHERE b.set_json IS NOT NULL OR b.set_once_json IS NOT NULL ORDER BY b.timestamp, b.seq"
        ).fetchall()
        if not rows:
            return
        current: dict[int, dict[str, Any]] = {}
        for person_id, set_json, set_once_json in rows:
            if person_id not in current:
                stored = con.execute("SELECT properties FROM persons WHERE id = ?", [person_id]).fetchone()
                current[person_id] = _loads(stored[0] if stored else None)
            properties = current[person_id]
            for key, value in _loads(set_once_json).items():
                properties.setdefault(key, value)
            properties.update(_loads(set_json))
        for person_id, properties in current.items():
            con.execute("UPDATE persons SET properties = ? WHERE id = ?", [_dumps(properties), person_id])

    def _apply_group_identifies(self) -> None:
        """Upsert groups from ``$groupidentify`` events (later ``$group_set`` values win)."""
        con = self.connection
        rows = con.execute(
            "SELECT properties, timestamp FROM batch WHERE event = '$groupidentify' ORDER BY timestamp, seq"
        ).fetchall()
        for properties_json, timestamp in rows:
            properties = _loads(properties_json)
            group_type, group_key = properties.get("$group_type"), properties.get("$group_key")
            if not group_type or group_key is None:
                continue
            self.upsert_group(str(group_type), str(group_key), properties.get("$group_set") or {}, timestamp)

    def upsert_group(
        self, group_type: str, group_key: str, values: dict[str, Any], seen_at: datetime
    ) -> None:
        """Create the group or merge ``values`` into its properties."""
        con = self.connection
        row = con.execute(
            "SELECT properties FROM groups WHERE group_type = ? AND group_key = ?", [group_type, group_key]
        ).fetchone()
        if row is None:
            con.execute(
                "INSERT INTO groups VALUES (?, ?, ?, ?, NULL)",
                [group_type, group_key, seen_at, _dumps(values)],
            )
            return
        merged = {**_loads(row[0]), **values}
        con.execute(
            "UPDATE groups SET properties = ? WHERE group_type = ? AND group_key = ?",
            [_dumps(merged), group_type, group_key],
        )

    def link_group_to_customer(self, group_type: str, group_key: str, customer_id: int | None) -> None:
        """Bind a group (e.g. ``company``/``acme``) to a Northstar customer so usage joins to ARR and feedback."""
        self.connection.execute(
            "UPDATE groups SET customer_id = ? WHERE group_type = ? AND group_key = ?",
            [customer_id, group_type, group_key],
        )

    def person_properties(self, distinct_id: str) -> dict[str, Any]:
        """The current properties of the person behind ``distinct_id`` (empty when unknown)."""
        person_id = self.person_id_of(distinct_id)
        if person_id is None:
            return {}
        row = self.connection.execute("SELECT properties FROM persons WHERE id = ?", [person_id]).fetchone()
        return _loads(row[0] if row else None)

    def group_properties(self, group_type: str, group_key: str) -> dict[str, Any]:
        """The properties of a group (empty when unknown)."""
        row = self.connection.execute(
            "SELECT properties FROM groups WHERE group_type = ? AND group_key = ?", [group_type, group_key]
        ).fetchone()
        return _loads(row[0] if row else None)

    def compact(self) -> None:
        """Rewrite the store with ``events`` clustered by (event_id, person_id, timestamp), in a fresh file.

        Queries never depend on this order for correctness, only for speed: a filter on a few events then reads
        only their row groups (zone maps), and each event's rows arrive as one run ordered by person and time,
        which the per-person kernels walk without sorting. Appends land at the end; compact again after large
        imports.

        A file-backed store is copied table by table into ``<file>.compacting`` and swapped in with an atomic
        rename, so the file holds no blocks freed by the rewrite (DuckDB keeps freed blocks for reuse rather than
        shrinking the file) and a crash at any point leaves either the old or the new database whole."""
        if self.path == ":memory:":
            self._compact_in_place()
            return
        target = Path(self.path)
        fresh = target.with_name(target.name + ".compacting")
        for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
            leftover.unlink(missing_ok=True)
        con = self.connection
        threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
        # one checkpoint at the end: intermediate ones would rewrite blocks and leave the old ones free
        con.execute("SET checkpoint_threshold = '1TB'")
        con.execute(f"ATTACH {_quote(str(fresh))} AS fresh")
        try:
            for statement in create_statements("duckdb"):
                con.execute(statement.replace("TABLE IF NOT EXISTS ", "TABLE IF NOT EXISTS fresh.", 1))
            for table in ("event_names", "persons", "person_distinct_ids", "groups"):
                con.execute(f"INSERT INTO fresh.{table} SELECT * FROM {table}")
            # one insert per table: the row groups are written once, in order (inserts per event would leave
            # partly filled row groups that the final checkpoint merges, freeing their first blocks)
            con.execute(
                "INSERT INTO fresh.events SELECT * FROM events ORDER BY event_id, person_id, timestamp"
            )
            con.execute(ALL_EVENT_DAYS.format(target="fresh.event_days"))
            con.execute("DETACH fresh")
        except BaseException:
            con.execute("DETACH DATABASE IF EXISTS fresh")
            fresh.unlink(missing_ok=True)
            raise
        finally:
            if threshold is not None:
                con.execute(f"SET checkpoint_threshold = {_quote(str(threshold[0]))}")
        _fsync_file(fresh)
        con.execute("CHECKPOINT")
        con.close()
        if Path(self.path + ".wal").exists():  # never pair the new file with the old file's log
            self.connection = _connect(self.path)
            fresh.unlink(missing_ok=True)
            raise RuntimeError(
                "the event store kept a write-ahead log after a checkpoint; compaction abandoned"
            )
        os.replace(fresh, target)
        _fsync_file(target.parent)
        self.connection = _connect(self.path)

    def _compact_in_place(self) -> None:
        con = self.connection
        ddl = next(s for s in create_statements("duckdb") if "TABLE IF NOT EXISTS events " in s)
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(ddl.replace("IF NOT EXISTS events ", "events_compacted "))
            con.execute("DELETE FROM event_days")
            con.execute(
                "INSERT INTO events_compacted SELECT * FROM events ORDER BY event_id, person_id, timestamp"
            )
            con.execute(ALL_EVENT_DAYS.format(target="event_days"))
            con.execute("DROP TABLE events")
            con.execute("ALTER TABLE events_compacted RENAME TO events")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")

    def count_events(self) -> int:
        """How many events are stored."""
        return _scalar(self.connection, "SELECT count(*) FROM events")


def _connect(path: str) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(path)
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")  # a server or a job has no terminal to draw it on
    return connection


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ?",
        [name],
    ).fetchone()
    return bool(row and row[0])


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fsync_file(path: Path) -> None:
    """Flush a file (or a directory entry) to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _loads(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _dumps(values: dict[str, Any]) -> str | None:
    return json.dumps(values, separators=(",", ":"), sort_keys=True, default=str) if values else None
