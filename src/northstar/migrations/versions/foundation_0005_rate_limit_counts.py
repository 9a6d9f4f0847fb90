"""foundation: rate-limit counters in the database (shared by every server process)

Revision ID: foundation_0005
Revises: foundation_0004

The intake API's and the embedded form's limits were counted in each process's memory, so N server processes
allowed N times the limit; ``northstar.core.rate_limits`` counts them here instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "foundation_0005"
down_revision = "foundation_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counts",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_counts")),
        sa.UniqueConstraint("name", "key", "window_start", name=op.f("uq_rate_limit_counts_window")),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counts")
