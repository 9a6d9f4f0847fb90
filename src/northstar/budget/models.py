"""Tables for the budget: plan lines, actual spend imported from finance, and each workspace's budget settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin


class BudgetLine(IdMixin, TimestampMixin, Base):
    """Planned spend of one team (optionally for one idea) in one month or quarter and category, in cents."""

    __tablename__ = "budget_lines"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), nullable=True)
    #: a month (2026-11) or a quarter (2026-Q4)
    period: Mapped[str] = mapped_column(String(7))
    category: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)


class BudgetActual(IdMixin, TimestampMixin, Base):
    """One row of a finance export: money spent by a team on a day, in cents. ``row_key`` makes imports idempotent."""

    __tablename__ = "budget_actuals"
    __table_args__ = (
        UniqueConstraint("workspace_id", "row_key", name="uq_budget_actuals_workspace_row_key"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    spent_on: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(32))
    vendor: Mapped[str | None] = mapped_column(String(300), nullable=True)
    memo: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    row_key: Mapped[str] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(300), nullable=True)
    #: the initiative (a funded idea) this spend is for, when the export says so
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), nullable=True)


class BudgetSettings(Base):
    """A workspace's alert threshold and the column mapping its finance exports need."""

    __tablename__ = "budget_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    alert_threshold_percent: Mapped[int] = mapped_column(Integer, default=10)
    #: the export's column name per field: {"team": "Cost centre", "amount": "Net"}
    column_mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: the decisions plan whose schedule people cost follows (a plan id; None: the latest scheduled plan)
    plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the plan the last "re-plan with what is left" made
    replan_plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BudgetCommitment(IdMixin, TimestampMixin, Base):
    """Spend signed but not yet invoiced (a contract or purchase order), expected on ``due_on``, in cents.

    The forecast adds what is due after today and before the period ends to the run rate.
    """

    __tablename__ = "budget_commitments"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), nullable=True)
    category: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[dt.date] = mapped_column(Date)
    vendor: Mapped[str | None] = mapped_column(String(300), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)


class BudgetCostRate(IdMixin, TimestampMixin, Base):
    """What one person of a team costs per month or per day, in cents (salary, benefits and overhead)."""

    __tablename__ = "budget_cost_rates"
    __table_args__ = (UniqueConstraint("workspace_id", "team_id", name="uq_budget_cost_rates_team"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    #: "person_month" or "person_day"
    unit: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class BudgetFunding(IdMixin, Base):
    """The snapshot of an idea's business case taken when a plan first funded it; later re-solves leave it alone."""

    __tablename__ = "budget_fundings"
    __table_args__ = (UniqueConstraint("workspace_id", "idea_id", name="uq_budget_fundings_idea"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan_name: Mapped[str] = mapped_column(String(200))
    funded_at: Mapped[dt.datetime] = mapped_column()
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), nullable=True)
    #: the one-off cost the portfolio charged against the budget
    planned_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the people cost of the time the plan's schedule gave it, at the cost rates of that day
    planned_people_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    effort_person_weeks: Mapped[float | None] = mapped_column(nullable=True)
    #: npv, roi, benefit_per_quarter, quarters, discount_rate, one_off_cost, recurring_cost_per_quarter
    business_case: Mapped[dict[str, Any]] = mapped_column(default=dict)


class BudgetOutcome(IdMixin, TimestampMixin, Base):
    """What a shipped idea took and returned, entered by hand: actual effort, and a benefit with its source."""

    __tablename__ = "budget_outcomes"
    __table_args__ = (UniqueConstraint("workspace_id", "idea_id", name="uq_budget_outcomes_idea"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actual_effort_person_weeks: Mapped[float | None] = mapped_column(nullable=True)
    #: a yearly benefit in cents, when measured outside Northstar, with where the number comes from
    benefit_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    benefit_source: Mapped[str | None] = mapped_column(String(500), nullable=True)
