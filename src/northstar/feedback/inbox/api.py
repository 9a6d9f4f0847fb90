"""JSON API of the inbox's bulk actions: set the kind, move to a theme, delete (labels: taxonomy_api)."""

from __future__ import annotations

from fastapi import APIRouter

from northstar.feedback.inbox import service as inbox_service
from northstar.feedback.inbox.schemas import BulkIds, BulkKind, BulkResult, BulkTheme
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/bulk", tags=["feedback"])  # mounted under /feedback by feedback/api.py


@router.post("/kind")
def set_kind(body: BulkKind, session: DB, actor: ApiActor) -> BulkResult:
    """Give items a kind by hand (kept across re-analysis); ``kind: null`` goes back to the analysed kind."""
    return BulkResult(changed=inbox_service.set_kind(session, actor, body.feedback_ids, body.kind))


@router.post("/theme")
def move_to_theme(body: BulkTheme, session: DB, actor: ApiActor) -> BulkResult:
    """Move analysed items to another theme."""
    return BulkResult(changed=inbox_service.move_to_theme(session, actor, body.feedback_ids, body.theme_id))


@router.post("/delete")
def delete_items(body: BulkIds, session: DB, actor: ApiActor) -> BulkResult:
    """Delete items; the ideas they were linked to are recounted."""
    return BulkResult(changed=inbox_service.delete_items(session, actor, body.feedback_ids))
