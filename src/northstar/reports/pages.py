"""Pages of reports & sharing: the list of reports and briefs, a report, a brief with its note form, the share
links, and the public roadmap page a share link opens (no account needed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.responses import Response

from northstar.core.errors import ValidationFailed
from northstar.reports import engine, render, service, sharing
from northstar.reports.schemas import ShareLinkCreate
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, see_other
from northstar.web.templating import render as render_page

router = APIRouter(include_in_schema=False)


async def _form(request: Request, user: CurrentUser) -> dict[str, str]:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    return {key: str(value) for key, value in form.items()}


def _quarters(today: dt.date, count: int = 5) -> list[tuple[str, str]]:
    """The last ``count`` quarters up to the current one, newest first; the one just ended is the default."""
    labels, day = [], today
    for _ in range(count):
        label = engine.quarter_of(day)
        labels.append(label)
        day = engine.parse_period(label).starts_on - dt.timedelta(days=1)
    return [(label, label + (" (so far)" if index == 0 else "")) for index, label in enumerate(labels)]


def _list_page(
    request: Request, session: DB, user: CurrentUser, error: str = "", status: int = 200
) -> Response:
    today = dt.date.today()
    return render_page(
        request,
        "reports/list.html",
        status_code=status,
        user=user,
        reports=service.list_reports(session, user.actor),
        quarters=_quarters(today),
        default_quarter=engine.previous_quarter(today),
        brief_due=service.brief_is_due(session, user.actor, today),
        can_write=user.actor.can(service.WRITE),
        error=error,
    )


@router.get("/reports")
def reports_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _list_page(request, session, user)


@router.post("/reports/board")
async def issue_board(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    try:
        report = service.issue_board_report(
            session, user.actor, request.app.state.settings, form.get("period", "")
        )
    except ValidationFailed as failure:
        session.rollback()
        return _list_page(request, session, user, failure.detail, 422)
    return see_other(f"/reports/{report.id}", issued=1)


@router.post("/reports/briefs")
async def new_brief(request: Request, session: DB, user: CurrentUser) -> Response:
    await _form(request, user)
    report = service.generate_brief(session, user.actor)
    assert report is not None
    return see_other(f"/reports/{report.id}", generated=1)


# share links come before /reports/{report_id} so that "share-links" is never read as a report id


def _links_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    return render_page(
        request,
        "reports/share_links.html",
        status_code=422 if errors else 200,
        user=user,
        links=sharing.list_links(session, user.actor, request.app.state.secret_key),
        errors=errors or {},
        values=values or {"expires_in_days": "30", "label": ""},
        base_url=str(request.base_url).rstrip("/"),
    )


@router.get("/reports/share-links")
def share_links_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return _links_page(request, session, user)


@router.post("/reports/share-links")
async def create_share_link(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    values = {k: str(v) for k, v in form.items() if k != "statuses"}
    statuses = [str(v) for v in form.getlist("statuses")]
    try:
        data = parse_form(ShareLinkCreate, {**values, "statuses": statuses or None})
        link = sharing.create_link(session, user.actor, request.app.state.secret_key, data)
    except ValidationFailed as failure:
        session.rollback()
        messages = field_messages(failure)
        messages = {key.split(".")[0]: message for key, message in messages.items()}
        return _links_page(request, session, user, messages, {**values, "statuses_list": statuses})
    return see_other("/reports/share-links", created=link.id)


@router.post("/reports/share-links/{link_id}/revoke")
async def revoke_share_link(link_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    await _form(request, user)
    sharing.revoke_link(session, user.actor, request.app.state.secret_key, link_id)
    return see_other("/reports/share-links", revoked=link_id)


@router.get("/reports/{report_id}")
def report_page(report_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    report = service.get_report(session, user.actor, report_id)
    return render_page(
        request,
        "reports/report.html",
        user=user,
        report=report,
        body=Markup(service.fragment(report)),
        report_css=Markup(render.stylesheet()),
        dues=service.private_dues(session, user.actor, report),
        can_write=user.actor.can(service.WRITE),
        breadcrumbs=[("Reports", "/reports"), (report.title, "")],
    )


@router.post("/reports/{report_id}/note")
async def save_note(report_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    service.set_brief_note(session, user.actor, report_id, form.get("note", ""))
    return see_other(f"/reports/{report_id}", saved=1)


@router.post("/reports/{report_id}/send")
async def send(report_id: int, request: Request, session: DB, user: CurrentUser) -> Response:
    await _form(request, user)
    service.send_brief(session, user.actor, report_id)
    return see_other(f"/reports/{report_id}", sent=1)


@router.get("/reports/{report_id}/report.pdf")
def download_pdf(report_id: int, session: DB, user: CurrentUser) -> Response:
    report = service.get_report(session, user.actor, report_id)
    name = f"{report.kind}-{report.period}.pdf"
    return Response(
        service.document_pdf(session, user.actor, report_id),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reports/{report_id}/report.html")
def download_html(report_id: int, session: DB, user: CurrentUser) -> Response:
    report = service.get_report(session, user.actor, report_id)
    return HTMLResponse(
        service.document_html(session, user.actor, report_id),
        headers={"Content-Disposition": f'attachment; filename="{report.kind}-{report.period}.html"'},
    )


@router.get("/share/{token}")
def shared_roadmap(token: str, request: Request, session: DB) -> Response:
    """The public roadmap behind a share link; 404 (the same page for every reason) unless the link works now."""
    roadmap = sharing.open_shared_roadmap(session, request.app.state.secret_key, token)
    response = render_page(request, "reports/shared_roadmap.html", roadmap=roadmap)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
