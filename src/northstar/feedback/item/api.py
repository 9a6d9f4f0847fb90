"""JSON API of one feedback item: its links to ideas and the corrections of its kind and theme.

Mounted under ``/feedback`` by ``feedback/api.py`` (which also serves ``GET /feedback/{id}`` with the item's detail).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from northstar.feedback.item import service
from northstar.feedback.item.schemas import FeedbackDetail, ItemLinkRequest, KindCorrection, ThemeCorrection
from northstar.ideas.schemas import LinkResult
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["feedback"])
FeedbackId = Annotated[int, Path(ge=1, le=2_147_483_647, description="a feedback item of this workspace")]
IdeaId = Annotated[int, Path(ge=1, le=2_147_483_647, description="an idea the item is linked to")]


@router.post("/{feedback_id}/ideas")
def link_to_idea(feedback_id: FeedbackId, body: ItemLinkRequest, session: DB, actor: ApiActor) -> LinkResult:
    """Link the item to an idea with an importance 1–3 (linking again changes the importance)."""
    return service.link_to_idea(session, actor, feedback_id, body)


@router.delete("/{feedback_id}/ideas/{idea_id}", status_code=204)
def unlink_from_idea(feedback_id: FeedbackId, idea_id: IdeaId, session: DB, actor: ApiActor) -> None:
    """Take the item off an idea; the idea's count and demand are recomputed."""
    service.unlink_from_idea(session, actor, feedback_id, idea_id)


@router.put("/{feedback_id}/kind")
def correct_kind(
    feedback_id: FeedbackId, body: KindCorrection, session: DB, actor: ApiActor
) -> FeedbackDetail:
    """Correct the item's kind (kept across re-analysis); ``kind: null`` goes back to the analysed kind."""
    service.correct_kind(session, actor, feedback_id, body.kind)
    return service.item_detail(session, actor, feedback_id)


@router.put("/{feedback_id}/theme")
def correct_theme(
    feedback_id: FeedbackId, body: ThemeCorrection, session: DB, actor: ApiActor
) -> FeedbackDetail:
    """Move the item to another (sub-)theme, or with ``theme_id: null`` take it out of every theme; re-analysis
    keeps the choice."""
    service.correct_theme(session, actor, feedback_id, body.theme_id)
    return service.item_detail(session, actor, feedback_id)
