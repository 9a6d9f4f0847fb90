"""experiments: feature flag filter and the exposure summary of results computed from events

Revision ID: experiments_0002
Revises: experiments_0001
Create Date: 2026-11-26 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "experiments_0002"
down_revision = "experiments_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feature_flag", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("exposure_summary", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_column("computed_at")
        batch_op.drop_column("exposure_summary")
        batch_op.drop_column("feature_flag")
