"""The analytics module inside the Northstar app: capture keys, SDK routes, insights API, saved insights with CSV,
metrics feeding key results, feature adoption of an idea, and the insight pages (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.analytics import runtime
from northstar.core.permissions import Role, TokenScope
from northstar.ideas import service as ideas
from northstar.ideas.schemas import LinkRequest
from northstar.strategy import service as strategy
from northstar.strategy.schemas import KeyResultCreate, ObjectiveCreate
from tests.factories import PASSWORD, make_customer, make_feedback, make_idea, make_world

pytestmark = pytest.mark.slow  # each test builds the whole app and opens DuckDB stores


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def _token(session: Session, world: Any, scope: TokenScope = TokenScope.WRITE) -> dict[str, str]:
    _row, secret = accounts.create_token(session, world.actor(Role.OWNER), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _send(client: TestClient, key: str, events: list[dict[str, Any]]) -> None:
    response = client.post("/batch/", json={"api_key": key, "batch": events})
    assert (response.status_code, response.json()) == (200, {"status": 1})


def _event(name: str, who: str, days_ago: float = 0, **properties: Any) -> dict[str, Any]:
    moment = datetime.now(UTC) - timedelta(days=days_ago)
    return {"event": name, "distinct_id": who, "timestamp": moment.isoformat(), "properties": properties}


def test_events_sent_with_the_project_key_feed_insights_saved_insights_and_csv(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    headers = _token(session, world)
    keys = client.get("/api/v1/analytics/keys", headers=headers).json()
    assert (
        client.post("/batch/", json={"api_key": "phc_wrong", "batch": [_event("x", "a")]}).status_code == 401
    )
    _send(client, keys["project_key"], [
        _event("signed_up", "a", 2), _event("activated", "a", 1), _event("signed_up", "b", 2), _event("signed_up", "c", 0),
    ])  # fmt: skip
    trends = client.post(
        "/api/v1/analytics/insights/run",
        json={"kind": "trends", "event": "signed_up", "math": "dau"},
        headers=headers,
    )
    assert trends.status_code == 200
    assert sum(row[3] for row in trends.json()["rows"]) == 3
    for unbounded in (  # centuries by the hour would build millions of empty buckets: refused, not computed
        {"kind": "trends", "event": "signed_up", "interval": "hour", "date_from": "0001-01-01"},
        {"kind": "trends", "event": "signed_up", "date_from": "1900-01-01", "date_to": "9999-12-31"},
        {"kind": "funnel", "steps": ["signed_up"], "date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"kind": "trends", "event": "signed_up", "interval": "hour", "last_days": 400},
    ):
        refused = client.post("/api/v1/analytics/insights/run", json=unbounded, headers=headers)
        assert refused.status_code == 422, unbounded
    funnel_spec = {"kind": "funnel", "steps": ["signed_up", "activated"]}
    funnel = client.post("/api/v1/analytics/insights/run", json=funnel_spec, headers=headers).json()
    assert [row[2] for row in funnel["rows"]] == [3, 1]
    saved = client.post(
        "/api/v1/analytics/insights", json={"name": "Activation", "query": funnel_spec}, headers=headers
    )
    assert saved.status_code == 201
    csv_text = client.get(f"/api/v1/analytics/insights/{saved.json()['id']}/export.csv", headers=headers).text
    assert csv_text.splitlines()[0] == "breakdown,step,persons,conversion_rate,average_seconds,median_seconds"
    assert csv_text.splitlines()[1].startswith("all,signed_up,3,")


def test_segment_write_key_route_and_other_workspaces_keys_are_separate(
    client: TestClient, session: Session
) -> None:
    first, second = make_world(session), make_world(session)
    first_keys = client.get("/api/v1/analytics/keys", headers=_token(session, first)).json()
    second_headers = _token(session, second)
    response = client.post(
        "/v1/batch", json={"writeKey": first_keys["write_key"], "batch": [
            {"type": "track", "event": "Clicked", "userId": "u1", "messageId": "m-1"}]},
    )  # fmt: skip
    assert (response.status_code, response.json()) == (200, {"success": True})
    spec = {"kind": "trends", "event": "Clicked"}
    theirs = client.post("/api/v1/analytics/insights/run", json=spec, headers=second_headers).json()
    assert sum(row[3] for row in theirs["rows"]) == 0
    ours = client.post("/api/v1/analytics/insights/run", json=spec, headers=_token(session, first)).json()
    assert sum(row[3] for row in ours["rows"]) == 1


def test_key_result_bound_to_a_metric_takes_its_value_from_events(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    headers = _token(session, world)
    keys = client.get("/api/v1/analytics/keys", headers=headers).json()
    _send(client, keys["project_key"], [_event("report_viewed", who, 1) for who in ("a", "b", "a")])
    metric = client.post(
        "/api/v1/analytics/metrics",
        json={"key": "weekly-readers", "name": "Weekly readers", "kind": "north_star", "event": "report_viewed",
              "math": "unique_users", "window_days": 7},
        headers=headers,
    )  # fmt: skip
    assert metric.status_code == 201
    value = client.get(f"/api/v1/analytics/metrics/{metric.json()['id']}/value", headers=headers).json()
    assert value["value"] == 2
    objective = strategy.create_objective(session, world.actor(), ObjectiveCreate(title="Grow reading"))
    key_result = strategy.add_key_result(
        session,
        world.actor(),
        objective.id,
        KeyResultCreate(title="Readers", target=10, metric="weekly-readers"),
    )
    session.commit()
    refreshed = client.post("/api/v1/analytics/key-results/refresh", headers=headers).json()
    assert refreshed == [{"key_result_id": key_result.id, "metric": "weekly-readers", "value": 2.0}]
    session.expire_all()
    assert strategy.get_key_result(session, world.actor(), key_result.id).current == 2.0


def test_feature_adoption_compares_customers_who_asked_with_the_rest(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    headers = _token(session, world)
    asked = make_customer(session, world, "Acme", external_id="acme")
    make_customer(session, world, "Globex", external_id="globex")
    make_customer(session, world, "Initech", domain="initech.io")
    idea = make_idea(session, world, "Dark mode")
    item = make_feedback(session, world, "Dark mode please", customer=asked)
    ideas.link_feedback(session, world.actor(), idea.id, LinkRequest(feedback_ids=[item.id]))
    session.commit()
    keys = client.get("/api/v1/analytics/keys", headers=headers).json()
    _send(client, keys["project_key"], [
        _event("dark_mode_on", "u1", 1, **{"$groups": {"company": "acme"}}),
        _event("dark_mode_on", "u2", 1, **{"$groups": {"company": "initech.io"}}),
        _event("dark_mode_on", "u3", 20, **{"$groups": {"company": "globex"}}),
    ])  # fmt: skip
    shipped = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    bound = client.put(
        f"/api/v1/analytics/ideas/{idea.id}/adoption-event", json={"event": "dark_mode_on", "shipped_on": shipped},
        headers=headers,
    )  # fmt: skip
    assert bound.status_code == 200
    adoption = client.get(f"/api/v1/analytics/ideas/{idea.id}/adoption", headers=headers).json()
    assert (adoption["requesters"], adoption["requesters_adopted"]) == (1, 1)
    assert (adoption["others"], adoption["others_adopted"]) == (2, 1)
    assert adoption["other_rate"] == 0.5


def test_insight_pages_render_charts_and_export(client: TestClient, session: Session) -> None:
    world = make_world(session)
    owner = world.users[Role.OWNER]
    assert client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code in (200, 303)
    keys = client.get("/api/v1/analytics/keys", headers=_token(session, world)).json()
    _send(
        client,
        keys["project_key"],
        [_event("opened", "a", 3), _event("opened", "a", 1), _event("opened", "b", 1)],
    )
    page = client.get("/analytics", params={"kind": "retention", "start_event": "opened", "return_event": "opened",
                                            "period": "day", "intervals": "4"})  # fmt: skip
    assert page.status_code == 200 and "<svg" in page.text
    trends = client.get("/analytics", params={"kind": "trends", "event": "opened"})
    assert trends.status_code == 200 and "<svg" in trends.text
    broken = client.get("/analytics", params={"kind": "funnel"})
    assert broken.status_code == 422 and "pick at least two steps" in broken.text
