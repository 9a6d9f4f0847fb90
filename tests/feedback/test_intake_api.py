"""The intake API: an ``ingest`` token stores feedback (a read token gets 403), customers are matched by external id
or e-mail domain, re-sending an external id updates, and limits answer clear 4xx problems."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.permissions import TokenScope
from northstar.customers.models import Customer
from northstar.feedback.importers.limits import RateLimiter
from northstar.feedback.intake import api as intake_api
from northstar.feedback.models import Feedback
from tests.factories import World, make_customer, make_world

URL = "/api/v1/feedback/intake"


def token(session: Session, world: World, scope: TokenScope) -> dict[str, str]:
    _row, secret = accounts.create_token(session, world.actor(), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def count(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(Feedback)) or 0)


def test_ingest_token_stores_feedback_and_read_token_is_refused(client: TestClient, session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", domain="acme.io")
    ingest = token(session, world, TokenScope.INGEST)
    created = client.post(URL, json={"text": "Exports time out", "email": "jo@acme.io"}, headers=ingest)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "created" and body["customer_id"] == acme.id and body["contact_id"] is not None
    item = session.get(Feedback, body["id"])
    assert item is not None and item.source == "api" and item.customer_id == acme.id
    reader = token(session, world, TokenScope.READ)
    refused = client.post(URL, json={"text": "Sneaky"}, headers=reader)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert client.post(URL, json={"text": "Anonymous"}).status_code == 401
    assert count(session) == 1


def test_resending_an_external_id_updates_the_item(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = token(session, world, TokenScope.INGEST)
    item = {"text": "Dark mode please", "external_id": "msg-1", "source": "in_app", "rating": 3}
    first = client.post(URL, json=item, headers=headers)
    again = client.post(URL, json={**item, "text": "Dark mode please, soon"}, headers=headers)
    same = client.post(URL, json={**item, "text": "Dark mode please, soon"}, headers=headers)
    assert (first.status_code, again.status_code, same.status_code) == (201, 200, 200)
    assert again.json()["id"] == first.json()["id"]
    assert (again.json()["status"], same.json()["status"]) == ("updated", "unchanged")
    assert count(session) == 1
    assert session.scalar(select(Feedback.text)) == "Dark mode please, soon"


def test_customers_by_external_id_are_matched_or_created_but_never_from_a_domain_alone(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", external_id="crm-1")
    headers = token(session, world, TokenScope.INGEST)
    batch = {
        "items": [
            {"text": "One", "customer_external_id": "crm-1", "external_id": "a"},
            {"text": "Two", "customer_external_id": "crm-2", "customer_name": "Beta Ltd", "external_id": "b"},
            {"text": "Three", "customer_external_id": "crm-2", "external_id": "c"},
            {"text": "Four", "email": "kim@unknown.org", "external_id": "d"},
        ]
    }
    response = client.post(f"{URL}/batch", json=batch, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["created"] == 4
    owners = [i["customer_id"] for i in body["items"]]
    beta = session.scalar(select(Customer).where(Customer.external_id == "crm-2"))
    assert beta is not None and beta.name == "Beta Ltd"
    assert owners == [acme.id, beta.id, beta.id, None]
    assert session.scalar(select(func.count()).select_from(Customer)) == 2


def test_an_invalid_item_refuses_the_whole_batch_naming_it(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = token(session, world, TokenScope.INGEST)
    batch = {"items": [{"text": "Fine"}, {"text": "   "}, {"text": "Odd", "source": "pigeon"}]}
    response = client.post(f"{URL}/batch", json=batch, headers=headers)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"items.1.text", "items.2.source"} <= fields
    assert count(session) == 0
    for bad in (b"{not json", b"[]", b'{"text": "x", "unknown": 1}'):
        problem = client.post(URL, content=bad, headers={**headers, "content-type": "application/json"})
        assert problem.status_code == 422 and problem.json()["type"].endswith("validation-failed")
    too_many = {"items": [{"text": f"n{n}"} for n in range(501)]}
    assert client.post(f"{URL}/batch", json=too_many, headers=headers).status_code == 422


def test_size_and_rate_limits_answer_413_and_429(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = token(session, world, TokenScope.INGEST)
    huge = {"text": "x" * (intake_api.MAX_ITEM_BYTES + 10)}
    too_big = client.post(URL, json=huge, headers=headers)
    assert too_big.status_code == 413 and too_big.json()["status"] == 413
    client.app.state.rate_limiter_feedback_intake = RateLimiter(limit=2, window=60)  # type: ignore[attr-defined]
    assert client.post(URL, json={"text": "a"}, headers=headers).status_code == 201
    assert client.post(URL, json={"text": "b"}, headers=headers).status_code == 201
    limited = client.post(URL, json={"text": "c"}, headers=headers)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1 and limited.json()["type"].endswith("rate-limited")
    other = token(session, make_world(session), TokenScope.INGEST)  # another token has its own budget
    assert client.post(URL, json={"text": "d"}, headers=other).status_code == 201
    assert count(session) == 3


def test_rate_limiter_slides_its_window() -> None:
    limiter = RateLimiter(limit=2, window=10)
    assert limiter.hit("k", now=0) is None and limiter.hit("k", now=1) is None
    assert limiter.hit("k", now=5) == 5  # the first hit leaves the window at t=10
    assert limiter.hit("k", now=10.5) is None
