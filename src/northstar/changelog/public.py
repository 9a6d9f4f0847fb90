"""The public side of the changelog, without a login: a workspace's changelog page, each entry, the Atom feed,
and the unsubscribe link of the e-mails (a page with a button, and RFC 8058 one-click POST)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from northstar.changelog import service
from northstar.changelog.api import links
from northstar.core.errors import ValidationFailed
from northstar.notifications import service as notifications
from northstar.web.deps import DB
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/updates/{slug}")
def public_changelog(request: Request, session: DB, slug: str) -> Response:
    workspace, entries = service.public_entries(session, slug)
    return render(request, "public_changelog.html", workspace=workspace, entries=entries, slug=slug)


@router.get("/updates/{slug}/feed.atom")
def public_feed(request: Request, session: DB, slug: str) -> Response:
    body = service.feed(session, slug, links(request).public_url)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/updates/{slug}/{entry_id}")
def public_entry(request: Request, session: DB, slug: str, entry_id: int) -> Response:
    workspace, entry = service.public_entry(session, slug, entry_id)
    return render(
        request, "public_changelog.html", workspace=workspace, entries=[entry], slug=slug, single=True
    )


@router.get("/unsubscribe/{token}")
def unsubscribe_page(request: Request, token: str) -> Response:
    """A page with one button: a link scanner that opens the link must not unsubscribe anyone."""
    return render(request, "unsubscribe.html", token=token, done=False, error="")


@router.post("/unsubscribe/{token}")
def unsubscribe(request: Request, session: DB, token: str) -> Response:
    try:
        notifications.unsubscribe(session, request.app.state.secret_key, token)
    except ValidationFailed as failure:
        return render(
            request, "unsubscribe.html", status_code=400, token=token, done=False, error=failure.detail
        )
    return render(request, "unsubscribe.html", token=token, done=True, error="")
