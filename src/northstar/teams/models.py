"""Tables for teams and persons (members of staff, possibly also users)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin


class Team(IdMixin, TimestampMixin, Base):
    __tablename__ = "teams"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    disciplines: Mapped[list[Any]] = mapped_column(default=list)
    #: capacity in person-weeks per period label, e.g. {"2026-Q1": 60}
    capacity: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Person(IdMixin, TimestampMixin, Base):
    __tablename__ = "persons"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    discipline: Mapped[str | None] = mapped_column(String(64), nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), nullable=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), nullable=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
