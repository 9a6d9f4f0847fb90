"""Pages for ideas: the list (search, status filter, sort), creating an idea, and an idea's detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.core.charts import bar_chart
from northstar.core.listing import ListParams
from northstar.feedback.themes import service as themes_service
from northstar.ideas import service
from northstar.ideas.models import STATUSES, TRANSITIONS
from northstar.ideas.schemas import IdeaCreate, IdeaUpdate
from northstar.teams import service as teams_service
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import optional_int, parse_form, query_string
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/ideas")
def ideas_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    team_id: Annotated[str | None, Query(max_length=20)] = None,
    sort: Annotated[str, Query(max_length=40)] = "-feedback_count",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    filters = {"status": status if status in STATUSES else None, "team_id": optional_int(team_id)}
    result = service.list_ideas(session, user.actor, ListParams(q, sort, page, 50, filters))
    teams = teams_service.list_teams(session, user.actor)
    return render(
        request,
        "ideas.html",
        user=user,
        page=result,
        q=q or "",
        status=status or "",
        team_id=team_id or "",
        sort=sort,
        statuses=STATUSES,
        teams=teams,
        team_names={t.id: t.name for t in teams},
        base_query=query_string(q=q, status=status, team_id=team_id, sort=sort),
    )


@router.post("/ideas")
async def create_idea(request: Request, session: DB, user: CurrentUser) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    idea = service.create_idea(session, user.actor, parse_form(IdeaCreate, form))
    return RedirectResponse(f"/ideas/{idea.id}", status_code=303)


@router.get("/ideas/{idea_id}")
def idea_page(request: Request, session: DB, user: CurrentUser, idea_id: int) -> Response:
    demand = service.idea_demand(session, user.actor, idea_id)
    chart = None
    if demand.arr_by_segment:
        chart = bar_chart(
            [{"segment": k.replace("_", " "), "ARR": v} for k, v in demand.arr_by_segment.items()],
            "segment",
            "ARR",
            title="ARR of the customers who asked, by segment",
            horizontal=True,
            width=420,
            height=140,
        )
    teams = {t.id: t.name for t in teams_service.list_teams(session, user.actor)}
    return render(
        request,
        "idea.html",
        user=user,
        demand=demand,
        idea=demand.idea,
        chart=chart,
        next_statuses=sorted(TRANSITIONS[demand.idea.status]),
        team_name=teams.get(demand.idea.team_id or 0),
        themes=themes_service.idea_themes(session, user.actor, idea_id),
    )


@router.post("/ideas/{idea_id}/status")
async def change_status(request: Request, session: DB, user: CurrentUser, idea_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.update_idea(
        session, user.actor, idea_id, parse_form(IdeaUpdate, {"status": form.get("status", "")})
    )
    return RedirectResponse(f"/ideas/{idea_id}", status_code=303)
