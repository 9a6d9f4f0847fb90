"""The people and reviews JSON API: problem details for bad input, and the 360 flow end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.permissions import Role, TokenScope
from northstar.people.engine.ladder import default_ladder_text
from tests.people.world import ProductTeam, make_team

pytestmark = pytest.mark.slow  # each test starts the whole web app on both databases


def _headers(session: Session, team: ProductTeam) -> dict[str, dict[str, str]]:
    headers = {}
    for key, actor in team.actors.items():
        row, secret = accounts.create_token(
            session, team.world.actor(Role.OWNER), TokenCreate(name=key, scope=TokenScope.WRITE)
        )
        row.user_id = actor.user_id
        headers[key] = {"Authorization": f"Bearer {secret}"}
    session.commit()
    return headers


def test_ladder_with_a_missing_level_gets_a_problem_naming_it(client: TestClient, session: Session) -> None:
    team = make_team(session)
    h = _headers(session, team)
    broken = default_ladder_text().replace("follows: senior_pm\n", "follows: staff_pm\n", 1)
    response = client.put("/api/v1/people/ladder", json={"yaml": broken}, headers=h["lead"])
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/invalid-ladder")
    assert any("staff_pm" in e["message"] for e in problem["errors"])
    assert client.get("/api/v1/people/ladder", headers=h["ana"]).json()["levels"][3]["follows"] == "senior_pm"
    exported = client.get("/api/v1/people/ladder/export", headers=h["ana"])
    assert exported.status_code == 200 and "head_of_product" in exported.text


def test_job_description_in_three_formats(client: TestClient, session: Session) -> None:
    team = make_team(session)
    h = _headers(session, team)
    base = "/api/v1/people/job-description?level=director&stage=enterprise"
    assert client.get(base, headers=h["ana"]).text.startswith("# Director of Product (Enterprise)")
    assert "<h1>Director of Product" in client.get(base + "&format=html", headers=h["ana"]).text
    pdf = client.get(base + "&format=pdf", headers=h["ana"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/api/v1/people/job-description?level=intern", headers=h["ana"]).status_code == 422


def _cycle(client: TestClient, h: dict[str, dict[str, str]], questions: list[dict[str, Any]]) -> Any:
    now = datetime.now(UTC)
    return client.post(
        "/api/v1/reviews/cycles",
        json={
            "name": "API 360",
            "questions": questions,
            "opens_at": (now - timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
        },
        headers=h["lead"],
    )


def test_questionnaire_without_questions_is_a_422_problem(client: TestClient, session: Session) -> None:
    team = make_team(session)
    response = _cycle(client, _headers(session, team), [])
    assert response.status_code == 422 and "at least one question" in response.json()["detail"]


def test_360_flow_over_the_api_keeps_peers_anonymous(client: TestClient, session: Session) -> None:
    team = make_team(session)
    h = _headers(session, team)
    cycle = _cycle(
        client,
        h,
        [
            {"id": "clarity", "text": "Explains the plan"},
            {"id": "keep", "text": "Keep doing?", "kind": "comment"},
        ],
    ).json()
    ana = team.persons["ana"].id
    participant = client.post(
        f"/api/v1/reviews/cycles/{cycle['id']}/participants",
        json={"subject_person_id": ana},
        headers=h["lead"],
    ).json()
    pid = participant["participant_id"]
    self_peer = client.post(
        f"/api/v1/reviews/participants/{pid}/nominations",
        json={"rater_person_id": ana, "rater_group": "peer"},
        headers=h["ana"],
    )
    assert self_peer.status_code == 422 and "themselves" in self_peer.json()["detail"]
    for i in (1, 2, 3):
        nomination = client.post(
            f"/api/v1/reviews/participants/{pid}/nominations",
            json={"rater_person_id": team.persons[f"peer{i}"].id, "rater_group": "peer"},
            headers=h["ana"],
        ).json()
        assert nomination["status"] == "proposed"
        assert (
            client.post(
                f"/api/v1/reviews/nominations/{nomination['id']}/decision",
                json={"approve": True},
                headers=h["manager"],
            ).status_code
            == 200
        )
    for i in (1, 2, 3):
        pending = client.get("/api/v1/reviews/requests", headers=h[f"peer{i}"]).json()
        assert [p["reviewee"] for p in pending] == ["Ana"]
        body = {"ratings": {"clarity": i + 2}, "comments": {"keep": f"api note {i}"}}
        assert (
            client.post(
                f"/api/v1/reviews/requests/{pending[0]['request_id']}/response",
                json=body,
                headers=h[f"peer{i}"],
            ).status_code
            == 201
        )
    assert client.get(f"/api/v1/reviews/participants/{pid}/report", headers=h["ana"]).status_code == 403
    client.post(f"/api/v1/reviews/cycles/{cycle['id']}/close", headers=h["lead"])
    assert (
        client.post(f"/api/v1/reviews/cycles/{cycle['id']}/release", headers=h["lead"]).json()["released"]
        is True
    )
    report = client.get(f"/api/v1/reviews/participants/{pid}/report", headers=h["admin"])
    assert report.status_code == 200
    text = json.dumps(report.json())
    assert "api note 2" in text
    for i in (1, 2, 3):
        assert f'"{team.persons[f"peer{i}"].id}"' not in text
    peers = next(g for g in report.json()["report"]["groups"] if g["group"] == "peer")
    assert peers["responses"] == 3 and peers["named_raters"] == []
    denied = client.get(f"/api/v1/reviews/participants/{pid}/report", headers=h["peer1"])
    assert denied.status_code == 403 and denied.json()["type"].endswith("/permission-denied")
    progress = client.get(f"/api/v1/reviews/cycles/{cycle['id']}/progress", headers=h["lead"]).json()
    assert progress[0]["answered_by_group"] == {"peer": 3}


def test_profile_and_one_on_ones_over_the_api(client: TestClient, session: Session) -> None:
    team = make_team(session)
    h = _headers(session, team)
    ana, manager = team.persons["ana"].id, team.persons["manager"].id
    assert (
        client.put(f"/api/v1/people/{ana}/level", json={"level_code": "pm"}, headers=h["manager"]).status_code
        == 200
    )
    bad = client.post(
        f"/api/v1/people/{ana}/assessments",
        json={"kind": "self", "met_behaviours": ["x/y/1"]},
        headers=h["ana"],
    )
    assert bad.status_code == 422
    profile = client.get(f"/api/v1/people/{ana}", headers=h["ana"]).json()
    assert profile["level_title"] == "Product Manager" and profile["readiness"]["target"] == "senior_pm"
    assert client.get(f"/api/v1/people/{ana}", headers=h["peer1"]).status_code == 403
    series = client.post(
        "/api/v1/one-on-ones",
        json={"manager_person_id": manager, "report_person_id": ana},
        headers=h["manager"],
    ).json()
    meeting = {
        "held_on": datetime.now(UTC).date().isoformat(),
        "shared_notes": "shared",
        "private_notes": "secret",
        "action_items": [{"text": "Ship it"}],
    }
    assert (
        client.post(
            f"/api/v1/one-on-ones/{series['id']}/meetings", json=meeting, headers=h["manager"]
        ).status_code
        == 201
    )
    as_report = client.get(f"/api/v1/one-on-ones/{series['id']}", headers=h["ana"]).json()
    assert as_report["meetings"][0]["shared_notes"] == "shared" and "secret" not in json.dumps(as_report)
    assert client.get(f"/api/v1/one-on-ones/{series['id']}", headers=h["admin"]).status_code == 403
