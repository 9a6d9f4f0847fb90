"""Tables for users, workspaces, memberships, login sessions, API tokens, single sign-on and two-factor login."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from northstar.core.database import Base, IdMixin, TimestampMixin, utcnow


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Workspace(IdMixin, TimestampMixin, Base):
    __tablename__ = "workspaces"

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    discount_rate: Mapped[float] = mapped_column(default=0.10)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Membership(IdMixin, TimestampMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_memberships_workspace_user"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))


class LoginSession(IdMixin, Base):
    """A server-side login session; the cookie carries a random secret whose hash is stored here."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="SET NULL"), nullable=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: how the user signed in: "password" (with or without a second factor) or "sso" (into ``workspace_id``)
    auth_method: Mapped[str] = mapped_column(String(16), default="password", server_default="password")


class ApiToken(IdMixin, Base):
    """A per-workspace API token. Only its SHA-256 hash is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class SsoSettings(IdMixin, TimestampMixin, Base):
    """A workspace's OpenID Connect provider. The client secret is stored encrypted (``accounts.encryption``)."""

    __tablename__ = "sso_settings"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(300))
    client_secret_encrypted: Mapped[str] = mapped_column(String(2000))
    allowed_domains: Mapped[list[Any]] = mapped_column(default=list)
    create_accounts: Mapped[bool] = mapped_column(default=True)
    default_role: Mapped[str] = mapped_column(String(32), default="viewer")
    groups_claim: Mapped[str] = mapped_column(String(100), default="groups")
    group_roles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sso_required: Mapped[bool] = mapped_column(default=False)
    break_glass_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)


class SsoLoginAttempt(IdMixin, Base):
    """One sign-in on its way through the provider: the state, nonce and PKCE verifier it must come back with.

    Kept in the database, not in a cookie or process memory, so the provider's redirect may land on any server
    process; the browser holds a random binding secret whose hash is stored here (no login CSRF)."""

    __tablename__ = "sso_login_attempts"

    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    next_path: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class TwoFactor(IdMixin, Base):
    """A user's TOTP secret (encrypted). ``enabled_at`` is set once the first code was confirmed."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(500))
    enabled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: the last TOTP time step accepted, so a code is never accepted twice
    last_step: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(IdMixin, Base):
    """A one-time recovery code for two-factor login; only its SHA-256 hash is stored."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class LoginChallenge(IdMixin, Base):
    """A password that was right, waiting for its second factor (a short-lived secret in a cookie)."""

    __tablename__ = "login_challenges"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    next_path: Mapped[str] = mapped_column(String(500), default="/")
    expires_at: Mapped[datetime]


class LoginThrottle(IdMixin, Base):
    """Failed logins counted per key ("account:<e-mail>" or "address:<ip>") in a window, and a lock-out."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(400), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
