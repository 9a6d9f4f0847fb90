"""Pages of the changelog: the list with "draft from a shipped idea", and an entry's page to edit and publish it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from northstar.changelog import service
from northstar.changelog.api import links
from northstar.changelog.schemas import EntryUpdate
from northstar.core.errors import Conflict, ValidationFailed
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


def _list_page(
    request: Request, session: DB, user: CurrentUser, errors: dict[str, str] | None = None
) -> Response:
    from northstar.accounts.models import Workspace

    workspace = session.get(Workspace, user.actor.workspace_id)
    return render(
        request,
        "changelog.html",
        status_code=422 if errors else 200,
        user=user,
        entries=service.list_entries(session, user.actor),
        shipped=service.shipped_ideas(session, user.actor),
        can_edit=user.actor.can("changelog.write"),
        public_path=f"/updates/{workspace.slug}" if workspace else "",
        errors=errors or {},
    )


@router.get("/changelog")
def changelog_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _list_page(request, session, user)


@router.post("/changelog/draft")
async def draft(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    try:
        entry = service.draft_from_idea(session, user.actor, int(form.get("idea_id") or 0))
    except (ValidationFailed, Conflict) as failure:
        session.rollback()
        return _list_page(request, session, user, {"idea_id": failure.detail})
    return see_other(f"/changelog/{entry.id}", drafted=1)


def _entry_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    entry_id: int,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    from northstar.accounts.models import Workspace

    entry = service.get_entry(session, user.actor, entry_id)
    workspace = session.get(Workspace, user.actor.workspace_id)
    told = service.told_for_idea(session, user.actor, entry.idea_id) if entry.idea_id else []
    return render(
        request,
        "changelog_entry.html",
        status_code=422 if errors else 200,
        user=user,
        entry=entry,
        values=typed or {"title": entry.title, "body": entry.body},
        errors=errors or {},
        told=[t for t in told if t.entry_id == entry.id],
        can_edit=user.actor.can("changelog.write"),
        public_path=f"/updates/{workspace.slug}/{entry.id}" if workspace else "",
        breadcrumbs=[("Changelog", "/changelog"), (entry.title, "")],
    )


@router.get("/changelog/{entry_id}")
def entry_page(request: Request, session: DB, user: CurrentUser, entry_id: int) -> Response:
    return _entry_page(request, session, user, entry_id)


@router.post("/changelog/{entry_id}")
async def save_entry(request: Request, session: DB, user: CurrentUser, entry_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    try:
        service.update_entry(
            session,
            user.actor,
            entry_id,
            EntryUpdate(title=form.get("title", "")[:300] or " ", body=form.get("body", "")),
        )
    except ValidationFailed as failure:
        session.rollback()
        return _entry_page(request, session, user, entry_id, field_messages(failure), form)
    return see_other(f"/changelog/{entry_id}", saved=1)


@router.post("/changelog/{entry_id}/publish")
async def publish(request: Request, session: DB, user: CurrentUser, entry_id: int) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    try:
        result = service.publish(session, user.actor, entry_id, links(request))
    except Conflict as failure:
        session.rollback()
        return _entry_page(request, session, user, entry_id, {"form": failure.detail})
    return see_other(f"/changelog/{entry_id}", published=1, told=result.told, answered=result.answered)
