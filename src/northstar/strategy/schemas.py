"""Input and output shapes for objectives, key results and check-ins."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ObjectiveCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    period: str | None = Field(default=None, max_length=32)
    owner_id: int | None = None


class ObjectiveUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    period: str | None = Field(default=None, max_length=32)
    owner_id: int | None = None


class KeyResultCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    baseline: float = Field(default=0.0, ge=-1e15, le=1e15)
    target: float = Field(default=1.0, ge=-1e15, le=1e15)
    current: float | None = Field(default=None, ge=-1e15, le=1e15)
    unit: str = Field(default="", max_length=32)
    metric: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _target_differs(self) -> KeyResultCreate:
        if self.target == self.baseline:
            raise ValueError("target must differ from baseline")
        return self


class KeyResultUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    baseline: float | None = Field(default=None, ge=-1e15, le=1e15)
    target: float | None = Field(default=None, ge=-1e15, le=1e15)
    current: float | None = Field(default=None, ge=-1e15, le=1e15)
    unit: str | None = Field(default=None, max_length=32)
    metric: str | None = Field(default=None, max_length=200)


class KeyResultRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    objective_id: int
    title: str
    baseline: float
    target: float
    current: float
    unit: str
    metric: str | None
    progress: float = Field(description="Share of the way from baseline to target, clamped to [0, 1].")


class ObjectiveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str
    period: str | None
    owner_id: int | None
    progress: float
    key_results: list[KeyResultRead]


class CheckInCreate(BaseModel):
    value: float = Field(ge=-1e15, le=1e15)
    confidence: float = Field(default=0.7, ge=0, le=1)
    note: str = Field(default="", max_length=10_000)
    day: dt.date | None = None


class CheckInRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key_result_id: int
    day: dt.date
    value: float
    confidence: float
    note: str
    source: str = Field(
        description='"manual" (typed by a person) or "metric" (computed from the bound metric).'
    )


class KeyResultDetail(KeyResultRead):
    """A key result with its pace signal, the metric it is bound to and its check-in history."""

    pace: str = Field(description="not_started, on_track, behind, at_risk, done or no_period.")
    pace_words: str
    expected_progress: float | None = Field(
        description="Share of the way from baseline to target expected by today (the elapsed share of the period)."
    )
    expected_value: float | None = Field(
        description="The value a straight line from baseline to target gives today."
    )
    metric_name: str | None
    check_ins: list[CheckInRead]


class LinkedIdea(BaseModel):
    id: int
    title: str
    status: str
    team_id: int | None


class ObjectiveDetail(BaseModel):
    """An objective's page: its period, key results with pace and history, and the ideas that serve it."""

    id: int
    title: str
    description: str
    period: str | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    elapsed_share: float | None
    owner_id: int | None
    owner_name: str | None
    progress: float
    today: dt.date
    key_results: list[KeyResultDetail]
    ideas: list[LinkedIdea]


class BindableMetric(BaseModel):
    """An analytics metric a key result can be bound to."""

    key: str
    name: str
    event: str
    math: str
    window_days: int


class MetricBinding(BaseModel):
    """Bind a key result to an analytics metric (its key), or ``null`` to make it manual again."""

    metric: str | None = Field(default=None, max_length=200)


class MetricCheckIn(BaseModel):
    """What "update from metrics" did for one bound key result."""

    key_result_id: int
    title: str
    metric: str
    value: float | None
    check_in_id: int | None
    reason: str | None = Field(default=None, description="Why no check-in was recorded, when none was.")
