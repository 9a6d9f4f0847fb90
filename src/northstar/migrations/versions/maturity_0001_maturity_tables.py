"""maturity: assessments and answers

Revision ID: maturity_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "maturity_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maturity_assessments",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_maturity_assessments_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_maturity_assessments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_assessments")),
    )
    with op.batch_alter_table("maturity_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maturity_assessments_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "maturity_answers",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("capability_id", sa.String(length=100), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["maturity_assessments.id"],
            name=op.f("fk_maturity_answers_assessment_id_maturity_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_maturity_answers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maturity_answers")),
        sa.UniqueConstraint("assessment_id", "capability_id", name="uq_maturity_answer"),
    )
    with op.batch_alter_table("maturity_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maturity_answers_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_maturity_answers_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("maturity_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maturity_answers_assessment_id"))
        batch_op.drop_index(batch_op.f("ix_maturity_answers_workspace_id"))
    op.drop_table("maturity_answers")
    with op.batch_alter_table("maturity_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maturity_assessments_workspace_id"))
    op.drop_table("maturity_assessments")
