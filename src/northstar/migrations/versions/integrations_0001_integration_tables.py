"""integrations: connections with sealed credentials, sync runs, idea ↔ issue links, received webhooks

Revision ID: integrations_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "integrations_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _workspace(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"], ["workspaces.id"], name=f"fk_{table}_workspace_id_workspaces", ondelete="CASCADE"
    )


def _connection(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["connection_id"],
        ["connections.id"],
        name=f"fk_{table}_connection_id_connections",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("sealed_credentials", sa.Text(), nullable=False),
        sa.Column("credential_names", sa.JSON(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("webhook_key", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_test_ok", sa.Boolean(), nullable=True),
        sa.Column("last_test_message", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace("connections"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name="fk_connections_created_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
        sa.UniqueConstraint("webhook_key", name="uq_connections_webhook_key"),
    )
    op.create_index("ix_connections_workspace_id", "connections", ["workspace_id"], unique=False)

    op.create_table(
        "connection_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("items_in", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("ideas_moved", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        _workspace("connection_runs"),
        _connection("connection_runs"),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name="fk_connection_runs_job_id_jobs", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_connection_runs"),
    )
    op.create_index("ix_connection_runs_workspace_id", "connection_runs", ["workspace_id"], unique=False)
    op.create_index(
        "ix_connection_runs_connection_started",
        "connection_runs",
        ["connection_id", "started_at"],
        unique=False,
    )

    op.create_table(
        "connection_issue_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("issue_key", sa.String(length=200), nullable=False),
        sa.Column("issue_url", sa.String(length=500), nullable=False),
        sa.Column("issue_status", sa.String(length=100), nullable=False),
        sa.Column("fix_versions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace("connection_issue_links"),
        _connection("connection_issue_links"),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name="fk_connection_issue_links_idea_id_ideas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_connection_issue_links"),
        sa.UniqueConstraint("connection_id", "issue_key", name="uq_connection_issue_links_connection_issue"),
    )
    op.create_index(
        "ix_connection_issue_links_workspace_id", "connection_issue_links", ["workspace_id"], unique=False
    )
    op.create_index("ix_connection_issue_links_idea_id", "connection_issue_links", ["idea_id"], unique=False)

    op.create_table(
        "connection_webhooks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        _workspace("connection_webhooks"),
        _connection("connection_webhooks"),
        sa.PrimaryKeyConstraint("id", name="pk_connection_webhooks"),
        sa.UniqueConstraint("connection_id", "delivery_id", name="uq_connection_webhooks_delivery"),
    )
    op.create_index(
        "ix_connection_webhooks_workspace_id",
        "connection_webhooks",
        ["workspace_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("connection_webhooks")
    op.drop_table("connection_issue_links")
    op.drop_table("connection_runs")
    op.drop_table("connections")
