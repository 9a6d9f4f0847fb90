"""Every route of the app, enumerated from the router: none answers without authentication, and none
reads or writes another workspace's objects.

Workspace B is filled with the demo company (every module's demo content included), so every id in
1..3 of every table belongs to B. An owner of the empty workspace A then calls every route with those
ids, with a full-power token: nothing may succeed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Route
from tests.factories import make_world

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core import jobs
from northstar.core.permissions import TokenScope
from northstar.demo.seed import seed_demo

#: routes that must answer without a login: the login page, health checks and public assets
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/health"),
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/openapi.json"),
    # The embeddable feedback form is public by design: a product shows it in an iframe to its own users, who have
    # no Northstar login. It answers 404 for an unknown or switched-off key, shows nothing of the workspace but the
    # form's heading, and accepts a post only with a fresh signed form token (tests/feedback/test_embed_form.py).
    ("GET", "/embed/feedback/{form_key}"),
    ("POST", "/embed/feedback/{form_key}"),
    # A roadmap share link is public by design: someone without an account opens it. Its token is signed with the
    # server's secret; a forged, unknown, revoked or expired one answers the same 404 that names nothing, and the
    # page shows idea titles, status, team and month only (tests/reports/test_reports_sharing.py).
    ("GET", "/share/{token}"),
    # A connected service (Zendesk, GitHub, Jira) calls its connection's webhook address without a Northstar login:
    # the call is authenticated by the service's signature over the body, refused unsigned, wrongly signed, stale or
    # replayed, and answers 404 for an unknown address (tests/integrations/test_integrations_faces.py).
    ("POST", "/api/v1/integrations/webhooks/{webhook_key}"),
    # The steps of signing in come before a login by nature: the second factor (it needs the short-lived challenge
    # cookie that a right password sets, tests/accounts/test_two_factor_and_throttle.py) and single sign-on's start
    # and callback (the callback needs the state and browser binding of a sign-in Northstar started,
    # tests/accounts/test_sso.py).
    ("GET", "/login/two-factor"),
    ("POST", "/login/two-factor"),
    ("POST", "/sso/start"),
    ("GET", "/sso/callback"),
    ("GET", "/sso/{slug}"),
    # An invite link is opened by someone without an account yet: the signed token is the capability. A forged,
    # altered or expired token answers 404 and shows nothing; joining needs the login of the invited address
    # (tests/administration/test_administration_service.py, test_settings_pages.py).
    ("GET", "/invite/{token}"),
    ("POST", "/invite/{token}/join"),
    ("POST", "/invite/{token}/sign-up"),
    # The public changelog is for customers without a login: it shows published entries only and answers 404 for an
    # unknown workspace or a draft. Unsubscribing is authorised by the HMAC-signed token in the e-mail's link
    # (tests/changelog/test_changelog.py).
    ("GET", "/updates/{slug}"),
    ("GET", "/updates/{slug}/feed.atom"),
    ("GET", "/updates/{slug}/{entry_id}"),
    ("GET", "/unsubscribe/{token}"),
    ("POST", "/unsubscribe/{token}"),
}
PARAM = re.compile(r"{([^}:]+)(:[^}]+)?}")


def _routes(client: TestClient) -> list[tuple[str, str, Any]]:
    found = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute | Route):
            for method in sorted(route.methods or []):
                if method != "HEAD":
                    found.append((method, route.path, route))
    assert len(found) > 40, "the router should expose the whole application"
    return found


def _fill(path: str, value: str) -> str:
    return PARAM.sub(value, path)


def test_no_route_answers_without_authentication(client: TestClient) -> None:
    checked = 0
    for method, path, _route in _routes(client):
        if (method, path) in PUBLIC:
            continue
        response = client.request(
            method, _fill(path, "1"), follow_redirects=False, json={} if method != "GET" else None
        )
        checked += 1
        location = response.headers.get("location", "")
        redirected_to_login = response.status_code in (302, 303, 307) and location.startswith("/login")
        assert redirected_to_login or response.status_code in (400, 401, 403), (
            f"{method} {path} answered {response.status_code} without authentication"
        )
    assert checked > 40


def test_public_routes_are_only_login_health_and_assets(client: TestClient) -> None:
    assert client.get("/login").status_code == 200
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/static/app.css").status_code == 200


@pytest.mark.slow
def test_no_route_reads_or_writes_another_workspaces_objects(client: TestClient, session: Session) -> None:
    seed_demo(session, seed=3)  # workspace B: every table holds rows with small ids
    session.commit()
    from sqlalchemy import select

    from northstar.accounts.models import Workspace

    b = session.scalar(select(Workspace).where(Workspace.slug == "demo"))
    assert b is not None
    b_actor = accounts.actor_for(session, 1, b.id)
    for _ in range(3):  # ids 1..3 of jobs and tokens belong to B too
        jobs.create_job(session, b_actor, jobs.registered_kinds()[0], {})
        accounts.create_token(session, b_actor, TokenCreate(name="b", scope=TokenScope.READ))
    session.commit()
    world = make_world(session, "Workspace A")
    _row, secret = accounts.create_token(
        session, world.actor(), TokenCreate(name="a", scope=TokenScope.WRITE)
    )
    session.commit()
    client.headers["Authorization"] = f"Bearer {secret}"
    checked = 0
    for method, path, _route in _routes(client):
        if not PARAM.search(path) or not path.startswith("/api/"):
            continue
        for object_id in ("1", "2", "3"):
            response = client.request(method, _fill(path, object_id), json={} if method != "GET" else None)
            checked += 1
            assert response.status_code not in range(200, 300) and response.status_code < 500, (
                f"{method} {_fill(path, object_id)} answered {response.status_code} for another workspace's object: "
                f"{response.text[:200]}"
            )
    assert checked > 20
    # and nothing of B changed hands: its audit log holds only its own records
    from northstar.core.audit import AuditEvent

    foreign = session.scalars(
        select(AuditEvent).where(
            AuditEvent.workspace_id == b.id, AuditEvent.user_id == world.users[next(iter(world.users))].id
        )
    ).all()
    assert foreign == []
