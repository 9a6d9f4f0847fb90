"""Every table's rows as JSON lines, read through SQLAlchemy, and loaded back in one transaction.

A dialect-neutral dump rather than ``sqlite3.Connection.backup`` or ``pg_dump``: one code path for both databases
(tested on both), a backup of SQLite restores into PostgreSQL and back, and it needs no client binary whose
major version must match the server's. The price is speed: about as fast as the ORM reads rows.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import Connection, MetaData, Table, func, select, text, types, update

from northstar.core.errors import ValidationFailed
from northstar.core.queue import QUEUE_TABLE_PREFIX

#: Alembic's own bookkeeping: written by the migrations, never copied
SKIPPED_TABLES = frozenset({"alembic_version"})
BATCH_ROWS = 1000


def reflect(connection: Connection) -> MetaData:
    """The tables the database really has (an older backup's schema may differ from the code's models), without
    SQLite's full-text indexes (the triggers of ``feedback`` refill them as its rows are restored) and without the
    PostgreSQL job queue's tables (``jobs`` holds every job; an entry queued at backup time is not carried over)."""
    derived = _virtual_tables(connection)

    def wanted(name: str, _metadata: MetaData) -> bool:
        if name.startswith(QUEUE_TABLE_PREFIX):  # the job queue's entries: rebuilt by migrating, not data
            return False
        return not any(name == virtual or name.startswith(virtual + "_") for virtual in derived)

    metadata = MetaData()
    metadata.reflect(connection, only=wanted)
    return metadata


def _virtual_tables(connection: Connection) -> list[str]:
    if connection.dialect.name != "sqlite":
        return []
    found = connection.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    )
    return [row[0] for row in found]


def data_tables(metadata: MetaData) -> list[Table]:
    """The tables to copy, parents before children (foreign keys)."""
    return [table for table in metadata.sorted_tables if table.name not in SKIPPED_TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot store a {type(value).__name__} in a backup")


def _decoder(column_type: types.TypeEngine[Any]) -> Any:
    """How to turn a JSON value back into what a column of ``column_type`` takes (None passes through)."""
    if isinstance(column_type, types.DateTime):
        return datetime.fromisoformat
    if isinstance(column_type, types.Date):
        return lambda value: date.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(column_type, types.Time):
        return time.fromisoformat
    if isinstance(column_type, types.LargeBinary):
        return lambda value: base64.b64decode(value)
    if isinstance(column_type, types.Numeric) and not isinstance(column_type, types.Float):
        return lambda value: Decimal(value) if isinstance(value, str) else value
    return None


def _ordered(table: Table) -> Any:
    keys = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*keys)


def dump_lines(connection: Connection, table: Table) -> Iterator[str]:
    """The table's rows in primary-key order, one JSON object per line."""
    names = [column.name for column in table.columns]
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(_ordered(table))
    for row in result:
        yield json.dumps(dict(zip(names, row, strict=True)), default=_encode, sort_keys=True)


def checksum(connection: Connection, table: Table) -> tuple[int, str]:
    """(row count, SHA-256 of the rows as dumped): equal on two databases of one dialect holding the same rows."""
    digest = hashlib.sha256()
    count = 0
    for line in dump_lines(connection, table):
        digest.update(line.encode())
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def is_empty(connection: Connection) -> bool:
    """Whether no table (Alembic's aside) holds a row."""
    for table in data_tables(reflect(connection)):
        if connection.execute(select(table).limit(1)).first() is not None:
            return False
    return True


def delete_all(connection: Connection, metadata: MetaData) -> None:
    """Empty every table, children first (inside the caller's transaction)."""
    for table in reversed(data_tables(metadata)):
        connection.execute(table.delete())


def _self_references(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def load_lines(connection: Connection, table: Table, lines: IO[bytes]) -> int:
    """Insert the dumped rows of ``table``; columns pointing at the same table are set after every row is in
    (a merged feedback item may point at a later one). Columns the target lacks are an error, not dropped data."""
    decoders = {column.name: _decoder(column.type) for column in table.columns}
    deferred = _self_references(table)
    later: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    count = 0
    for raw in lines:
        row = json.loads(raw)
        unknown = set(row) - set(decoders)
        if unknown:
            raise ValidationFailed(
                f"table {table.name} has no column(s) {sorted(unknown)} that the backup holds"
            )
        for name, value in row.items():
            decode = decoders[name]
            if decode is not None and value is not None:
                row[name] = decode(value)
        if deferred and any(row.get(name) is not None for name in deferred):
            later.append({name: row[name] for name in [*_keys(table), *deferred]})
            row = {**row, **dict.fromkeys(deferred)}
        batch.append(row)
        count += 1
        if len(batch) >= BATCH_ROWS:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    for values in later:
        keys = _keys(table)
        condition = [table.c[name] == values[name] for name in keys]
        connection.execute(update(table).where(*condition).values({name: values[name] for name in deferred}))
    return count


def _keys(table: Table) -> list[str]:
    return [column.name for column in table.primary_key.columns]


def reset_sequences(connection: Connection, metadata: MetaData) -> None:
    """On PostgreSQL, move each serial/identity sequence past the highest restored id (else the next insert
    collides); SQLite takes the next rowid from the table itself."""
    if connection.dialect.name != "postgresql":
        return
    for table in data_tables(metadata):
        for column in table.primary_key.columns:
            if not isinstance(column.type, types.Integer):
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": f'"{table.name}"', "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            highest = connection.execute(select(func.max(column))).scalar()
            if highest is None:
                connection.execute(text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})
            else:
                connection.execute(
                    text("SELECT setval(:sequence, :value)"), {"sequence": sequence, "value": highest}
                )
