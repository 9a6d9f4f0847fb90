"""feedback: an item a person took out of every theme (a theme lock without a theme)

``feedback_theme_locks.theme_id`` becomes nullable: a lock with no theme says "a person removed this item from its
theme", and re-analysis keeps it out of every theme, as a lock with a theme keeps it in that one.

Revision ID: feedback_0005
Revises: feedback_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feedback_0005"
down_revision = "feedback_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback_theme_locks", schema=None) as batch_op:
        batch_op.alter_column("theme_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM feedback_theme_locks WHERE theme_id IS NULL")
    with op.batch_alter_table("feedback_theme_locks", schema=None) as batch_op:
        batch_op.alter_column("theme_id", existing_type=sa.Integer(), nullable=False)
