"""Experiments through the JSON API and the report page (with its interval chart)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.listing import ListParams
from northstar.core.permissions import Role, TokenScope
from tests.factories import PASSWORD, make_world

MEAN_CSV = (
    "variation,users,main_sum,main_sum_squares\n"
    "control,3407,1396.87,52377.9767\n"
    "treatment,3461,2422.7,134698.29\n"
)
DEFINITION = {
    "key": "pricing-page",
    "name": "Pricing page redesign",
    "variants": [{"key": "control"}, {"key": "treatment"}],
    "metrics": [
        {"key": "revenue", "name": "Revenue per user", "type": "mean"},
        {"key": "churn", "type": "proportion", "role": "guardrail", "inverse": True},
    ],
}


def bearer(session: Session, world: Any, scope: TokenScope = TokenScope.WRITE) -> dict[str, str]:
    _row, secret = accounts.create_token(session, world.actor(Role.OWNER), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_defines_uploads_and_reports_results(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = bearer(session, world)
    made = client.post("/api/v1/experiments", json=DEFINITION, headers=headers)
    assert made.status_code == 201, made.text
    experiment_id = made.json()["id"]
    upload = client.post(
        f"/api/v1/experiments/{experiment_id}/summaries",
        json={"metric_key": "revenue", "csv": MEAN_CSV},
        headers=headers,
    )
    assert upload.status_code == 200, upload.text
    results = client.get(f"/api/v1/experiments/{experiment_id}/results", headers=headers).json()
    revenue = results["metrics"][0]
    assert round(revenue["variants"][0]["p_value"], 5) == 0.06191
    assert results["metrics"][1]["missing"]
    listing = client.get("/api/v1/experiments?q=pricing", headers=headers).json()
    assert listing["total"] == 1
    summaries = client.get(f"/api/v1/experiments/{experiment_id}/summaries", headers=headers).json()
    assert {s["variation"] for s in summaries} == {"control", "treatment"}
    patched = client.patch(
        f"/api/v1/experiments/{experiment_id}", json={"status": "running"}, headers=headers
    )
    assert patched.json()["started_at"] is not None


def test_api_bad_csv_is_a_problem_document_naming_row_and_column(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    headers = bearer(session, world)
    experiment_id = client.post("/api/v1/experiments", json=DEFINITION, headers=headers).json()["id"]
    response = client.post(
        f"/api/v1/experiments/{experiment_id}/summaries",
        json={"metric_key": "revenue", "csv": MEAN_CSV.replace("1396.87", "lots")},
        headers=headers,
    )
    assert response.status_code == 422
    problem = response.json()
    assert "row 2, column main_sum" in problem["detail"]
    assert problem["errors"][0]["row"] == 2


def test_api_read_token_cannot_upload_and_other_workspace_gets_404(
    client: TestClient, session: Session
) -> None:
    world, other = make_world(session), make_world(session)
    headers = bearer(session, world)
    experiment_id = client.post("/api/v1/experiments", json=DEFINITION, headers=headers).json()["id"]
    read_only = bearer(session, world, TokenScope.READ)
    denied = client.post(
        f"/api/v1/experiments/{experiment_id}/summaries",
        json={"metric_key": "revenue", "csv": MEAN_CSV},
        headers=read_only,
    )
    assert denied.status_code == 403
    assert client.get(f"/api/v1/experiments/{experiment_id}/results", headers=read_only).status_code == 200
    foreign = bearer(session, other)
    assert client.get(f"/api/v1/experiments/{experiment_id}", headers=foreign).status_code == 404
    assert client.get(f"/api/v1/experiments/{experiment_id}/results", headers=foreign).status_code == 404
    assert client.get("/api/v1/experiments").status_code == 401


def login(client: TestClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_report_page_creates_uploads_and_draws_the_interval_chart(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    login(client, world.email())
    listing = client.get("/experiments")
    assert listing.status_code == 200
    token = csrf_of(listing.text)
    created = client.post(
        "/experiments",
        data={
            "csrf_token": token,
            "key": "checkout",
            "name": "One-page checkout",
            "variants": "control, treatment",
            "metrics": "revenue mean goal\nrefunds proportion guardrail inverse",
            "engine": "frequentist",
            "difference": "relative",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    report_url = created.headers["location"]
    empty = client.get(report_url)
    assert "No results yet" in empty.text
    uploaded = client.post(
        f"{report_url}/summaries",
        data={"csrf_token": token, "metric_key": "revenue", "csv": MEAN_CSV},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    report = client.get(report_url)
    assert report.status_code == 200
    assert "<svg" in report.text  # the interval chart, rendered offline
    assert "+70.73%" in report.text
    assert "no summary uploaded yet" in report.text


def test_report_page_needs_login_and_a_valid_form_token(client: TestClient, session: Session) -> None:
    world = make_world(session)
    assert client.get("/experiments", follow_redirects=False).status_code in (302, 303, 307)
    login(client, world.email())
    refused = client.post("/experiments", data={"csrf_token": "forged", "key": "x"}, follow_redirects=False)
    assert refused.status_code == 403


def test_api_analyzes_a_summary_without_storing_it(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = bearer(session, world, TokenScope.READ)
    response = client.post(
        "/api/v1/experiments/analyze",
        json={"csv": MEAN_CSV, "metric_type": "mean", "difference": "absolute"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert round(response.json()["variants"][0]["p_value"], 5) == 0.02016
    bad = client.post(
        "/api/v1/experiments/analyze",
        json={"csv": "variation,users\na,1\n", "metric_type": "mean"},
        headers=headers,
    )
    assert bad.status_code == 422 and "main_sum" in bad.json()["detail"]


def test_bayesian_report_page_shows_chance_to_win_and_the_srm_warning(
    client: TestClient, session: Session
) -> None:
    from types import SimpleNamespace

    from northstar.experiments import service
    from northstar.experiments.demo import seed_demo

    world = make_world(session)
    seed_demo(session, world.actor(), SimpleNamespace(idea_ids={}))
    session.commit()
    login(client, world.email())
    listing = client.get("/experiments")
    assert "Pricing page: annual plan first" in listing.text
    pricing = next(
        e
        for e in service.list_experiments(session, world.actor(), ListParams()).items
        if e.key == "pricing-page"
    )
    report = client.get(f"/experiments/{pricing.id}")
    assert report.status_code == 200
    assert 'data-testid="srm-warning"' in report.text
    assert "Chance to win" in report.text and "<svg" in report.text


def test_a_refused_new_experiment_form_comes_back_with_what_was_typed(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    login(client, world.email())
    token = csrf_of(client.get("/experiments").text)
    form = {
        "csrf_token": token,
        "key": "checkout",
        "name": "One-page checkout",
        "variants": "control, treatment",
    }
    bad_line = client.post("/experiments", data={**form, "metrics": "revenue mean goal\nrefunds"})
    assert bad_line.status_code == 422
    assert 'id="metrics-error">line 2: key and type needed<' in bad_line.text
    assert (
        'value="One-page checkout"' in bad_line.text
        and "revenue mean goal\nrefunds</textarea>" in bad_line.text
    )
    made = client.post("/experiments", data={**form, "metrics": "revenue mean goal"}, follow_redirects=False)
    assert made.status_code == 303
    taken = client.post("/experiments", data={**form, "metrics": "revenue mean goal"})
    assert (
        taken.status_code == 422
        and 'id="key-error">an experiment with this key already exists<' in taken.text
    )
