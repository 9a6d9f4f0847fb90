"""Input and output shapes for teams and persons."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class TeamCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    disciplines: list[str] = Field(default_factory=list, max_length=20)
    capacity: dict[str, float] = Field(default_factory=dict, description="Person-weeks per period label.")


class TeamUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    disciplines: list[str] | None = Field(default=None, max_length=20)
    capacity: dict[str, float] | None = None


class TeamRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    disciplines: list[str]
    capacity: dict[str, float]


class PersonCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    title: str | None = Field(default=None, max_length=200)
    discipline: str | None = Field(default=None, max_length=64)
    team_id: int | None = None
    manager_id: int | None = None


class PersonUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    title: str | None = Field(default=None, max_length=200)
    discipline: str | None = Field(default=None, max_length=64)
    team_id: int | None = None
    manager_id: int | None = None


class PersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str | None
    title: str | None
    discipline: str | None
    team_id: int | None
    manager_id: int | None


class CapacityUpdate(BaseModel):
    """Person-weeks per quarter to set; a quarter given as ``null`` is removed. Quarters not named stay as they are."""

    capacity: dict[str, float | None] = Field(
        description='Quarter label to person-weeks, e.g. {"2026-Q4": 60, "2027-Q1": null}.'
    )


class CapacityRow(BaseModel):
    quarter: str
    person_weeks: float | None = Field(description="None when no capacity is set for the quarter.")
    current: bool = Field(description="True for the quarter containing today.")


class TeamIdea(BaseModel):
    id: int
    title: str
    status: str


class TeamDetail(BaseModel):
    """A team's page: members, the ideas it owns and its capacity from the current quarter on."""

    team: TeamRead
    members: list[PersonRead]
    ideas: list[TeamIdea]
    capacity: list[CapacityRow]
    earlier_capacity: list[CapacityRow] = Field(
        description="Quarters before the current one that have capacity."
    )
