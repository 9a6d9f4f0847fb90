"""Use cases of the settings pages: workspace settings, members (invite by signed link, change role, remove),
API tokens (through the accounts service) and the audit log. Every write is checked against the permission table
and audited."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.models import Membership, User, Workspace
from northstar.accounts.schemas import UserCreate
from northstar.administration.schemas import (
    AuditPage,
    AuditRow,
    Invite,
    InviteCreate,
    WorkspaceSettingsUpdate,
)
from northstar.core import audit
from northstar.core.audit import AuditEvent
from northstar.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Actor, Role

INVITE_DAYS = 7
AUDIT_PAGE = 100


# --- workspace settings -----------------------------------------------------------------------------------------


def update_workspace(session: Session, actor: Actor, data: WorkspaceSettingsUpdate) -> Workspace:
    """Rename the workspace, set its currency and its discount rate."""
    actor.require("workspace.manage")
    workspace = accounts.get_workspace(session, actor)
    changes = {}
    for field, value in (
        ("name", data.name.strip()),
        ("currency", data.currency.upper()),
        ("discount_rate", round(data.discount_rate_percent / 100, 6)),
    ):
        if getattr(workspace, field) != value:
            changes[field] = [getattr(workspace, field), value]
            setattr(workspace, field, value)
    if changes:
        audit.record(session, actor, "update", "workspace", workspace.id, "workspace settings", changes)
    return workspace


# --- members --------------------------------------------------------------------------------------------------


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), b"invite:" + body.encode(), hashlib.sha256).hexdigest()[:32]


def create_invite(
    session: Session, actor: Actor, secret: str, data: InviteCreate, now: datetime | None = None
) -> str:
    """A signed invite token for ``data.email`` to join the actor's workspace as ``data.role`` within a week.

    The link carries everything (no table): whoever opens it signs up, or logs in, as that e-mail address."""
    actor.require("members.manage")
    if data.role == Role.OWNER and actor.role != Role.OWNER:
        raise ValidationFailed("only an owner can invite another owner")
    expires = (now or datetime.now(UTC)) + timedelta(days=INVITE_DAYS)
    payload = {
        "w": actor.workspace_id,
        "e": data.email.lower(),
        "r": data.role.value,
        "x": int(expires.timestamp()),
    }
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    audit.record(session, actor, "invite", "user", None, f"{data.email.lower()} as {data.role.value}")
    return f"{body}.{_sign(secret, body)}"


def read_invite(session: Session, secret: str, token: str, now: datetime | None = None) -> Invite:
    """What a genuine, unexpired invite token says; ``NotFound`` for anything else (no hint which part failed)."""
    body, _, signature = token.partition(".")
    if not body or len(token) > 600 or not hmac.compare_digest(signature, _sign(secret, body)):
        raise NotFound("this invite link is not valid: ask for a new one")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    expires = datetime.fromtimestamp(int(payload["x"]), UTC)
    if expires < (now or datetime.now(UTC)):
        raise NotFound("this invite link has expired: ask for a new one")
    workspace = session.get(Workspace, int(payload["w"]))
    if workspace is None:
        raise NotFound("this invite link is not valid: ask for a new one")
    return Invite(
        workspace_id=workspace.id,
        workspace_name=workspace.name,
        email=str(payload["e"]),
        role=Role(payload["r"]),
        expires_at=expires,
    )


def accept_invite(session: Session, invite: Invite, user: User) -> Actor:
    """Make ``user`` (who must hold the invited address) a member; a member already keeps their role."""
    if user.email.lower() != invite.email:
        raise PermissionDenied(f"this invite is for {invite.email}: log in with that address")
    membership = session.scalar(
        select(Membership).where(
            Membership.workspace_id == invite.workspace_id, Membership.user_id == user.id
        )
    )
    if membership is None:
        session.add(Membership(workspace_id=invite.workspace_id, user_id=user.id, role=invite.role.value))
        session.flush()
    actor = accounts.actor_for(session, user.id, invite.workspace_id)
    if membership is None:
        audit.record(
            session, actor, "join", "user", user.id, f"{user.email} as {invite.role.value} by invite"
        )
    return actor


def sign_up_by_invite(session: Session, invite: Invite, data: UserCreate) -> User:
    """Create the invited person's account (the address is the invite's, whatever ``data`` says) and make them a
    member."""
    if session.scalar(select(User.id).where(func.lower(User.email) == invite.email)) is not None:
        raise Conflict(f"{invite.email} already has an account: log in, then open the invite link again")
    user = accounts.create_user(session, data.model_copy(update={"email": invite.email}))
    accept_invite(session, invite, user)
    return user


def _membership(session: Session, actor: Actor, user_id: int) -> tuple[Membership, User]:
    row = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == actor.workspace_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound(f"no member {user_id}")
    return row[0], row[1]


def _owners(session: Session, workspace_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.workspace_id == workspace_id, Membership.role == Role.OWNER.value)
        )
        or 0
    )


def _guard_owner_change(
    session: Session, actor: Actor, membership: Membership, new_role: Role | None
) -> None:
    touches_owner = membership.role == Role.OWNER.value or new_role == Role.OWNER
    if touches_owner and actor.role != Role.OWNER:
        raise PermissionDenied("only an owner can make, change or remove an owner")
    if (
        membership.role == Role.OWNER.value
        and new_role != Role.OWNER
        and _owners(session, actor.workspace_id) < 2
    ):
        raise ValidationFailed("a workspace needs an owner: make someone else owner first")


def change_role(session: Session, actor: Actor, user_id: int, role: Role) -> Membership:
    """Give a member another role (an owner's role only by an owner; never the last owner's)."""
    actor.require("members.manage")
    membership, user = _membership(session, actor, user_id)
    if membership.role == role.value:
        return membership
    _guard_owner_change(session, actor, membership, role)
    audit.record(
        session,
        actor,
        "change_role",
        "user",
        user.id,
        f"{user.email}: {membership.role} to {role.value}",
        {"role": [membership.role, role.value]},
    )
    membership.role = role.value
    return membership


def remove_member(session: Session, actor: Actor, user_id: int) -> str:
    """Take a member out of the workspace (their account stays); returns their e-mail address."""
    actor.require("members.manage")
    membership, user = _membership(session, actor, user_id)
    _guard_owner_change(session, actor, membership, None)
    session.delete(membership)
    audit.record(session, actor, "remove_member", "user", user.id, f"{user.email} ({membership.role})")
    return user.email


# --- audit log ------------------------------------------------------------------------------------------------


def audit_log(
    session: Session,
    actor: Actor,
    action: str = "",
    object_type: str = "",
    user_id: int | None = None,
    before_id: int | None = None,
) -> AuditPage:
    """The workspace's audit records, newest first, a page at a time, with the choices for its filters."""
    actor.require("audit.read")
    where = [AuditEvent.workspace_id == actor.workspace_id]
    if action:
        where.append(AuditEvent.action == action)
    if object_type:
        where.append(AuditEvent.object_type == object_type)
    if user_id is not None:
        where.append(AuditEvent.user_id == user_id)
    if before_id is not None:
        where.append(AuditEvent.id < before_id)
    rows = session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*where)
        .order_by(AuditEvent.id.desc())
        .limit(AUDIT_PAGE + 1)
    ).all()
    mine = AuditEvent.workspace_id == actor.workspace_id
    people = session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(AuditEvent.user_id).where(mine).distinct()))
        .order_by(User.name)
    ).all()
    return AuditPage(
        rows=[
            AuditRow(
                id=event.id,
                created_at=event.created_at,
                user=name or "(a removed account)",
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                summary=event.summary,
            )
            for event, name in rows[:AUDIT_PAGE]
        ],
        actions=list(
            session.scalars(select(AuditEvent.action).where(mine).distinct().order_by(AuditEvent.action))
        ),
        object_types=list(
            session.scalars(
                select(AuditEvent.object_type).where(mine).distinct().order_by(AuditEvent.object_type)
            )
        ),
        people=[(int(i), str(n)) for i, n in people],
        has_more=len(rows) > AUDIT_PAGE,
    )
