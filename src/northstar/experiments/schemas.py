"""Input and output shapes for experiments, their summaries and their results."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal["draft", "running", "stopped", "concluded"]
MetricTypeName = Literal["mean", "proportion", "ratio"]
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"


class VariantDefinition(BaseModel):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(default="", max_length=200)
    weight: float = Field(default=1.0, gt=0, le=1e6)


class MetricDefinition(BaseModel):
    """A goal or guardrail metric; ``event`` names the event it is computed from when events are used."""

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(default="", max_length=200)
    type: MetricTypeName = "proportion"
    role: Literal["goal", "guardrail"] = "goal"
    event: str | None = Field(default=None, max_length=200)
    denominator_event: str | None = Field(default=None, max_length=200)
    inverse: bool = False
    #: for ``mean`` (and a ratio's numerator): sum this numeric event property instead of counting events
    value_property: str | None = Field(default=None, max_length=200)
    #: conversion window: count only events within this many days of the person's first exposure
    window_days: float | None = Field(default=None, gt=0, le=365)


class AnalysisChoices(BaseModel):
    engine: Literal["frequentist", "bayesian"] = "frequentist"
    difference: Literal["relative", "absolute"] = "relative"
    sequential: bool = False
    sequential_tuning: float = Field(default=5000, ge=1, le=1e12)
    cuped: bool = False
    alpha: float = Field(default=0.05, gt=0, lt=0.5)


def naive_utc(moment: datetime) -> datetime:
    """An aware datetime as naive UTC; a naive one is taken as UTC already (SQLite returns those)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _check_unique(items: list[Any], what: str) -> None:
    keys = [item.key for item in items]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"{what} keys must be unique; repeated: {', '.join(duplicates)}")


class ExperimentCreate(BaseModel):
    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=300)
    hypothesis: str = Field(default="", max_length=20_000)
    status: Status = "draft"
    exposure_event: str = Field(default="$feature_flag_called", min_length=1, max_length=200)
    variant_property: str = Field(default="$feature_flag_response", min_length=1, max_length=200)
    feature_flag: str | None = Field(default=None, min_length=1, max_length=200)
    variants: list[VariantDefinition] = Field(min_length=2, max_length=20)
    metrics: list[MetricDefinition] = Field(default_factory=list, max_length=50)
    settings: AnalysisChoices = Field(default_factory=AnalysisChoices)
    idea_id: int | None = None
    key_result_id: int | None = None

    @model_validator(mode="after")
    def _unique_keys(self) -> ExperimentCreate:
        _check_unique(self.variants, "variant")
        _check_unique(self.metrics, "metric")
        return self


class ExperimentUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    hypothesis: str | None = Field(default=None, max_length=20_000)
    status: Status | None = None
    exposure_event: str | None = Field(default=None, min_length=1, max_length=200)
    feature_flag: str | None = Field(default=None, min_length=1, max_length=200)
    metrics: list[MetricDefinition] | None = Field(default=None, max_length=50)
    settings: AnalysisChoices | None = None
    idea_id: int | None = None
    key_result_id: int | None = None
    #: the analysis window of results computed from events (set automatically by the status changes)
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @field_validator("started_at", "ended_at")
    @classmethod
    def _representable(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            moment = naive_utc(value)
        except OverflowError:
            raise ValueError("the time is out of range") from None
        if not 1970 <= moment.year <= 9998:
            raise ValueError("the time must lie between the years 1970 and 9998")
        return value

    @model_validator(mode="after")
    def _window_in_order(self) -> ExperimentUpdate:
        if self.started_at is not None and self.ended_at is not None:
            start, end = naive_utc(self.started_at), naive_utc(self.ended_at)
            if end <= start:
                raise ValueError("ended_at must be after started_at")
        return self

    @field_validator("metrics")
    @classmethod
    def _unique_metrics(cls, value: list[MetricDefinition] | None) -> list[MetricDefinition] | None:
        if value is not None:
            _check_unique(value, "metric")
        return value


class ExperimentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    hypothesis: str
    status: Status
    exposure_event: str
    variant_property: str
    feature_flag: str | None = None
    variants: list[VariantDefinition]
    metrics: list[MetricDefinition]
    settings: AnalysisChoices
    idea_id: int | None
    key_result_id: int | None = None
    design: dict[str, Any] | None = None
    started_at: datetime | None
    ended_at: datetime | None
    exposure_summary: dict[str, Any] | None = None
    computed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class SummaryUpload(BaseModel):
    """Per-variant sums of one metric as CSV text (one row per variant, gbstats query-row columns)."""

    metric_key: str = Field(pattern=KEY_PATTERN)
    csv: str = Field(min_length=1, max_length=1_000_000)

    @field_validator("csv")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not re.search(r"\S", value):
            raise ValueError("the CSV is empty")
        return value


class AnalyzeRequest(AnalysisChoices):
    """A stateless analysis: per-variant sums as CSV text (first row = baseline) and how to analyse them."""

    csv: str = Field(min_length=1, max_length=1_000_000)
    metric_type: MetricTypeName = "mean"
    inverse: bool = False


class SummaryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    metric_key: str
    variation: str
    users: int
    count: int | None
    main_sum: float
    main_sum_squares: float | None
    denominator_sum: float | None
    denominator_sum_squares: float | None
    main_denominator_sum_product: float | None
    covariate_sum: float | None
    covariate_sum_squares: float | None
    main_covariate_sum_product: float | None
    denominator_pre_sum: float | None
    denominator_pre_sum_squares: float | None
    denominator_post_denominator_pre_sum_product: float | None
    main_pre_denominator_pre_sum_product: float | None
    main_post_denominator_pre_sum_product: float | None
    main_pre_denominator_post_sum_product: float | None
    uploaded_at: datetime


class UploadResult(BaseModel):
    metric_key: str
    variants: int


class VariantResult(BaseModel):
    variation: str
    users: int
    mean: float | None
    expected: float | None
    ci: list[float | None]
    standard_error: float | None
    p_value: float | None = None
    chance_to_win: float | None = None
    risk: list[float | None] | None = None
    significant: bool = False
    reason: str | None = None


class MetricResult(BaseModel):
    """One metric's comparison of every variant with the baseline, or why there is none yet."""

    key: str
    name: str
    role: Literal["goal", "guardrail"]
    type: MetricTypeName
    inverse: bool
    baseline: str
    baseline_mean: float | None = None
    variants: list[VariantResult] = Field(default_factory=list)
    srm_p_value: float | None = None
    missing: str | None = None


class ExperimentResults(BaseModel):
    experiment: ExperimentRead
    settings: AnalysisChoices
    metrics: list[MetricResult]
    srm_p_value: float | None
    srm_warning: bool


class RefreshRequest(BaseModel):
    """Recompute the summaries from the event store; ``covariate_days`` sets the CUPED pre-period (default 14)."""

    covariate_days: int | None = Field(default=None, ge=1, le=90)


class RefreshResult(BaseModel):
    """What a refresh from events computed: the metrics, the persons per variant and those left out."""

    metrics: list[UploadResult]
    skipped: list[str]
    exposed: dict[str, int]
    multiple_variants: int
    unknown_variant: int
    window_start: datetime | None
    window_end: datetime | None
    computed_at: datetime


class DesignRequest(BaseModel):
    """What a sample-size plan needs: the metric's baseline (a rate for proportions, a mean and its standard
    deviation for means), the smallest effect worth detecting, α, power and the people entering per day."""

    metric_type: Literal["proportion", "mean"] = "proportion"
    baseline: float = Field(gt=-1e12, lt=1e12)
    standard_deviation: float | None = Field(default=None, gt=0, lt=1e12)
    mde: float = Field(gt=-1e12, lt=1e12)
    mde_relative: bool = True
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    power: float = Field(default=0.8, ge=0.5, lt=1)
    daily_traffic: float | None = Field(default=None, gt=0, lt=1e12)
    variants: int | None = Field(default=None, ge=2, le=20)


class DesignRead(DesignRequest):
    """The plan: people per variant and in all, days at the daily traffic, and the rates it is planned for."""

    per_variant: int
    total: int
    days: int | None
    effect: float
    treatment: float
    variants: int | None = None
    planned_at: datetime | None = None


Decision = Literal["ship", "roll_back", "iterate"]


class DecisionCreate(BaseModel):
    """Ship the variant, roll back to the baseline, or iterate; ``reason`` is required, in the decider's words."""

    decision: Decision
    reason: str = Field(min_length=3, max_length=10_000)
    variation: str | None = Field(default=None, max_length=100)
    key_result_id: int | None = None
    confidence: float = Field(default=0.7, ge=0, le=1)


class DecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    experiment_id: int
    decision: Decision
    reason: str
    metric_key: str | None
    variation: str | None
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    idea_id: int | None
    idea_status: str | None
    key_result_id: int | None
    check_in_id: int | None
    decided_by: int | None
    created_at: datetime


class EffectPoint(BaseModel):
    """The cumulative effect of one variant on the goal metric with the data up to the end of ``day``."""

    day: str
    variation: str
    users: int
    effect: float | None
    ci_low: float | None
    ci_high: float | None
