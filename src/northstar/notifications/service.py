"""Use cases of notifications: ``notify`` (what other modules call, inside their own transaction), the in-app
list and its unread count, per-user preferences, and the suppression list that unsubscribing writes.

Nothing here talks to a mail server or to Slack: ``notify`` only writes rows (the in-app notification and one
outbox message per channel) in the caller's session, so the message exists exactly when the change that caused it
was committed. ``delivery.deliver_pending`` sends the outbox later.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from northstar.accounts.models import Membership, User
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, NotFound, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor, Role
from northstar.notifications import engine
from northstar.notifications.models import (
    EmailSuppression,
    Notification,
    NotificationChannels,
    NotificationPreference,
    OutboxMessage,
)
from northstar.notifications.schemas import (
    EventPreference,
    NotificationList,
    NotificationRead,
    OutboxRead,
    PreferencesRead,
    PreferencesUpdate,
)

LIST_LIMIT = 200


def _invalid(field: str, error: engine.NotificationError) -> ValidationFailed:
    return ValidationFailed(f"{field}: {error}", [FieldError(field, str(error))])


# --- writing: what other modules call ------------------------------------------------------------------------


def notify(
    session: Session,
    workspace_id: int,
    event: str,
    user_ids: Iterable[int],
    title: str,
    body: str = "",
    link: str | None = None,
    key: str | None = None,
) -> int:
    """Tell ``user_ids`` about ``event`` in the caller's transaction; returns how many users were told.

    Each user's preference decides: ``off`` writes nothing, ``immediately`` writes the in-app notification and
    an outbox message per channel due now, ``daily`` one held for the next digest. ``key`` names the change
    (``budget_overrun:2026-Q4:Data:contractors``): a user already told about that key is not told again.
    """
    try:
        engine.check_event(event)
    except engine.NotificationError as error:
        raise _invalid("event", error)
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    key = (key or f"{event}:{secrets.token_hex(8)}")[:150]
    modes = _modes(session, workspace_id, ids)
    channels = {
        row.user_id: row
        for row in session.scalars(
            select(NotificationChannels).where(
                NotificationChannels.workspace_id == workspace_id, NotificationChannels.user_id.in_(ids)
            )
        )
    }
    members = set(
        session.scalars(
            select(Membership.user_id).where(
                Membership.workspace_id == workspace_id, Membership.user_id.in_(ids)
            )
        )
    )
    emails = dict(session.execute(select(User.id, User.email).where(User.id.in_(ids), User.is_active)).all())
    told_before = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.workspace_id == workspace_id,
                Notification.key == key,
                Notification.user_id.in_(ids),
            )
        )
    )
    now = utcnow()
    told = 0
    for user_id in ids:
        mode = modes.get((user_id, event), engine.EVENTS[event][1])
        if mode == "off" or user_id not in members or user_id not in emails or user_id in told_before:
            continue
        told += 1
        session.add(
            Notification(
                workspace_id=workspace_id,
                user_id=user_id,
                event=event,
                title=title[:300],
                body=body,
                link=link,
                key=key,
                created_at=now,
            )
        )
        digest = mode == "daily"
        due = engine.next_digest_time(now) if digest else now
        settings = channels.get(user_id)
        targets = []
        if settings is None or settings.email:
            targets.append(("email", emails[user_id]))
        if settings is not None and settings.slack_webhook_url:
            targets.append(("slack", settings.slack_webhook_url))
        for channel, recipient in targets:
            session.add(
                OutboxMessage(
                    workspace_id=workspace_id,
                    channel=channel,
                    recipient=recipient,
                    user_id=user_id,
                    event=event,
                    subject=title[:300],
                    body=body,
                    link=link,
                    headers={},
                    dedupe_key=f"{key}:{user_id}:{channel}",
                    digest=digest,
                    next_attempt_at=due,
                    created_at=now,
                )
            )
    session.flush()
    return told


def queue_email(
    session: Session,
    workspace_id: int,
    event: str,
    to: str,
    subject: str,
    body: str,
    key: str,
    headers: dict[str, str] | None = None,
) -> OutboxMessage | None:
    """Queue one e-mail to a person who is not a user (a customer's contact), in the caller's transaction.

    Returns None, queueing nothing, when the address unsubscribed or ``key`` was queued before.
    """
    try:
        engine.check_event(event)
    except engine.NotificationError as error:
        raise _invalid("event", error)
    address = to.strip()
    if is_suppressed(session, workspace_id, address):
        return None
    existing = session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.workspace_id == workspace_id, OutboxMessage.dedupe_key == key
        )
    )
    if existing is not None:
        return None
    message = OutboxMessage(
        workspace_id=workspace_id,
        channel="email",
        recipient=address,
        user_id=None,
        event=event,
        subject=subject[:300],
        body=body,
        link=None,
        headers=dict(headers or {}),
        dedupe_key=key[:200],
    )
    session.add(message)
    session.flush()
    return message


def leaders(session: Session, workspace_id: int) -> list[int]:
    """The users who lead the workspace (owner, admin, head of product): who a workspace-wide alert goes to."""
    roles = [Role.OWNER.value, Role.ADMIN.value, Role.HEAD_OF_PRODUCT.value]
    return list(
        session.scalars(
            select(Membership.user_id).where(
                Membership.workspace_id == workspace_id, Membership.role.in_(roles)
            )
        )
    )


# --- the in-app list -----------------------------------------------------------------------------------------


def unread_count(session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread (the number on the bell)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.workspace_id == actor.workspace_id,
                Notification.user_id == actor.user_id,
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def list_notifications(session: Session, actor: Actor, unread_only: bool = False) -> NotificationList:
    """The actor's newest notifications (at most 200), unread first in count."""
    actor.require(READ)
    query = select(Notification).where(
        Notification.workspace_id == actor.workspace_id, Notification.user_id == actor.user_id
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(LIST_LIMIT))
    return NotificationList(
        unread=unread_count(session, actor), items=[NotificationRead.model_validate(r) for r in rows]
    )


def mark_read(session: Session, actor: Actor, notification_id: int) -> NotificationRead:
    actor.require(READ)
    row = get_owned(session, Notification, notification_id, actor.workspace_id, "notification")
    if row.user_id != actor.user_id:
        raise NotFound(f"no notification {notification_id}")
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return NotificationRead.model_validate(row)


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    actor.require(READ)
    result = session.execute(
        update(Notification)
        .where(
            Notification.workspace_id == actor.workspace_id,
            Notification.user_id == actor.user_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- preferences ---------------------------------------------------------------------------------------------


def _modes(session: Session, workspace_id: int, user_ids: list[int]) -> dict[tuple[int, str], str]:
    return {
        (row.user_id, row.event): row.mode
        for row in session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.workspace_id == workspace_id,
                NotificationPreference.user_id.in_(user_ids),
            )
        )
    }


def get_preferences(session: Session, actor: Actor) -> PreferencesRead:
    actor.require(READ)
    modes = _modes(session, actor.workspace_id, [actor.user_id])
    channels = session.get(NotificationChannels, (actor.workspace_id, actor.user_id))
    return PreferencesRead(
        email=channels.email if channels else True,
        slack_webhook_url=channels.slack_webhook_url if channels else None,
        events=[
            EventPreference(event=event, label=label, mode=modes.get((actor.user_id, event), default))
            for event, (label, default) in engine.EVENTS.items()
        ],
    )


def update_preferences(session: Session, actor: Actor, data: PreferencesUpdate) -> PreferencesRead:
    """Set the actor's mode per event and their channels; every value is checked before anything is saved."""
    actor.require(READ)
    errors: list[FieldError] = []
    for event, mode in data.events.items():
        if event not in engine.EVENTS:
            errors.append(FieldError(f"events.{event}", f"unknown event; known: {', '.join(engine.EVENTS)}"))
        elif mode not in engine.MODES:
            errors.append(
                FieldError(f"events.{event}", f"unknown mode {mode!r}; choose {', '.join(engine.MODES)}")
            )
    webhook: str | None = None
    if data.slack_webhook_url:
        try:
            webhook = engine.check_webhook_url(data.slack_webhook_url)
        except engine.NotificationError as error:
            errors.append(FieldError("slack_webhook_url", str(error)))
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    for event, mode in data.events.items():
        row = session.get(NotificationPreference, (actor.workspace_id, actor.user_id, event))
        if row is None:
            session.add(
                NotificationPreference(
                    workspace_id=actor.workspace_id, user_id=actor.user_id, event=event, mode=mode
                )
            )
        else:
            row.mode = mode
    channels = session.get(NotificationChannels, (actor.workspace_id, actor.user_id))
    if channels is None:
        channels = NotificationChannels(workspace_id=actor.workspace_id, user_id=actor.user_id, email=True)
        session.add(channels)
    if data.email is not None:
        channels.email = data.email
    if data.slack_webhook_url is not None:
        channels.slack_webhook_url = webhook
    session.flush()
    audit.record(
        session, actor, "update", "notification_preferences", actor.user_id, "notification preferences"
    )
    return get_preferences(session, actor)


# --- suppression (unsubscribe) and the outbox as an admin sees it ----------------------------------------------


def is_suppressed(session: Session, workspace_id: int, email: str) -> bool:
    return (
        session.scalar(
            select(EmailSuppression.id).where(
                EmailSuppression.workspace_id == workspace_id,
                func.lower(EmailSuppression.email) == email.strip().lower(),
            )
        )
        is not None
    )


def unsubscribe(session: Session, secret: str, token: str) -> tuple[int, str]:
    """Record the address of a genuine unsubscribe token; returns (workspace id, address). Idempotent.

    Messages to the address still waiting in the outbox are suppressed too, so nothing more reaches it.
    """
    found = engine.read_unsubscribe(secret, token)
    if found is None:
        raise ValidationFailed("this unsubscribe link is not valid; copy the whole link from the e-mail")
    workspace_id, email = found
    if not is_suppressed(session, workspace_id, email):
        session.add(EmailSuppression(workspace_id=workspace_id, email=email))
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.channel == "email",
            func.lower(OutboxMessage.recipient) == email,
            OutboxMessage.status == "pending",
        )
        .values(status="suppressed", last_error="the address unsubscribed")
    )
    session.flush()
    return workspace_id, email


def list_outbox(
    session: Session, actor: Actor, status: str | None = None, limit: int = 200
) -> list[OutboxRead]:
    """The workspace's outbox, newest first (admins: it holds other people's addresses)."""
    actor.require("workspace.manage")
    query = select(OutboxMessage).where(OutboxMessage.workspace_id == actor.workspace_id)
    if status:
        query = query.where(OutboxMessage.status == status)
    rows = session.scalars(query.order_by(OutboxMessage.id.desc()).limit(min(limit, 1000)))
    return [OutboxRead.model_validate(row) for row in rows]


def due_workspaces(session: Session, now: datetime | None = None) -> list[int]:
    """Workspaces with outbox messages due now (what ``send-pending`` without a workspace works through)."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(OutboxMessage.workspace_id)
            .where(OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= now)
            .distinct()
        )
    )
