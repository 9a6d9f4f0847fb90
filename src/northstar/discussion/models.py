"""Tables of discussion: comments on any discussable object (keyed by object type and id), the members each
comment mentions, and who follows which object."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow


class Comment(IdMixin, TimestampMixin, Base):
    """One comment: plain text with line breaks, on ``object_type`` / ``object_id`` of a workspace."""

    __tablename__ = "discussion_comments"
    __table_args__ = (Index("ix_discussion_comments_object", "workspace_id", "object_type", "object_id"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Mention(Base):
    """A member mentioned by a comment (kept so that an edit tells only the newly mentioned)."""

    __tablename__ = "discussion_mentions"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("discussion_comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Follower(Base):
    """Whether a member follows an object. ``following`` false records an unfollow, so that an owner (who
    follows by default) or a commenter who chose to stop hearing about it is not followed again."""

    __tablename__ = "discussion_followers"
    __table_args__ = (Index("ix_discussion_followers_object", "workspace_id", "object_type", "object_id"),)

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    object_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    object_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    following: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
