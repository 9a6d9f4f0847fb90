"""JSON API for the feedback inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from northstar.core.errors import PayloadTooLarge
from northstar.core.listing import ListParams
from northstar.core.schemas import ImportReport, PageOut
from northstar.core.tabular import parse_mapping
from northstar.feedback import service
from northstar.feedback.schemas import FeedbackCreate, FeedbackRead, FeedbackUpdate
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/feedback", tags=["feedback"])
MAX_UPLOAD = 50 * 1024 * 1024


@router.get("")
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
    sort: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[FeedbackRead]:
    filters = {
        "source": source,
        "customer_id": customer_id,
        "segment": segment,
        "linked": linked,
        "since": since,
        "until": until,
    }
    result = service.list_feedback(session, actor, ListParams(q, sort, page, per_page, filters))
    return PageOut(
        items=[FeedbackRead.model_validate(f) for f in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )


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
def get_feedback(feedback_id: int, session: DB, actor: ApiActor) -> FeedbackRead:
    return FeedbackRead.model_validate(service.get_feedback(session, actor, feedback_id))


@router.patch("/{feedback_id}")
def update_feedback(feedback_id: int, body: FeedbackUpdate, session: DB, actor: ApiActor) -> FeedbackRead:
    return FeedbackRead.model_validate(service.update_feedback(session, actor, feedback_id, body))


@router.delete("/{feedback_id}", status_code=204)
def delete_feedback(feedback_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_feedback(session, actor, feedback_id)
