"""Input and output shapes of reports & sharing, and the assembled data a report keeps as its snapshot.

The ``*Data`` models are what an issued report stores as JSON: everything its template needs, so reopening it
later renders the same numbers however the live data has changed since.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReportKind = Literal["board", "brief"]
ShareableStatus = Literal["planned", "in_progress", "shipped"]


def _default_statuses() -> list[ShareableStatus]:
    return ["planned", "in_progress"]


# --- the data a board report is made of ----------------------------------------------------------------------


class KeyResultLine(BaseModel):
    title: str
    progress: float
    current: float
    target: float
    unit: str
    pace: str = Field(description="on_track, behind, at_risk, done, not_started or no_period")
    confidence: float | None = Field(default=None, description="the latest check-in's confidence, 0..1")


class ObjectiveLine(BaseModel):
    title: str
    period: str | None
    progress: float
    key_results: list[KeyResultLine]


class RoadmapLine(BaseModel):
    idea_id: int
    title: str
    status: str
    team: str
    starts_on: dt.date | None = None
    p50: dt.date | None = None
    p85: dt.date | None = None
    deadline: dt.date | None = None
    deadline_probability: float | None = None


class PortfolioSummary(BaseModel):
    plan: str
    status: str
    value: float | None
    budget_used: float | None
    budget_limit: float | None
    selected: int
    currency: str


class MetricTrend(BaseModel):
    name: str
    unit: str
    points: list[tuple[dt.date, float]]
    change: float | None = Field(default=None, description="last point against the first, as a fraction")


class ThemeLine(BaseModel):
    name: str
    items: int
    customers: int
    arr: float
    direction: str


class BudgetLineSummary(BaseModel):
    team: str
    planned_cents: int
    actual_cents: int
    variance_cents: int
    forecast_cents: int
    alert: bool


class BudgetSummary(BaseModel):
    period: str
    currency: str
    planned_cents: int
    actual_cents: int
    forecast_cents: int
    teams: list[BudgetLineSummary]


class Risk(BaseModel):
    kind: Literal["key_result", "overspend", "slipped"]
    title: str
    detail: str


class BoardData(BaseModel):
    """Everything a board report shows, as it was on the day it was issued."""

    workspace: str
    period: str
    starts_on: dt.date
    ends_on: dt.date
    as_of: dt.date
    objectives: list[ObjectiveLine]
    roadmap: list[RoadmapLine]
    portfolio: PortfolioSummary | None
    metrics: list[MetricTrend]
    themes: list[ThemeLine]
    budget: BudgetSummary | None
    risks: list[Risk]


# --- the data a weekly brief is made of ----------------------------------------------------------------------


class ShippedLine(BaseModel):
    idea_id: int
    title: str
    team: str


class SlipLine(BaseModel):
    idea_id: int
    title: str
    was: dt.date | None
    now: dt.date
    days: int | None


class ExperimentLine(BaseModel):
    name: str
    ended_on: dt.date | None
    hypothesis: str


class DueLine(BaseModel):
    what: str
    due: dt.date | None
    overdue: bool


class BriefData(BaseModel):
    """Everything a weekly brief shows. ``forecast_p85`` keeps this week's P85 dates for next week's slips."""

    workspace: str
    period: str
    starts_on: dt.date
    ends_on: dt.date
    shipped: list[ShippedLine]
    slipped: list[SlipLine]
    rising_themes: list[ThemeLine]
    key_results: list[KeyResultLine]
    experiments: list[ExperimentLine]
    budget: BudgetSummary | None
    forecast_p85: dict[str, dt.date] = Field(default_factory=dict)
    #: reviews and 1:1s due, shown to the Head of Product alone (never part of the rendered HTML)
    for_head_of_product: list[DueLine] = Field(default_factory=list)
    compared_with: str | None = Field(
        default=None, description="the earlier brief whose P85 dates were compared"
    )


# --- what the faces send and get -----------------------------------------------------------------------------


class BoardIssue(BaseModel):
    period: str = Field(min_length=6, max_length=7, description="A quarter, like 2026-Q3.")


class BriefNote(BaseModel):
    note: str = Field(max_length=10_000)


class ReportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    period: str
    title: str
    status: str
    issued_at: dt.datetime | None
    created_at: dt.datetime
    issued_by_name: str | None = None


class ReportRead(ReportSummary):
    note: str
    data: dict[str, object]


class ShareLinkCreate(BaseModel):
    label: str = Field(min_length=1, max_length=200)
    expires_in_days: int = Field(default=30, ge=1, le=365)
    statuses: list[ShareableStatus] = Field(default_factory=_default_statuses, min_length=1)


class ShareLinkRead(BaseModel):
    id: int
    label: str
    statuses: list[str]
    created_by_name: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    state: Literal["active", "expired", "revoked"]
    opened_count: int
    last_opened_at: dt.datetime | None
    path: str | None = Field(description="/share/<signed token>, while the link is active")


class SharedIdea(BaseModel):
    title: str
    status: str
    team: str
    expected: str | None = Field(description="the month the plan delivers it by with 85 % confidence")


class SharedRoadmap(BaseModel):
    """What someone without an account sees: titles, status, team and expected month; no costs, no notes."""

    workspace: str
    label: str
    as_of: dt.date
    expires_at: dt.datetime
    ideas: list[SharedIdea]
