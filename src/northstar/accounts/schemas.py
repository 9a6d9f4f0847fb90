"""Input and output shapes for accounts, workspaces, members and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from northstar.core.permissions import Role, TokenScope


class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=200)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str


class WorkspaceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")


class WorkspaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    currency: str
    discount_rate: float


class MemberAdd(BaseModel):
    email: EmailStr
    role: Role


class MemberRead(BaseModel):
    user_id: int
    email: str
    name: str
    role: Role


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scope: TokenScope = TokenScope.READ


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    scope: TokenScope
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The secret; shown only once.")


class SsoConfigure(BaseModel):
    """A workspace's single sign-on settings. ``client_secret`` may be left out to keep the stored one."""

    issuer: str = Field(
        min_length=8, max_length=500, description="The provider's issuer URL (discovery base)."
    )
    client_id: str = Field(min_length=1, max_length=300)
    client_secret: str | None = Field(default=None, min_length=1, max_length=1000)
    allowed_domains: list[str] = Field(default_factory=list, max_length=50)
    create_accounts: bool = Field(
        default=True, description="Create an account on first sign-in (just in time)."
    )
    default_role: Role = Role.VIEWER
    groups_claim: str = Field(default="groups", min_length=1, max_length=100)
    group_roles: dict[str, Role] = Field(default_factory=dict, description="Provider group name -> role.")
    sso_required: bool = Field(
        default=False, description="Refuse password logins, except the break-glass owner."
    )
    break_glass_email: EmailStr | None = Field(
        default=None, description="An owner who may still use a password."
    )


class SsoRead(BaseModel):
    """What is shown of a workspace's single sign-on: everything but the secret."""

    enabled: bool
    issuer: str
    client_id: str
    client_secret_set: bool
    allowed_domains: list[str]
    create_accounts: bool
    default_role: Role
    groups_claim: str
    group_roles: dict[str, Role]
    sso_required: bool
    break_glass_email: str | None
    sign_in_path: str = Field(description="The path that starts a sign-in into this workspace.")


class TwoFactorEnrolment(BaseModel):
    """A TOTP secret being set up: shown once, with its otpauth URI for an authenticator app."""

    secret: str
    uri: str


class TwoFactorStatus(BaseModel):
    enabled: bool
    recovery_codes_left: int
