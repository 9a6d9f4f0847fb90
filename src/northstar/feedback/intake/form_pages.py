"""Pages of the embeddable feedback form: its settings for the team, and the public form itself.

``/embed/feedback/{form_key}`` is one of the few routes that answer without a login (it is allow-listed in
tests/foundation/test_foundation_routes.py): a product shows it in an iframe to its own users. It reveals nothing
of the workspace but the form's heading; an unknown or switched-off key gets the same "not available" page.
Submissions need the signed form token of a recent rendering (see ``form_service``), pass a honeypot field and
length limits, and are rate-limited per form and visitor address.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from northstar.core.errors import PayloadTooLarge
from northstar.feedback.importers.limits import limiter, read_body
from northstar.feedback.intake import form_service
from northstar.feedback.models.imports import FeedbackForm
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.templating import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
MAX_FORM_BYTES = 64 * 1024
SUBMISSIONS_PER_WINDOW = 10
WINDOW_SECONDS = 600.0
PUBLIC_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors *"
    ),
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
}


# --- settings, for the team ------------------------------------------------------------------------------


@router.get("/feedback/form")
def form_settings_page(request: Request, session: DB, user: CurrentUser) -> Response:
    form = form_service.get_form(session, user.actor)
    embed_path = f"/embed/feedback/{form.form_key}" if form else ""
    return render(
        request,
        "feedback_form_admin.html",
        user=user,
        form=form,
        embed_path=embed_path,
        embed_url=str(request.base_url).rstrip("/") + embed_path,
        can_manage=user.actor.can("workspace.manage"),
    )


@router.post("/feedback/form/rotate")
async def rotate_form_key(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    form_service.rotate_form_key(session, user.actor)
    return RedirectResponse("/feedback/form", status_code=303)


@router.post("/feedback/form/settings")
async def update_form(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    form_service.update_form(
        session, user.actor, enabled=form.get("enabled") == "on", title=str(form.get("title", ""))
    )
    return RedirectResponse("/feedback/form", status_code=303)


# --- the public form ---------------------------------------------------------------------------------------


def _page(request: Request, status_code: int = 200, **context: object) -> HTMLResponse:
    values: dict[str, object] = {
        "state": "form",
        "title": form_service.DEFAULT_TITLE,
        "action": request.url.path,
        "text": "",
        "email": "",
        "context": "",
        "errors": {},
        "notice": "",
        "max_text": form_service.MAX_TEXT,
        "max_email": form_service.MAX_EMAIL,
        "again_query": "",
    }
    values.update(context)
    response = render(request, "feedback_embed_form.html", status_code=status_code, **values)
    response.headers.update(PUBLIC_HEADERS)
    return response


def _missing(request: Request) -> HTMLResponse:
    return _page(request, 404, state="missing", title="Feedback form")


def _form(request: Request, form: FeedbackForm, status_code: int = 200, **context: object) -> HTMLResponse:
    token = form_service.issue_token(request.app.state.secret_key, form)
    return _page(request, status_code, title=form.title, token=token, **context)


@router.get("/embed/feedback/{form_key}")
def embedded_form(
    request: Request,
    session: DB,
    form_key: str,
    sent: Annotated[str | None, Query(max_length=1)] = None,
    context: Annotated[str, Query(max_length=form_service.MAX_CONTEXT)] = "",
) -> Response:
    """The form (or, after sending, the thank-you state) for a product's iframe."""
    form = form_service.form_by_key(session, form_key)
    if form is None:
        return _missing(request)
    if sent:
        again = f"?{urlencode({'context': context})}" if context else ""
        return _page(request, state="sent", title=form.title, again_query=again)
    return _form(request, form, context=context)


@router.post("/embed/feedback/{form_key}")
async def submit_embedded_form(request: Request, session: DB, form_key: str) -> Response:
    """Store a visitor's feedback in the inbox (source ``in_app``), then show the thank-you state."""
    form = form_service.form_by_key(session, form_key)
    if form is None:
        return _missing(request)
    try:
        body = await read_body(request, MAX_FORM_BYTES)
    except PayloadTooLarge:
        return _page(request, 413, state="missing", title=form.title)
    try:
        parsed = parse_qs(body.decode("utf-8", "replace"), max_num_fields=20)
    except ValueError:  # more fields than the form has: not a browser sending this form
        parsed = {}
    fields = {k: v[0] for k, v in parsed.items()}
    text, email, context = fields.get("text", ""), fields.get("email", ""), fields.get("context", "")
    kept = {"text": text[: form_service.MAX_TEXT * 2], "email": email[:400], "context": context[:200]}
    visitor = request.client.host if request.client else "unknown"
    wait = limiter(request.app, "feedback_form", SUBMISSIONS_PER_WINDOW, WINDOW_SECONDS).hit(
        f"{form.id}:{visitor}"
    )
    if wait is not None:
        notice = f"Too many messages from here just now; please try again in {int(wait // 60) + 1} minutes."
        response = _form(request, form, 429, notice=notice, **kept)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    sent = f"{request.url.path}?{urlencode({'sent': '1', **({'context': context} if context else {})})}"
    if fields.get("homepage", "").strip():  # only robots fill the hidden field: thank them, keep nothing
        log.info("embedded form %s: honeypot filled, submission dropped", form.id)
        return RedirectResponse(sent, status_code=303)
    try:
        nonce = form_service.check_token(request.app.state.secret_key, form, fields.get("token", ""))
    except form_service.FormExpired as expired:
        return _form(request, form, 422, notice=f"{expired.detail[0].upper()}{expired.detail[1:]}.", **kept)
    submission, errors = form_service.check_submission(text, email, context)
    if errors:
        messages = {e.field: e.message[0].upper() + e.message[1:] + "." for e in errors}
        return _form(request, form, 422, errors=messages, **kept)
    form_service.submit(session, form, nonce, submission)
    return RedirectResponse(sent, status_code=303)
