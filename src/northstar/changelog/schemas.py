"""Input and output models of the changelog."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DraftRequest(BaseModel):
    idea_id: int


class EntryUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=20_000)

    @field_validator("title", "body")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and any(ord(c) < 32 and c not in "\n\r\t" for c in value):
            raise ValueError("contains control characters; paste plain text")
        return value


class EntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    idea_id: int | None
    title: str
    body: str
    status: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    idea_title: str | None = None


class ToldContact(BaseModel):
    """One feedback item a published entry answered, and what happened to the person behind it."""

    feedback_id: int
    entry_id: int
    contact_name: str | None
    email: str | None
    customer: str | None
    outcome: str
    delivery: str | None = Field(default=None, description="The e-mail's outbox status: pending, sent, ...")
    answered_at: datetime


class PublishResult(BaseModel):
    entry: EntryRead
    answered: int
    told: int
    unsubscribed: int
    without_email: int
    public_url: str
