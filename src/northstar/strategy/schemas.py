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
