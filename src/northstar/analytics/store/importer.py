"""Read events from Parquet, JSON Lines or CSV into the store's incoming shape, validating every row first.

Required columns: ``event``, ``distinct_id``, ``timestamp``; optional: ``properties`` (a JSON object, as text or as a
nested value) and ``uuid``. ``$set`` / ``$set_once`` found inside ``properties`` update the person. A file with a
missing column, an empty event name or distinct id, or a timestamp that does not parse is rejected as a whole, with
the offending row numbers, so an import never half-happens.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from northstar.analytics.store.event_store import INCOMING_SCHEMA, AppendResult, EventStore
from northstar.core.errors import FieldError, ValidationFailed

REQUIRED_COLUMNS = ("event", "distinct_id", "timestamp")
MAX_REPORTED_ROWS = 10


def _reader_sql(path: Path) -> str:
    suffix = path.suffix.lower()
    quoted = str(path).replace("'", "''")
    if suffix in {".parquet", ".pq"}:
        return f"read_parquet('{quoted}')"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return f"read_json('{quoted}', format = 'newline_delimited', sample_size = -1)"
    if suffix in {".csv", ".tsv"}:
        return f"read_csv('{quoted}', all_varchar = true, header = true)"
    raise ValidationFailed(f"Unsupported events file type {suffix!r}: use .parquet, .jsonl or .csv.")


def read_events_file(path: str | Path) -> pa.Table:
    """Read and validate an events file; return an Arrow table in ``INCOMING_SCHEMA``."""
    source = Path(path)
    if not source.exists():
        raise ValidationFailed(f"Events file not found: {source}")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    try:
        con.execute(f"CREATE TEMP VIEW raw AS SELECT * FROM {_reader_sql(source)}")
    except duckdb.Error as error:
        raise ValidationFailed(f"Could not read {source.name}: {error}") from error
    columns = {row[0]: str(row[1]).upper() for row in con.execute("DESCRIBE raw").fetchall()}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValidationFailed(
            f"{source.name} lacks required column(s) {', '.join(missing)}",
            [FieldError(field=name, message="required column missing") for name in missing],
        )
    properties_sql = "NULL::VARCHAR"
    if "properties" in columns:
        is_text = columns["properties"] in {"VARCHAR", "JSON"}
        properties_sql = "properties::VARCHAR" if is_text else "to_json(properties)::VARCHAR"
    uuid_sql = "nullif(uuid::VARCHAR, '')" if "uuid" in columns else "NULL::VARCHAR"
    timestamp_sql = (
        "try_cast(timestamp AS TIMESTAMPTZ)::TIMESTAMP"
        if columns["timestamp"] not in {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}
        else "timestamp::TIMESTAMP"
    )
    con.execute(
        f"""CREATE TEMP TABLE parsed AS SELECT
            row_number() OVER () AS row_number,
            {uuid_sql} AS uuid,
            nullif(event::VARCHAR, '') AS event,
            nullif(distinct_id::VARCHAR, '') AS distinct_id,
            {timestamp_sql} AS timestamp,
            {properties_sql} AS properties
        FROM raw"""
    )
    _reject_bad_rows(con, source.name)
    table = con.sql(
        """SELECT uuid, event, distinct_id, timestamp,
                  CASE WHEN properties IN ('{}', 'null') THEN NULL ELSE properties END AS properties,
                  json_extract(properties, '$."$set"')::VARCHAR AS set_json,
                  json_extract(properties, '$."$set_once"')::VARCHAR AS set_once_json
           FROM parsed ORDER BY row_number"""
    ).to_arrow_table()
    con.close()
    return table.cast(INCOMING_SCHEMA)


def _reject_bad_rows(con: duckdb.DuckDBPyConnection, name: str) -> None:
    checks = [
        ("event", "event IS NULL", "empty event name"),
        ("distinct_id", "distinct_id IS NULL", "missing distinct_id"),
        ("timestamp", "timestamp IS NULL", "timestamp missing or not parseable"),
        (
            "properties",
            "properties IS NOT NULL AND NOT json_valid(properties)",
            "properties is not valid JSON",
        ),
    ]
    errors: list[FieldError] = []
    for field, condition, message in checks:
        rows = con.execute(
            f"SELECT row_number FROM parsed WHERE {condition} ORDER BY row_number LIMIT {MAX_REPORTED_ROWS}"
        ).fetchall()
        errors.extend(FieldError(field=field, message=message, row=int(row[0])) for row in rows)
    if errors:
        raise ValidationFailed(f"{name}: {len(errors)} invalid row(s), nothing was imported", errors)


def import_events_file(store: EventStore, path: str | Path) -> AppendResult:
    """Validate ``path`` and append all of its events to ``store`` in one transaction."""
    return store.append_table(read_events_file(path))
