"""Input and output shapes of the decision module (kept apart from the tables)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Framework = Literal["rice", "ice", "wsjf", "value_effort", "cost_of_delay", "formula"]
ValueBasis = Literal["npv", "rice", "cost_of_delay"]
DistributionName = Literal["triangular", "pert", "lognormal"]


class ScoredIdea(BaseModel):
    idea_id: int
    title: str
    team_id: int | None
    status: str
    score: float | None
    arithmetic: str
    problem: str | None = None
    #: the idea's RICE inputs (reach, impact, confidence, effort), for scoring it inline; missing ones are absent
    inputs: dict[str, float] = Field(default_factory=dict)


class Prioritization(BaseModel):
    """The Prioritize table: every listed idea (scored first, then those missing inputs) and what is not listed."""

    rows: list[ScoredIdea]
    scored: int
    unscored: int
    #: shipped and won't-do ideas, not listed unless asked for
    closed: int
    include_closed: bool


class IdeaPlanningUpdate(BaseModel):
    estimate_low_weeks: float | None = Field(default=None, ge=0, le=520)
    estimate_likely_weeks: float | None = Field(default=None, ge=0, le=520)
    estimate_high_weeks: float | None = Field(default=None, ge=0, le=520)
    distribution: DistributionName = "pert"
    people: int = Field(default=2, ge=1, le=100)
    category: str | None = Field(default=None, max_length=100)
    must_have: bool = False
    depends_on: list[int] = Field(default_factory=list, max_length=200)
    excludes: list[int] = Field(default_factory=list, max_length=200)
    deadline_week: int | None = Field(default=None, ge=0, le=520)

    @model_validator(mode="after")
    def _ordered(self) -> IdeaPlanningUpdate:
        values = [self.estimate_low_weeks, self.estimate_likely_weeks, self.estimate_high_weeks]
        given = [v for v in values if v is not None]
        if given and len(given) != 3:
            raise ValueError("give low, likely and high together")
        if len(given) == 3 and not given[0] <= given[1] <= given[2]:
            raise ValueError("the estimate needs low ≤ likely ≤ high")
        return self


class IdeaPlanningRead(IdeaPlanningUpdate):
    model_config = ConfigDict(from_attributes=True)
    idea_id: int


class MixRuleIn(BaseModel):
    category: str = Field(min_length=1, max_length=100)
    min_share: float | None = Field(default=None, ge=0, le=1)
    max_share: float | None = Field(default=None, ge=0, le=1)
    measure: Literal["cost", "count", "value", "effort"] = "cost"


class Assumptions(BaseModel):
    """What a plan or scenario assumes; every field has a sensible default."""

    budget: float | None = Field(default=None, ge=0)
    discount_rate: float = Field(default=0.10, ge=-0.99, le=10, description="per year")
    value_basis: ValueBasis = "npv"
    quarters: int = Field(default=8, ge=1, le=40, description="periods of benefit counted in NPV")
    capacity_factor: dict[str, float] = Field(default_factory=dict, description="team id → factor")
    force_in: list[int] = Field(default_factory=list)
    force_out: list[int] = Field(default_factory=list)
    mix_rules: list[MixRuleIn] = Field(default_factory=list)
    time_limit_seconds: float = Field(default=10, gt=0, le=600)
    start_date: str | None = Field(default=None, description="ISO date of week 0")


class PlanCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    assumptions: Assumptions = Field(default_factory=Assumptions)


class PlanCopy(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    assumptions: dict[str, Any] = Field(default_factory=dict, description="fields to change")


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    parent_id: int | None
    assumptions: dict[str, Any]
    portfolio: dict[str, Any] | None
    schedule: dict[str, Any] | None
    forecast: dict[str, Any] | None
    solved_at: datetime | None
    created_at: datetime


class PlanSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    parent_id: int | None
    solved_at: datetime | None


class ForecastFinish(BaseModel):
    """When a whole plan is done: the dates it is done by with 50, 85 and 95 % confidence, and the weeks to them."""

    p50: date
    p85: date
    p95: date
    p50_weeks: float
    p85_weeks: float
    p95_weeks: float


class UsageComparison(BaseModel):
    """One budget or capacity row of two plans: used and available in each (None where a plan has no such row)."""

    name: str
    unit: Literal["money", "person-weeks"]
    used_a: float | None = None
    limit_a: float | None = None
    used_b: float | None = None
    limit_b: float | None = None


class IdeaComparison(BaseModel):
    """An idea funded by either plan: where it is funded, and its 85 %-confidence delivery date in each."""

    idea_id: int
    title: str
    in_a: bool
    in_b: bool
    p85_a: date | None = None
    p85_b: date | None = None
    #: weeks the P85 date moved from plan a to plan b (negative = earlier); None unless both forecast it
    moved_weeks: float | None = None


class ComparisonRead(BaseModel):
    """Two solved plans side by side, with what changed said in words (``assumption_changes``, ``summary``)."""

    a: PlanSummary
    b: PlanSummary
    #: "money" when value is NPV in dollars, "points" for a RICE or cost-of-delay value
    value_unit: Literal["money", "points"] = "money"
    value_a: float
    value_b: float
    value_change: float
    only_in_a: list[str]
    only_in_b: list[str]
    in_both: list[str]
    ideas: list[IdeaComparison] = Field(default_factory=list)
    usage: list[UsageComparison] = Field(default_factory=list)
    finish_a: ForecastFinish | None = None
    finish_b: ForecastFinish | None = None
    assumption_changes: list[str] = Field(default_factory=list)
    summary: list[str] = Field(default_factory=list)


class ScenarioCreate(BaseModel):
    """A scenario as the plan page's form asks for it: a name and what changes, teams and ideas picked by name."""

    name: str = Field(min_length=1, max_length=200)
    budget: float | None = Field(default=None, ge=0)
    team_id: int | None = None
    capacity_factor: float | None = Field(default=None, ge=0, le=10)
    force_in: list[int] = Field(default_factory=list, max_length=200)
    force_out: list[int] = Field(default_factory=list, max_length=200)
