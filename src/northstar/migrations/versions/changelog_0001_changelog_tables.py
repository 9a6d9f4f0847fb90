"""changelog: entries and the feedback each published entry answered

Revision ID: changelog_0001
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "changelog_0001"
down_revision = "0001_foundation"
branch_labels = None
#: feedback_answers points at the outbox message that told the contact
depends_on = "notifications_0001"


def upgrade() -> None:
    op.create_table(
        "changelog_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_changelog_entries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_changelog_entries_idea_id_ideas"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["users.id"],
            name=op.f("fk_changelog_entries_published_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changelog_entries")),
    )
    op.create_index(op.f("ix_changelog_entries_workspace_id"), "changelog_entries", ["workspace_id"])
    op.create_index(op.f("ix_changelog_entries_idea_id"), "changelog_entries", ["idea_id"])
    op.create_index(
        "ix_changelog_entries_workspace_published", "changelog_entries", ["workspace_id", "published_at"]
    )
    op.create_table(
        "feedback_answers",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_answers_feedback_id_feedback"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_feedback_answers_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["changelog_entries.id"],
            name=op.f("fk_feedback_answers_entry_id_changelog_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_feedback_answers_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_feedback_answers_outbox_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("feedback_id", name=op.f("pk_feedback_answers")),
    )
    op.create_index(op.f("ix_feedback_answers_workspace_id"), "feedback_answers", ["workspace_id"])
    op.create_index(op.f("ix_feedback_answers_entry_id"), "feedback_answers", ["entry_id"])


def downgrade() -> None:
    op.drop_table("feedback_answers")
    op.drop_index("ix_changelog_entries_workspace_published", table_name="changelog_entries")
    op.drop_index(op.f("ix_changelog_entries_idea_id"), table_name="changelog_entries")
    op.drop_index(op.f("ix_changelog_entries_workspace_id"), table_name="changelog_entries")
    op.drop_table("changelog_entries")
