"""experiments: the plan made before the run, the key result an experiment moves, and decision records

Revision ID: experiments_0003
Revises: experiments_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "experiments_0003"
down_revision = "experiments_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_result_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("design", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_experiments_key_result_id_key_results"),
            "key_results",
            ["key_result_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "experiment_decisions",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("metric_key", sa.String(length=100), nullable=True),
        sa.Column("variation", sa.String(length=100), nullable=True),
        sa.Column("effect", sa.Float(), nullable=True),
        sa.Column("ci_low", sa.Float(), nullable=True),
        sa.Column("ci_high", sa.Float(), nullable=True),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("idea_status", sa.String(length=32), nullable=True),
        sa.Column("key_result_id", sa.Integer(), nullable=True),
        sa.Column("check_in_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_experiment_decisions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_decisions_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_experiment_decisions_idea_id_ideas"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["key_results.id"],
            name=op.f("fk_experiment_decisions_key_result_id_key_results"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["check_ins.id"],
            name=op.f("fk_experiment_decisions_check_in_id_check_ins"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_experiment_decisions_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_decisions")),
    )
    with op.batch_alter_table("experiment_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_decisions_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experiment_decisions_experiment_id"), ["experiment_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("experiment_decisions")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_experiments_key_result_id_key_results"), type_="foreignkey")
        batch_op.drop_column("design")
        batch_op.drop_column("key_result_id")
