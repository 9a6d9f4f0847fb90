"""The JSON API: tokens, scopes, CRUD, problem details, idea demand with ARR counted once per customer."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.factories import make_world

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.permissions import Role, TokenScope


def _token(
    session: Session, world: Any, role: Role = Role.OWNER, scope: TokenScope = TokenScope.WRITE
) -> dict[str, str]:
    if role in (Role.OWNER, Role.ADMIN):
        _row, secret = accounts.create_token(session, world.actor(role), TokenCreate(name="t", scope=scope))
    else:  # tokens are created by admins; issue one for another member directly
        _row, secret = accounts.create_token(
            session, world.actor(Role.OWNER), TokenCreate(name="t", scope=scope)
        )
        _row.user_id = world.users[role].id
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_creates_lists_and_searches_customers(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world)
    for name, arr in [("Acme", 5000), ("Globex", 12000), ("Initech", 300)]:
        response = client.post(
            "/api/v1/customers", json={"name": name, "arr": arr, "segment": "smb"}, headers=headers
        )
        assert response.status_code == 201, response.text
    listing = client.get("/api/v1/customers?sort=-arr", headers=headers).json()
    assert [c["name"] for c in listing["items"]] == ["Globex", "Acme", "Initech"]
    assert listing["total"] == 3
    found = client.get("/api/v1/customers?q=glob", headers=headers).json()
    assert [c["name"] for c in found["items"]] == ["Globex"]
    page_two = client.get("/api/v1/customers?sort=name&per_page=2&page=2", headers=headers).json()
    assert [c["name"] for c in page_two["items"]] == ["Initech"]


def test_idea_demand_counts_each_customers_arr_once(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world)
    acme = client.post(
        "/api/v1/customers", json={"name": "Acme", "arr": 50000, "segment": "enterprise"}, headers=headers
    ).json()
    beta = client.post(
        "/api/v1/customers", json={"name": "Beta", "arr": 2000, "segment": "smb"}, headers=headers
    ).json()
    ids = []
    for customer, text in [(acme, "SSO please"), (acme, "We need SAML"), (beta, "SSO would help")]:
        made = client.post(
            "/api/v1/feedback", json={"text": text, "customer_id": customer["id"]}, headers=headers
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    idea = client.post("/api/v1/ideas", json={"title": "SAML single sign-on"}, headers=headers).json()
    linked = client.post(
        f"/api/v1/ideas/{idea['id']}/feedback", json={"feedback_ids": ids, "importance": 3}, headers=headers
    )
    assert linked.json() == {"linked": 3, "already_linked": 0}
    demand = client.get(f"/api/v1/ideas/{idea['id']}/demand", headers=headers).json()
    assert demand["customers"] == 2
    assert demand["total_arr"] == 52000
    assert demand["arr_by_segment"] == {"enterprise": 50000, "smb": 2000}
    assert client.get(f"/api/v1/ideas/{idea['id']}", headers=headers).json()["feedback_count"] == 3


def test_bad_input_gets_problem_details_not_500(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world)
    response = client.post("/api/v1/feedback", json={"text": "   "}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 422 and body["title"] and "text" in body["detail"]
    assert body["errors"][0]["field"] == "text"
    assert (
        client.post(
            "/api/v1/ideas", content=b"{not json", headers={**headers, "content-type": "application/json"}
        ).status_code
        == 422
    )
    missing = client.get("/api/v1/ideas/999999", headers=headers)
    assert missing.status_code == 404 and missing.json()["type"].endswith("/not-found")
    bad_sort = client.get("/api/v1/customers?sort=password", headers=headers)
    assert bad_sort.status_code == 422 and "cannot sort" in bad_sort.json()["detail"]


def test_status_workflow_rejects_a_jump_from_new_to_shipped(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world)
    idea = client.post("/api/v1/ideas", json={"title": "Export to PDF"}, headers=headers).json()
    jump = client.patch(f"/api/v1/ideas/{idea['id']}", json={"status": "shipped"}, headers=headers)
    assert jump.status_code == 422 and "cannot move from new to shipped" in jump.json()["detail"]
    step = client.patch(f"/api/v1/ideas/{idea['id']}", json={"status": "planned"}, headers=headers)
    assert step.status_code == 200 and step.json()["status"] == "planned"


def test_read_scoped_token_cannot_write_and_ingest_token_only_ingests(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    read = _token(session, world, scope=TokenScope.READ)
    ingest = _token(session, world, scope=TokenScope.INGEST)
    assert client.get("/api/v1/customers", headers=read).status_code == 200
    denied = client.post("/api/v1/customers", json={"name": "X"}, headers=read)
    assert denied.status_code == 403 and denied.json()["type"].endswith("/permission-denied")
    assert client.get("/api/v1/customers", headers=ingest).status_code == 403


def test_viewer_role_may_read_but_not_create_ideas(client: TestClient, session: Session) -> None:
    world = make_world(session)
    viewer = _token(session, world, role=Role.VIEWER)
    assert client.get("/api/v1/ideas", headers=viewer).status_code == 200
    assert client.post("/api/v1/ideas", json={"title": "x"}, headers=viewer).status_code == 403


def test_token_secret_is_shown_once_and_stored_hashed(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world)
    made = client.post("/api/v1/tokens", json={"name": "ci", "scope": "read"}, headers=headers)
    assert made.status_code == 201
    secret = made.json()["token"]
    assert secret.startswith("nsk_")
    listed = client.get("/api/v1/tokens", headers=headers).json()
    assert all("token" not in t for t in listed)
    from northstar.accounts.models import ApiToken

    stored = session.query(ApiToken).filter_by(name="ci").one()
    assert secret not in stored.token_hash and len(stored.token_hash) == 64
    revoked = client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=headers)
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_every_write_leaves_an_audit_record(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world)
    customer = client.post("/api/v1/customers", json={"name": "Acme"}, headers=headers).json()
    client.patch(f"/api/v1/customers/{customer['id']}", json={"arr": 10}, headers=headers)
    client.delete(f"/api/v1/customers/{customer['id']}", headers=headers)
    events = client.get("/api/v1/audit", headers=headers).json()
    actions = [(e["action"], e["object_type"]) for e in events if e["object_type"] == "customer"]
    assert actions == [("delete", "customer"), ("update", "customer"), ("create", "customer")]
    assert events[1]["changes"] == {"arr": 10.0}
