"""Tables for experiments and the per-variant summaries their results are computed from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow

STATUSES = ("draft", "running", "stopped", "concluded")


class Experiment(IdMixin, TimestampMixin, Base):
    """An A/B test: its variants (the first is the baseline), exposure event and metrics.

    ``variants`` is a list of ``{"key", "name", "weight"}``; ``metrics`` a list of
    ``{"key", "name", "type", "role", "event", "denominator_event", "inverse"}`` with role ``goal`` or
    ``guardrail``; ``settings`` holds the analysis choices (engine, difference, sequential, alpha, CUPED).
    ``started_at`` / ``ended_at`` are also the analysis window when results are computed from the event store.
    """

    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_experiments_workspace_key"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="draft")
    exposure_event: Mapped[str] = mapped_column(String(200), default="$feature_flag_called")
    variant_property: Mapped[str] = mapped_column(String(200), default="$feature_flag_response")
    variants: Mapped[list[Any]] = mapped_column(default=list)
    metrics: Mapped[list[Any]] = mapped_column(default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: only exposure events whose ``$feature_flag`` property equals this count (PostHog flags); ``None``: all
    feature_flag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: what the last refresh from the event store found: persons per variant and the persons left out
    exposure_summary: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    computed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: the key result this experiment is meant to move (its decision is appended to the key result's history)
    key_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("key_results.id", ondelete="SET NULL"), nullable=True
    )
    #: the plan made before the run: the inputs and the people and days they need (``DesignRead``)
    design: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)


class VariantMetricSummary(IdMixin, Base):
    """Sufficient statistics of one metric in one variant (gbstats query-row columns)."""

    __tablename__ = "experiment_summaries"
    __table_args__ = (
        UniqueConstraint("experiment_id", "metric_key", "variation", name="uq_experiment_summaries_cell"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    metric_key: Mapped[str] = mapped_column(String(100))
    variation: Mapped[str] = mapped_column(String(100))
    users: Mapped[int] = mapped_column(Integer)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    main_sum: Mapped[float] = mapped_column(Float)
    main_sum_squares: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator_sum: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator_sum_squares: Mapped[float | None] = mapped_column(Float, nullable=True)
    main_denominator_sum_product: Mapped[float | None] = mapped_column(Float, nullable=True)
    covariate_sum: Mapped[float | None] = mapped_column(Float, nullable=True)
    covariate_sum_squares: Mapped[float | None] = mapped_column(Float, nullable=True)
    main_covariate_sum_product: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator_pre_sum: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator_pre_sum_squares: Mapped[float | None] = mapped_column(Float, nullable=True)
    denominator_post_denominator_pre_sum_product: Mapped[float | None] = mapped_column(Float, nullable=True)
    main_pre_denominator_pre_sum_product: Mapped[float | None] = mapped_column(Float, nullable=True)
    main_post_denominator_pre_sum_product: Mapped[float | None] = mapped_column(Float, nullable=True)
    main_pre_denominator_post_sum_product: Mapped[float | None] = mapped_column(Float, nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


DECISIONS = ("ship", "roll_back", "iterate")


class ExperimentDecision(IdMixin, TimestampMixin, Base):
    """What was decided when an experiment ended, why, and what the result said at that moment."""

    __tablename__ = "experiment_decisions"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    #: the goal metric and variant the decision is about, and their effect and interval then
    metric_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    variation: Mapped[str | None] = mapped_column(String(100), nullable=True)
    effect: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"), nullable=True)
    idea_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    key_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("key_results.id", ondelete="SET NULL"), nullable=True
    )
    check_in_id: Mapped[int | None] = mapped_column(
        ForeignKey("check_ins.id", ondelete="SET NULL"), nullable=True
    )
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
