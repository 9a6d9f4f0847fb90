"""Pages of discussion: the thread partial every discussable page includes (``discussion_thread`` in its
template), the forms it posts to (comment, edit, delete, follow), the workspace's ``/activity`` page and the small
script that completes @mentions (a file, not an inline script, so a strict Content-Security-Policy allows it)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from markupsafe import Markup, escape
from starlette.responses import FileResponse, RedirectResponse, Response

from northstar.core.errors import NotFound, ValidationFailed
from northstar.discussion import objects, service
from northstar.discussion.schemas import CommentCreate, CommentUpdate, Thread
from northstar.web.deps import DB, CurrentUser, PageUser, check_csrf
from northstar.web.forms import field_messages, optional_int, query_string, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
SCRIPT = Path(__file__).resolve().parent / "static" / "mentions.js"


def discussion_thread(
    request: Request, user: PageUser | None, object_type: str, object_id: int
) -> Thread | None:
    """The thread of an object for its page, read in a short read-only session of its own (so that a page
    includes it with one line and its route passes nothing more)."""
    if user is None:
        return None
    with request.app.state.read_session_factory() as session:
        return service.thread(session, user.actor, object_type, object_id)


def comment_html(body: str) -> Markup:
    """A comment as HTML: escaped, line breaks kept as ``<br>``."""
    return Markup("<br>".join(str(escape(line)) for line in body.split("\n")))


TEMPLATE_GLOBALS: dict[str, Any] = {"discussion_thread": discussion_thread, "comment_html": comment_html}


async def _form(request: Request, user: PageUser) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    return form


@router.post("/discussion/{object_type}/{object_id}/comments")
async def post_comment(
    request: Request, session: DB, user: CurrentUser, object_type: str, object_id: int
) -> Response:
    """Post a comment and go back to it; an empty or too long one shows the form again with the text kept."""
    form = await _form(request, user)
    target = objects.find(session, user.actor.workspace_id, object_type, object_id)
    try:
        comment = service.create_comment(
            session, user.actor, object_type, object_id, CommentCreate(body=form.get("body", "")[:20_000])
        )
    except ValidationFailed as failure:
        session.rollback()
        action = f"/discussion/{object_type}/{object_id}/comments"
        return _retry(request, user, target, action, form.get("body", ""), failure, "Comment")
    return RedirectResponse(f"{target.path}?commented=1#comment-{comment.id}", status_code=303)


def _retry(
    request: Request,
    user: PageUser,
    target: objects.Target,
    action: str,
    body: str,
    failure: ValidationFailed,
    step: str,
) -> Response:
    """The comment form again with what was typed and why it was refused (nothing typed is lost)."""
    return render(
        request,
        "discussion_retry.html",
        status_code=422,
        user=user,
        target=target,
        action=action,
        body=body,
        errors=field_messages(failure),
        breadcrumbs=[(target.name, target.path), (step, "")],
    )


def _comment_target(session: DB, user: PageUser, comment_id: int) -> objects.Target:
    from northstar.discussion.models import Comment

    comment = session.get(Comment, comment_id)
    if comment is None or comment.workspace_id != user.actor.workspace_id:
        raise NotFound(f"no comment {comment_id}")
    return objects.find(session, user.actor.workspace_id, comment.object_type, comment.object_id)


@router.post("/discussion/comments/{comment_id}/edit")
async def edit_comment(request: Request, session: DB, user: CurrentUser, comment_id: int) -> Response:
    form = await _form(request, user)
    target = _comment_target(session, user, comment_id)
    try:
        service.edit_comment(
            session, user.actor, comment_id, CommentUpdate(body=form.get("body", "")[:20_000])
        )
    except ValidationFailed as failure:
        session.rollback()
        action = f"/discussion/comments/{comment_id}/edit"
        return _retry(request, user, target, action, form.get("body", ""), failure, "Edit comment")
    return see_other(target.path, edited=1)


@router.post("/discussion/comments/{comment_id}/delete")
async def delete_comment(request: Request, session: DB, user: CurrentUser, comment_id: int) -> Response:
    await _form(request, user)
    target = _comment_target(session, user, comment_id)
    service.delete_comment(session, user.actor, comment_id)
    return see_other(target.path, comment_deleted=1)


@router.post("/discussion/{object_type}/{object_id}/follow")
async def follow(
    request: Request, session: DB, user: CurrentUser, object_type: str, object_id: int
) -> Response:
    form = await _form(request, user)
    following = form.get("following") == "1"
    service.set_following(session, user.actor, object_type, object_id, following)
    target = objects.find(session, user.actor.workspace_id, object_type, object_id)
    return see_other(target.path, followed=1 if following else 0)


@router.get("/discussion/mentions.js")
def mentions_script(user: CurrentUser) -> Response:
    """The @mention autocomplete (for signed-in pages only, like the member list it reads)."""
    return FileResponse(SCRIPT, media_type="text/javascript")


@router.get("/activity")
def activity_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    object_type: Annotated[str | None, Query(max_length=32)] = None,
    person: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """What happened on ideas, themes, plans, objectives and experiments, newest first, with filters."""
    chosen_type = object_type if object_type in objects.KINDS else None
    user_id = optional_int(person)
    feed = service.workspace_activity(session, user.actor, chosen_type, user_id, page)
    return render(
        request,
        "activity.html",
        user=user,
        feed=feed,
        kinds=[(key, kind.words.capitalize() + "s") for key, kind in objects.KINDS.items()],
        people=[(m.user_id, m.name) for m in service.members(session, user.actor)],
        object_type=chosen_type or "",
        person=str(user_id or ""),
        base_query=query_string(object_type=chosen_type, person=user_id),
    )
