"""Pages of notifications: the bell's count in every page's header, the list with mark-read, the preferences form
and (for admins) the outbox with a "send pending now" button that starts the delivery job."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from northstar.core.errors import ValidationFailed
from northstar.notifications import engine, service
from northstar.notifications.schemas import PreferencesUpdate
from northstar.web.deps import DB, CurrentUser, PageUser, check_csrf
from northstar.web.forms import field_messages, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


def unread_notifications(request: Request, user: PageUser | None) -> int:
    """The number on the bell: one indexed count in a short read-only session of its own."""
    if user is None:
        return 0
    with request.app.state.read_session_factory() as session:
        return service.unread_count(session, user.actor)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "unread_notifications": unread_notifications,
    "event_labels": engine.EVENTS,
}


@router.get("/notifications")
def notifications_page(request: Request, session: DB, user: CurrentUser) -> Response:
    listing = service.list_notifications(session, user.actor)
    return render(
        request,
        "notifications.html",
        user=user,
        listing=listing,
        can_manage=user.actor.can("workspace.manage"),
    )


@router.post("/notifications/read-all")
async def read_all(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    count = service.mark_all_read(session, user.actor)
    return see_other("/notifications", read=count)


@router.post("/notifications/{notification_id}/read")
async def read_one(request: Request, session: DB, user: CurrentUser, notification_id: int) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    service.mark_read(session, user.actor, notification_id)
    return see_other("/notifications", read=1)


def _preferences_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    errors: dict[str, str],
    typed: dict[str, str] | None = None,
) -> Response:
    preferences = service.get_preferences(session, user.actor)
    values = typed or {
        "email": "on" if preferences.email else "",
        "slack_webhook_url": preferences.slack_webhook_url or "",
        **{f"event-{p.event}": p.mode for p in preferences.events},
    }
    return render(
        request,
        "notification_preferences.html",
        status_code=422 if errors else 200,
        user=user,
        preferences=preferences,
        values=values,
        errors=errors,
        modes=[
            (
                m,
                m.replace("immediately", "Immediately")
                .replace("daily", "Daily digest")
                .replace("off", "Off"),
            )
            for m in engine.MODES
        ],
    )


@router.get("/notifications/preferences")
def preferences_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _preferences_page(request, session, user, {})


@router.post("/notifications/preferences")
async def save_preferences(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    data = PreferencesUpdate(
        email=form.get("email") == "on",
        slack_webhook_url=form.get("slack_webhook_url", "").strip()[:500],
        events={k.removeprefix("event-"): v for k, v in form.items() if k.startswith("event-")},
    )
    try:
        service.update_preferences(session, user.actor, data)
    except ValidationFailed as failure:
        session.rollback()
        errors = {k.replace("events.", "event-"): v for k, v in field_messages(failure).items()}
        return _preferences_page(request, session, user, errors, form)
    return see_other("/notifications/preferences", saved=1)


@router.get("/notifications/outbox")
def outbox_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return render(
        request, "notification_outbox.html", user=user, messages=service.list_outbox(session, user.actor)
    )


@router.post("/notifications/outbox/send")
async def send_now(request: Request, session: DB, user: CurrentUser) -> Response:
    """Start the delivery job for this workspace (the same job `northstar notifications send-pending` runs)."""
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    user.actor.require("workspace.manage")
    job = request.app.state.jobs.submit(session, user.actor, "notifications.deliver", {})
    return see_other("/notifications/outbox", job=job.id)
