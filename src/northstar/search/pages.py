"""The search results page, ``/search?q=``, behind the search box in every page's header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from starlette.responses import Response

from northstar.search import service
from northstar.search.schemas import SearchGroup, SearchHit
from northstar.web.deps import DB, CurrentUser
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)

#: hits per kind on the results page
PAGE_LIMIT = 10


@dataclass(frozen=True)
class GroupView:
    """One kind's results as the page shows them: its count in words and each hit with its marked-up text."""

    group: SearchGroup
    count: str
    hits: list[tuple[SearchHit, Markup, Markup]]


def _view(group: SearchGroup) -> GroupView:
    count = f"{group.total:,}+" if group.total_capped else f"{group.total:,}"
    # title_html and snippet_html are built by service.highlight: escaped first, then only <mark> added
    hits = [(hit, Markup(hit.title_html), Markup(hit.snippet_html)) for hit in group.hits]
    return GroupView(group, count, hits)


@router.get("/search")
def search_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    results = service.search(session, user.actor, q, PAGE_LIMIT)
    groups = [_view(group) for group in results.groups]
    return render(
        request,
        "search.html",
        user=user,
        q=results.query,
        results=results,
        groups=groups,
        found=[view for view in groups if view.group.total],
        breadcrumbs=[("Search", "")],
    )
