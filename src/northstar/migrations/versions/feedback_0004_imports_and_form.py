"""feedback: uploads waiting for an import job, and the embeddable feedback form's key

Revision ID: feedback_0004
Revises: feedback_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feedback_0004"
down_revision = "feedback_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_import_uploads",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_import_uploads_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_feedback_import_uploads_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_import_uploads")),
    )
    with op.batch_alter_table("feedback_import_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_import_uploads_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "feedback_forms",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_forms_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_feedback_forms_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_forms")),
        sa.UniqueConstraint("form_key", name=op.f("uq_feedback_forms_form_key")),
    )
    with op.batch_alter_table("feedback_forms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_forms_workspace_id"), ["workspace_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("feedback_forms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_forms_workspace_id"))
    op.drop_table("feedback_forms")
    with op.batch_alter_table("feedback_import_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_import_uploads_workspace_id"))
    op.drop_table("feedback_import_uploads")
