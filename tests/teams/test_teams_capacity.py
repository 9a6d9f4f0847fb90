"""A team's page and capacity on both databases: capacity per quarter from the current quarter on, set in part,
refused when negative or not a quarter (nothing saved), through the service, the API and the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaUpdate
from northstar.teams import service
from northstar.teams.models import Person, Team
from northstar.teams.schemas import CapacityUpdate
from tests.factories import PASSWORD, World, make_idea, make_world


def _team(session: Session, world: World) -> Team:
    team = Team(
        workspace_id=world.workspace.id, name="Data platform", capacity={"2026-Q3": 40, "2027-Q1": 55}
    )
    session.add(team)
    session.flush()
    session.add(Person(workspace_id=world.workspace.id, name="Ada Lovelace", title="PM", team_id=team.id))
    session.commit()
    return team


def test_quarters_are_labelled_from_the_current_one_on() -> None:
    assert service.quarter_of(dt.date(2026, 11, 23)) == "2026-Q4"
    assert service.quarters_from(dt.date(2026, 11, 23), 3) == ["2026-Q4", "2027-Q1", "2027-Q2"]
    assert service.quarters_from(dt.date(2026, 1, 1), 2) == ["2026-Q1", "2026-Q2"]


def test_detail_lists_capacity_from_the_current_quarter_members_and_ideas(session: Session) -> None:
    world = make_world(session)
    team = _team(session, world)
    idea = make_idea(session, world, "Faster dashboards")
    ideas.update_idea(session, world.actor(), idea.id, IdeaUpdate(team_id=team.id))
    detail = service.team_detail(session, world.actor(), team.id, today=dt.date(2026, 11, 23))
    assert [(r.quarter, r.person_weeks, r.current) for r in detail.capacity] == [
        ("2026-Q4", None, True),
        ("2027-Q1", 55.0, False),
        ("2027-Q2", None, False),
        ("2027-Q3", None, False),
    ]
    assert [(r.quarter, r.person_weeks) for r in detail.earlier_capacity] == [("2026-Q3", 40.0)]
    assert [p.name for p in detail.members] == ["Ada Lovelace"]
    assert [i.title for i in detail.ideas] == ["Faster dashboards"]


def test_set_capacity_changes_the_quarters_named_and_keeps_the_others(session: Session) -> None:
    world = make_world(session)
    team = _team(session, world)
    service.set_capacity(
        session, world.actor(), team.id, CapacityUpdate(capacity={"2026-Q4": 48.5, "2026-Q3": None})
    )
    session.commit()
    assert service.get_team(session, world.actor(), team.id).capacity == {"2026-Q4": 48.5, "2027-Q1": 55}


@pytest.mark.parametrize(
    ("capacity", "field"),
    [
        ({"2026-Q4": -1.0}, "capacity.2026-Q4"),
        ({"Q4 2026": 10.0}, "capacity.Q4 2026"),
        ({"2026-Q4": 1e9}, "capacity.2026-Q4"),
    ],
)
def test_bad_capacity_is_refused_per_quarter_and_nothing_is_saved(
    session: Session, capacity: dict[str, float], field: str
) -> None:
    world = make_world(session)
    team = _team(session, world)
    with pytest.raises(ValidationFailed) as refused:
        service.set_capacity(
            session, world.actor(), team.id, CapacityUpdate(capacity={"2027-Q2": 30, **capacity})
        )
    assert [e.field for e in refused.value.errors] == [field]
    session.rollback()
    assert service.get_team(session, world.actor(), team.id).capacity == {"2026-Q3": 40, "2027-Q1": 55}


def test_only_leaders_set_capacity(session: Session) -> None:
    world = make_world(session)
    team = _team(session, world)
    with pytest.raises(PermissionDenied):
        service.set_capacity(
            session, world.actor(Role.VIEWER), team.id, CapacityUpdate(capacity={"2026-Q4": 1})
        )


def _token(session: Session, world: World) -> dict[str, str]:
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate
    from northstar.core.permissions import TokenScope

    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_patch_capacity_and_detail(client: TestClient, session: Session) -> None:
    world = make_world(session)
    team = _team(session, world)
    headers = _token(session, world)
    changed = client.patch(
        f"/api/v1/teams/{team.id}/capacity", json={"capacity": {"2027-Q2": 61}}, headers=headers
    )
    assert changed.status_code == 200
    assert changed.json()["capacity"] == {"2026-Q3": 40, "2027-Q1": 55, "2027-Q2": 61}
    refused = client.patch(
        f"/api/v1/teams/{team.id}/capacity", json={"capacity": {"2027-Q2": -3}}, headers=headers
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["status"] == 422 and "2027-Q2" in problem["detail"]
    detail = client.get(f"/api/v1/teams/{team.id}/detail", headers=headers).json()
    assert detail["team"]["name"] == "Data platform" and detail["capacity"][0]["current"] is True


def _login(client: TestClient, world: World) -> str:
    client.post("/login", data={"email": world.email(), "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_team_page_saves_capacity_and_shows_a_bad_value_next_to_its_field(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    team = _team(session, world)
    csrf = _login(client, world)
    assert f'href="/teams/{team.id}"' in client.get("/teams").text
    page = client.get(f"/teams/{team.id}")
    assert page.status_code == 200 and "Data platform" in page.text and "None" not in page.text
    current = service.quarter_of(dt.date.today())
    upcoming = service.quarters_from(dt.date.today(), 2)[1]
    refused = client.post(
        f"/teams/{team.id}/capacity",
        data={"csrf_token": csrf, f"capacity-{current}": "-5", f"capacity-{upcoming}": "1,200"},
    )
    assert refused.status_code == 422
    assert 'value="-5"' in refused.text and 'value="1,200"' in refused.text
    assert "must be 0 or more person-weeks" in refused.text and 'aria-invalid="true"' in refused.text
    saved = client.post(
        f"/teams/{team.id}/capacity",
        data={"csrf_token": csrf, f"capacity-{current}": "42", f"capacity-{upcoming}": "1,200"},
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "Saved the capacity." in saved.text
    session.expire_all()
    capacity = service.get_team(session, world.actor(), team.id).capacity
    assert capacity[current] == 42 and capacity[upcoming] == 1200
