"""foundation: the PostgreSQL job queue's tables (procrastinate's schema), PostgreSQL only

Revision ID: foundation_0004
Revises: foundation_0003

``northstar worker`` processes share a queue kept by procrastinate (see ``northstar.core.queue``). Its tables,
types and functions are created here from the schema the installed procrastinate ships, so ``northstar db
upgrade`` (and a server's start-up) prepare everything. The schema is that of the pinned version
(procrastinate 3.10.0); moving to a later version adds a revision applying procrastinate's own migration files
between the two versions. SQLite keeps the in-process runner and gets nothing.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "foundation_0004"
down_revision = "foundation_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # the raw driver connection: the schema is many statements with '%' in function bodies, not bind parameters
    bind.connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for (name,) in bind.execute(
        text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'")
    ):
        op.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    functions = bind.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname LIKE 'procrastinate%' AND n.nspname = current_schema()"
        )
    )
    for (signature,) in functions:
        op.execute(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    for (name,) in bind.execute(
        text("SELECT typname FROM pg_type WHERE typname LIKE 'procrastinate%' AND typtype IN ('e', 'c')")
    ):
        op.execute(f'DROP TYPE IF EXISTS "{name}" CASCADE')
