"""JSON API for the feedback inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from northstar.core.errors import PayloadTooLarge
from northstar.core.listing import ListParams
from northstar.core.schemas import ImportReport, PageOut
from northstar.core.tabular import parse_mapping
from northstar.feedback import service
from northstar.feedback.duplicates import api as duplicates_api
from northstar.feedback.importers import api as import_api
from northstar.feedback.inbox import api as inbox_api
from northstar.feedback.inbox import service as inbox_service
from northstar.feedback.inbox.schemas import InboxItemRead
from northstar.feedback.intake import api as intake_api
from northstar.feedback.intake import form_api
from northstar.feedback.item import api as item_api
from northstar.feedback.item import service as item_service
from northstar.feedback.item.schemas import FeedbackDetail
from northstar.feedback.schemas import FeedbackCreate, FeedbackRead, FeedbackUpdate
from northstar.feedback.taxonomy import api as taxonomy_api
from northstar.feedback.themes.api import router as themes_router
from northstar.web.deps import DB, ApiActor
from northstar.web.responses import model_response

router = APIRouter(prefix="/feedback", tags=["feedback"])
router.include_router(themes_router)  # first, so /feedback/themes is not read as /feedback/{feedback_id}
router.include_router(intake_api.router)  # one item at a time: the intake API
router.include_router(form_api.router)  # the embeddable form's settings
router.include_router(import_api.router)  # file imports as jobs
MAX_UPLOAD = 50 * 1024 * 1024
# before the /feedback/{feedback_id} routes, so /feedback/duplicates and /feedback/taxonomy are not taken for ids
for _part in (inbox_api, duplicates_api, taxonomy_api):
    router.include_router(_part.router)


@router.get("", response_model=PageOut[InboxItemRead])
def list_feedback(
    session: DB,
    actor: ApiActor,
    q: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=32)] = None,
    customer_id: Annotated[int | None, Query(ge=1)] = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    linked: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: Annotated[
        str | None, Query(max_length=32, description="bug, feature_request, complaint, …")
    ] = None,
    sentiment: Annotated[str | None, Query(pattern="^(negative|neutral|positive)$")] = None,
    theme_id: Annotated[int | None, Query(ge=1, description="a theme and its sub-themes")] = None,
    category_id: Annotated[
        int | None, Query(ge=1, description="your taxonomy: label, else prediction")
    ] = None,
    include_merged: bool = False,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """The inbox: search, filters and pagination; each item with its kind, sentiment, theme and category."""
    filters = {
        "source": source,
        "customer_id": customer_id,
        "segment": segment,
        "linked": linked,
        "since": since,
        "until": until,
        "kind": kind,
        "sentiment": sentiment,
        "theme_id": theme_id,
        "category_id": category_id,
        "include_merged": include_merged,
    }
    result = service.list_feedback(session, actor, ListParams(q, sort, page, per_page, filters))
    notes = inbox_service.annotate(session, actor, [f.id for f in result.items])
    page_out = PageOut[InboxItemRead](
        items=[InboxItemRead.build(f, notes.get(f.id)) for f in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        total_capped=result.total_capped,
    )
    return model_response(page_out)


@router.post("", status_code=201)
def create_feedback(body: FeedbackCreate, session: DB, actor: ApiActor) -> FeedbackRead:
    """Log feedback on behalf of a customer (by id, external id, or the contact's e-mail domain)."""
    return FeedbackRead.model_validate(service.create_feedback(session, actor, body))


@router.post("/import")
async def import_feedback(
    request: Request,
    session: DB,
    actor: ApiActor,
    map: Annotated[str | None, Query(max_length=2000)] = None,
    skip_invalid: bool = False,
) -> ImportReport:
    """Import a CSV file sent as the request body; all-or-nothing unless ``skip_invalid``."""
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise PayloadTooLarge(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB")
    return service.import_feedback_csv(session, actor, body, parse_mapping(map), skip_invalid, "request body")


@router.get("/{feedback_id}")
def get_feedback(feedback_id: int, session: DB, actor: ApiActor) -> FeedbackDetail:
    """The item with its customer, kind, sentiment, theme, category, duplicates, linked ideas and (for roles that
    read the audit log) its history."""
    return item_service.item_detail(session, actor, feedback_id)


@router.patch("/{feedback_id}")
def update_feedback(feedback_id: int, body: FeedbackUpdate, session: DB, actor: ApiActor) -> FeedbackRead:
    return FeedbackRead.model_validate(service.update_feedback(session, actor, feedback_id, body))


@router.delete("/{feedback_id}", status_code=204)
def delete_feedback(feedback_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_feedback(session, actor, feedback_id)


router.include_router(
    item_api.router
)  # links to ideas and corrections of one item: /feedback/{feedback_id}/…
