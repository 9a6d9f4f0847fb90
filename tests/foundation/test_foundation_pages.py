"""Pages as a user sees them: login and logout, CSRF on forms, the two-step CSV import with a job."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.factories import PASSWORD, World, make_customer, make_world

from northstar.core.permissions import Role
from northstar.feedback.models import Feedback


def _login(client: TestClient, world: World, role: Role = Role.OWNER) -> str:
    response = client.post(
        "/login", data={"email": world.email(role), "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_wrong_password_is_refused_and_logout_ends_the_session(client: TestClient, session: Session) -> None:
    world = make_world(session)
    bad = client.post(
        "/login", data={"email": world.email(), "password": "nope-nope"}, follow_redirects=False
    )
    assert bad.status_code == 401 and "wrong e-mail or password" in bad.text
    csrf = _login(client, world)
    assert client.get("/ideas").status_code == 200
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/ideas", follow_redirects=False).status_code == 303


def test_form_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    world = make_world(session)
    _login(client, world)
    refused = client.post("/ideas", data={"title": "Sneaky"})
    assert refused.status_code == 403
    assert "security token" in refused.text


def test_open_redirect_after_login_is_prevented(client: TestClient, session: Session) -> None:
    world = make_world(session)
    response = client.post(
        "/login",
        data={"email": world.email(), "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_csv_import_in_the_web_maps_columns_and_runs_as_a_job(client: TestClient, session: Session) -> None:
    world = make_world(session)
    make_customer(session, world, "Acme", external_id="A-1")
    csrf = _login(client, world)
    csv = b"Comment,Account,Stars\nLove the new charts,A-1,5\nExports time out,A-1,2\n"
    mapping_page = client.post(
        "/feedback/import/map", data={"csrf_token": csrf}, files={"file": ("reviews.csv", csv, "text/csv")}
    )
    assert mapping_page.status_code == 200 and "has 2 rows" in mapping_page.text
    token = re.search(r'name="token" value="([^"]+)"', mapping_page.text)
    assert token
    started = client.post(
        "/feedback/import/start",
        data={
            "csrf_token": csrf,
            "token": token.group(1),
            "filename": "reviews.csv",
            "map:comment": "text",
            "map:account": "customer_external_id",
            "map:stars": "rating",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job_id = started.headers["location"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 30
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert job["status"] == "succeeded", job
    assert job["result"]["created"] == 2
    assert "progress" in client.get(f"/jobs/{job_id}").text
    session.expire_all()
    texts = sorted(session.scalars(select(Feedback.text)))
    assert texts == ["Exports time out", "Love the new charts"]


def test_every_page_renders_for_a_viewer(client: TestClient, session: Session) -> None:
    world = make_world(session)
    customer = make_customer(session, world, "Acme")
    _login(client, world, Role.VIEWER)
    for path in [
        "/",
        "/customers",
        f"/customers/{customer.id}",
        "/feedback",
        "/ideas",
        "/objectives",
        "/teams",
        "/feedback/import",
        "/customers/import",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Northstar" in response.text
