"""Editing an idea by hand: its details, cost and benefit, and its RICE inputs, with the reach suggested from the
feedback behind it; on the page, bad input is shown next to its field and what was typed stays in the form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.feedback.models import Feedback
from northstar.ideas import service
from northstar.ideas.schemas import IdeaEdit, IdeaScores, LinkRequest
from northstar.teams.models import Person, Team
from tests.factories import PASSWORD, World, make_customer, make_feedback, make_idea, make_world


def _team_and_owner(session: Session, world: World) -> tuple[Team, Person]:
    team = Team(workspace_id=world.workspace.id, name="Core", capacity={"2027-Q1": 26})
    session.add(team)
    session.flush()
    owner = Person(workspace_id=world.workspace.id, name="Ada Lovelace", title="PM", team_id=team.id)
    session.add(owner)
    session.commit()
    return team, owner


def test_edit_idea_sets_details_and_money_and_keeps_the_other_inputs(session: Session) -> None:
    world = make_world(session)
    team, owner = _team_and_owner(session, world)
    idea = make_idea(session, world, "Dark mode")
    service.set_scores(
        session, world.actor(), idea.id, IdeaScores(reach=40, impact=2, confidence=0.8, effort=3)
    )
    service.edit_idea(
        session,
        world.actor(),
        idea.id,
        IdeaEdit(
            title="Dark theme",
            description="For night owls",
            team_id=team.id,
            owner_id=owner.id,
            one_off_cost=25_000,
            benefit_per_quarter=4_000.5,
        ),
    )
    session.commit()
    assert (idea.title, idea.description, idea.team_id, idea.owner_id) == (
        "Dark theme",
        "For night owls",
        team.id,
        owner.id,
    )
    assert idea.inputs == {
        "reach": 40,
        "impact": 2,
        "confidence": 0.8,
        "effort": 3,
        "one_off_cost": 25_000,
        "benefit_per_quarter": 4_000.5,
    }
    service.edit_idea(session, world.actor(), idea.id, IdeaEdit(title="Dark theme"))
    assert idea.team_id is None and "one_off_cost" not in idea.inputs and idea.inputs["reach"] == 40


def test_edit_idea_refuses_an_owner_of_another_workspace_and_a_viewer(session: Session) -> None:
    world, other = make_world(session), make_world(session)
    _team, stranger = _team_and_owner(session, other)
    idea = make_idea(session, world)
    with pytest.raises(ValidationFailed) as failure:
        service.edit_idea(session, world.actor(), idea.id, IdeaEdit(title="x", owner_id=stranger.id))
    assert failure.value.errors[0].field == "owner_id"
    with pytest.raises(PermissionDenied):
        service.set_scores(session, world.actor(Role.VIEWER), idea.id, IdeaScores(reach=1))


def test_reach_suggestion_counts_each_customer_once_and_anonymous_items_each(session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", arr=120_000)
    globex = make_customer(session, world, "Globex", arr=30_000)
    items = [
        make_feedback(session, world, "dark mode please", acme),
        make_feedback(session, world, "dark mode for our team", acme),
        make_feedback(session, world, "night theme", globex),
        make_feedback(session, world, "dark mode (anonymous)"),
    ]
    duplicate = make_feedback(
        session, world, "dark please", make_customer(session, world, "Initech", arr=5_000)
    )
    duplicate_row = session.get(Feedback, duplicate.id)
    assert duplicate_row is not None
    duplicate_row.merged_into_id = items[0].id
    idea = make_idea(session, world)
    service.link_feedback(session, world.actor(), idea.id, LinkRequest(feedback_ids=[i.id for i in items]))
    lonely = make_idea(session, world, "Nobody asked")
    session.commit()
    found = service.reach_suggestions(session, world.actor(), [idea.id, lonely.id])
    assert (found[idea.id].customers, found[idea.id].feedback_items, found[idea.id].arr) == (3, 4, 155_000)
    assert found[idea.id].reach == 4  # three customers and one item from no known customer
    assert found[lonely.id].reach == 0


def _login(client: TestClient, world: World, role: Role = Role.OWNER) -> str:
    client.post("/login", data={"email": world.email(role), "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_idea_page_bad_input_shows_errors_next_to_fields_and_keeps_what_was_typed(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    team, owner = _team_and_owner(session, world)
    idea = make_idea(session, world, "Dark mode")
    csrf = _login(client, world)
    typed = {
        "csrf_token": csrf,
        "title": "  ",
        "description": "A long thought I do not want to lose",
        "team_id": str(team.id),
        "owner_id": str(owner.id),
        "one_off_cost": "lots",
        "recurring_cost_per_quarter": "",
        "benefit_per_quarter": "-5",
    }
    page = client.post(f"/ideas/{idea.id}/edit", data=typed)
    assert page.status_code == 422
    assert re.search(r'id="title-error">cannot be empty<', page.text)
    assert re.search(r'id="one_off_cost-error">enter a number, like 25000<', page.text)
    assert re.search(r'id="benefit_per_quarter-error">must be 0 or more<', page.text)
    assert "A long thought I do not want to lose</textarea>" in page.text
    assert 'value="lots"' in page.text and 'aria-invalid="true"' in page.text
    session.refresh(idea)
    assert idea.title == "Dark mode"
    saved = client.post(
        f"/ideas/{idea.id}/edit",
        data={**typed, "title": "Dark theme", "one_off_cost": "$25,000", "benefit_per_quarter": "4000"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.refresh(idea)
    assert idea.title == "Dark theme" and idea.inputs["one_off_cost"] == 25_000
    shown = client.get(f"/ideas/{idea.id}?saved=details").text
    assert "$25,000" in shown and "Ada Lovelace" in shown


def test_idea_page_scores_save_and_explain_the_rice_arithmetic(client: TestClient, session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world)
    csrf = _login(client, world)
    bad = client.post(
        f"/ideas/{idea.id}/scores",
        data={"csrf_token": csrf, "reach": "1,200", "impact": "2", "confidence": "0.8", "effort": "0"},
    )
    assert bad.status_code == 422 and re.search(r'id="effort-error">must be more than 0<', bad.text)
    assert 'value="1,200"' in bad.text
    client.post(
        f"/ideas/{idea.id}/scores",
        data={"csrf_token": csrf, "reach": "1,200", "impact": "2", "confidence": "0.8", "effort": "4"},
    )
    session.refresh(idea)
    assert idea.inputs == {"reach": 1200, "impact": 2, "confidence": 0.8, "effort": 4}
    page = client.get(f"/ideas/{idea.id}").text
    assert "RICE score <strong>480.0</strong>" in page
    assert "person-weeks" in page and "accounts a quarter" in page


def test_viewer_sees_the_idea_without_edit_forms(client: TestClient, session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world)
    _login(client, world, Role.VIEWER)
    page = client.get(f"/ideas/{idea.id}").text
    assert 'data-testid="edit-form"' not in page and 'data-testid="score-form"' not in page
