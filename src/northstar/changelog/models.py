"""Tables of the changelog: its entries, and which feedback each published entry answered (and who was told)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow


class ChangelogEntry(IdMixin, TimestampMixin, Base):
    """One changelog entry: a draft until published, then on the workspace's public changelog and feed."""

    __tablename__ = "changelog_entries"
    __table_args__ = (Index("ix_changelog_entries_workspace_published", "workspace_id", "published_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), nullable=True, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(nullable=True)
    published_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class FeedbackAnswer(Base):
    """A feedback item answered by a published entry: whose it was and whether they were told, and how.

    ``outcome`` is ``told`` (an e-mail went to the outbox), ``unsubscribed``, ``no_email`` (no contact or no
    address) or ``already_told`` (the same contact was told for another of their items in this entry).
    """

    __tablename__ = "feedback_answers"

    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("changelog_entries.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True
    )
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), nullable=True
    )
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
