"""Tables for ideas and their links to feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow

STATUSES = ("new", "under_review", "planned", "in_progress", "shipped", "wont_do")

#: allowed status moves: a small workflow, with "wont_do" reachable from anywhere and reversible
TRANSITIONS: dict[str, set[str]] = {
    "new": {"under_review", "planned", "wont_do"},
    "under_review": {"new", "planned", "wont_do"},
    "planned": {"under_review", "in_progress", "wont_do"},
    "in_progress": {"planned", "shipped", "wont_do"},
    "shipped": {"in_progress"},
    "wont_do": {"new", "under_review"},
}


class Idea(IdMixin, TimestampMixin, Base):
    __tablename__ = "ideas"
    __table_args__ = (
        Index("ix_ideas_workspace_status", "workspace_id", "status"),
        Index("ix_ideas_workspace_feedback_count", "workspace_id", "feedback_count", "id"),
        Index("ix_ideas_workspace_title", "workspace_id", "title", "id"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), nullable=True)
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("objectives.id", ondelete="SET NULL"), nullable=True
    )
    #: scoring inputs (reach, impact, confidence, effort, ...) used by the decision engine
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    feedback_count: Mapped[int] = mapped_column(default=0)


class IdeaFeedbackLink(IdMixin, Base):
    __tablename__ = "idea_feedback_links"
    __table_args__ = (UniqueConstraint("idea_id", "feedback_id", name="uq_idea_feedback_links_pair"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    importance: Mapped[int] = mapped_column(default=2)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
