"""Tables of the integrations: connections, their sync runs, links to external issues and received webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow

RUN_STATUSES = ("running", "succeeded", "failed", "interrupted")
DELIVERY_STATUSES = ("queued", "processed", "failed")


class Connection(IdMixin, TimestampMixin, Base):
    """One workspace's connection to one account of a service: settings, sealed credentials and sync cursor."""

    __tablename__ = "connections"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    #: settings that are not secret (base URL, repository, labels, project key, e-mail)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: the credentials, Fernet-encrypted (integrations/credentials.py); never sent back to anyone
    sealed_credentials: Mapped[str] = mapped_column(Text, default="")
    #: names of the credentials that are set (what pages may show)
    credential_names: Mapped[list[Any]] = mapped_column(default=list)
    #: where the next incremental sync starts (the service's own cursor form), committed with each page
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the random part of this connection's webhook address
    webhook_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_test_ok: Mapped[bool | None] = mapped_column(nullable=True)
    last_test_message: Mapped[str] = mapped_column(String(500), default="")


class SyncRun(IdMixin, Base):
    """One sync of a connection: how it started, how many items came in, its errors and how long it took."""

    __tablename__ = "connection_runs"
    __table_args__ = (Index("ix_connection_runs_connection_started", "connection_id", "started_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True)
    #: full, incremental or webhook
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    pages: Mapped[int] = mapped_column(default=0)
    items_in: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    ideas_moved: Mapped[int] = mapped_column(default=0)
    retries: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: written with every page: a "running" run whose heartbeat stopped was killed
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(nullable=True)


class IssueLink(IdMixin, TimestampMixin, Base):
    """An idea linked to an issue of a connection (Jira or GitHub); the issue's state flows back into the idea."""

    __tablename__ = "connection_issue_links"
    __table_args__ = (
        UniqueConstraint("connection_id", "issue_key", name="uq_connection_issue_links_connection_issue"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    issue_key: Mapped[str] = mapped_column(String(200))
    issue_url: Mapped[str] = mapped_column(String(500), default="")
    issue_status: Mapped[str] = mapped_column(String(100), default="")
    fix_versions: Mapped[list[Any]] = mapped_column(default=list)


class WebhookDelivery(IdMixin, Base):
    """A verified webhook call, kept to refuse its replay and queued for a job to process."""

    __tablename__ = "connection_webhooks"
    __table_args__ = (
        UniqueConstraint("connection_id", "delivery_id", name="uq_connection_webhooks_delivery"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    delivery_id: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(100), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    message: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
