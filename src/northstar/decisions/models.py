"""Tables of the decision module: per-idea planning data (keyed by idea id) and plans / scenarios with results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin


class IdeaPlanning(IdMixin, TimestampMixin, Base):
    """What planning needs about one idea beyond the foundation's Idea row: estimate, category, rules."""

    __tablename__ = "decision_idea_planning"
    __table_args__ = (UniqueConstraint("idea_id", name="uq_decision_idea_planning_idea"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    #: three-point duration estimate in weeks and its distribution (triangular, pert, lognormal)
    estimate_low_weeks: Mapped[float | None] = mapped_column(nullable=True)
    estimate_likely_weeks: Mapped[float | None] = mapped_column(nullable=True)
    estimate_high_weeks: Mapped[float | None] = mapped_column(nullable=True)
    distribution: Mapped[str] = mapped_column(String(16), default="pert")
    #: people of the idea's team working on it at once
    people: Mapped[int] = mapped_column(default=2)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    must_have: Mapped[bool] = mapped_column(default=False)
    #: idea ids this idea needs, and idea ids it cannot go with
    depends_on: Mapped[list[Any]] = mapped_column(default=list)
    excludes: Mapped[list[Any]] = mapped_column(default=list)
    deadline_week: Mapped[int | None] = mapped_column(nullable=True)


class Plan(IdMixin, TimestampMixin, Base):
    """A plan or a scenario (a plan copied from ``parent_id`` with changed assumptions) and its latest results."""

    __tablename__ = "decision_plans"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision_plans.id", ondelete="SET NULL"), nullable=True
    )
    #: budget, discount rate, value basis, capacity factors, forced in/out, mix rules, time limit
    assumptions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    portfolio: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    schedule: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    forecast: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    solved_at: Mapped[datetime | None] = mapped_column(nullable=True)
