"""Tables of reports & sharing: issued reports and briefs (dated snapshots) and shareable roadmap links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin


class Report(IdMixin, TimestampMixin, Base):
    """A board report or a weekly brief: the data assembled when it was made and, once issued, its rendered HTML.

    A board report is issued the moment it is made; a brief is a draft until its author adds a note and sends it.
    An issued report never changes: ``data`` and ``html`` are the snapshot that reopens as it was.
    """

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_workspace_kind_period", "workspace_id", "kind", "period"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    #: "board" (a quarter's board report) or "brief" (a week's product brief)
    kind: Mapped[str] = mapped_column(String(16))
    #: a quarter (2026-Q3) for a board report, an ISO week (2026-W50) for a brief
    period: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    #: "draft" (a brief being written) or "issued" (immutable)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    html: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ShareLink(IdMixin, TimestampMixin, Base):
    """A read-only link to a view of the roadmap for someone without an account: signed, expiring, revocable.

    ``public_id`` is random; the URL carries it signed with the server's secret key, so a forged or altered link
    is refused before the database is asked. The link works until ``expires_at`` or until it is revoked.
    """

    __tablename__ = "share_links"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    #: which ideas the view shows: a list of idea statuses (planned, in_progress, shipped)
    statuses: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    opened_count: Mapped[int] = mapped_column(default=0)
    last_opened_at: Mapped[datetime | None] = mapped_column(nullable=True)
