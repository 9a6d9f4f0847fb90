"""JSON API of notifications: the actor's list and mark-read, preferences, the outbox and starting delivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from northstar.core.jobs_schemas import JobRead
from northstar.notifications import service
from northstar.notifications.schemas import (
    NotificationList,
    NotificationRead,
    OutboxRead,
    PreferencesRead,
    PreferencesUpdate,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("")
def list_notifications(
    session: DB, actor: ApiActor, unread: Annotated[bool, Query(description="Only unread ones.")] = False
) -> NotificationList:
    """The caller's newest notifications (at most 200) and how many are unread."""
    return service.list_notifications(session, actor, unread)


@router.post("/read-all")
def read_all(session: DB, actor: ApiActor) -> dict[str, int]:
    return {"marked_read": service.mark_all_read(session, actor)}


@router.post("/{notification_id}/read")
def read_one(notification_id: int, session: DB, actor: ApiActor) -> NotificationRead:
    return service.mark_read(session, actor, notification_id)


@router.get("/preferences")
def get_preferences(session: DB, actor: ApiActor) -> PreferencesRead:
    return service.get_preferences(session, actor)


@router.patch("/preferences")
def update_preferences(body: PreferencesUpdate, session: DB, actor: ApiActor) -> PreferencesRead:
    """Set a mode per event (``immediately``, ``daily``, ``off``), e-mail on or off, and a Slack webhook URL."""
    return service.update_preferences(session, actor, body)


@router.get("/outbox")
def list_outbox(
    session: DB,
    actor: ApiActor,
    status: Annotated[
        str | None, Query(max_length=16, description="pending, sending, sent, failed, suppressed")
    ] = None,
) -> list[OutboxRead]:
    """The workspace's outbox, newest first (admins)."""
    return service.list_outbox(session, actor, status)


@router.post("/deliver", status_code=202)
def deliver(request: Request, session: DB, actor: ApiActor) -> JobRead:
    """Start the delivery job for this workspace; follow it at /api/v1/jobs/{id}."""
    actor.require("workspace.manage")
    job = request.app.state.jobs.submit(session, actor, "notifications.deliver", {})
    return JobRead.model_validate(job)
