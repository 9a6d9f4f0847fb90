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
