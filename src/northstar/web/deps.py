"""Request dependencies shared by every route: the database session and the acting principal.

API routes accept a bearer token (``Authorization: Bearer nsk_...``) or the login cookie; with the
cookie, unsafe methods must carry the session's CSRF token in ``X-CSRF-Token``. Pages accept only the
cookie and check the CSRF token of every form.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.encryption import SecretBox
from northstar.accounts.models import LoginSession, User
from northstar.core.errors import AuthenticationRequired, NorthstarError, NotFound, PermissionDenied
from northstar.core.permissions import Actor, Role
from northstar.core.settings import Settings

SESSION_COOKIE = "northstar_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Iterator[Session]:
    """A session per request: committed when the route returns normally, rolled back otherwise.

    Safe methods (GET, HEAD, OPTIONS) only read, and get a session without a transaction on PostgreSQL
    (``database.create_read_session_factory``).
    """
    state = request.app.state
    factory = state.read_session_factory if request.method in SAFE_METHODS else state.session_factory
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


#: scope="function": commit before the response is sent, so a redirect never outruns its write
DB = Annotated[Session, Depends(get_db, scope="function")]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def _login(request: Request, session: Session) -> LoginSession | None:
    secret = request.cookies.get(SESSION_COOKIE)
    return accounts.resolve_login_session(session, secret) if secret else None


def api_actor(request: Request, session: DB) -> Actor:
    """The actor for an API request (token or cookie + CSRF header), else 401."""
    token = _bearer(request)
    if token:
        return accounts.actor_for_token(session, token)
    login = _login(request, session)
    if login is None or login.workspace_id is None:
        raise AuthenticationRequired("send an API token as 'Authorization: Bearer nsk_...' or log in")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, login.csrf_token):
            raise PermissionDenied("missing or wrong X-CSRF-Token header for a cookie-authenticated request")
    return accounts.actor_for(session, login.user_id, login.workspace_id)


ApiActor = Annotated[Actor, Depends(api_actor)]


class LoginRedirect(NorthstarError):
    """Raised by page routes when nobody is logged in; rendered as a redirect to the login page."""

    status = 303
    type_slug = "login-required"
    title = "Login required"


@dataclass
class PageUser:
    """Who is looking at a page: the actor, their user row and session (for CSRF and workspace switching)."""

    actor: Actor
    user: User
    login: LoginSession

    @property
    def csrf_token(self) -> str:
        return self.login.csrf_token


def page_user(request: Request, session: DB) -> PageUser:
    """The logged-in user of a page request, else a redirect to the login page."""
    secret = request.cookies.get(SESSION_COOKIE)
    found = accounts.resolve_page_login(session, secret) if secret else None
    if found is None:
        raise LoginRedirect(request.url.path)
    login, user, role = found
    if not user.is_active:
        raise LoginRedirect(request.url.path)
    if login.workspace_id is None:
        raise NorthstarError("you are not a member of any workspace yet; ask an admin to add you")
    if role is None:
        raise NotFound("workspace not found")
    actor = Actor(user_id=user.id, workspace_id=login.workspace_id, role=Role(role), user_name=user.name)
    return PageUser(actor=actor, user=user, login=login)


CurrentUser = Annotated[PageUser, Depends(page_user)]


def check_csrf(user: PageUser, token: str | None) -> None:
    """Refuse a form post whose CSRF token does not match the session's."""
    if not token or not hmac.compare_digest(token, user.csrf_token):
        raise PermissionDenied("the form's security token is missing or stale; reload the page and try again")


def secret_box(request: Request) -> SecretBox:
    """Encryption of stored credentials with the key derived from this server's secret key."""
    return SecretBox(request.app.state.secret_key)


def client_address(request: Request) -> str:
    """The address a request came from (the direct peer; a proxy in front must be trusted to pass its own)."""
    return request.client.host if request.client else "unknown"
