"""Inputs and outputs of the settings pages."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from northstar.core.permissions import Role


class WorkspaceSettingsUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", description="An ISO 4217 code such as USD or EUR.")
    discount_rate_percent: float = Field(
        ge=0, le=100, description="Yearly discount rate for cash-flow values."
    )


class InviteCreate(BaseModel):
    email: EmailStr
    role: Role = Role.CONTRIBUTOR


class Invite(BaseModel):
    """What a signed invite link says: who is invited where, as what, until when."""

    workspace_id: int
    workspace_name: str
    email: str
    role: Role
    expires_at: datetime


class AuditRow(BaseModel):
    id: int
    created_at: datetime
    user: str
    action: str
    object_type: str
    object_id: int | None
    summary: str


class AuditPage(BaseModel):
    rows: list[AuditRow]
    actions: list[str]
    object_types: list[str]
    people: list[tuple[int, str]]
    has_more: bool
