"""People pages through the web app: forms with CSRF, who may open what, and the demo-shaped content."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.people.models import Assessment, ReviewCycle, ReviewParticipant
from tests.factories import PASSWORD
from tests.people.world import ProductTeam, make_team

pytestmark = pytest.mark.slow  # each test starts the whole web app on both databases


def _login(client: TestClient, team: ProductTeam, key: str) -> str:
    client.cookies.clear()
    response = client.post(
        "/login", data={"email": team.emails[key], "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    page = client.get("/people/ladder")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def test_leader_starts_a_cycle_from_the_reviews_page(client: TestClient, session: Session) -> None:
    team = make_team(session)
    token = _login(client, team, "lead")
    assert "Start a 360 cycle" in client.get("/reviews").text
    response = client.post(
        "/reviews/cycles",
        data={
            "csrf_token": token,
            "name": "Autumn 360",
            "opens_on": "2026-01-05",
            "closes_on": "2026-01-26",
            "participant": [str(team.persons["ana"].id), str(team.persons["peer1"].id)],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    cycle = session.scalar(select(ReviewCycle).where(ReviewCycle.name == "Autumn 360"))
    assert cycle is not None and len(cycle.questionnaire["questions"]) == 9  # 7 areas + 2 open questions
    assert (
        len(list(session.scalars(select(ReviewParticipant).where(ReviewParticipant.cycle_id == cycle.id))))
        == 2
    )
    without_token = client.post(
        "/reviews/cycles", data={"name": "x", "opens_on": "2026-01-05", "closes_on": "2026-01-26"}
    )
    assert without_token.status_code == 403


def test_person_records_a_self_assessment_on_their_profile(client: TestClient, session: Session) -> None:
    team = make_team(session)
    token = _login(client, team, "ana")
    ana = team.persons["ana"].id
    profile = client.get(f"/people/{ana}")
    assert profile.status_code == 200 and "Record a self assessment" in profile.text
    assert "Set level" not in profile.text  # a person does not set their own level
    response = client.post(
        f"/people/{ana}/assessments",
        data={
            "csrf_token": token,
            "met": ["customer_research/apm/1", "specification/apm/1"],
            "note": "first go",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    row = session.scalar(select(Assessment).where(Assessment.person_id == ana))
    assert (
        row is not None
        and row.kind == "self"
        and row.met_behaviours == ["customer_research/apm/1", "specification/apm/1"]
    )


def test_peer_gets_403_on_someone_elses_profile_and_sees_no_team(
    client: TestClient, session: Session
) -> None:
    team = make_team(session)
    _login(client, team, "peer1")
    assert client.get(f"/people/{team.persons['ana'].id}").status_code == 403
    assert "You have no direct reports" in client.get("/people").text
    _login(client, team, "manager")
    team_page = client.get("/people").text
    assert "Ana" in team_page and "Peer4" in team_page


def test_job_description_page_and_downloads(client: TestClient, session: Session) -> None:
    team = make_team(session)
    _login(client, team, "ana")
    page = client.get("/people/job-description?level=group_pm&stage=scale-up")
    assert page.status_code == 200 and "Group Product Manager (Scale-up)" in page.text
    pdf = client.get("/people/job-description?level=group_pm&stage=scale-up&download=pdf")
    assert pdf.content.startswith(b"%PDF")
