"""budget: committed spend, team cost rates, funding snapshots and outcomes, initiative tags on actual spend

Revision ID: budget_0002
Revises: budget_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "budget_0002"
down_revision = "budget_0001"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _workspace(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("budget_actuals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idea_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_budget_actuals_idea_id_ideas"), "ideas", ["idea_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("budget_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("replan_plan_id", sa.Integer(), nullable=True))

    op.create_table(
        "budget_commitments",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("vendor", sa.String(length=300), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        _id(),
        *_stamps(),
        _workspace("budget_commitments"),
        _fk("budget_commitments", "team_id", "teams", "CASCADE"),
        _fk("budget_commitments", "idea_id", "ideas", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_commitments")),
    )
    with op.batch_alter_table("budget_commitments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_budget_commitments_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_budget_commitments_team_id"), ["team_id"], unique=False)

    op.create_table(
        "budget_cost_rates",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        _id(),
        *_stamps(),
        _workspace("budget_cost_rates"),
        _fk("budget_cost_rates", "team_id", "teams", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_cost_rates")),
        sa.UniqueConstraint("workspace_id", "team_id", name="uq_budget_cost_rates_team"),
    )
    with op.batch_alter_table("budget_cost_rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_cost_rates_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "budget_fundings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("plan_name", sa.String(length=200), nullable=False),
        sa.Column("funded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("planned_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("planned_people_cents", sa.BigInteger(), nullable=False),
        sa.Column("effort_person_weeks", sa.Float(), nullable=True),
        sa.Column("business_case", sa.JSON(), nullable=False),
        _id(),
        _workspace("budget_fundings"),
        _fk("budget_fundings", "idea_id", "ideas", "CASCADE"),
        _fk("budget_fundings", "team_id", "teams", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_fundings")),
        sa.UniqueConstraint("workspace_id", "idea_id", name="uq_budget_fundings_idea"),
    )
    with op.batch_alter_table("budget_fundings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_fundings_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "budget_outcomes",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("actual_effort_person_weeks", sa.Float(), nullable=True),
        sa.Column("benefit_cents", sa.BigInteger(), nullable=True),
        sa.Column("benefit_source", sa.String(length=500), nullable=True),
        _id(),
        *_stamps(),
        _workspace("budget_outcomes"),
        _fk("budget_outcomes", "idea_id", "ideas", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_outcomes")),
        sa.UniqueConstraint("workspace_id", "idea_id", name="uq_budget_outcomes_idea"),
    )
    with op.batch_alter_table("budget_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_outcomes_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    op.drop_table("budget_outcomes")
    op.drop_table("budget_fundings")
    op.drop_table("budget_cost_rates")
    op.drop_table("budget_commitments")
    with op.batch_alter_table("budget_settings", schema=None) as batch_op:
        batch_op.drop_column("replan_plan_id")
        batch_op.drop_column("plan_id")
    with op.batch_alter_table("budget_actuals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_budget_actuals_idea_id_ideas"), type_="foreignkey")
        batch_op.drop_column("idea_id")
