"""Tables for objectives, key results and their check-ins."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin


class Objective(IdMixin, TimestampMixin, Base):
    __tablename__ = "objectives"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str | None] = mapped_column(String(32), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), nullable=True)


class KeyResult(IdMixin, TimestampMixin, Base):
    __tablename__ = "key_results"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objectives.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    baseline: Mapped[float] = mapped_column(default=0.0)
    target: Mapped[float] = mapped_column(default=1.0)
    current: Mapped[float] = mapped_column(default=0.0)
    unit: Mapped[str] = mapped_column(String(32), default="")
    #: "manual" or a metric key that updates ``current`` from analytics
    metric: Mapped[str | None] = mapped_column(String(200), nullable=True)


class CheckIn(IdMixin, TimestampMixin, Base):
    __tablename__ = "check_ins"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("key_results.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    value: Mapped[float]
    confidence: Mapped[float] = mapped_column(default=0.7)
    note: Mapped[str] = mapped_column(Text, default="")
    #: "manual" (typed by a person) or "metric" (computed from the key result's analytics metric)
    source: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
