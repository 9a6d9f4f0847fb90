"""Use cases of single sign-on: configure a workspace's OpenID Connect provider, start a sign-in, and finish it
when the provider sends the browser back (state, PKCE, ID token, e-mail domain, just-in-time account, role).

One redirect URI serves every workspace (``/sso/callback``); the sign-in in flight is a database row found by
the hash of its ``state``, so a tampered or replayed state finds nothing and the provider's redirect may land on
any server process.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from northstar.accounts import oidc, policy
from northstar.accounts.encryption import SecretBox
from northstar.accounts.models import LoginSession, Membership, SsoLoginAttempt, SsoSettings, User, Workspace
from northstar.accounts.oidc import SsoRefused
from northstar.accounts.schemas import SsoConfigure, SsoRead
from northstar.accounts.service import NewLoginSession, _aware, get_user_by_email, start_login_session
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, NotFound, ValidationFailed
from northstar.core.permissions import READ, Actor, Role

#: how long the provider may take to send the browser back
ATTEMPT_LIFETIME = timedelta(minutes=10)
NO_PASSWORD = "!sso"  # not an argon2 hash: a just-in-time account cannot log in with a password


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _settings(session: Session, workspace_id: int) -> SsoSettings | None:
    return session.scalar(select(SsoSettings).where(SsoSettings.workspace_id == workspace_id))


def _read(session: Session, settings: SsoSettings, workspace: Workspace) -> SsoRead:
    glass = session.get(User, settings.break_glass_user_id) if settings.break_glass_user_id else None
    return SsoRead(
        enabled=settings.enabled,
        issuer=settings.issuer,
        client_id=settings.client_id,
        client_secret_set=bool(settings.client_secret_encrypted),
        allowed_domains=list(settings.allowed_domains),
        create_accounts=settings.create_accounts,
        default_role=Role(settings.default_role),
        groups_claim=settings.groups_claim,
        group_roles={group: Role(role) for group, role in settings.group_roles.items()},
        sso_required=settings.sso_required,
        break_glass_email=glass.email if glass else None,
        sign_in_path=f"/sso/{workspace.slug}",
    )


def get_sso(session: Session, actor: Actor) -> SsoRead | None:
    """The workspace's single sign-on settings (never the secret), or None when it was never configured."""
    actor.require(READ)
    settings = _settings(session, actor.workspace_id)
    workspace = session.get(Workspace, actor.workspace_id)
    if settings is None or workspace is None:
        return None
    return _read(session, settings, workspace)


def _break_glass(session: Session, actor: Actor, email: str | None) -> int | None:
    """The break-glass owner's user id: the named user, who must be an owner here, else the acting owner."""
    if email is None:
        return actor.user_id if actor.role == Role.OWNER else None
    user = get_user_by_email(session, str(email))
    role = session.scalar(
        select(Membership.role).where(
            Membership.workspace_id == actor.workspace_id, Membership.user_id == user.id
        )
    )
    if role != Role.OWNER.value:
        raise ValidationFailed(
            f"{user.email} is not an owner of this workspace; the break-glass account must be an owner",
            [FieldError("break_glass_email", "must be an owner of this workspace")],
        )
    return user.id


def configure_sso(session: Session, actor: Actor, data: SsoConfigure, box: SecretBox) -> SsoRead:
    """Save (and enable) the workspace's provider. The client secret is encrypted; left out, the stored one is
    kept. Requiring SSO needs a break-glass owner, and ends the password sessions of everyone else here."""
    actor.require("sso.manage")
    errors: list[FieldError] = []
    try:
        issuer = oidc.check_issuer_url(data.issuer)
    except Exception as exc:
        errors.append(FieldError("issuer", str(exc)))
        issuer = data.issuer
    domains = sorted({policy.normalise_domain(d) for d in data.allowed_domains if d.strip()})
    bad = [d for d in domains if "." not in d or " " in d or "@" in d]
    if bad:
        errors.append(FieldError("allowed_domains", f"not a domain: {', '.join(bad)}"))
    if data.default_role == Role.OWNER or Role.OWNER in data.group_roles.values():
        errors.append(
            FieldError("default_role", "single sign-on never makes an owner; choose admin or below")
        )
    settings = _settings(session, actor.workspace_id)
    if data.client_secret is None and (settings is None or not settings.client_secret_encrypted):
        errors.append(FieldError("client_secret", "the client secret is needed the first time"))
    break_glass = None
    try:
        break_glass = _break_glass(session, actor, data.break_glass_email)
    except (ValidationFailed, NotFound) as exc:
        errors.extend(getattr(exc, "errors", []) or [FieldError("break_glass_email", exc.detail)])
    if data.sso_required and break_glass is None and not errors:
        errors.append(FieldError("break_glass_email", "requiring single sign-on needs a break-glass owner"))
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    if settings is None:
        settings = SsoSettings(workspace_id=actor.workspace_id)
        session.add(settings)
    settings.issuer, settings.client_id = issuer, data.client_id.strip()
    if data.client_secret is not None:
        settings.client_secret_encrypted = box.encrypt(data.client_secret)
    settings.allowed_domains = domains
    settings.create_accounts, settings.default_role = data.create_accounts, data.default_role.value
    settings.groups_claim = data.groups_claim.strip()
    settings.group_roles = {
        group.strip(): role.value for group, role in data.group_roles.items() if group.strip()
    }
    settings.sso_required, settings.break_glass_user_id, settings.enabled = (
        data.sso_required,
        break_glass,
        True,
    )
    session.flush()
    if settings.sso_required:
        _end_password_sessions(session, actor.workspace_id, break_glass)
    audit.record(
        session,
        actor,
        "configure",
        "sso",
        settings.id,
        f"{issuer} ({'required' if settings.sso_required else 'optional'})",
        {"client_id": settings.client_id, "secret_changed": data.client_secret is not None},
    )
    workspace = session.get(Workspace, actor.workspace_id)
    assert workspace is not None
    return _read(session, settings, workspace)


def _end_password_sessions(session: Session, workspace_id: int, keep_user_id: int | None) -> None:
    session.execute(
        delete(LoginSession).where(
            LoginSession.workspace_id == workspace_id,
            LoginSession.auth_method != "sso",
            LoginSession.user_id != (keep_user_id or 0),
        )
    )


def disable_sso(session: Session, actor: Actor) -> SsoRead:
    """Turn single sign-on off (passwords work again); the settings stay for switching it back on."""
    actor.require("sso.manage")
    settings = _settings(session, actor.workspace_id)
    workspace = session.get(Workspace, actor.workspace_id)
    if settings is None or workspace is None:
        raise NotFound("single sign-on is not configured in this workspace")
    settings.enabled, settings.sso_required = False, False
    audit.record(session, actor, "disable", "sso", settings.id, settings.issuer)
    session.flush()
    return _read(session, settings, workspace)


def sso_available(session: Session) -> bool:
    """Whether any workspace signs in with single sign-on (the login page offers it only then)."""
    return bool(session.scalar(select(exists().where(SsoSettings.enabled))))


def workspace_for_email(session: Session, email: str) -> Workspace:
    """The workspace whose single sign-on accepts this e-mail's domain (the login page's "work e-mail")."""
    domain = policy.email_domain(email)
    if not domain:
        raise ValidationFailed(
            "enter your work e-mail, like ana@example.com", [FieldError("email", "not an e-mail")]
        )
    for settings, workspace in session.execute(
        select(SsoSettings, Workspace)
        .join(Workspace, Workspace.id == SsoSettings.workspace_id)
        .where(SsoSettings.enabled)
    ):
        if domain in settings.allowed_domains:
            return workspace
    raise NotFound(f"no workspace signs in {domain} addresses with single sign-on; log in with your password")


@dataclass(frozen=True)
class SsoStart:
    url: str
    browser_secret: str


def begin_sso_login(
    session: Session, workspace_slug: str, redirect_uri: str, next_path: str = "/"
) -> SsoStart:
    """Start a sign-in into the workspace: read the provider's discovery document, remember state, nonce and
    PKCE verifier, and return the provider URL plus a secret for the browser's cookie."""
    workspace = session.scalar(select(Workspace).where(Workspace.slug == workspace_slug))
    settings = _settings(session, workspace.id) if workspace else None
    if workspace is None or settings is None or not settings.enabled:
        raise NotFound(f"workspace {workspace_slug!r} does not sign in with single sign-on")
    with oidc.http_client() as http:
        metadata = oidc.discover(http, settings.issuer)
    request = oidc.authorization_request(metadata, settings.client_id, redirect_uri)
    browser = secrets.token_urlsafe(32)
    session.execute(delete(SsoLoginAttempt).where(SsoLoginAttempt.expires_at < utcnow()))
    session.add(
        SsoLoginAttempt(
            state_hash=_sha256(request.state),
            browser_hash=_sha256(browser),
            workspace_id=workspace.id,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            redirect_uri=redirect_uri,
            next_path=next_path,
            expires_at=utcnow() + ATTEMPT_LIFETIME,
        )
    )
    session.flush()
    return SsoStart(url=request.url, browser_secret=browser)


@dataclass(frozen=True)
class SsoSignedIn:
    login: NewLoginSession
    user: User
    workspace: Workspace
    role: Role
    next_path: str


def _claim_attempt(session: Session, state: str, browser_secret: str) -> SsoLoginAttempt:
    """The sign-in in flight for ``state``, taken out so it is used once; refused when unknown, expired or
    started in another browser."""
    if not state or len(state) > 200:
        raise SsoRefused("the sign-in came back without its state; start again from the login page")
    attempt = session.scalar(select(SsoLoginAttempt).where(SsoLoginAttempt.state_hash == _sha256(state)))
    if attempt is None:
        raise SsoRefused(
            "the sign-in's state does not match one Northstar started (tampered, already used, or from another "
            "server); start again from the login page"
        )
    session.delete(attempt)
    session.commit()  # used up even when the sign-in is refused below (which rolls the request back)
    if not secrets.compare_digest(attempt.browser_hash, _sha256(browser_secret or "")):
        raise SsoRefused("the sign-in was started in another browser; start again from the login page")
    if _aware(attempt.expires_at) < utcnow():
        raise SsoRefused("the sign-in took longer than 10 minutes; start again from the login page")
    return attempt


def complete_sso_login(
    session: Session,
    *,
    state: str,
    code: str | None,
    error: str | None,
    error_description: str | None,
    browser_secret: str,
    box: SecretBox,
    session_hours: int,
    now: int | None = None,
) -> SsoSignedIn:
    """Finish a sign-in: check state and browser, trade the code (PKCE) for an ID token, validate it, check the
    e-mail domain, find or create the account and its membership with the mapped role, open a session.

    Every refusal raises ``SsoRefused`` with the reason. Nothing is written but the used-up attempt then."""
    attempt = _claim_attempt(session, state, browser_secret)
    if error:
        raise SsoRefused(f"the identity provider did not sign you in: {error_description or error}")
    if not code:
        raise SsoRefused("the identity provider came back without a sign-in code")
    settings = _settings(session, attempt.workspace_id)
    workspace = session.get(Workspace, attempt.workspace_id)
    if settings is None or workspace is None or not settings.enabled:
        raise SsoRefused("single sign-on was turned off for this workspace while you were signing in")
    with oidc.http_client() as http:
        metadata = oidc.discover(http, settings.issuer)
        id_token = oidc.exchange_code(
            metadata,
            settings.client_id,
            box.decrypt(settings.client_secret_encrypted),
            attempt.redirect_uri,
            code,
            attempt.code_verifier,
        )
        claims = oidc.validate_id_token(http, metadata, id_token, settings.client_id, attempt.nonce, now)
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise SsoRefused("the identity provider did not send an e-mail address (ask for the 'email' scope)")
    if claims.get("email_verified") is False:
        raise SsoRefused(f"the identity provider says {email} is not verified")
    if not policy.domain_allowed(email, settings.allowed_domains):
        allowed = ", ".join(settings.allowed_domains)
        raise SsoRefused(
            f"{email} is not allowed into {workspace.name}: only {allowed} addresses may sign in"
        )
    groups = policy.groups_from_claim(claims.get(settings.groups_claim))
    mapped = policy.role_for_groups(groups, settings.group_roles, Role(settings.default_role))
    user, role = _account(
        session, settings, workspace, email, str(claims.get("name") or email), mapped, groups
    )
    login = start_login_session(session, user, session_hours, workspace_id=workspace.id, auth_method="sso")
    user.last_login_at = utcnow()
    actor = Actor(user_id=user.id, workspace_id=workspace.id, role=role, user_name=user.name)
    audit.record(
        session, actor, "sso_login", "user", user.id, f"{email} as {role.value} via {settings.issuer}"
    )
    return SsoSignedIn(login=login, user=user, workspace=workspace, role=role, next_path=attempt.next_path)


def _account(
    session: Session,
    settings: SsoSettings,
    workspace: Workspace,
    email: str,
    name: str,
    mapped: Role,
    groups: list[str],
) -> tuple[User, Role]:
    """The user and their role here: created just in time when allowed; with a groups mapping, the role follows
    the provider's groups at every sign-in (an owner stays an owner)."""
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and not user.is_active:
        raise SsoRefused(f"the Northstar account {email} is deactivated")
    membership = (
        session.scalar(
            select(Membership).where(Membership.workspace_id == workspace.id, Membership.user_id == user.id)
        )
        if user is not None
        else None
    )
    if membership is None and not settings.create_accounts:
        raise SsoRefused(f"{email} is not a member of {workspace.name}; ask an admin to add you")
    if user is None:
        user = User(email=email, name=name[:200], password_hash=NO_PASSWORD)
        session.add(user)
        session.flush()
    if membership is None:
        membership = Membership(workspace_id=workspace.id, user_id=user.id, role=mapped.value)
        session.add(membership)
        session.flush()
        actor = Actor(user_id=user.id, workspace_id=workspace.id, role=mapped, user_name=user.name)
        audit.record(session, actor, "sso_join", "user", user.id, f"{email} joined as {mapped.value}")
    elif settings.group_roles and membership.role != Role.OWNER.value:
        follows = any(group in settings.group_roles for group in groups)
        if follows and membership.role != mapped.value:
            membership.role = mapped.value
    return user, Role(membership.role)
