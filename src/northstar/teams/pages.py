"""The teams page: teams with disciplines, capacity per period and members."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from northstar.core.charts import render_svg
from northstar.teams import service
from northstar.web.deps import DB, CurrentUser
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
