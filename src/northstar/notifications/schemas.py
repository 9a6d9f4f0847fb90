"""Input and output models of notifications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    unread: int
    items: list[NotificationRead]


class EventPreference(BaseModel):
    event: str
    label: str = ""
    mode: str = Field(description="immediately, daily or off")


class PreferencesRead(BaseModel):
    email: bool
    slack_webhook_url: str | None
    events: list[EventPreference]


class PreferencesUpdate(BaseModel):
    email: bool | None = None
    slack_webhook_url: str | None = Field(
        default=None, max_length=500, description="An incoming-webhook URL; an empty string removes it."
    )
    #: event -> mode
    events: dict[str, str] = Field(default_factory=dict)


class OutboxRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    recipient: str
    event: str
    subject: str
    status: str
    digest: bool
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


class DeliveryReport(BaseModel):
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    skipped: int = 0
