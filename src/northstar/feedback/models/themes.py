"""Tables for the human side of themes: decisions that re-analysis must keep, and the idea-vector cache.

* ``FeedbackThemeOverride`` — one row per theme a person changed structurally: merged into another theme
  (``merged_into_id``; the absorbed theme stays as an alias so new items that resemble it go to the survivor) or
  made by a split (``split_from_id``).
* ``FeedbackThemeLock`` — an item a person put in a theme (moved it, or chose it when splitting), or took out of every
  theme (``theme_id`` is None); re-analysis never moves it, even when its text changes.
* ``FeedbackIdeaVector`` — the embedding of an idea's title and description, keyed by its text hash, so suggesting
  ideas for a theme embeds each idea once.

Every change is also written to the audit log; these tables hold the current state the analysis reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow


class FeedbackThemeOverride(IdMixin, TimestampMixin, Base):
    """A structural human decision about one theme (at most one row per theme)."""

    __tablename__ = "feedback_theme_overrides"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_themes.id", ondelete="CASCADE"), unique=True, index=True
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_themes.id", ondelete="CASCADE"), nullable=True
    )
    split_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_themes.id", ondelete="SET NULL"), nullable=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class FeedbackThemeLock(Base):
    """A feedback item placed in a theme by a person, or taken out of every theme (``theme_id`` None)."""

    __tablename__ = "feedback_theme_locks"

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_themes.id", ondelete="CASCADE"), nullable=True, index=True
    )
    locked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedbackIdeaVector(Base):
    """Cached embedding (float16) of an idea's title and description."""

    __tablename__ = "feedback_idea_vectors"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    text_hash: Mapped[str] = mapped_column(String(40))
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
