"""The audit log: one record for every write, saying who did what to which object and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from northstar.core.database import Base, IdMixin, utcnow
from northstar.core.permissions import Actor


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_workspace_time", "workspace_id", "created_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int | None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an audit record to the current transaction (it commits or rolls back with the write)."""
    session.add(
        AuditEvent(
            workspace_id=actor.workspace_id,
            user_id=actor.user_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            summary=summary[:500],
            changes=_jsonable(changes or {}),
        )
    )


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, int | float | str | bool | None) else str(value)
        for key, value in changes.items()
    }


def list_events(session: Session, actor: Actor, limit: int = 100) -> list[AuditEvent]:
    """The newest audit records of the actor's workspace."""
    actor.require("audit.read")
    query = (
        select(AuditEvent)
        .where(AuditEvent.workspace_id == actor.workspace_id)
        .order_by(AuditEvent.id.desc())
        .limit(min(limit, 1000))
    )
    return list(session.scalars(query))
