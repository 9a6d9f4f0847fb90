"""analytics: dashboards of saved insights, conversion metrics

Revision ID: analytics_0003
Revises: analytics_0002
Create Date: 2026-12-07 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "analytics_0003"
down_revision = "analytics_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analytics_metrics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversion_event", sa.String(length=400), nullable=True))

    op.create_table(
        "analytics_dashboards",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_dashboards_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_dashboards")),
        sa.UniqueConstraint("workspace_id", "name", name="uq_analytics_dashboards_name"),
    )
    with op.batch_alter_table("analytics_dashboards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_dashboards_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "analytics_dashboard_insights",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("dashboard_id", sa.Integer(), nullable=False),
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_dashboard_insights_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dashboard_id"],
            ["analytics_dashboards.id"],
            name=op.f("fk_analytics_dashboard_insights_dashboard_id_analytics_dashboards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["insight_id"],
            ["analytics_saved_insights.id"],
            name=op.f("fk_analytics_dashboard_insights_insight_id_analytics_saved_insights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_dashboard_insights")),
        sa.UniqueConstraint("dashboard_id", "insight_id", name="uq_analytics_dashboard_insights_pair"),
    )
    with op.batch_alter_table("analytics_dashboard_insights", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_dashboard_insights_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_dashboard_insights_dashboard_id"), ["dashboard_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_dashboard_insights_insight_id"), ["insight_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("analytics_dashboard_insights")
    op.drop_table("analytics_dashboards")
    with op.batch_alter_table("analytics_metrics", schema=None) as batch_op:
        batch_op.drop_column("conversion_event")
