"""The password login as a use case: throttled per account and per address (counted in the database, so every
server process sees the same counts), refused where single sign-on is required, and in two steps when the
account has two-factor login."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from northstar.accounts import policy, two_factor
from northstar.accounts.encryption import SecretBox
from northstar.accounts.models import LoginChallenge, LoginThrottle, User, Workspace
from northstar.accounts.service import (
    NewLoginSession,
    _aware,
    authenticate,
    password_allowed,
    start_login_session,
    workspaces_of,
)
from northstar.core.database import utcnow
from northstar.core.errors import AuthenticationRequired, NorthstarError, PermissionDenied

CHALLENGE_LIFETIME = timedelta(minutes=5)


class TooManyAttempts(NorthstarError):
    status = 429
    type_slug = "too-many-login-attempts"
    title = "Too many login attempts"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _keys(email: str, address: str) -> list[tuple[str, policy.ThrottleRule]]:
    return [
        (f"account:{email.strip().lower()[:320]}", policy.ACCOUNT_RULE),
        (f"address:{address[:64]}", policy.ADDRESS_RULE),
    ]


def _state(row: LoginThrottle | None) -> policy.ThrottleState | None:
    if row is None:
        return None
    locked = _aware(row.locked_until) if row.locked_until else None
    return policy.ThrottleState(row.failures, _aware(row.window_started_at), locked)


def check_throttle(session: Session, email: str, address: str, now: datetime | None = None) -> None:
    """Refuse (429) while the account or the address is locked out after too many failures."""
    now = now or utcnow()
    for key, _rule in _keys(email, address):
        row = session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
        until = policy.locked(_state(row), now)
        if until is not None:
            minutes = max(1, int((until - now).total_seconds() // 60) + 1)
            what = "this account" if key.startswith("account:") else "this address"
            raise TooManyAttempts(f"too many failed logins for {what}; try again in {minutes} minutes")


def record_failure(session: Session, email: str, address: str, now: datetime | None = None) -> None:
    """Count one failed login against the account and the address (in the caller's transaction)."""
    now = now or utcnow()
    for key, rule in _keys(email, address):
        # create the row if missing without failing when another process creates it at the same moment, then
        # lock it (PostgreSQL; SQLite has one writer at a time anyway) so concurrent failures all count
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = session.scalar(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update())
        assert row is not None
        after = policy.after_failure(_state(row), rule, now)
        row.failures, row.window_started_at, row.locked_until = (
            after.failures,
            after.window_started_at,
            after.locked_until,
        )


def clear_account(session: Session, email: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == f"account:{email.strip().lower()}"))


@dataclass(frozen=True)
class PasswordLogin:
    """A password that was right: either a session, or a challenge secret for the second factor."""

    login: NewLoginSession | None = None
    challenge: str | None = None


def _sso_only_refusal(session: Session, user: User) -> PermissionDenied | None:
    memberships = workspaces_of(session, user.id)
    if not memberships or any(password_allowed(session, user.id, ws.id) for ws, _ in memberships):
        return None
    names: list[Workspace] = [ws for ws, _ in memberships]
    return PermissionDenied(
        f"{names[0].name} requires single sign-on: use “Sign in with single sign-on” with your work e-mail"
    )


def password_login(
    session: Session, email: str, password: str, address: str, session_hours: int, next_path: str = "/"
) -> PasswordLogin:
    """Check the throttle, then the password; a failure is counted (the caller commits it even though the
    login is refused). With two-factor login on, a challenge is returned instead of a session."""
    check_throttle(session, email, address)
    try:
        user = authenticate(session, email, password)
    except AuthenticationRequired:
        record_failure(session, email, address)
        session.commit()  # the count must outlive the refusal, which rolls the request back
        raise
    refusal = _sso_only_refusal(session, user)
    if refusal is not None:
        session.rollback()  # a refused login leaves no trace (not even last_login_at)
        raise refusal
    if two_factor.is_enabled(session, user.id):
        secret = secrets.token_urlsafe(32)
        session.execute(delete(LoginChallenge).where(LoginChallenge.expires_at < utcnow()))
        session.add(
            LoginChallenge(
                token_hash=_sha256(secret),
                user_id=user.id,
                next_path=next_path,
                expires_at=utcnow() + CHALLENGE_LIFETIME,
            )
        )
        session.flush()
        return PasswordLogin(challenge=secret)
    clear_account(session, email)
    return PasswordLogin(login=start_login_session(session, user, session_hours))


def challenge_next(session: Session, secret: str) -> str | None:
    """Where a pending second-factor step goes after, or None when the challenge is unknown or expired."""
    row = _challenge(session, secret)
    return row.next_path if row else None


def _challenge(session: Session, secret: str) -> LoginChallenge | None:
    if not secret or len(secret) > 200:
        return None
    row = session.scalar(select(LoginChallenge).where(LoginChallenge.token_hash == _sha256(secret)))
    if row is None or _aware(row.expires_at) < utcnow():
        return None
    return row


def second_factor(
    session: Session, secret: str, code: str, address: str, box: SecretBox, session_hours: int
) -> tuple[NewLoginSession, str]:
    """Finish a two-step login with a TOTP or recovery code; wrong codes count as failed logins (throttled)."""
    row = _challenge(session, secret)
    if row is None:
        raise AuthenticationRequired("the login step expired; enter your e-mail and password again")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise AuthenticationRequired("the login step expired; enter your e-mail and password again")
    check_throttle(session, user.email, address)
    if not two_factor.check_code(session, user.id, code, box):
        record_failure(session, user.email, address)
        session.commit()
        raise AuthenticationRequired(
            "that code is not right; type the 6 digits your app shows now, or a recovery code"
        )
    next_path = row.next_path
    session.delete(row)
    clear_account(session, user.email)
    return start_login_session(session, user, session_hours), next_path
