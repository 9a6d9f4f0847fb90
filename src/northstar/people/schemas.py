"""Input and output shapes of the people module (API, pages and CLI share them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Cadence = Literal["weekly", "biweekly", "monthly"]
ItemStatus = Literal["open", "in_progress", "done", "dropped"]
Group = Literal["self", "manager", "peer", "direct_report", "cross_functional"]
Step = Literal["developing", "performing", "growing", "exceeding"]


class LevelSet(BaseModel):
    level_code: str = Field(min_length=1, max_length=64)
    target_level_code: str | None = Field(default=None, max_length=64)


class AssessmentCreate(BaseModel):
    kind: Literal["self", "manager"]
    met_behaviours: list[str] = Field(default_factory=list, max_length=2000)
    note: str = Field(default="", max_length=5000)
    assessed_on: date | None = None


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    person_id: int
    kind: str
    assessed_on: date
    met_behaviours: list[str]
    note: str


class GrowthPlanSet(BaseModel):
    target_level_code: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=5000)


class GrowthItemCreate(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    competency_id: str = Field(min_length=1, max_length=64)
    behaviour_id: str | None = Field(default=None, max_length=200)
    due: date | None = None


class GrowthItemUpdate(BaseModel):
    status: ItemStatus | None = None
    due: date | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500)


class GrowthItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    competency_id: str
    behaviour_id: str | None
    due: date | None
    status: str


class SeriesCreate(BaseModel):
    manager_person_id: int = Field(ge=1)
    report_person_id: int = Field(ge=1)
    cadence: Cadence = "weekly"
    started_on: date | None = None


class ActionItemIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)
    owner: Literal["manager", "report"] = "report"
    done: bool = False


class MeetingCreate(BaseModel):
    held_on: date
    agenda: list[str] = Field(default_factory=list, max_length=100)
    shared_notes: str = Field(default="", max_length=20000)
    private_notes: str = Field(default="", max_length=20000)
    action_items: list[ActionItemIn] = Field(default_factory=list, max_length=100)
    pulse: int | None = Field(default=None, ge=1, le=5)


class QuestionIn(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=500)
    kind: Literal["rating", "comment"] = "rating"
    competency_id: str | None = Field(default=None, max_length=64)


class CycleCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    questions: list[QuestionIn] = Field(default_factory=list, max_length=100)
    opens_at: datetime
    closes_at: datetime
    peer_threshold: int = Field(default=3, ge=0, le=50)
    direct_report_threshold: int = Field(default=3, ge=0, le=50)
    cross_functional_threshold: int = Field(default=3, ge=0, le=50)


class ParticipantCreate(BaseModel):
    subject_person_id: int = Field(ge=1)


class NominationCreate(BaseModel):
    rater_person_id: int = Field(ge=1)
    rater_group: Literal["peer", "direct_report", "cross_functional"]


class NominationDecision(BaseModel):
    approve: bool


class ResponseSubmit(BaseModel):
    ratings: dict[str, int | None] = Field(default_factory=dict)
    comments: dict[str, str] = Field(default_factory=dict)


class PlacementSet(BaseModel):
    performance: Literal["developing", "performing", "exceeding"]
    potential: Literal["developing", "growing", "exceeding"]


class CycleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    status: str
    released: bool
    opens_at: datetime
    closes_at: datetime
    owner_user_id: int | None


class RequestRead(BaseModel):
    """A nomination as its rater, the reviewee and the cycle owner see it (never tied to an answer)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    participant_id: int
    rater_person_id: int
    rater_group: str
    status: str
    submitted: bool
