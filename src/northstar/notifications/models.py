"""Tables of notifications: what a user sees in the app, each user's preferences, the outbox of messages to send
and the addresses that asked to get no more e-mail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, utcnow


class Notification(IdMixin, Base):
    """One in-app notification of one user: the bell counts those with no ``read_at``."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "workspace_id", "user_id", "read_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: the change this notification is about, so one change notifies a user once
    key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(nullable=True)


class NotificationPreference(Base):
    """How one user wants one event: ``immediately``, ``daily`` (a digest) or ``off``; a missing row is the default."""

    __tablename__ = "notification_preferences"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    event: Mapped[str] = mapped_column(String(32), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))


class NotificationChannels(Base):
    """Where one user's notifications go besides the app: e-mail on or off, and a Slack incoming webhook."""

    __tablename__ = "notification_channels"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    slack_webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)


class OutboxMessage(IdMixin, Base):
    """A message to deliver on one channel (``email`` or ``slack``), written in the transaction of the change.

    ``status`` moves pending → sending → sent (or back to pending with a later ``next_attempt_at`` after a failure,
    or to ``failed`` after the last attempt, or ``suppressed`` when the address unsubscribed before delivery).
    Claiming a message is one conditional UPDATE, so two workers never send the same message; ``dedupe_key`` keeps
    one change from queueing the same message twice. ``digest`` messages wait for the daily digest.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedupe_key", name="uq_outbox_messages_workspace_dedupe_key"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    event: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: a page of Northstar (``/ideas/3``), made absolute with the public URL when sent
    link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    digest: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailSuppression(IdMixin, Base):
    """An address that unsubscribed: nothing more is sent to it from this workspace."""

    __tablename__ = "email_suppressions"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email", name="uq_email_suppressions_workspace_email"),
    )

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(64), default="unsubscribed")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
