"""The walk shared by the SQLite and PostgreSQL files (two files, so that ``--dist loadfile`` runs them on two
workers): every Alembic revision upgrades a database that holds data: for each revision, a database at its parents'
state gets one generic row in every table, is upgraded to every head, and still holds each row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from alembic import command
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Table, create_engine, func, pool, select, types

from northstar import modules
from northstar.backup import rows
from northstar.core import migrate

modules.load_models()
SCRIPT = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
REVISIONS: list[Script] = sorted(SCRIPT.walk_revisions(), key=lambda script: script.revision)


def _parents(script: Script) -> list[str]:
    """What must be applied before ``script``: its down revisions and what it depends on."""
    down = script.down_revision
    found = [down] if isinstance(down, str) else list(down or ())
    depends = script.dependencies
    found += [depends] if isinstance(depends, str) else list(depends or ())
    return found


def _value(column_type: types.TypeEngine[Any], length_hint: int | None) -> Any:
    if isinstance(column_type, types.Boolean):
        return False
    if isinstance(column_type, types.Integer):
        return 1
    if isinstance(column_type, types.Float):
        return 1.5
    if isinstance(column_type, types.Numeric):
        return Decimal("1.25")
    if isinstance(column_type, types.DateTime):
        return datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    if isinstance(column_type, types.Date):
        return date(2024, 1, 2)
    if isinstance(column_type, types.JSON):
        return {}
    if isinstance(column_type, types.LargeBinary):
        return b"\x00\x01"
    if isinstance(column_type, types.String):
        return "x1"[: length_hint or 2]
    raise AssertionError(f"no generic value for {column_type!r}")


def fill_every_table(connection: Connection) -> dict[str, int]:
    """One row in every table, parents first: NOT NULL columns get a value of their type, foreign keys point at
    the row made in the referred table. Returns each table's row count."""
    made: dict[str, dict[str, Any]] = {}
    for table in rows.data_tables(rows.reflect(connection)):
        row: dict[str, Any] = {}
        for column in table.columns:
            references = list(column.foreign_keys)
            if references:
                target = references[0].column
                parent = made.get(target.table.name)
                if parent is not None and target.table is not table:
                    row[column.name] = parent[target.name]
                elif not column.nullable:
                    row[column.name] = _value(column.type, None)
                continue
            if column.primary_key and isinstance(column.type, types.Integer):
                row[column.name] = 1
                continue
            if not column.nullable and column.server_default is None:
                row[column.name] = _value(column.type, getattr(column.type, "length", None))
        connection.execute(table.insert(), [row])
        made[table.name] = row
    return _counts(connection)


def _counts(connection: Connection) -> dict[str, int]:
    tables: list[Table] = rows.data_tables(rows.reflect(connection))
    return {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in tables
    }


#: every revision but the first (which has no parents to hold data)
UPGRADED = [script for script in REVISIONS if script.down_revision]


def check_revision(script: Script, backend: str, fresh_database: Callable[[str], str]) -> None:
    """Parents' schema, one row per table, upgrade to heads, every row still there."""
    url = fresh_database(backend)
    for parent in _parents(script):
        migrate.upgrade(url, parent)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.begin() as connection:
            before = fill_every_table(connection)
        assert before and all(count == 1 for count in before.values())
        command.upgrade(migrate.alembic_config(url), "heads")
        with engine.connect() as connection:
            after = _counts(connection)
            assert set(migrate.current_heads(url)) == migrate.stamped_heads()
    finally:
        engine.dispose()
    kept = {name: after.get(name) for name in before}
    assert kept == before, f"{script.revision}: rows lost on the way to heads"
