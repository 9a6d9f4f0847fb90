"""feedback: human theme decisions (merges, splits, item locks) and the idea-vector cache

Revision ID: feedback_0002
Revises: feedback_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feedback_0002"
down_revision = "feedback_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_theme_overrides",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("split_from_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_theme_overrides_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["feedback_themes.id"],
            name=op.f("fk_feedback_theme_overrides_theme_id_feedback_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["feedback_themes.id"],
            name=op.f("fk_feedback_theme_overrides_merged_into_id_feedback_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["split_from_id"],
            ["feedback_themes.id"],
            name=op.f("fk_feedback_theme_overrides_split_from_id_feedback_themes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_feedback_theme_overrides_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_theme_overrides")),
    )
    with op.batch_alter_table("feedback_theme_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_theme_overrides_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_theme_overrides_theme_id"), ["theme_id"], unique=True)

    op.create_table(
        "feedback_theme_locks",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.Integer(), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_theme_locks_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_theme_locks_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["feedback_themes.id"],
            name=op.f("fk_feedback_theme_locks_theme_id_feedback_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["locked_by"],
            ["users.id"],
            name=op.f("fk_feedback_theme_locks_locked_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_theme_locks")),
    )
    with op.batch_alter_table("feedback_theme_locks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_theme_locks_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_theme_locks_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "feedback_idea_vectors",
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(length=40), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["ideas.id"],
            name=op.f("fk_feedback_idea_vectors_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_idea_vectors_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", name=op.f("pk_feedback_idea_vectors")),
    )
    with op.batch_alter_table("feedback_idea_vectors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_idea_vectors_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_idea_vectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_idea_vectors_workspace_id"))
    op.drop_table("feedback_idea_vectors")
    with op.batch_alter_table("feedback_theme_locks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_theme_locks_theme_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_theme_locks_workspace_id"))
    op.drop_table("feedback_theme_locks")
    with op.batch_alter_table("feedback_theme_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_theme_overrides_theme_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_theme_overrides_workspace_id"))
    op.drop_table("feedback_theme_overrides")
