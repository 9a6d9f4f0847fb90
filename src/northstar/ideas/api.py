"""JSON API for ideas and their feedback links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from northstar.core.listing import ListParams
from northstar.core.schemas import PageOut
from northstar.ideas import service
from northstar.ideas.schemas import (
    IdeaCreate,
    IdeaDemand,
    IdeaRead,
    IdeaUpdate,
    LinkRequest,
    LinkResult,
    Status,
)
from northstar.web.deps import DB, ApiActor
from northstar.web.responses import model_response

router = APIRouter(prefix="/ideas", tags=["ideas"])


@router.get("", response_model=PageOut[IdeaRead])
def list_ideas(
    session: DB,
    actor: ApiActor,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Status | None = None,
    team_id: Annotated[int | None, Query(ge=1)] = None,
    owner_id: Annotated[int | None, Query(ge=1)] = None,
    sort: Annotated[str | None, Query(max_length=40)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    filters = {"status": status, "team_id": team_id, "owner_id": owner_id}
    result = service.list_ideas(session, actor, ListParams(q, sort, page, per_page, filters))
    page_out = PageOut[IdeaRead](
        items=[IdeaRead.model_validate(i) for i in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        total_capped=result.total_capped,
    )
    return model_response(page_out)


@router.post("", status_code=201)
def create_idea(body: IdeaCreate, session: DB, actor: ApiActor) -> IdeaRead:
    return IdeaRead.model_validate(service.create_idea(session, actor, body))


@router.get("/{idea_id}")
def get_idea(idea_id: int, session: DB, actor: ApiActor) -> IdeaRead:
    return IdeaRead.model_validate(service.get_idea(session, actor, idea_id))


@router.patch("/{idea_id}")
def update_idea(idea_id: int, body: IdeaUpdate, session: DB, actor: ApiActor) -> IdeaRead:
    return IdeaRead.model_validate(service.update_idea(session, actor, idea_id, body))


@router.delete("/{idea_id}", status_code=204)
def delete_idea(idea_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_idea(session, actor, idea_id)


@router.get("/{idea_id}/demand")
def idea_demand(idea_id: int, session: DB, actor: ApiActor) -> IdeaDemand:
    """The feedback, customers and ARR behind an idea (each customer's ARR counted once)."""
    return service.idea_demand(session, actor, idea_id)


@router.post("/{idea_id}/feedback")
def link_feedback(idea_id: int, body: LinkRequest, session: DB, actor: ApiActor) -> LinkResult:
    return service.link_feedback(session, actor, idea_id, body)


@router.delete("/{idea_id}/feedback/{feedback_id}", status_code=204)
def unlink_feedback(idea_id: int, feedback_id: int, session: DB, actor: ApiActor) -> None:
    service.unlink_feedback(session, actor, idea_id, feedback_id)
