"""Input and output shapes of the integrations (credentials go in, never come out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Service = Literal["zendesk", "github", "jira"]


class ConnectionCreate(BaseModel):
    service: Service
    name: str = Field(min_length=1, max_length=200)
    config: dict[str, str] = Field(default_factory=dict)
    credentials: dict[str, str] = Field(default_factory=dict)


class CredentialsUpdate(BaseModel):
    """New credentials; names left out keep their stored value."""

    credentials: dict[str, str] = Field(min_length=1)


class ConnectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    service: str
    name: str
    config: dict[str, Any]
    #: which credentials are set; their values are never sent back
    credential_names: list[str]
    webhook_path: str
    last_sync_at: datetime | None
    last_test_ok: bool | None
    last_test_message: str
    created_at: datetime


class TestResult(BaseModel):
    ok: bool
    message: str


class SyncRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    connection_id: int
    job_id: int | None
    mode: str
    status: str
    pages: int
    items_in: int
    created: int
    updated: int
    ideas_moved: int
    retries: int
    error_count: int
    errors: list[str]
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None


class SyncStarted(BaseModel):
    job_id: int
    connection_id: int
    mode: str
    progress_url: str


class WebhookAccepted(BaseModel):
    delivery: int
    status: str


class IssueLinkCreate(BaseModel):
    idea_id: int
    #: an existing issue to link ("PROD-12", "42"); leave out to create a new issue from the idea
    issue: str | None = Field(default=None, max_length=200)


class IssueLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    connection_id: int
    idea_id: int
    issue_key: str
    issue_url: str
    issue_status: str
    fix_versions: list[str]
    idea_status: str = ""


class ConnectionDetail(BaseModel):
    connection: ConnectionRead
    runs: list[SyncRunRead]
    links: list[IssueLinkRead]
    deliveries: int
