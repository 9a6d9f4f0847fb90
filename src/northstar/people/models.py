"""Tables of the people module: the workspace's ladder, ladder positions and assessments, growth plans,
1:1 check-ins, and 360-degree review cycles.

Anonymity is built into the storage: a :class:`ReviewResponse` holds the rater *group* but no reference
to the rater, a random id and no timestamp, so nothing Northstar stores, shows or exports ties an answer in
an anonymous group to a person. The :class:`ReviewRequest` only records *that* a rater has answered.
(Someone with raw database access could still study the physical order of rows; that is outside what the
application controls.)
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin

WORKSPACE_FK = "workspaces.id"


def _workspace() -> Mapped[int]:
    return mapped_column(ForeignKey(WORKSPACE_FK, ondelete="CASCADE"), index=True)


class LadderDocument(IdMixin, TimestampMixin, Base):
    """The workspace's career ladder, stored as the validated ladder document (see engine/ladder.py)."""

    __tablename__ = "people_ladders"
    __table_args__ = (UniqueConstraint("workspace_id", name="uq_people_ladders_workspace"),)

    workspace_id: Mapped[int] = _workspace()
    name: Mapped[str] = mapped_column(String(200))
    document: Mapped[dict[str, Any]] = mapped_column(default=dict)


class LadderLevel(IdMixin, TimestampMixin, Base):
    """A person's current level on the ladder (``level_code`` refers to the workspace's ladder)."""

    __tablename__ = "people_ladder_levels"
    __table_args__ = (UniqueConstraint("person_id", name="uq_people_ladder_levels_person"),)

    workspace_id: Mapped[int] = _workspace()
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    level_code: Mapped[str] = mapped_column(String(64))
    target_level_code: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Assessment(IdMixin, TimestampMixin, Base):
    """A self or manager assessment: the behaviours judged met, on a date."""

    __tablename__ = "people_assessments"

    workspace_id: Mapped[int] = _workspace()
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    assessor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # self | manager
    assessed_on: Mapped[date]
    met_behaviours: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")


class GrowthPlan(IdMixin, TimestampMixin, Base):
    __tablename__ = "people_growth_plans"
    __table_args__ = (UniqueConstraint("person_id", name="uq_people_growth_plans_person"),)

    workspace_id: Mapped[int] = _workspace()
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    target_level_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class GrowthItem(IdMixin, TimestampMixin, Base):
    __tablename__ = "people_growth_items"

    workspace_id: Mapped[int] = _workspace()
    plan_id: Mapped[int] = mapped_column(ForeignKey("people_growth_plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    competency_id: Mapped[str] = mapped_column(String(64))
    behaviour_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    due: Mapped[date | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")


class CheckInSeries(IdMixin, TimestampMixin, Base):
    """A manager–report pair's recurring 1:1 with its cadence."""

    __tablename__ = "people_checkin_series"
    __table_args__ = (
        UniqueConstraint("manager_person_id", "report_person_id", name="uq_people_checkin_pair"),
    )

    workspace_id: Mapped[int] = _workspace()
    manager_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    report_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    cadence: Mapped[str] = mapped_column(String(16), default="weekly")
    started_on: Mapped[date]


class CheckInMeeting(IdMixin, TimestampMixin, Base):
    """One 1:1: a shared agenda and notes, each side's private notes, action items and a pulse answer."""

    __tablename__ = "people_checkin_meetings"

    workspace_id: Mapped[int] = _workspace()
    series_id: Mapped[int] = mapped_column(
        ForeignKey("people_checkin_series.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date]
    agenda: Mapped[list[Any]] = mapped_column(default=list)
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    manager_private_notes: Mapped[str] = mapped_column(Text, default="")
    report_private_notes: Mapped[str] = mapped_column(Text, default="")
    #: [{"text": str, "owner": "manager"|"report", "done": bool, "raised_on": "YYYY-MM-DD"}]
    action_items: Mapped[list[Any]] = mapped_column(default=list)
    pulse: Mapped[int | None] = mapped_column(nullable=True)


class ReviewCycle(IdMixin, TimestampMixin, Base):
    """A 360-degree review cycle: one questionnaire for everyone, a response window, anonymity thresholds."""

    __tablename__ = "reviews_cycles"

    workspace_id: Mapped[int] = _workspace()
    name: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    questionnaire: Mapped[dict[str, Any]] = mapped_column(default=dict)
    thresholds: Mapped[dict[str, Any]] = mapped_column(default=dict)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="nominating")  # nominating | open | closed
    released: Mapped[bool] = mapped_column(default=False)
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ReviewParticipant(IdMixin, TimestampMixin, Base):
    """A reviewee in a cycle, with the calibration placement set by leaders."""

    __tablename__ = "reviews_participants"
    __table_args__ = (UniqueConstraint("cycle_id", "subject_person_id", name="uq_reviews_participant"),)

    workspace_id: Mapped[int] = _workspace()
    cycle_id: Mapped[int] = mapped_column(ForeignKey("reviews_cycles.id", ondelete="CASCADE"), index=True)
    subject_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    manager_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), nullable=True
    )
    performance: Mapped[str | None] = mapped_column(String(16), nullable=True)
    potential: Mapped[str | None] = mapped_column(String(16), nullable=True)


class ReviewRequest(IdMixin, TimestampMixin, Base):
    """A nomination of a rater for a reviewee; ``submitted`` only says that an answer was given."""

    __tablename__ = "reviews_requests"
    __table_args__ = (UniqueConstraint("participant_id", "rater_person_id", name="uq_reviews_request_rater"),)

    workspace_id: Mapped[int] = _workspace()
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("reviews_participants.id", ondelete="CASCADE"), index=True
    )
    rater_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    rater_group: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed | approved | rejected
    submitted: Mapped[bool] = mapped_column(default=False)
    last_reminded_at: Mapped[datetime | None] = mapped_column(nullable=True)


def _random_id() -> str:
    return uuid.uuid4().hex


class ReviewResponse(Base):
    """Submitted answers. No rater reference, random id, no timestamps: see the module docstring."""

    __tablename__ = "reviews_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    workspace_id: Mapped[int] = _workspace()
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("reviews_participants.id", ondelete="CASCADE"), index=True
    )
    rater_group: Mapped[str] = mapped_column(String(32))
    #: kept only for the self and manager groups, which are not anonymous
    named_rater_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), nullable=True
    )
    ratings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comments: Mapped[dict[str, Any]] = mapped_column(default=dict)
