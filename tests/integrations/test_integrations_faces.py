"""The faces over the fakes, on both databases: the API never sends a credential back and answers bad input with
RFC 9457 problems; each service's webhooks are verified, answered at once with 202 and queued, and refused when
unsigned, wrongly signed, stale or replayed; the CLI adds, tests, syncs and reports; the pages render the runs."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.errors import PermissionDenied
from northstar.core.permissions import Role, TokenScope
from northstar.feedback.models import Feedback
from northstar.ideas.models import Idea
from northstar.integrations import service
from northstar.integrations.models import IssueLink, SyncRun, WebhookDelivery
from tests.factories import World
from tests.integrations.conftest import HOOK_SECRET
from tests.integrations.fakes import (
    GITHUB_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    ZENDESK_EMAIL,
    ZENDESK_TOKEN,
    FakeServices,
    State,
    github_headers,
    jira_headers,
    zendesk_headers,
)


def _api(client: TestClient, session: Session, world: World, role: Role = Role.OWNER) -> TestClient:
    _row, token = accounts.create_token(
        session, world.actor(role), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    session.commit()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _add(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/integrations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _wait(session: Session, model: Any, count: int, **where: Any) -> list[Any]:
    deadline = time.monotonic() + 15
    while True:
        session.expire_all()
        rows = list(session.scalars(select(model).filter_by(**where)))
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_api_stores_credentials_without_ever_answering_them_and_refuses_bad_input(
    client: TestClient, session: Session, world: World, fakes: FakeServices
) -> None:
    api = _api(client, session, world)
    created = _add(
        api,
        {
            "service": "zendesk",
            "name": "Support",
            "config": {"base_url": fakes.url, "email": ZENDESK_EMAIL},
            "credentials": {"api_token": ZENDESK_TOKEN},
        },
    )
    assert created["credential_names"] == ["api_token"] and ZENDESK_TOKEN not in json.dumps(created)
    detail = api.get(f"/api/v1/integrations/{created['id']}")
    assert (
        ZENDESK_TOKEN not in detail.text
        and api.post(f"/api/v1/integrations/{created['id']}/test").json()["ok"]
    )
    bad = api.post(
        "/api/v1/integrations", json={"service": "zendesk", "name": "x", "config": {"base_url": "ftp://x"}}
    )
    problem = bad.json()
    assert bad.status_code == 422 and problem["type"].endswith("/validation-failed")
    assert {e["field"] for e in problem["errors"]} == {
        "config.base_url",
        "config.email",
        "credentials.api_token",
    }
    assert api.post("/api/v1/integrations", json={"service": "salesforce", "name": "x"}).status_code == 422
    with pytest.raises(PermissionDenied):
        service.check_can_sync(session, world.actor(Role.PRODUCT_MANAGER), created["id"])


def test_zendesk_webhook_is_verified_queued_and_syncs_while_replays_and_stale_or_unsigned_calls_are_refused(
    client: TestClient, session: Session, world: World, fakes: FakeServices, fake: State
) -> None:
    fake.add_ticket("Export", "Export to CSV please", org="Globex")
    api = _api(client, session, world)
    created = _add(
        api,
        {
            "service": "zendesk",
            "name": "Support",
            "config": {"base_url": fakes.url, "email": ZENDESK_EMAIL},
            "credentials": {"api_token": ZENDESK_TOKEN, "webhook_secret": HOOK_SECRET},
        },
    )
    client.headers.pop("Authorization")
    path = created["webhook_path"]
    body = json.dumps({"ticket_id": 1, "event": "ticket.updated"}).encode()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    first = client.post(path, content=body, headers=zendesk_headers(HOOK_SECRET, body, now, "inv-1"))
    assert first.status_code == 202, first.text
    runs = _wait(session, SyncRun, 1, status="succeeded")
    assert [(r.mode, r.created) for r in runs] == [("webhook", 1)]
    assert len(_wait(session, WebhookDelivery, 1, status="processed")) == 1
    replay = client.post(path, content=body, headers=zendesk_headers(HOOK_SECRET, body, now, "inv-1"))
    assert replay.status_code == 409 and "already received" in replay.json()["detail"]
    old = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stale = client.post(path, content=body, headers=zendesk_headers(HOOK_SECRET, body, old, "inv-2"))
    assert stale.status_code == 401 and "old" in stale.json()["detail"]
    forged = client.post(path, content=body, headers=zendesk_headers("guess", body, now, "inv-3"))
    assert forged.status_code == 401 and "does not match" in forged.json()["detail"]
    unsigned = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401 and unsigned.json()["type"].endswith("/webhook-refused")
    assert client.post("/api/v1/integrations/webhooks/nope", content=body).status_code == 404
    session.expire_all()
    assert len(session.scalars(select(WebhookDelivery)).all()) == 1


def test_github_webhook_brings_a_labelled_issue_in_and_jira_webhook_ships_a_linked_idea(
    client: TestClient, session: Session, world: World, fakes: FakeServices, fake: State
) -> None:
    api = _api(client, session, world)
    github = _add(
        api,
        {
            "service": "github",
            "name": "App",
            "config": {"base_url": fakes.url, "repository": "acme/app", "labels": "feedback"},
            "credentials": {"token": GITHUB_TOKEN, "webhook_secret": HOOK_SECRET},
        },
    )
    jira = _add(
        api,
        {
            "service": "jira",
            "name": "Roadmap",
            "config": {"base_url": fakes.url, "email": JIRA_EMAIL, "project": "PROD"},
            "credentials": {"api_token": JIRA_TOKEN, "webhook_secret": HOOK_SECRET},
        },
    )
    idea = api.post("/api/v1/ideas", json={"title": "Offline mode", "status": "in_progress"}).json()
    link = api.post(f"/api/v1/integrations/{jira['id']}/links", json={"idea_id": idea["id"]})
    assert link.status_code == 201 and link.json()["issue_key"] == "PROD-1"
    client.headers.pop("Authorization")

    issue = fake.add_issue("Bulk edit", "Edit many rows at once", ["feedback"])
    body = json.dumps({"action": "opened", "issue": issue, "repository": {"full_name": "acme/app"}}).encode()
    answer = client.post(
        github["webhook_path"], content=body, headers=github_headers(HOOK_SECRET, body, "d-1")
    )
    assert answer.status_code == 202
    items = _wait(session, Feedback, 1)
    assert [i.external_ref for i in items] == ["github:acme/app#1"]
    again = client.post(
        github["webhook_path"], content=body, headers=github_headers(HOOK_SECRET, body, "d-1")
    )
    assert again.status_code == 409
    no_id = github_headers(HOOK_SECRET, body, "")
    assert client.post(github["webhook_path"], content=body, headers=no_id).status_code == 401

    done = fake.move_jira("PROD-1", "Done", "done", version="2026.4")
    stamp = int(datetime.now(UTC).timestamp() * 1000)
    body = json.dumps({"timestamp": stamp, "webhookEvent": "jira:issue_updated", "issue": done}).encode()
    assert (
        client.post(
            jira["webhook_path"], content=body, headers=jira_headers(HOOK_SECRET, body, "w-1")
        ).status_code
        == 202
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        session.expire_all()
        shipped = session.get(Idea, idea["id"])
        if shipped is not None and shipped.status == "shipped":
            break
        time.sleep(0.05)
    assert shipped is not None and (shipped.status, shipped.inputs.get("fix_version")) == (
        "shipped",
        "2026.4",
    )
    old = json.dumps(
        {"timestamp": stamp - 600_000, "webhookEvent": "jira:issue_updated", "issue": done}
    ).encode()
    assert (
        client.post(
            jira["webhook_path"], content=old, headers=jira_headers(HOOK_SECRET, old, "w-2")
        ).status_code
        == 401
    )
    assert session.scalars(select(IssueLink)).one().issue_status == "Done"


def test_cli_adds_tests_syncs_and_reports_with_credentials_from_the_environment(
    cli: Any, fakes: FakeServices, fake: State, monkeypatch: pytest.MonkeyPatch
) -> None:
    from northstar.cli import app

    for n in range(3):
        fake.add_ticket(f"Ticket {n}", f"Feedback number {n}", org="Globex")
    monkeypatch.setenv("NORTHSTAR_ZENDESK_API_TOKEN", ZENDESK_TOKEN)
    added = cli.invoke(
        app,
        [
            "integrations",
            "add",
            "zendesk",
            "--name",
            "Support",
            "--set",
            f"base_url={fakes.url}",
            "--set",
            f"email={ZENDESK_EMAIL}",
            "--format",
            "json",
        ],
    )
    assert added.exit_code == 0, added.output
    assert ZENDESK_TOKEN not in added.output and json.loads(added.output)["credential_names"] == ["api_token"]
    tested = cli.invoke(app, ["integrations", "test", "1"])
    assert tested.exit_code == 0 and "signed in to Zendesk as Ada Agent" in tested.output
    synced = cli.invoke(app, ["integrations", "sync", "1", "--format", "json"])
    assert synced.exit_code == 0, synced.output
    assert (json.loads(synced.output)["created"], json.loads(synced.output)["pages"]) == (3, 2)
    status = cli.invoke(app, ["integrations", "status", "--format", "json"])
    assert json.loads(status.output)[0]["last_run"] == "succeeded: 3 new, 0 updated"
    bad = cli.invoke(app, ["integrations", "add", "zendesk", "--name", "x", "--set", "base_url"])
    assert bad.exit_code == 2 and "name=value" in bad.output
    missing = cli.invoke(app, ["integrations", "sync", "9"])
    assert missing.exit_code == 2 and "no connection 9" in missing.output


def test_pages_list_connections_and_show_a_connections_runs(
    client: TestClient, session: Session, world: World, fakes: FakeServices, fake: State
) -> None:
    fake.add_ticket("Export", "Export to CSV please", org="Globex")
    client.post("/login", data={"email": world.email(), "password": "correct horse battery"})
    listing = client.get("/integrations")
    assert listing.status_code == 200 and "No connections yet" in listing.text
    form = client.get("/integrations/new/zendesk")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post(
        "/integrations/new/zendesk",
        data={
            "csrf_token": token,
            "name": "Support",
            "base_url": fakes.url,
            "email": "",
            "api_token": ZENDESK_TOKEN,
        },
    )
    assert (
        refused.status_code == 422
        and "Agent e-mail is required" in refused.text
        and ZENDESK_TOKEN not in refused.text
    )
    saved = client.post(
        "/integrations/new/zendesk",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "name": "Support",
            "base_url": fakes.url,
            "email": ZENDESK_EMAIL,
            "api_token": ZENDESK_TOKEN,
        },
    )
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert page.status_code == 200 and "No sync has run yet" in page.text and "set (hidden)" in page.text
    started = client.post(
        saved.headers["location"].split("?")[0] + "/sync", data={"csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    _wait(session, SyncRun, 1, status="succeeded")
    page = client.get(saved.headers["location"].split("?")[0])
    runs = page.text.split('data-testid="runs"')[1]
    assert "succeeded" in runs.lower() and ZENDESK_TOKEN not in page.text
