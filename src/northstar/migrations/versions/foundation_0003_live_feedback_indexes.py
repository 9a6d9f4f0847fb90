"""foundation: partial indexes on live (not merged) feedback, PostgreSQL only

Revision ID: foundation_0003
Revises: foundation_0002
Depends on: feedback_0003 (which adds ``feedback.merged_into_id``)

On PostgreSQL ``feedback.not_merged`` is ``merged_into_id IS NULL``, and these indexes hold only such items:

* (workspace_id, received_at): the inbox's default order, and its count up to the cap, read from one index
  (index-only once autovacuum has marked the pages visible);
* (workspace_id, customer_id): a segment or customer filter counts its items without visiting the table.

SQLite keeps its ``NOT IN`` form and its existing indexes (see ``feedback.service.not_merged``).
"""

from __future__ import annotations

from alembic import op

revision = "foundation_0003"
down_revision = "foundation_0002"
branch_labels = None
depends_on = "feedback_0003"

INDEXES = {
    "ix_feedback_live_workspace_received": "(workspace_id, received_at)",
    "ix_feedback_live_workspace_customer": "(workspace_id, customer_id)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON feedback {columns} WHERE merged_into_id IS NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
