"""discussion: comments on ideas, themes, plans, objectives and experiments; their mentions; followers

Revision ID: discussion_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "discussion_0001"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "discussion_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("discussion_comments", "workspace_id", "workspaces"),
        _fk("discussion_comments", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_comments")),
    )
    op.create_index(
        "ix_discussion_comments_object", "discussion_comments", ["workspace_id", "object_type", "object_id"]
    )
    op.create_table(
        "discussion_mentions",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["discussion_comments.id"],
            name=op.f("fk_discussion_mentions_comment_id_discussion_comments"),
            ondelete="CASCADE",
        ),
        _fk("discussion_mentions", "user_id", "users"),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_discussion_mentions")),
    )
    op.create_index(op.f("ix_discussion_mentions_user_id"), "discussion_mentions", ["user_id"])
    op.create_table(
        "discussion_followers",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("following", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("discussion_followers", "workspace_id", "workspaces"),
        _fk("discussion_followers", "user_id", "users"),
        sa.PrimaryKeyConstraint(
            "workspace_id", "object_type", "object_id", "user_id", name=op.f("pk_discussion_followers")
        ),
    )
    op.create_index(
        "ix_discussion_followers_object", "discussion_followers", ["workspace_id", "object_type", "object_id"]
    )


def downgrade() -> None:
    op.drop_table("discussion_followers")
    op.drop_table("discussion_mentions")
    op.drop_index("ix_discussion_comments_object", table_name="discussion_comments")
    op.drop_table("discussion_comments")
