"""Input and output shapes for ideas and their feedback links."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["new", "under_review", "planned", "in_progress", "shipped", "wont_do"]


class IdeaCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=50_000)
    status: Status = "new"
    owner_id: int | None = None
    team_id: int | None = None
    objective_id: int | None = None
    inputs: dict[str, float | int | str | None] = Field(default_factory=dict)


class IdeaUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=50_000)
    status: Status | None = None
    owner_id: int | None = None
    team_id: int | None = None
    objective_id: int | None = None
    inputs: dict[str, float | int | str | None] | None = None


class IdeaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str
    status: Status
    owner_id: int | None
    team_id: int | None
    objective_id: int | None
    inputs: dict[str, Any]
    feedback_count: int
    created_at: datetime
    updated_at: datetime


class LinkRequest(BaseModel):
    feedback_ids: list[int] = Field(min_length=1, max_length=5000)
    importance: int = Field(default=2, ge=1, le=3)


class LinkResult(BaseModel):
    linked: int
    already_linked: int


class LinkedFeedback(BaseModel):
    feedback_id: int
    text: str
    source: str
    received_at: datetime
    importance: int
    customer_id: int | None
    customer_name: str | None
    customer_segment: str | None
    customer_arr: float | None


class IdeaDemand(BaseModel):
    """Who asked for an idea: linked feedback, unique customers and the ARR they represent (each counted once)."""

    idea: IdeaRead
    feedback: list[LinkedFeedback]
    customers: int
    total_arr: float
    arr_by_segment: dict[str, float]


#: RICE impact scale (Intercom): the values a person picks from, with their names
IMPACT_SCALE: tuple[tuple[float, str], ...] = (
    (3.0, "massive"),
    (2.0, "high"),
    (1.0, "medium"),
    (0.5, "low"),
    (0.25, "minimal"),
)
#: confidence levels a person picks from (stored as a fraction)
CONFIDENCE_LEVELS: tuple[tuple[float, str], ...] = (
    (1.0, "high"),
    (0.8, "medium"),
    (0.5, "low"),
    (0.2, "moonshot"),
)
#: the keys of ``Idea.inputs`` that hold money (USD) and their names on a page
MONEY_INPUTS: tuple[tuple[str, str], ...] = (
    ("one_off_cost", "One-off cost"),
    ("recurring_cost_per_quarter", "Running cost a quarter"),
    ("benefit_per_quarter", "Benefit a quarter"),
)
SCORE_INPUTS = ("reach", "impact", "confidence", "effort")


class IdeaEdit(BaseModel):
    """What a person edits on an idea's page: its words, its team and owner, what it costs and earns (USD).

    A blank field clears the value: the form always sends the whole set.
    """

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=50_000)
    team_id: int | None = None
    owner_id: int | None = None
    one_off_cost: float | None = Field(default=None, ge=0, le=1e12)
    recurring_cost_per_quarter: float | None = Field(default=None, ge=0, le=1e12)
    benefit_per_quarter: float | None = Field(default=None, ge=0, le=1e12)


class IdeaScores(BaseModel):
    """An idea's RICE inputs: reach (accounts a quarter), impact (0.25–3), confidence (0–1), effort (person-weeks).

    A missing value clears it; the idea is then listed on Prioritize as needing that input.
    """

    reach: float | None = Field(default=None, ge=0, le=1e9)
    impact: float | None = Field(default=None, ge=0, le=3)
    confidence: float | None = Field(default=None, ge=0, le=1)
    effort: float | None = Field(default=None, gt=0, le=10_000)


class ReachSuggestion(BaseModel):
    """A reach to start from, read off an idea's linked feedback (merged duplicates included).

    ``reach`` is the customers who asked plus one for each item from no known customer: each is someone the idea
    reaches. ``arr`` is the ARR of those customers, each counted once.
    """

    idea_id: int
    feedback_items: int
    customers: int
    arr: float
    reach: int
