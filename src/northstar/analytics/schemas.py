"""Input and output shapes of the analytics API (kept apart from the tables)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

MetricKind = Literal["north_star", "activation", "retention", "engagement", "revenue", "custom"]
MetricMath = Literal[
    "total", "unique_users", "unique_accounts", "dau", "wau", "mau", "sum", "avg", "conversion"
]
EventName = Field(min_length=1, max_length=400)
#: an event name inside a list (funnel steps, exclusions): never empty
StepName = Annotated[str, Field(min_length=1, max_length=400)]


def _blank_is_none(value: Any) -> Any:
    """An optional name sent as "" (an HTML form's empty choice, a fuzzer) means "none", not a property ''."""
    return None if isinstance(value, str) and not value.strip() else value


#: an optional property or event name: blank means not given
OptionalName = Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_is_none)]
OptionalEvent = Annotated[Annotated[str, Field(max_length=400)] | None, BeforeValidator(_blank_is_none)]


def _last_days() -> Any:
    """A rolling range: the last N days up to ``date_to`` (or today), used when ``date_from`` is not given, so a
    saved insight keeps showing recent weeks instead of a fixed span."""
    return Field(default=None, ge=1, le=3650)


#: the longest range an insight may cover (ten years), and the longest an hourly trend may (92 days: 2,208 hours)
MAX_RANGE_DAYS = 3660
MAX_HOURLY_DAYS = 92


def check_range(date_from: dt.date | None, date_to: dt.date | None, longest: int = MAX_RANGE_DAYS) -> None:
    """Refuse a range that ends before it starts or is longer than ``longest`` days: without a bound, a range of
    centuries by the hour would make the query build millions of empty buckets."""
    if date_from is None:
        return
    end = date_to or dt.date.today()
    if end < date_from:
        raise ValueError("date_to must not be before date_from")
    if (end - date_from).days > longest:
        raise ValueError(f"a range may cover at most {longest:,} days")


class RangedSpec(BaseModel):
    """The range fields every insight but retention has, checked together."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    last_days: int | None = _last_days()

    @model_validator(mode="after")
    def _range_is_bounded(self) -> RangedSpec:
        hourly = getattr(self, "interval", None) == "hour"
        longest = MAX_HOURLY_DAYS if hourly else MAX_RANGE_DAYS
        check_range(self.date_from, self.date_to, longest)
        if self.date_from is None and self.last_days is not None and self.last_days > longest:
            raise ValueError(f"an hourly trend may cover at most {longest} days")
        return self


class KeysRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    project_key: str
    write_key: str


class TrendsSpec(RangedSpec):
    """A trends insight: one event, a math, an interval and a range (defaults: last 30 days, daily)."""

    kind: Literal["trends"] = "trends"
    event: str = EventName
    math: Literal[
        "total", "unique_users", "dau", "wau", "mau", "sum", "avg", "min", "max", "median", "p90"
    ] = "total"
    math_property: OptionalName = None
    interval: Literal["hour", "day", "week", "month"] = "day"
    breakdown: OptionalName = None
    compare: bool = False


class FunnelSpec(RangedSpec):
    """A funnel insight: ordered steps, a window, a mode, exclusions (whole funnel) and a range."""

    kind: Literal["funnel"] = "funnel"
    steps: list[StepName] = Field(min_length=1, max_length=20)
    window_days: float = Field(default=14, gt=0, le=365)
    mode: Literal["ordered", "strict", "unordered"] = "ordered"
    exclusions: list[StepName] = Field(default_factory=list, max_length=10)
    breakdown: OptionalName = None


class RetentionSpec(BaseModel):
    """A retention insight: start and return events, period, number of periods, type and last day."""

    kind: Literal["retention"] = "retention"
    start_event: str = EventName
    return_event: str = EventName
    period: Literal["day", "week", "month"] = "week"
    intervals: int = Field(default=8, ge=1, le=62)
    retention_type: Literal["recurring", "first_time"] = "recurring"
    date_to: dt.date | None = None


class StickinessSpec(RangedSpec):
    kind: Literal["stickiness"] = "stickiness"
    event: str = EventName


class LifecycleSpec(RangedSpec):
    kind: Literal["lifecycle"] = "lifecycle"
    event: str = EventName
    interval: Literal["day", "week", "month"] = "day"


InsightSpec = TrendsSpec | FunnelSpec | RetentionSpec | StickinessSpec | LifecycleSpec


class InsightResult(BaseModel):
    """A computed insight as a table: ``columns`` and ``rows`` (what the CSV export writes), plus the raw data.

    Trends and lifecycle rows end with a ``complete`` column: ``False`` for a period that is still running (the
    current day, week or month) or that the date range cuts, so a half-counted period is never read as a drop.
    """

    kind: str
    columns: list[str]
    rows: list[list[Any]]
    data: dict[str, Any]


class SavedInsightCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: InsightSpec = Field(discriminator="kind")


class SavedInsightRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: str
    query: dict[str, Any]
    created_at: dt.datetime


class MetricCreate(BaseModel):
    key: str = Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str = Field(min_length=1, max_length=200)
    kind: MetricKind = "custom"
    event: str = EventName
    math: MetricMath = "total"
    math_property: OptionalName = None
    window_days: int = Field(default=30, ge=1, le=365)
    conversion_event: OptionalEvent = None

    @model_validator(mode="after")
    def _property_for_property_math(self) -> MetricCreate:
        if self.math in {"sum", "avg"} and not self.math_property:
            raise ValueError(f"math {self.math!r} needs math_property")
        if self.math == "conversion" and not self.conversion_event:
            raise ValueError("math 'conversion' needs conversion_event (the event that counts as converted)")
        return self


class MetricRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    kind: str
    event: str
    math: str
    math_property: str | None
    window_days: int
    conversion_event: str | None = None


class MetricValue(BaseModel):
    metric: MetricRead
    value: float
    date_from: dt.date
    date_to: dt.date


class DashboardCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)


class DashboardInsightAdd(BaseModel):
    insight_id: int


class DashboardRead(BaseModel):
    """A dashboard and its saved insights, in their order."""

    id: int
    name: str
    description: str
    insights: list[SavedInsightRead]
    created_at: dt.datetime


class EventNameCount(BaseModel):
    """An event name seen in the workspace, with how many times it was sent (for pickers)."""

    name: str
    count: int


class KeyResultRefresh(BaseModel):
    key_result_id: int
    metric: str
    value: float


class IdeaEventBind(BaseModel):
    event: str = EventName
    shipped_on: dt.date | None = None


class AdoptionRead(BaseModel):
    """Feature adoption of a shipped idea: share of customers using the bound event, askers vs the rest."""

    idea_id: int
    event: str
    since: dt.date | None
    requesters: int
    requesters_adopted: int
    others: int
    others_adopted: int
    requester_rate: float
    other_rate: float


class AlertRead(BaseModel):
    """An anomaly alert: the day, what was observed, what the weekly model expected and its band."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    series_key: str
    label: str
    metric_id: int | None
    insight_id: int | None
    day: dt.date
    observed: float
    expected: float
    lower: float
    upper: float
    score: float
    direction: Literal["spike", "drop"]
    severity: Literal["warning", "critical"]
    acknowledged: bool
    acknowledged_by: int | None
    acknowledged_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AlertEvaluation(BaseModel):
    """What one evaluation did: the last day assessed, series looked at, anomalies found, alerts opened."""

    through_day: dt.date
    series: int
    anomalies: int
    new_alerts: int
    resolved_alerts: int
    notes: list[str]
    alerts: list[AlertRead]


class AlertCheckRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    through_day: dt.date
    series: int
    anomalies: int
    notes: list[str]
    created_at: dt.datetime


class AlertEvaluateRequest(BaseModel):
    """Evaluate the series through ``through`` (default yesterday), alerting on the last ``alert_days`` days."""

    through: dt.date | None = None
    alert_days: int = Field(default=7, ge=1, le=31)
    threshold: float = Field(default=4.0, ge=1.0, le=20.0)
