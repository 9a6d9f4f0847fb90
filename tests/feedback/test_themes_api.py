"""The themes JSON API: listing with demand, human control, ideas, the analysis job, and problem details for bad
input — on SQLite and PostgreSQL, with the real model on a few dozen items."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.permissions import Role, TokenScope
from tests.factories import World, make_customer, make_feedback, make_idea, make_world
from tests.feedback.analysis_support import TOPICS
from tests.feedback.themes_support import seed_topics, the_theme

API = "/api/v1/feedback/themes"


def _headers(
    session: Session, world: World, role: Role = Role.OWNER, scope: TokenScope = TokenScope.WRITE
) -> dict[str, str]:
    row, secret = accounts.create_token(session, world.actor(Role.OWNER), TokenCreate(name="t", scope=scope))
    row.user_id = world.users[role].id
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_api_lists_themes_with_demand_and_people_reshape_them(client: TestClient, session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", 1000.0, "smb")
    globex = make_customer(session, world, "Globex", 5000.0, "enterprise")
    ids = seed_topics(session, world, {"export": [acme, globex, acme]})
    headers = _headers(session, world)
    export, login, pricing = (the_theme(session, ids[t]) for t in ("export", "login", "pricing"))

    listing = _ok(client.get(f"{API}?level=sub&sort=arr", headers=headers))
    assert listing["total"] == 3 and listing["items"][0]["theme"]["id"] == export
    assert listing["items"][0]["demand"]["arr"] == 6000.0 and listing["items"][0]["demand"]["customers"] == 2
    assert len(listing["items"][0]["demand"]["trend"]["counts"]) == 26
    top = _ok(client.get(API, headers=headers))
    assert top["items"][0]["level"] == "top" and top["items"][0]["demand"]["items"] == 18

    detail = _ok(client.get(f"{API}/{export}", headers=headers))
    assert detail["theme"]["keywords"] and len(detail["theme"]["quotes"]) == 3 and not detail["is_parent"]
    demand = _ok(client.get(f"{API}/{export}/demand", headers=headers))
    assert {s["segment"]: s["arr"] for s in demand["by_segment"]} == {
        "enterprise": 5000.0,
        "smb": 1000.0,
        "unknown": 0.0,
    }
    items = _ok(client.get(f"{API}/{export}/items?per_page=4", headers=headers))
    assert items["total"] == 6 and len(items["items"]) == 4

    renamed = _ok(client.post(f"{API}/{login}/rename", json={"name": "Sign-in"}, headers=headers))
    assert renamed["name"] == "Sign-in" and renamed["name_locked"]
    assert _ok(client.post(f"{API}/{login}/pin", json={"pinned": True}, headers=headers))["pinned"]
    moved = _ok(
        client.post(f"{API}/{pricing}/items", json={"feedback_ids": [ids["login"][0]]}, headers=headers)
    )
    assert moved == {"theme_id": pricing, "moved": 1, "already_there": 0}
    split = _ok(
        client.post(
            f"{API}/{pricing}/split",
            json={"feedback_ids": [ids["login"][0]], "name": "Strays"},
            headers=headers,
        )
    )
    assert split["created"]["name"] == "Strays" and split["moved"] == 1
    merged = _ok(
        client.post(f"{API}/{split['created']['id']}/merge", json={"into_theme_id": login}, headers=headers)
    )
    assert merged["survivor"]["id"] == login and merged["moved_items"] == 1
    assert _ok(client.get(f"{API}/{login}/demand", headers=headers))["items"] == 6

    idea = make_idea(session, world, "Export reports to CSV and Excel")
    suggestions = _ok(client.get(f"{API}/{export}/suggestions", headers=headers))
    assert suggestions[0]["idea_id"] == idea.id
    made = _ok(client.post(f"{API}/{export}/create-idea", json={"importance": 1}, headers=headers), 201)
    assert made["linked"] == 6 and made["idea"]["feedback_count"] == 6
    behind = _ok(client.get(f"{API}/by-idea/{made['idea']['id']}", headers=headers))
    assert behind == [
        {
            "theme_id": export,
            "name": detail["theme"]["name"],
            "parent_name": detail["parent_name"],
            "items": 6,
            "customers": 2,
            "arr": 6000.0,
        }
    ]
    # the plain feedback routes still work beside /feedback/themes
    assert _ok(client.get(f"/api/v1/feedback/{ids['export'][0]}", headers=headers))["id"] == ids["export"][0]


def test_api_bad_input_gets_problem_details_and_changes_nothing(client: TestClient, session: Session) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    headers = _headers(session, world)
    export, login = the_theme(session, ids["export"]), the_theme(session, ids["login"])

    for method, path, body, status in [
        ("get", f"{API}?level=middle", None, 422),
        ("get", f"{API}?sort=loudness", None, 422),
        ("get", f"{API}/0", None, 422),
        ("get", f"{API}/99999999999", None, 422),
        ("get", f"{API}/999999", None, 404),
        ("post", f"{API}/{export}/merge", {"into_theme_id": export}, 422),
        ("post", f"{API}/{export}/merge", {"into_theme_id": "login"}, 422),
        ("post", f"{API}/{export}/rename", {"name": "   "}, 422),
        ("post", f"{API}/{export}/split", {"feedback_ids": ids["login"][:1]}, 422),
        ("post", f"{API}/{export}/split", {"feedback_ids": "all"}, 422),
        ("post", f"{API}/{export}/items", {"feedback_ids": []}, 422),
        ("post", f"{API}/{export}/items", {"feedback_ids": [987654]}, 422),
        ("post", f"{API}/{export}/create-idea", {"importance": 7}, 422),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (path, body, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["status"] == status and problem["title"] and problem["detail"], problem
    assert (
        "itself"
        in client.post(f"{API}/{export}/merge", json={"into_theme_id": export}, headers=headers).json()[
            "detail"
        ]
    )
    demand = _ok(client.get(f"{API}/{export}/demand", headers=headers))
    assert demand["items"] == 6  # nothing moved

    other = make_world(session)
    foreign = _headers(session, other)
    assert client.get(f"{API}/{export}", headers=foreign).status_code == 404
    assert (
        client.post(f"{API}/{export}/merge", json={"into_theme_id": login}, headers=foreign).status_code
        == 404
    )
    viewer = _headers(session, world, Role.VIEWER)
    assert client.get(f"{API}/{export}", headers=viewer).status_code == 200
    assert (
        client.post(f"{API}/{export}/merge", json={"into_theme_id": login}, headers=viewer).status_code == 403
    )
    read_only = _headers(session, world, scope=TokenScope.READ)
    assert client.post(f"{API}/{export}/pin", json={}, headers=read_only).status_code == 403
    assert client.get(API, headers={}).status_code == 401


def test_api_runs_the_analysis_as_a_background_job(client: TestClient, session: Session) -> None:
    world = make_world(session)
    for text in TOPICS["export"] + TOPICS["pricing"]:
        make_feedback(session, world, text=text)
    headers = _headers(session, world)
    assert _ok(client.get(API, headers=headers))["total"] == 0
    job = _ok(client.post(f"{API}/analyse", headers=headers), 202)
    assert job["kind"] == "feedback.analyse"
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = _ok(client.get(f"/api/v1/jobs/{job['id']}", headers=headers))
    assert job["status"] == "succeeded", job
    assert job["result"]["analysed"] == 12 and job["result"]["themes"] >= 2
    assert _ok(client.get(f"{API}?level=sub", headers=headers))["total"] == job["result"]["themes"]
    viewer = _headers(session, world, Role.VIEWER)
    assert client.post(f"{API}/analyse", headers=viewer).status_code == 403
