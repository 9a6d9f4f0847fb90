"""The feature-flag table: one row per flag, its release conditions kept in PostHog's ``filters`` shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin


class FeatureFlag(IdMixin, TimestampMixin, Base):
    """A flag: boolean, or multivariate when ``filters["multivariate"]["variants"]`` is set.

    ``filters`` is what the SDKs' local evaluation reads, unchanged: ``{"groups": [{"properties": [...],
    "rollout_percentage": 50, "variant": null}], "multivariate": {"variants": [{"key", "name",
    "rollout_percentage"}]} | null, "payloads": {}}``. ``version`` grows by one on every change.
    """

    __tablename__ = "feature_flags"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_feature_flags_workspace_key"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
