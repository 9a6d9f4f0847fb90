"""Tables of the maturity module: dated assessments and their answers (with evidence and override notes)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin


class MaturityAssessment(IdMixin, TimestampMixin, Base):
    __tablename__ = "maturity_assessments"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date]
    stage: Mapped[str] = mapped_column(String(16))
    model_version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    #: scored summary kept for the history chart: overall level, coverage, level per focus area
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MaturityAnswer(IdMixin, Base):
    __tablename__ = "maturity_answers"
    __table_args__ = (UniqueConstraint("assessment_id", "capability_id", name="uq_maturity_answer"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("maturity_assessments.id", ondelete="CASCADE"), index=True
    )
    capability_id: Mapped[str] = mapped_column(String(100))
    answer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="none")  # evidence | manual | override | none
    evidence: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
