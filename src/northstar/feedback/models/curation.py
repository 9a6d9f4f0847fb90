"""Tables for what people add on top of the automatic analysis: human decisions that re-analysis never overwrites.

* ``feedback_duplicate_dismissals`` — pairs a person marked "not a duplicate" (stored once, smaller id first);
  the duplicates review hides them whatever a later analysis says.
* ``feedback_kind_overrides`` — a kind set by hand in the inbox; it wins over the analysed kind.
* the workspace's own taxonomy: ``feedback_categories``, one ``feedback_labels`` row per labelled item, the trained
  ``feedback_taxonomy_models`` (model file stored as a blob, with its held-out accuracy) and
  ``feedback_predictions`` (the latest model's label and confidence per item).

Merged feedback is marked on the ``feedback`` row itself (``merged_into_id``), see ``duplicates_service``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow
from northstar.feedback.models.analysis import FeedbackAnalysis

#: the inbox filters by kind and sentiment on the analysis table (indexes created by revision feedback_0003)
Index("ix_feedback_analysis_workspace_kind", FeedbackAnalysis.workspace_id, FeedbackAnalysis.kind)
Index("ix_feedback_analysis_workspace_sentiment", FeedbackAnalysis.workspace_id, FeedbackAnalysis.sentiment)


class DuplicateDismissal(IdMixin, Base):
    """ "These two items are not duplicates", said by a person (``first_id`` < ``second_id``)."""

    __tablename__ = "feedback_duplicate_dismissals"
    __table_args__ = (
        UniqueConstraint("first_id", "second_id", name="uq_feedback_duplicate_dismissals_pair"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KindOverride(Base):
    """The kind a person gave an item; shown and filtered instead of the analysed kind."""

    __tablename__ = "feedback_kind_overrides"

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaxonomyCategory(IdMixin, TimestampMixin, Base):
    """One category of the workspace's own taxonomy."""

    __tablename__ = "feedback_categories"
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_feedback_categories_workspace_name"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")


class TaxonomyLabel(Base):
    """A person's label on one item (one category per item). ``origin`` says where it was given."""

    __tablename__ = "feedback_labels"
    __table_args__ = (Index("ix_feedback_labels_workspace_category", "workspace_id", "category_id"),)

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("feedback_categories.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(16), default="inbox")
    labelled_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    labelled_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaxonomyModelVersion(IdMixin, Base):
    """A trained taxonomy classifier: the model file (``.npz``, no pickle), what it was trained on, how well it did."""

    __tablename__ = "feedback_taxonomy_models"
    __table_args__ = (Index("ix_feedback_taxonomy_models_workspace_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    job_id: Mapped[int | None] = mapped_column(nullable=True)
    labels_used: Mapped[int] = mapped_column(default=0)
    held_out: Mapped[int] = mapped_column(default=0)
    accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: {"categories": [id, ...], "matrix": [[count, ...], ...]} on the held-out split, rows = true category
    confusion: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: {"skipped": {category id: reason}, "per_category": {id: {"support": n, "correct": n}}, "seconds": s}
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    model: Mapped[bytes] = mapped_column(LargeBinary)


class TaxonomyPrediction(Base):
    """The latest model's category for one item, with its confidence (probability of that category)."""

    __tablename__ = "feedback_predictions"
    __table_args__ = (
        Index("ix_feedback_predictions_workspace_category", "workspace_id", "category_id"),
        Index("ix_feedback_predictions_workspace_confidence", "workspace_id", "confidence"),
    )

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("feedback_categories.id", ondelete="CASCADE"))
    confidence: Mapped[float] = mapped_column(Float)
    model_id: Mapped[int] = mapped_column(ForeignKey("feedback_taxonomy_models.id", ondelete="CASCADE"))
    predicted_at: Mapped[datetime] = mapped_column(default=utcnow)
