"""JSON API for the global search: ``GET /api/v1/search?q=&limit=``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from northstar.search import service
from northstar.search.schemas import DEFAULT_LIMIT, MAX_LIMIT, SearchResults
from northstar.web.deps import DB, ApiActor
from northstar.web.responses import model_response

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchResults)
def search(
    session: DB,
    actor: ApiActor,
    q: Annotated[str, Query(max_length=200, description="Words to find; every word must match.")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Hits per kind.")] = DEFAULT_LIMIT,
) -> Response:
    """Feedback, ideas, customers and people matching every word of ``q``, grouped by kind with a count each."""
    return model_response(service.search(session, actor, q, limit))
