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
