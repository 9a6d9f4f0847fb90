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


class BudgetSettings(Base):
    """A workspace's alert threshold and the column mapping its finance exports need."""

    __tablename__ = "budget_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    alert_threshold_percent: Mapped[int] = mapped_column(Integer, default=10)
    #: the export's column name per field: {"team": "Cost centre", "amount": "Net"}
    column_mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
