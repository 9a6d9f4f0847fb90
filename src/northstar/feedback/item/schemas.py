"""Shapes of one feedback item's page and API: the item with everything said about it, and its corrections."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from northstar.feedback.schemas import FeedbackRead


class CustomerBrief(BaseModel):
    id: int
    name: str
    segment: str | None
    plan: str | None
    region: str | None
    arr: float


class ContactBrief(BaseModel):
    name: str
    email: str | None
    role: str | None


class ItemRef(BaseModel):
    """Another item, as a line that links to it."""

    feedback_id: int
    text: str = Field(description="the first 300 characters")
    received_at: datetime
    customer_name: str | None = None
    similarity: float | None = Field(default=None, description="cosine of the two items' embeddings")


class ThemeBrief(BaseModel):
    id: int
    name: str
    parent_id: int | None
    parent_name: str | None


class LinkedIdea(BaseModel):
    idea_id: int
    title: str
    status: str
    importance: int = Field(description="1 nice to have, 2 important, 3 must-have")
    linked_at: datetime


class HistoryEntry(BaseModel):
    at: datetime
    action: str
    who: str | None = Field(description="the person, or null for an API token or the system")
    summary: str
    changes: dict[str, object] = Field(default_factory=dict)


class FeedbackDetail(FeedbackRead):
    """A feedback item with its customer, what the analysis and people say, its duplicates, ideas and history."""

    customer: CustomerBrief | None = None
    contact: ContactBrief | None = None
    analysed: bool = False
    kind: str | None = None
    kind_confidence: float | None = Field(
        default=None, description="the model's confidence; 1 when set by hand"
    )
    kind_set_by_person: bool = False
    analysed_kind: str | None = Field(
        default=None, description="what the model said, even when a person corrected it"
    )
    sentiment: float | None = Field(default=None, description="from -1 (negative) to 1 (positive)")
    sentiment_band: str | None = None
    language: str | None = None
    theme: ThemeBrief | None = None
    theme_similarity: float | None = Field(default=None, description="cosine to the theme's centre")
    theme_set_by_person: bool = Field(
        default=False, description="placed in its theme, or out of every theme, by hand"
    )
    category_name: str | None = None
    category_labelled: bool = False
    category_confidence: float | None = None
    duplicate_of: ItemRef | None = Field(default=None, description="the earlier item the analysis matched")
    near_duplicates: list[ItemRef] = Field(
        default_factory=list, description="later items matched with this one"
    )
    merged_into: ItemRef | None = None
    merged_items: list[ItemRef] = Field(default_factory=list)
    ideas: list[LinkedIdea] = Field(default_factory=list)
    history_visible: bool = Field(
        default=False, description="the history is shown to roles that read the audit log"
    )
    history: list[HistoryEntry] = Field(default_factory=list)


class ItemLinkRequest(BaseModel):
    idea_id: int = Field(ge=1, le=2_147_483_647)
    importance: int = Field(default=2, ge=1, le=3)


class KindCorrection(BaseModel):
    kind: str | None = Field(
        default=None,
        max_length=32,
        description="bug, feature_request, …; null goes back to the analysed kind",
    )


class ThemeCorrection(BaseModel):
    theme_id: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="the (sub-)theme to move to; null takes it out of every theme",
    )
