"""Use cases for accounts: users, workspaces, memberships, login sessions and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import ApiToken, LoginSession, Membership, SsoSettings, User, Workspace
from northstar.accounts.schemas import MemberRead, TokenCreate, UserCreate, WorkspaceCreate
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import (
    AuthenticationRequired,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from northstar.core.permissions import Actor, Role, TokenScope

_hasher = PasswordHasher()
TOKEN_PREFIX = "nsk_"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- users -------------------------------------------------------------------------------------


def create_user(session: Session, data: UserCreate) -> User:
    """Create a local account with an argon2 password hash. E-mails are unique (case-insensitive)."""
    email = data.email.lower()
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(email=email, name=data.name.strip(), password_hash=_hasher.hash(data.password))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The user with these credentials, or ``AuthenticationRequired`` (same message either way)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    failure = AuthenticationRequired("wrong e-mail or password")
    if user is None or not user.is_active:
        _hasher.hash(password)  # spend the same time as a real check
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


# --- workspaces and members --------------------------------------------------------------------


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return slug or "workspace"


def create_workspace(session: Session, owner: User, data: WorkspaceCreate) -> Workspace:
    """Create a workspace with ``owner`` as its owner."""
    slug = data.slug or _slugify(data.name)
    base, counter = slug, 2
    while session.scalar(select(Workspace).where(Workspace.slug == slug)):
        if data.slug:
            raise Conflict(f"workspace slug {slug!r} is taken")
        slug = f"{base[:58]}-{counter}"
        counter += 1
    workspace = Workspace(slug=slug, name=data.name.strip())
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role=Role.OWNER.value))
    session.flush()
    actor = Actor(user_id=owner.id, workspace_id=workspace.id, role=Role.OWNER)
    audit.record(session, actor, "create", "workspace", workspace.id, workspace.name)
    return workspace


def workspaces_of(session: Session, user_id: int) -> list[tuple[Workspace, Role]]:
    """The workspaces a user belongs to, with their role in each."""
    rows = session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    )
    return [(workspace, Role(role)) for workspace, role in rows]


def get_workspace(session: Session, actor: Actor) -> Workspace:
    workspace = session.get(Workspace, actor.workspace_id)
    if workspace is None:
        raise NotFound("workspace not found")
    return workspace


def get_workspace_by_slug(session: Session, slug: str) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise NotFound(f"no workspace {slug!r}")
    return workspace


def actor_for(session: Session, user_id: int, workspace_id: int, scope: TokenScope | None = None) -> Actor:
    """The actor for a user in a workspace; ``NotFound`` when they are not a member (no existence leak)."""
    row = session.execute(
        select(Membership.role, User.name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.user_id == user_id, Membership.workspace_id == workspace_id, User.is_active)
    ).first()
    if row is None:
        raise NotFound("workspace not found")
    return Actor(user_id=user_id, workspace_id=workspace_id, role=Role(row[0]), scope=scope, user_name=row[1])


def add_member(session: Session, actor: Actor, email: str, role: Role) -> MemberRead:
    """Add an existing user to the actor's workspace (or change their role)."""
    actor.require("members.manage")
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise ValidationFailed("only an owner can make another owner")
    user = get_user_by_email(session, email)
    membership = session.scalar(
        select(Membership).where(Membership.workspace_id == actor.workspace_id, Membership.user_id == user.id)
    )
    if membership is None:
        membership = Membership(workspace_id=actor.workspace_id, user_id=user.id, role=role.value)
        session.add(membership)
    else:
        membership.role = role.value
    session.flush()
    audit.record(session, actor, "add_member", "user", user.id, f"{user.email} as {role.value}")
    return MemberRead(user_id=user.id, email=user.email, name=user.name, role=role)


def list_members(session: Session, actor: Actor) -> list[MemberRead]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == actor.workspace_id)
        .order_by(User.name)
    )
    return [MemberRead(user_id=u.id, email=u.email, name=u.name, role=Role(r)) for u, r in rows]


# --- login sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewLoginSession:
    secret: str
    csrf_token: str
    expires_at: datetime


def start_login_session(
    session: Session, user: User, hours: int, workspace_id: int | None = None, auth_method: str = "password"
) -> NewLoginSession:
    """Open a server-side session for ``user`` in ``workspace_id`` (default: their first workspace that a
    password login may enter); returns the cookie secret."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    if workspace_id is None:
        allowed = [
            ws.id
            for ws, _role in workspaces_of(session, user.id)
            if password_allowed(session, user.id, ws.id)
        ]
        workspace_id = allowed[0] if allowed else None
    expires = utcnow() + timedelta(hours=hours)
    session.add(
        LoginSession(
            token_hash=_sha256(secret),
            user_id=user.id,
            workspace_id=workspace_id,
            csrf_token=csrf,
            expires_at=expires,
            auth_method=auth_method,
        )
    )
    session.flush()
    return NewLoginSession(secret=secret, csrf_token=csrf, expires_at=expires)


def password_allowed(session: Session, user_id: int, workspace_id: int) -> bool:
    """Whether a password login may enter the workspace: yes unless its single sign-on is required, and then
    only for its break-glass owner."""
    settings = session.scalar(select(SsoSettings).where(SsoSettings.workspace_id == workspace_id))
    if settings is None or not settings.enabled or not settings.sso_required:
        return True
    return settings.break_glass_user_id == user_id


def resolve_login_session(session: Session, secret: str) -> LoginSession | None:
    """The live session for a cookie secret, or None when unknown or expired."""
    if not secret or len(secret) > 200:
        return None
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == _sha256(secret)))
    if login is None or _aware(login.expires_at) < utcnow():
        return None
    return login


def resolve_page_login(session: Session, secret: str) -> tuple[LoginSession, User, str | None] | None:
    """The live session for a cookie secret with its user and their role in the session's workspace (None when
    they are not a member of it), read in one query: every page request starts here."""
    if not secret or len(secret) > 200:
        return None
    row = session.execute(
        select(LoginSession, User, Membership.role)
        .join(User, User.id == LoginSession.user_id)
        .outerjoin(
            Membership,
            (Membership.user_id == LoginSession.user_id)
            & (Membership.workspace_id == LoginSession.workspace_id),
        )
        .where(LoginSession.token_hash == _sha256(secret))
    ).first()
    if row is None or _aware(row[0].expires_at) < utcnow():
        return None
    return row[0], row[1], row[2]


def end_login_session(session: Session, secret: str) -> None:
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == _sha256(secret)))
    if login is not None:
        session.delete(login)


def switch_workspace(session: Session, login: LoginSession, workspace_id: int) -> None:
    """Make ``workspace_id`` the session's current workspace (the user must be a member, and a workspace that
    requires single sign-on is entered only by signing in through it)."""
    actor_for(session, login.user_id, workspace_id)
    if login.auth_method != "sso" and not password_allowed(session, login.user_id, workspace_id):
        workspace = session.get(Workspace, workspace_id)
        name = workspace.name if workspace else "this workspace"
        raise PermissionDenied(f"{name} requires single sign-on: log out and sign in with single sign-on")
    if login.auth_method == "sso" and workspace_id != login.workspace_id:
        raise PermissionDenied("a single sign-on session stays in its workspace: log out to enter another")
    login.workspace_id = workspace_id


# --- API tokens --------------------------------------------------------------------------------


def create_token(session: Session, actor: Actor, data: TokenCreate) -> tuple[ApiToken, str]:
    """Create an API token for the actor's workspace; returns the row and the secret (shown once)."""
    actor.require("tokens.manage")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        name=data.name.strip(),
        scope=data.scope.value,
        prefix=secret[:10],
        token_hash=_sha256(secret),
    )
    session.add(token)
    session.flush()
    audit.record(session, actor, "create", "api_token", token.id, f"{token.name} ({token.scope})")
    return token, secret


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    actor.require("tokens.manage")
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.workspace_id == actor.workspace_id).order_by(ApiToken.id)
        )
    )


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    actor.require("tokens.manage")
    token = session.get(ApiToken, token_id)
    if token is None or token.workspace_id != actor.workspace_id:
        raise NotFound(f"no API token {token_id}")
    token.revoked_at = utcnow()
    audit.record(session, actor, "revoke", "api_token", token.id, token.name)
    return token


def actor_for_token(session: Session, secret: str) -> Actor:
    """The actor an API token stands for; ``AuthenticationRequired`` when unknown or revoked."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise AuthenticationRequired("invalid API token")
    row = session.execute(  # the token, and its owner's role and name if they are still an active member
        select(ApiToken, Membership.role, User.name)
        .outerjoin(
            Membership,
            (Membership.user_id == ApiToken.user_id) & (Membership.workspace_id == ApiToken.workspace_id),
        )
        .outerjoin(User, (User.id == ApiToken.user_id) & User.is_active)
        .where(ApiToken.token_hash == _sha256(secret))
    ).first()
    if row is None or row[0].revoked_at is not None:
        raise AuthenticationRequired("invalid or revoked API token")
    token, role, name = row
    now = utcnow()
    if token.last_used_at is None or _aware(token.last_used_at) < now - timedelta(minutes=5):
        token.last_used_at = now
    if role is None or name is None:
        raise AuthenticationRequired("the token's owner is no longer a member of its workspace")
    return Actor(
        user_id=token.user_id,
        workspace_id=token.workspace_id,
        role=Role(role),
        scope=TokenScope(token.scope),
        user_name=name,
    )
