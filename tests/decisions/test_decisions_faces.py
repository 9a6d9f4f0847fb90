"""The decision module's faces: JSON API, pages and the `northstar plan` CLI, end to end on a small company."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.cli import app
from northstar.core.permissions import TokenScope
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaCreate
from northstar.teams.models import Team
from tests.factories import PASSWORD, make_world

pytestmark = pytest.mark.slow  # whole-app round trips on two databases: several seconds each


def _seed(session: Session):
    world = make_world(session)
    team = Team(workspace_id=world.workspace.id, name="Core", capacity={"2026-Q1": 26})
    session.add(team)
    session.flush()
    for title, effort, benefit in [("Alpha", 20, 900), ("Beta", 12, 700), ("Gamma", 12, 650)]:
        inputs = {
            "reach": 100,
            "impact": 2,
            "confidence": 0.8,
            "effort": effort,
            "one_off_cost": 500,
            "benefit_per_quarter": benefit,
        }
        ideas.create_idea(session, world.actor(), IdeaCreate(title=title, team_id=team.id, inputs=inputs))
    session.commit()
    return world


def test_api_solves_schedules_forecasts_and_compares(client: TestClient, session: Session) -> None:
    world = _seed(session)
    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    scores = client.get("/api/v1/decisions/scores?framework=rice", headers=headers).json()
    assert scores[0]["arithmetic"].endswith("= 13.33")
    plan = client.post(
        "/api/v1/plans", json={"name": "Q1", "assumptions": {"time_limit_seconds": 5}}, headers=headers
    )
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["id"]
    solved = client.post(f"/api/v1/plans/{plan_id}/portfolio", headers=headers).json()
    assert solved["portfolio"]["status"] == "optimal"
    assert client.post(f"/api/v1/plans/{plan_id}/schedule", headers=headers).status_code == 200
    forecast = client.post(f"/api/v1/plans/{plan_id}/forecast?simulations=300", headers=headers).json()
    assert forecast["forecast"]["simulations"] == 300
    copy = client.post(
        f"/api/v1/plans/{plan_id}/copy",
        json={"name": "Lean", "assumptions": {"budget": 500}},
        headers=headers,
    ).json()
    client.post(f"/api/v1/plans/{copy['id']}/portfolio", headers=headers)
    compared = client.get(f"/api/v1/plans/compare?a={plan_id}&b={copy['id']}", headers=headers).json()
    assert compared["value_b"] < compared["value_a"]
    bad = client.post(
        f"/api/v1/plans/{plan_id}/copy", json={"name": "x", "assumptions": {"budget": -1}}, headers=headers
    )
    assert bad.status_code == 422
    cash = client.post(
        "/api/v1/decisions/cashflow?periods=5&discount_rate=0.1&one_off_cost=1000&benefit_per_period=400",
        headers=headers,
    ).json()
    assert cash["payback"] == pytest.approx(2.5)


def test_pages_show_the_prioritization_table_and_a_solved_plan(client: TestClient, session: Session) -> None:
    world = _seed(session)
    response = client.post(
        "/login", data={"email": world.email(), "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get("/prioritize?framework=rice")
    assert page.status_code == 200 and "(100 × 2 × 0.8) / 12" in page.text
    broken = client.get("/prioritize?framework=formula&formula=reach%20*")
    assert broken.status_code == 200 and "Formula error" in broken.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/plans").text).group(1)  # type: ignore[union-attr]
    created = client.post(
        "/plans", data={"csrf_token": csrf, "name": "Q1", "time_limit_seconds": "5"}, follow_redirects=False
    )
    assert created.status_code == 303
    location = created.headers["location"]
    for step in ("solve", "schedule", "forecast"):
        started = client.post(f"{location}/{step}", data={"csrf_token": csrf}, follow_redirects=False)
        assert started.status_code == 303, started.text
        target = started.headers["location"]
        assert target.startswith(f"{location}?job=")
        running = client.get(target)  # the plan page shows the job's progress while it runs
        assert running.status_code == 200 and 'class="card job"' in running.text
        job = _wait_for_job(client, int(target.rsplit("=", 1)[1]))
        assert job["status"] == "succeeded", job
    detail = client.get(target)
    assert detail.status_code == 200
    assert "Left out, and why" in detail.text and "<svg" in detail.text
    assert "Delivery forecast (10,000 simulations)" in detail.text
    assert 'data-status="succeeded"' in detail.text  # finished: the page stops polling
    bad = client.post(
        f"{location}/forecast", data={"csrf_token": csrf, "simulations": "5"}, follow_redirects=False
    )
    assert bad.status_code == 422 and "between 100 and 200,000" in bad.text


def test_a_failed_plan_job_shows_its_reason_on_the_plan_page(client: TestClient, session: Session) -> None:
    world = _seed(session)
    client.post("/login", data={"email": world.email(), "password": PASSWORD, "next": "/"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/plans").text).group(1)  # type: ignore[union-attr]
    created = client.post("/plans", data={"csrf_token": csrf, "name": "Q1"}, follow_redirects=False)
    location = created.headers["location"]
    started = client.post(f"{location}/schedule", data={"csrf_token": csrf}, follow_redirects=False)
    target = started.headers["location"]
    job = _wait_for_job(client, int(target.rsplit("=", 1)[1]))
    assert job["status"] == "failed"
    page = client.get(target)
    assert "solve the portfolio first" in page.text and 'data-status="failed"' in page.text


def _wait_for_job(client: TestClient, job_id: int) -> dict:
    deadline = time.monotonic() + 60
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Session) -> CliRunner:
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    _seed(session)
    return CliRunner()


def test_cli_plan_commands_print_json(cli: CliRunner, session: Session) -> None:
    workspace = session.execute(
        __import__("sqlalchemy").text("select slug from workspaces order by id desc limit 1")
    ).scalar_one()
    base = ["-w", workspace]
    created = cli.invoke(app, ["plan", "create", "Q1", "--time-limit", "5", "-f", "json", *base])
    assert created.exit_code == 0, created.output
    plan_id = str(json.loads(created.stdout)[0]["id"]) if created.stdout.startswith("[") else None
    assert plan_id
    solved = cli.invoke(app, ["plan", "portfolio", plan_id, "--format", "json", *base])
    assert solved.exit_code == 0, solved.output
    assert json.loads(solved.stdout)["status"] == "optimal"
    scheduled = cli.invoke(app, ["plan", "schedule", plan_id, "--format", "json", *base])
    assert json.loads(scheduled.stdout)["status"] in ("optimal", "feasible")
    forecast = cli.invoke(
        app, ["plan", "forecast", plan_id, "--simulations", "200", "--format", "json", *base]
    )
    assert json.loads(forecast.stdout)["simulations"] == 200
    missing = cli.invoke(app, ["plan", "portfolio", "999999", *base])
    assert missing.exit_code == 2
