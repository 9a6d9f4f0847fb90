"""Shareable roadmap links on both databases, through the real application: a link opens logged out and shows
titles, status, team and expected month but no costs or notes; revoked, expired, forged and unknown links all
answer the same 404 that names nothing; creating, opening and revoking are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.audit import AuditEvent
from northstar.core.errors import NotFound, PermissionDenied
from northstar.core.permissions import Role
from northstar.reports import sharing
from northstar.reports.schemas import ShareLinkCreate
from tests.factories import PASSWORD
from tests.reports.company import make_company

SECRET = "test-secret"  # the app_settings fixture's secret key


def _log_in(client: TestClient, email: str) -> str:
    response = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    page = client.get("/reports/share-links")
    marker = 'name="csrf_token" value="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


def test_share_link_opens_logged_out_then_404s_once_revoked(client: TestClient, session: Session) -> None:
    company = make_company(session, "Northwind Labs")
    csrf = _log_in(client, company.world.email(Role.HEAD_OF_PRODUCT))
    made = client.post(
        "/reports/share-links",
        data={
            "csrf_token": csrf,
            "label": "Board",
            "expires_in_days": "14",
            "statuses": ["planned", "in_progress"],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    listing = client.get("/api/v1/share-links").json()
    assert len(listing) == 1 and listing[0]["state"] == "active"
    assert listing[0]["created_by_name"] == company.world.users[Role.HEAD_OF_PRODUCT].name
    path = listing[0]["path"]

    client.cookies.clear()
    shared = client.get(path)
    assert shared.status_code == 200
    text = shared.text
    assert "Roadmap of Northwind Labs" in text and "SSO enforcement" in text and "Dark mode" in text
    assert "December 2026" in text, "expected month from the P85 date"
    assert "Internal cost model" not in text, "a new idea is not on the roadmap"
    for secret in ("123456", "123,456", "margin 41", "Secret internal note"):
        assert secret not in text
    assert "Log out" not in text and "/budget" not in text, "no navigation for someone without an account"

    csrf = _log_in(client, company.world.email(Role.HEAD_OF_PRODUCT))
    link_id = listing[0]["id"]
    revoked = client.post(
        f"/reports/share-links/{link_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    client.cookies.clear()
    gone = client.get(path)
    assert gone.status_code == 404
    assert "Northwind" not in gone.text and "SSO" not in gone.text and "revoked" not in gone.text.lower()
    forged = client.get(path[:-3] + "abc")
    assert forged.status_code == 404 and "Northwind" not in forged.text
    assert client.get("/share/not-a-token").status_code == 404

    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "share_link").order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "open", "revoke"]


def test_expired_and_forged_links_answer_the_same_not_found(session: Session) -> None:
    company = make_company(session)
    actor = company.world.actor()
    now = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    link = sharing.create_link(
        session, actor, SECRET, ShareLinkCreate(label="Investors", expires_in_days=1), now
    )
    assert link.path is not None
    token = link.path.removeprefix("/share/")
    opened = sharing.open_shared_roadmap(session, SECRET, token, now + dt.timedelta(hours=23))
    assert [i.title for i in opened.ideas] == ["SSO enforcement", "Audit log export", "Dark mode"]
    details = set()
    for secret, when, why in (  # each reason gets the same answer
        (SECRET, now + dt.timedelta(days=1, seconds=1), "expired"),
        ("another-secret", now, "signed with another key"),
    ):
        with pytest.raises(NotFound) as failure:
            sharing.open_shared_roadmap(session, secret, token, when)
        assert failure.value.status == 404, why
        details.add(failure.value.detail)
    assert details == {sharing.GONE}
    listed = sharing.list_links(session, actor, SECRET, now + dt.timedelta(days=2))
    assert listed[0].state == "expired" and listed[0].path is None and listed[0].opened_count == 1
    with pytest.raises(PermissionDenied):
        sharing.create_link(
            session, company.world.actor(Role.CONTRIBUTOR), SECRET, ShareLinkCreate(label="x")
        )


def test_api_refuses_bad_input_with_problem_details(client: TestClient, session: Session) -> None:
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate

    company = make_company(session)
    _token, secret = accounts.create_token(
        session, company.world.actor(), TokenCreate(name="ci", scope="write")
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    month = client.post("/api/v1/reports/board", json={"period": "2026-11"}, headers=headers)
    assert month.status_code == 422 and month.headers["content-type"].startswith("application/problem+json")
    assert month.json()["errors"][0]["field"] == "period"
    too_long = client.post(
        "/api/v1/share-links", json={"label": "x", "expires_in_days": 999}, headers=headers
    )
    assert too_long.status_code == 422
    assert client.get("/api/v1/reports/999999", headers=headers).status_code == 404
    brief = client.post("/api/v1/reports/briefs", headers=headers).json()
    assert brief["status"] == "draft"
    sent = client.post(f"/api/v1/reports/{brief['id']}/send", headers=headers)
    assert sent.status_code == 200 and sent.json()["status"] == "issued"
    again = client.put(f"/api/v1/reports/{brief['id']}/note", json={"note": "late"}, headers=headers)
    assert again.status_code == 409
    assert client.get("/api/v1/reports", headers=headers).json()[0]["id"] == brief["id"]
