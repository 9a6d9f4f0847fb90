"""budget: plan lines, actual spend from finance exports, per-workspace budget settings

Revision ID: budget_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "budget_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "budget_lines",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_budget_lines_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_budget_lines_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_budget_lines_idea_id_ideas"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_lines")),
    )
    with op.batch_alter_table("budget_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_lines_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_lines_team_id"), ["team_id"], unique=False)

    op.create_table(
        "budget_actuals",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("vendor", sa.String(length=300), nullable=True),
        sa.Column("memo", sa.String(length=1000), nullable=True),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_budget_actuals_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_budget_actuals_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_actuals")),
        sa.UniqueConstraint("workspace_id", "row_key", name="uq_budget_actuals_workspace_row_key"),
    )
    with op.batch_alter_table("budget_actuals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_actuals_workspace_id"), ["workspace_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_actuals_team_id"), ["team_id"], unique=False)

    op.create_table(
        "budget_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("alert_threshold_percent", sa.Integer(), nullable=False),
        sa.Column("column_mapping", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_budget_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_budget_settings")),
    )


def downgrade() -> None:
    op.drop_table("budget_settings")
    op.drop_table("budget_actuals")
    op.drop_table("budget_lines")
