"""JSON API of the duplicates review: suspected groups, merge, unmerge, "not a duplicate"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from northstar.feedback.duplicates import service as duplicates_service
from northstar.feedback.duplicates.schemas import (
    DismissalOut,
    DuplicateItem,
    DuplicateReviewOut,
    MergeRequest,
    MergeResultOut,
    PairRequest,
)
from northstar.feedback.schemas import FeedbackRead
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["feedback duplicates"])  # mounted under /feedback by feedback/api.py


@router.get("/duplicates")
def review_duplicates(
    session: DB,
    actor: ApiActor,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 20,
) -> DuplicateReviewOut:
    """Groups of suspected duplicates found by the analysis (dismissed pairs and merged items left out)."""
    return DuplicateReviewOut.of(duplicates_service.review_duplicates(session, actor, page, per_page))


@router.post("/duplicates/merge")
def merge(body: MergeRequest, session: DB, actor: ApiActor) -> MergeResultOut:
    """Merge items into a survivor, keeping their idea links (highest importance), customers, votes and labels."""
    result = duplicates_service.merge_feedback(session, actor, body.survivor_id, body.feedback_ids)
    return MergeResultOut(**result.__dict__)


@router.get("/duplicates/dismissals")
def list_dismissals(session: DB, actor: ApiActor) -> list[DismissalOut]:
    return [
        DismissalOut(first_id=d.first_id, second_id=d.second_id, created_at=d.created_at.isoformat())
        for d in duplicates_service.list_dismissals(session, actor)
    ]


@router.post("/duplicates/dismissals", status_code=201)
def dismiss(body: PairRequest, session: DB, actor: ApiActor) -> DismissalOut:
    """Say two items are not duplicates; remembered across re-analysis."""
    row = duplicates_service.dismiss_pair(session, actor, body.first_id, body.second_id)
    return DismissalOut(first_id=row.first_id, second_id=row.second_id, created_at=row.created_at.isoformat())


@router.delete("/duplicates/dismissals/{first_id}/{second_id}", status_code=204)
def restore(first_id: int, second_id: int, session: DB, actor: ApiActor) -> None:
    """Forget a dismissal."""
    duplicates_service.restore_pair(session, actor, first_id, second_id)


@router.post("/{feedback_id}/unmerge")
def unmerge(feedback_id: int, session: DB, actor: ApiActor) -> FeedbackRead:
    """Take a merged item out of its survivor again, with its idea links."""
    return FeedbackRead.model_validate(duplicates_service.unmerge_feedback(session, actor, feedback_id))


@router.get("/{feedback_id}/merged")
def merged_items(feedback_id: int, session: DB, actor: ApiActor) -> list[DuplicateItem]:
    """The items merged into this one (kept as records)."""
    from northstar.feedback import service

    service.get_feedback(session, actor, feedback_id)
    return [DuplicateItem.of(f) for f in duplicates_service.merged_into(session, actor, feedback_id)]
