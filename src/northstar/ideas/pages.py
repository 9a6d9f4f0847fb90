"""Pages for ideas: the list (search, status filter, sort), creating an idea, and an idea's detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.changelog import service as changelog_service
from northstar.core.charts import bar_chart
from northstar.core.errors import ValidationFailed
from northstar.core.listing import ListParams
from northstar.decisions.solve import scoring
from northstar.decisions.solve.common import PlanningInputError
from northstar.feedback.themes import service as themes_service
from northstar.ideas import service
from northstar.ideas.models import STATUSES, TRANSITIONS, Idea
from northstar.ideas.schemas import (
    CONFIDENCE_LEVELS,
    IMPACT_SCALE,
    MONEY_INPUTS,
    SCORE_INPUTS,
    IdeaCreate,
    IdeaEdit,
    IdeaScores,
    IdeaUpdate,
)
from northstar.teams import service as teams_service
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import (
    field_messages,
    optional_int,
    parse_form,
    plain,
    plain_number,
    query_string,
    see_other,
)
from northstar.web.templating import enum_label, render

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


def scale_choices(
    scale: tuple[tuple[float, str], ...], current: object, percent: bool
) -> list[tuple[str, str]]:
    """(value, words) pairs of a scale for a picker, with the current value added when it is not on the scale."""

    def words(value: float, name: str) -> str:
        shown = f"{value * 100:g} %" if percent else f"{value:g}"
        return f"{shown} · {name}" if name else shown

    pairs = [(plain(value), words(value, name)) for value, name in scale]
    if plain(current) and plain(current) not in {value for value, _ in pairs}:
        pairs.append((plain(current), words(float(str(current)), "")))
    return pairs


def edit_values(idea: Idea) -> dict[str, str]:
    """The edit form's fields filled from the idea."""
    inputs = idea.inputs or {}
    values = {
        "title": idea.title,
        "description": idea.description or "",
        "team_id": plain(idea.team_id),
        "owner_id": plain(idea.owner_id),
    }
    values.update({key: plain(inputs.get(key)) for key, _name in MONEY_INPUTS})
    return values


def score_values(idea: Idea) -> dict[str, str]:
    """The scoring form's fields filled from the idea."""
    return {key: plain((idea.inputs or {}).get(key)) for key in SCORE_INPUTS}


def rice_of(inputs: dict[str, object]) -> tuple[float | None, str]:
    """An idea's RICE score and its arithmetic, or None and what is missing."""

    def number(key: str) -> float | None:
        try:
            return float(str(inputs[key])) if inputs.get(key) not in (None, "") else None
        except ValueError:
            return None

    try:
        result = scoring.rice(number("reach"), number("impact"), number("confidence"), number("effort"))  # type: ignore[arg-type]
    except PlanningInputError as error:
        return None, "; ".join(error.problems)
    return result.value, result.arithmetic


def _idea_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    idea_id: int,
    edit: tuple[dict[str, str], dict[str, str]] | None = None,
    scores: tuple[dict[str, str], dict[str, str]] | None = None,
) -> Response:
    """The idea page; ``edit`` / ``scores`` are (typed values, errors) of a form that failed, shown as typed."""
    demand = service.idea_demand(session, user.actor, idea_id)
    idea = service.get_idea(session, user.actor, idea_id)
    chart = None
    if demand.arr_by_segment:
        chart = bar_chart(
            [{"segment": enum_label(k), "ARR": v} for k, v in demand.arr_by_segment.items()],
            "segment",
            "ARR",
            title="ARR of the customers who asked, by segment",
            horizontal=True,
            width=420,
            height=140,
        )
    teams = teams_service.list_teams(session, user.actor)
    persons = teams_service.list_persons(session, user.actor)
    team_names = {t.id: t.name for t in teams}
    owner_names = {p.id: p.name for p in persons}
    score, arithmetic = rice_of(idea.inputs or {})
    edit_form, edit_errors = edit or (edit_values(idea), {})
    score_form, score_errors = scores or (score_values(idea), {})
    return render(
        request,
        "idea.html",
        status_code=422 if (edit_errors or score_errors) else 200,
        user=user,
        demand=demand,
        idea=demand.idea,
        chart=chart,
        next_statuses=sorted(TRANSITIONS[demand.idea.status]),
        team_name=team_names.get(idea.team_id or 0),
        owner_name=owner_names.get(idea.owner_id or 0),
        team_choices=[(t.id, t.name) for t in teams],
        owner_choices=[(p.id, f"{p.name} · {p.title}" if p.title else p.name) for p in persons],
        money_inputs=MONEY_INPUTS,
        inputs=idea.inputs or {},
        edit_form=edit_form,
        edit_errors=edit_errors,
        score_form=score_form,
        score_errors=score_errors,
        impact_choices=scale_choices(IMPACT_SCALE, score_form.get("impact"), percent=False),
        confidence_choices=scale_choices(CONFIDENCE_LEVELS, score_form.get("confidence"), percent=True),
        suggestion=service.reach_suggestions(session, user.actor, [idea_id]).get(idea_id),
        score=score,
        arithmetic=arithmetic,
        can_edit=user.actor.can("ideas.write"),
        themes=themes_service.idea_themes(session, user.actor, idea_id),
        told=changelog_service.told_for_idea(session, user.actor, idea_id),
    )


@router.get("/ideas/{idea_id}")
def idea_page(request: Request, session: DB, user: CurrentUser, idea_id: int) -> Response:
    return _idea_page(request, session, user, idea_id)


async def _typed(request: Request, user: CurrentUser, fields: tuple[str, ...]) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    return {key: form.get(key, "") for key in fields}


EDIT_FIELDS = ("title", "description", "team_id", "owner_id", *(key for key, _name in MONEY_INPUTS))


@router.post("/ideas/{idea_id}/edit")
async def edit_idea(request: Request, session: DB, user: CurrentUser, idea_id: int) -> Response:
    """Save the edit form; on bad input show the page again with the errors next to the fields, values as typed."""
    typed = await _typed(request, user, EDIT_FIELDS)
    cleaned = {**typed, "title": typed["title"].strip()}
    for key, _name in MONEY_INPUTS:
        cleaned[key] = plain_number(typed[key])
    try:
        service.edit_idea(session, user.actor, idea_id, parse_form(IdeaEdit, cleaned))
    except ValidationFailed as failure:
        session.rollback()
        return _idea_page(request, session, user, idea_id, edit=(typed, field_messages(failure)))
    return see_other(f"/ideas/{idea_id}", saved="details")


@router.post("/ideas/{idea_id}/scores")
async def score_idea(request: Request, session: DB, user: CurrentUser, idea_id: int) -> Response:
    """Save reach, impact, confidence and effort; on bad input show the page again with the errors."""
    typed = await _typed(request, user, SCORE_INPUTS)
    cleaned = {key: plain_number(value) for key, value in typed.items()}
    try:
        service.set_scores(session, user.actor, idea_id, parse_form(IdeaScores, cleaned))
    except ValidationFailed as failure:
        session.rollback()
        return _idea_page(request, session, user, idea_id, scores=(typed, field_messages(failure)))
    return see_other(f"/ideas/{idea_id}", saved="scores")


@router.post("/ideas/{idea_id}/status")
async def change_status(request: Request, session: DB, user: CurrentUser, idea_id: int) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    service.update_idea(
        session, user.actor, idea_id, parse_form(IdeaUpdate, {"status": form.get("status", "")})
    )
    return RedirectResponse(f"/ideas/{idea_id}", status_code=303)
