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
    from northstar.core.queue import drop_queue_schema

    drop_queue_schema(bind)
