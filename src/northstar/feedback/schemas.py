"""Input and output shapes for feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

MAX_TEXT = 200_000


class FeedbackCreate(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=500)
    source: str = Field(default="support", min_length=1, max_length=32)
    external_ref: str | None = Field(default=None, max_length=200)
    customer_id: int | None = None
    customer_external_id: str | None = Field(default=None, max_length=200)
    contact_email: EmailStr | None = None
    rating: float | None = Field(default=None, ge=-10, le=10)
    received_at: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty or only whitespace")
        if "\x00" in value:
            raise ValueError("text contains NUL bytes")
        return value


class FeedbackUpdate(BaseModel):
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, min_length=1, max_length=32)
    customer_id: int | None = None
    rating: float | None = Field(default=None, ge=-10, le=10)


class FeedbackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    text: str
    title: str | None
    source: str
    external_ref: str | None
    customer_id: int | None
    contact_id: int | None
    rating: float | None
    received_at: datetime
    metadata: dict[str, Any] = Field(validation_alias="meta")
    created_at: datetime
    merged_into_id: int | None = None


class FeedbackImportRow(BaseModel):
    """One CSV row. Only ``text`` is required."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=32)
    external_ref: str | None = Field(default=None, max_length=200)
    customer_external_id: str | None = Field(default=None, max_length=200)
    customer: str | None = Field(default=None, max_length=300)
    contact_email: EmailStr | None = None
    rating: float | None = Field(default=None, ge=-10, le=10)
    received_at: datetime | None = None
