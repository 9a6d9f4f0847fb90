"""Shapes of the intake API: feedback sent by a product or a script with an ``ingest`` token."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from northstar.feedback.models import SOURCES
from northstar.feedback.schemas import MAX_TEXT

MAX_BATCH = 500
MAX_METADATA_BYTES = 16 * 1024
IntakeSource = Literal[SOURCES]  # type: ignore[valid-type]


class IntakeItem(BaseModel):
    """One piece of feedback. Send ``external_id`` to make retries and re-sends update instead of duplicate."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT, description="What the customer said.")
    title: str | None = Field(default=None, max_length=500)
    source: IntakeSource = Field(default="api", description="The inbox channel.")  # type: ignore[valid-type]
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Your id of this item: re-sending it updates it.",
    )
    customer_external_id: str | None = Field(
        default=None, max_length=200, description="Your id of the customer; a new id creates the customer."
    )
    customer_name: str | None = Field(
        default=None, max_length=300, description="The customer's name (matched, or used when creating it)."
    )
    email: EmailStr | None = Field(
        default=None, description="The person's e-mail: the contact, and its domain."
    )
    author_name: str | None = Field(default=None, max_length=200)
    rating: float | None = Field(default=None, ge=-10, le=10, description="NPS (0–10) or stars (1–5).")
    received_at: datetime | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free-form context (at most 16 KB).")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty or only whitespace")
        return value.replace("\x00", "")

    @field_validator("tags")
    @classmethod
    def _short_tags(cls, value: list[str]) -> list[str]:
        if any(len(tag) > 100 for tag in value):
            raise ValueError("a tag is longer than 100 characters")
        return [tag.strip() for tag in value if tag.strip()]

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, default=str)) > MAX_METADATA_BYTES:
            raise ValueError(f"metadata is larger than {MAX_METADATA_BYTES // 1024} KB")
        return value


class IntakeBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[IntakeItem] = Field(min_length=1, max_length=MAX_BATCH)


class IntakeResult(BaseModel):
    """What became of one item: its feedback id, whether it was created, updated or unchanged, and its customer."""

    id: int
    status: Literal["created", "updated", "unchanged"]
    external_id: str | None
    customer_id: int | None
    contact_id: int | None


class IntakeBatchResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    items: list[IntakeResult]
