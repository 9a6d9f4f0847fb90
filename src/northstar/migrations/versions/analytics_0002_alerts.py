"""analytics: anomaly alerts and their evaluations

Revision ID: analytics_0002
Revises: analytics_0001
Create Date: 2026-11-26 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "analytics_0002"
down_revision = "analytics_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_alerts",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("series_key", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=True),
        sa.Column("insight_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=False),
        sa.Column("upper", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_alerts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"],
            ["analytics_metrics.id"],
            name=op.f("fk_analytics_alerts_metric_id_analytics_metrics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["insight_id"],
            ["analytics_saved_insights.id"],
            name=op.f("fk_analytics_alerts_insight_id_analytics_saved_insights"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"],
            ["users.id"],
            name=op.f("fk_analytics_alerts_acknowledged_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_alerts")),
        sa.UniqueConstraint("workspace_id", "series_key", "day", name="uq_analytics_alerts_series_day"),
    )
    with op.batch_alter_table("analytics_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_alerts_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_analytics_alerts_metric_id"), ["metric_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_analytics_alerts_insight_id"), ["insight_id"], unique=False)
        batch_op.create_index(
            "ix_analytics_alerts_open", ["workspace_id", "acknowledged", "day"], unique=False
        )

    op.create_table(
        "analytics_alert_checks",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("through_day", sa.Date(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("anomalies", sa.Integer(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_analytics_alert_checks_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_alert_checks")),
    )
    with op.batch_alter_table("analytics_alert_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_alert_checks_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_alert_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_alert_checks_workspace_id"))
    op.drop_table("analytics_alert_checks")
    with op.batch_alter_table("analytics_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_alerts_open")
        batch_op.drop_index(batch_op.f("ix_analytics_alerts_insight_id"))
        batch_op.drop_index(batch_op.f("ix_analytics_alerts_metric_id"))
        batch_op.drop_index(batch_op.f("ix_analytics_alerts_workspace_id"))
    op.drop_table("analytics_alerts")
