"""JSON API of reports & sharing: issued reports and briefs, their HTML and PDF, and shareable roadmap links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from northstar.reports import service, sharing
from northstar.reports.schemas import (
    BoardIssue,
    BriefNote,
    ReportRead,
    ReportSummary,
    ShareLinkCreate,
    ShareLinkRead,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["reports"])


def _read(report: object) -> ReportRead:
    return ReportRead.model_validate(report)


@router.get("/reports")
def list_reports(
    session: DB,
    actor: ApiActor,
    kind: Annotated[str | None, Query(pattern="^(board|brief)$", description="board or brief")] = None,
) -> list[ReportSummary]:
    return service.list_reports(session, actor, kind)


@router.post("/reports/board", status_code=201)
def issue_board_report(body: BoardIssue, request: Request, session: DB, actor: ApiActor) -> ReportRead:
    """Assemble and issue the board report of a quarter: a dated snapshot that never changes afterwards."""
    return _read(service.issue_board_report(session, actor, request.app.state.settings, body.period))


@router.post("/reports/briefs", status_code=201)
def generate_brief(session: DB, actor: ApiActor) -> ReportRead:
    """Generate this week's brief as a draft (the weekly job does the same when one is due)."""
    report = service.generate_brief(session, actor)
    assert report is not None
    return _read(report)


@router.get("/reports/{report_id}")
def get_report(report_id: int, session: DB, actor: ApiActor) -> ReportRead:
    """A report with the data it was assembled from (as it was when issued)."""
    return _read(service.get_report(session, actor, report_id))


@router.put("/reports/{report_id}/note")
def set_note(report_id: int, body: BriefNote, session: DB, actor: ApiActor) -> ReportRead:
    return _read(service.set_brief_note(session, actor, report_id, body.note))


@router.post("/reports/{report_id}/send")
def send_brief(report_id: int, session: DB, actor: ApiActor) -> ReportRead:
    """Issue a draft brief; afterwards it is immutable (409 on any change)."""
    return _read(service.send_brief(session, actor, report_id))


@router.get("/reports/{report_id}/html", response_class=HTMLResponse)
def report_html(report_id: int, session: DB, actor: ApiActor) -> HTMLResponse:
    return HTMLResponse(service.document_html(session, actor, report_id))


@router.get(
    "/reports/{report_id}/pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
def report_pdf(report_id: int, session: DB, actor: ApiActor) -> Response:
    return Response(service.document_pdf(session, actor, report_id), media_type="application/pdf")


@router.get("/share-links")
def list_links(request: Request, session: DB, actor: ApiActor) -> list[ShareLinkRead]:
    return sharing.list_links(session, actor, request.app.state.secret_key)


@router.post("/share-links", status_code=201)
def create_link(body: ShareLinkCreate, request: Request, session: DB, actor: ApiActor) -> ShareLinkRead:
    """A read-only roadmap link for someone without an account; ``path`` is the signed address to send them."""
    return sharing.create_link(session, actor, request.app.state.secret_key, body)


@router.post("/share-links/{link_id}/revoke")
def revoke_link(link_id: int, request: Request, session: DB, actor: ApiActor) -> ShareLinkRead:
    return sharing.revoke_link(session, actor, request.app.state.secret_key, link_id)
