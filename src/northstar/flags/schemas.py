"""Input and output shapes of feature flags (API, pages and CLI share them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from northstar.flags.engine import OPERATORS

FLAG_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$"
Operator = Literal[
    "exact", "is_not", "icontains", "not_icontains", "regex", "not_regex",
    "gt", "gte", "lt", "lte", "is_set", "is_not_set",
]  # fmt: skip
assert set(Operator.__args__) == set(OPERATORS)  # type: ignore[attr-defined]


class PropertyTest(BaseModel):
    """A test on a person property: ``plan exact ["pro", "team"]``, ``seats gte 10``, ``email is_set``."""

    key: str = Field(min_length=1, max_length=200)
    operator: Operator = "exact"
    value: str | float | int | bool | list[str | float | int | bool] | None = None
    type: Literal["person"] = "person"

    @model_validator(mode="after")
    def _value_needed(self) -> PropertyTest:
        if self.operator not in ("is_set", "is_not_set") and self.value in (None, "", []):
            raise ValueError(f"the {self.operator} test on {self.key!r} needs a value")
        return self


class ReleaseCondition(BaseModel):
    """Who gets the flag: everyone passing ``properties``, ``rollout_percentage`` of them (None = all)."""

    properties: list[PropertyTest] = Field(default_factory=list, max_length=20)
    rollout_percentage: float | None = Field(default=None, ge=0, le=100)
    variant: str | None = Field(default=None, max_length=200)


class FlagVariant(BaseModel):
    key: str = Field(pattern=FLAG_KEY_PATTERN)
    name: str = Field(default="", max_length=300)
    rollout_percentage: float = Field(ge=0, le=100)


def _check_variants(variants: list[FlagVariant], conditions: list[ReleaseCondition]) -> None:
    if variants:
        if len(variants) < 2:
            raise ValueError("a multivariate flag needs at least two variants (or none for an on/off flag)")
        keys = [v.key for v in variants]
        if len(set(keys)) != len(keys):
            raise ValueError("variant keys must be different from each other")
        total = sum(v.rollout_percentage for v in variants)
        if abs(total - 100) > 0.001:
            raise ValueError(f"the variants' percentages add up to {total:g}, not 100")
    known = {v.key for v in variants}
    for number, condition in enumerate(conditions, start=1):
        if condition.variant and condition.variant not in known:
            raise ValueError(
                f"condition {number} forces the variant {condition.variant!r}, which the flag lacks"
            )


class FlagCreate(BaseModel):
    key: str = Field(pattern=FLAG_KEY_PATTERN)
    name: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=10_000)
    active: bool = True
    #: release conditions, tried in order; the default lets everyone in
    conditions: list[ReleaseCondition] = Field(
        default_factory=lambda: [ReleaseCondition(rollout_percentage=100)], max_length=20
    )
    variants: list[FlagVariant] = Field(default_factory=list, max_length=20)
    payloads: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> FlagCreate:
        _check_variants(self.variants, self.conditions)
        return self


class FlagUpdate(BaseModel):
    """Any of the fields; conditions and variants are replaced as a whole when given."""

    name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    active: bool | None = None
    conditions: list[ReleaseCondition] | None = Field(default=None, max_length=20)
    variants: list[FlagVariant] | None = Field(default=None, max_length=20)
    payloads: dict[str, Any] | None = None


class RolloutChange(BaseModel):
    """Set every release condition's rollout to one percentage (the quick "roll out to 50 %")."""

    rollout_percentage: float = Field(ge=0, le=100)


class FlagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    description: str
    active: bool
    conditions: list[ReleaseCondition]
    variants: list[FlagVariant]
    payloads: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class FlagEvaluation(BaseModel):
    """A flag's value for one distinct id (what ``/flags`` answers for it)."""

    key: str
    enabled: bool
    variant: str | None
    value: bool | str
    reason: str
    condition_index: int | None
    description: str


class EvaluateRequest(BaseModel):
    distinct_id: str = Field(min_length=1, max_length=400)
    person_properties: dict[str, Any] = Field(default_factory=dict)

    @field_validator("distinct_id")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip() or value


class ExposureCount(BaseModel):
    """``$feature_flag_called`` events of a flag: persons per value over the last days."""

    value: str
    persons: int
    events: int
