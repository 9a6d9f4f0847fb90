"""Tables for derived feedback analysis: one row per analysed feedback item, and the workspace's themes.

Kept apart from the raw ``feedback`` table (which belongs to the inbox): everything here can be recomputed, except
the human edits recorded on themes (``name_locked`` after a rename, ``pinned``), which re-analysis never overwrites.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow


class FeedbackTheme(IdMixin, TimestampMixin, Base):
    """A theme (``parent_id`` set) or a parent theme; ``candidate`` themes came from items that fit no theme."""

    __tablename__ = "feedback_themes"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_feedback_themes_workspace_key"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    quotes: Mapped[list[Any]] = mapped_column(default=list)
    size: Mapped[int] = mapped_column(default=0)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_themes.id", ondelete="SET NULL"), nullable=True
    )
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    candidate: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    name_locked: Mapped[bool] = mapped_column(Boolean, default=False)


class FeedbackAnalysis(Base):
    """What the analysis derived for one feedback item (keyed by the feedback id)."""

    __tablename__ = "feedback_analysis"
    __table_args__ = (Index("ix_feedback_analysis_workspace_theme", "workspace_id", "theme_id"),)

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    text_hash: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="und")
    kind: Mapped[str] = mapped_column(String(32), default="other")
    kind_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment: Mapped[float] = mapped_column(Float, default=0.0)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_themes.id", ondelete="SET NULL"), nullable=True
    )
    theme_similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback.id", ondelete="SET NULL"), nullable=True
    )
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    empty: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)
