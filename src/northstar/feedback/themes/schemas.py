"""Input and output shapes of the themes: listing, detail, demand, human edits, and the way to ideas."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from northstar.ideas.schemas import IdeaRead

Level = Literal["top", "sub"]
SortKey = Literal["arr", "items", "customers", "trend", "name"]


class SegmentDemand(BaseModel):
    segment: str
    items: int
    customers: int
    arr: float


class WeeklyTrend(BaseModel):
    """Items per week (weeks start on Monday) and the Cochran–Armitage test on the theme's share of all items."""

    weeks: list[date]
    counts: list[int]
    totals: list[int]
    direction: Literal["rising", "falling", "stable", "too little data"]
    z: float | None
    p_value: float | None


class ThemeDemand(BaseModel):
    """Who asks for a theme: items, unique customers and the ARR they represent (each customer counted once)."""

    items: int
    customers: int
    arr: float
    by_segment: list[SegmentDemand]
    average_sentiment: float | None
    average_rating: float | None
    rated_items: int
    trend: WeeklyTrend


class ThemeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    keywords: list[str]
    quotes: list[str]
    size: int
    parent_id: int | None
    candidate: bool
    pinned: bool
    name_locked: bool
    created_at: datetime
    updated_at: datetime


class ThemeSummary(BaseModel):
    """A theme in the explorer: what it is and its demand."""

    theme: ThemeRead
    level: Level
    parent_name: str | None
    demand: ThemeDemand


class ThemeDetail(ThemeSummary):
    is_parent: bool = Field(description="groups sub-themes (items belong to its sub-themes)")
    sub_themes: list[ThemeSummary]
    merged_from: list[int] = Field(description="themes a person merged into this one")
    merged_into_id: int | None = Field(description="set when this theme was merged into another")
    split_from_id: int | None
    cohesion: float | None = Field(
        default=None,
        description="mean cosine similarity of the theme's items to its centre (items placed by hand not counted)",
    )


class ThemeItem(BaseModel):
    feedback_id: int
    text: str
    source: str
    received_at: datetime
    rating: float | None
    kind: str
    sentiment: float
    theme_id: int
    locked: bool
    customer_id: int | None
    customer_name: str | None
    customer_segment: str | None
    customer_arr: float | None


class RenameRequest(BaseModel):
    name: str = Field(min_length=1, max_length=300)


class PinRequest(BaseModel):
    pinned: bool = True


class MergeRequest(BaseModel):
    into_theme_id: int = Field(ge=1, description="the theme that absorbs this one and keeps its name")


class SplitRequest(BaseModel):
    """Split by choosing items (``feedback_ids``; for a parent theme, ``theme_ids`` of sub-themes) or, with neither,
    by re-clustering the theme's members into two."""

    feedback_ids: list[int] = Field(default_factory=list, max_length=10_000)
    theme_ids: list[int] = Field(default_factory=list, max_length=1_000)
    name: str | None = Field(default=None, min_length=1, max_length=300)


class SplitResult(BaseModel):
    kept: ThemeRead
    created: ThemeRead
    moved: int


class MoveRequest(BaseModel):
    feedback_ids: list[int] = Field(min_length=1, max_length=10_000)


class MoveResult(BaseModel):
    theme_id: int
    moved: int
    already_there: int


class MergeResult(BaseModel):
    survivor: ThemeRead
    absorbed_id: int
    moved_items: int
    moved_sub_themes: int


class IdeaSuggestion(BaseModel):
    idea_id: int
    title: str
    status: str
    similarity: float
    linked_items: int = Field(description="items of this theme already linked to the idea")


class CreateIdeaRequest(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=50_000)
    importance: int = Field(default=2, ge=1, le=3)


class LinkToIdeaRequest(BaseModel):
    """Link a theme's items to an existing idea: all of them, or the chosen ``feedback_ids`` of the theme."""

    idea_id: int = Field(ge=1, le=2_147_483_647, description="an existing idea of this workspace")
    importance: int = Field(default=2, ge=1, le=3, description="1 nice to have, 2 important, 3 must-have")
    feedback_ids: list[int] = Field(
        default_factory=list,
        max_length=10_000,
        description="items of the theme; empty: every item of the theme",
    )


class LinkToIdeaResult(BaseModel):
    idea_id: int
    idea_title: str
    linked: int = Field(description="items newly linked to the idea")
    already_linked: int = Field(description="items that were linked already (left as they were)")


class RemoveResult(BaseModel):
    removed: int = Field(description="items taken out of their theme")
    already_out: int = Field(description="items that were in no theme already")


class IdeaFromTheme(BaseModel):
    idea: IdeaRead
    linked: int


class IdeaTheme(BaseModel):
    """A theme behind an idea: how many of the idea's linked items it holds, from which customers."""

    theme_id: int
    name: str
    parent_name: str | None
    items: int
    customers: int
    arr: float
