"""Pages for teams: the list (capacity per quarter, members) and a team's page with capacity edited inline."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from starlette.responses import Response

from northstar.core.charts import render_svg
from northstar.core.errors import ValidationFailed
from northstar.teams import service
from northstar.teams.schemas import CapacityUpdate, TeamDetail
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import plain, plain_number, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/teams")
def teams_page(request: Request, session: DB, user: CurrentUser) -> Response:
    import altair as alt

    teams = service.list_teams(session, user.actor)
    persons = service.list_persons(session, user.actor)
    members: dict[int, list[str]] = {}
    for person in persons:
        if person.team_id is not None:
            members.setdefault(person.team_id, []).append(person.name)
    rows = [
        {"team": t.name, "period": p, "person-weeks": v} for t in teams for p, v in sorted(t.capacity.items())
    ]
    chart = None
    if rows:
        chart = render_svg(
            alt.Chart(alt.Data(values=rows))
            .mark_bar()
            .encode(
                x=alt.X("period:N", title=None),
                xOffset="team:N",
                y=alt.Y("person-weeks:Q"),
                color="team:N",
                tooltip=["team:N", "period:N", "person-weeks:Q"],
            )
            .properties(title="Capacity per period", width=560, height=220)
        )
    return render(request, "teams.html", user=user, teams=teams, members=members, chart=chart)


def capacity_values(detail: TeamDetail) -> dict[str, str]:
    """The capacity form's fields filled from the team: one per quarter shown, as a person types numbers."""
    return {row.quarter: plain(row.person_weeks) for row in detail.capacity}


def _team_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    team_id: int,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    detail = service.team_detail(session, user.actor, team_id)
    return render(
        request,
        "team.html",
        status_code=422 if errors else 200,
        user=user,
        detail=detail,
        values=typed if typed is not None else capacity_values(detail),
        errors=errors or {},
        can_edit=user.actor.can("teams.write"),
    )


@router.get("/teams/{team_id}")
def team_page(request: Request, session: DB, user: CurrentUser, team_id: int) -> Response:
    return _team_page(request, session, user, team_id)


def parse_capacity(typed: dict[str, str]) -> tuple[dict[str, float | None], dict[str, str]]:
    """Person-weeks per quarter from the form (an empty field removes the quarter), and a message per bad field."""
    changes: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    for quarter, text in typed.items():
        cleaned = plain_number(text)
        if not cleaned:
            changes[quarter] = None
            continue
        try:
            amount = float(cleaned)
        except ValueError:
            errors[quarter] = "enter a number of person-weeks, like 60"
            continue
        if not math.isfinite(amount):
            errors[quarter] = "enter a number of person-weeks, like 60"
        elif amount < 0:
            errors[quarter] = "must be 0 or more person-weeks"
        else:
            changes[quarter] = amount
    return changes, errors


@router.post("/teams/{team_id}/capacity")
async def save_capacity(request: Request, session: DB, user: CurrentUser, team_id: int) -> Response:
    """Save the capacity table; on bad input the page comes back with the errors next to the fields, as typed."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    typed = {
        key.removeprefix("capacity-"): value for key, value in form.items() if key.startswith("capacity-")
    }
    changes, errors = parse_capacity(typed)
    if not errors:
        try:
            service.set_capacity(session, user.actor, team_id, CapacityUpdate(capacity=changes))
        except ValidationFailed as failure:
            session.rollback()
            errors = {e.field.removeprefix("capacity."): e.message for e in failure.errors}
            errors = errors or {"form": failure.detail}
    if errors:
        return _team_page(request, session, user, team_id, typed, errors)
    return see_other(f"/teams/{team_id}", saved="capacity")
