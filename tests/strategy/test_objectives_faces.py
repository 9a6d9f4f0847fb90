"""Objectives through the API and the pages on both databases: the detail with the pace signal, binding a key
result to a metric, update-from-metrics, and the objective page's check-in form with inline errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.analytics import runtime
from northstar.analytics import service as analytics
from northstar.analytics.schemas import MetricCreate
from northstar.core.permissions import Role, TokenScope
from northstar.strategy import service
from northstar.strategy.schemas import KeyResultCreate, ObjectiveCreate
from tests.factories import PASSWORD, World, make_world


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def _setup(session: Session) -> tuple[World, int, int]:
    world = make_world(session)
    actor = world.actor()
    objective = service.create_objective(
        session, actor, ObjectiveCreate(title="Grow usage", period="2026-H2")
    )
    kr = service.add_key_result(
        session,
        actor,
        objective.id,
        KeyResultCreate(title="Active accounts", baseline=1000, target=2000, unit="accounts"),
    )
    analytics.create_metric(
        session, actor, MetricCreate(key="wau", name="Weekly active users", event="$pageview", math="wau")
    )
    session.commit()
    return world, objective.id, kr.id


def _token(session: Session, world: World, scope: TokenScope = TokenScope.WRITE) -> dict[str, str]:
    _row, secret = accounts.create_token(session, world.actor(Role.OWNER), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_detail_binding_and_update_from_metrics(client: TestClient, session: Session) -> None:
    world, objective_id, kr_id = _setup(session)
    headers = _token(session, world)
    assert [m["key"] for m in client.get("/api/v1/objectives/bindable-metrics", headers=headers).json()] == [
        "wau"
    ]
    refused = client.put(f"/api/v1/key-results/{kr_id}/metric", json={"metric": "nope"}, headers=headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "metric"
    bound = client.put(f"/api/v1/key-results/{kr_id}/metric", json={"metric": "wau"}, headers=headers)
    assert bound.status_code == 200 and bound.json()["metric"] == "wau"
    detail = client.get(f"/api/v1/objectives/{objective_id}/detail", headers=headers).json()
    key_result = detail["key_results"][0]
    assert key_result["metric_name"] == "Weekly active users"
    assert key_result["pace"] in {"on_track", "behind", "at_risk", "done", "not_started"}
    assert detail["starts_on"] == "2026-07-01" and detail["ends_on"] == "2026-12-31"
    updated = client.post(f"/api/v1/objectives/{objective_id}/update-from-metrics", headers=headers)
    assert updated.status_code == 200
    [result] = updated.json()
    assert result["key_result_id"] == kr_id and result["metric"] == "wau"
    check_ins = client.get(f"/api/v1/key-results/{kr_id}/check-ins", headers=headers).json()
    assert [c["source"] for c in check_ins] == (["metric"] if result["check_in_id"] else [])


def test_api_read_token_cannot_update_from_metrics(client: TestClient, session: Session) -> None:
    world, objective_id, _kr = _setup(session)
    viewer = _token(session, world, TokenScope.READ)
    assert client.get(f"/api/v1/objectives/{objective_id}/detail", headers=viewer).status_code == 200
    assert (
        client.post(f"/api/v1/objectives/{objective_id}/update-from-metrics", headers=viewer).status_code
        == 403
    )


def _login(client: TestClient, world: World) -> str:
    client.post("/login", data={"email": world.email(), "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_objective_page_checks_in_and_shows_a_bad_value_next_to_its_field(
    client: TestClient, session: Session
) -> None:
    world, objective_id, kr_id = _setup(session)
    csrf = _login(client, world)
    listing = client.get("/objectives").text
    assert f'href="/objectives/{objective_id}"' in listing and "1,000 accounts" in listing
    page = client.get(f"/objectives/{objective_id}")
    assert page.status_code == 200
    assert "Grow usage" in page.text and "Weekly active users (wau)" in page.text
    assert "None" not in page.text and "1000.0" not in page.text
    refused = client.post(
        f"/key-results/{kr_id}/check-ins",
        data={"csrf_token": csrf, "value": "twelve", "note": "keep this note"},
    )
    assert refused.status_code == 422
    assert 'value="twelve"' in refused.text and 'value="keep this note"' in refused.text
    assert f'id="kr{kr_id}-value-error"' in refused.text
    saved = client.post(
        f"/key-results/{kr_id}/check-ins",
        data={"csrf_token": csrf, "value": "1,250", "note": "after the launch"},
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "Checked in." in saved.text
    assert "1,250 accounts" in saved.text and "after the launch" in saved.text and "Typed in" in saved.text
    assert "<svg" in saved.text  # the history chart
    bound = client.post(
        f"/key-results/{kr_id}/metric", data={"csrf_token": csrf, "metric": "wau"}, follow_redirects=True
    )
    assert "Saved which metric the key result follows." in bound.text and "Update from metrics" in bound.text
