"""The faces of notifications and the changelog on both databases: the JSON API (RFC 9457 problems for an unknown
event or mode and a malformed webhook URL), starting the delivery job, and the CLI (`notifications send-pending`
to a real SMTP server, `changelog draft --idea N` and `publish N`, a one-line error and exit 2 for bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.core.permissions import Role, TokenScope
from northstar.notifications import service
from tests.factories import World, make_idea, make_world
from tests.notifications.servers import SmtpServer


def _headers(
    session: Session, world: World, role: Role = Role.OWNER, scope: TokenScope = TokenScope.WRITE
) -> dict[str, str]:
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate

    _row, secret = accounts.create_token(session, world.actor(role), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_lists_marks_read_and_refuses_bad_preferences(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _headers(session, world, Role.ADMIN)
    service.notify(session, world.workspace.id, "mention", [world.users[Role.ADMIN].id], "Ana mentioned you")
    session.commit()
    listing = client.get("/api/v1/notifications", headers=headers).json()
    assert listing["unread"] == 1 and listing["items"][0]["title"] == "Ana mentioned you"
    marked = client.post(f"/api/v1/notifications/{listing['items'][0]['id']}/read", headers=headers)
    assert marked.status_code == 200 and marked.json()["read_at"]
    assert client.get("/api/v1/notifications?unread=true", headers=headers).json()["items"] == []
    bad = client.patch(
        "/api/v1/notifications/preferences",
        json={
            "slack_webhook_url": "ftp://hooks.slack.com/x",
            "events": {"mention": "weekly", "party": "off"},
        },
        headers=headers,
    )
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"slack_webhook_url", "events.mention", "events.party"}
    good = client.patch(
        "/api/v1/notifications/preferences", json={"events": {"mention": "daily"}}, headers=headers
    )
    assert good.status_code == 200
    assert {e["event"]: e["mode"] for e in good.json()["events"]}["mention"] == "daily"
    reader = _headers(session, world, Role.OWNER, TokenScope.READ)
    assert client.get("/api/v1/notifications/outbox", headers=reader).status_code == 403, "it holds addresses"


def test_api_starts_the_delivery_job(client: TestClient, session: Session) -> None:
    world = make_world(session)
    started = client.post("/api/v1/notifications/deliver", headers=_headers(session, world))
    assert started.status_code == 202 and started.json()["kind"] == "notifications.deliver"
    outbox = client.get("/api/v1/notifications/outbox", headers=_headers(session, world))
    assert outbox.status_code == 200 and outbox.json() == []


def test_api_changelog_draft_of_an_unshipped_idea_is_a_problem(client: TestClient, session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world)
    refused = client.post(
        "/api/v1/changelog/draft", json={"idea_id": idea.id}, headers=_headers(session, world)
    )
    assert refused.status_code == 422 and "only a shipped idea" in refused.json()["detail"]


def test_cli_draft_publish_and_send_pending_to_a_real_smtp_server(
    database_url: str, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer
) -> None:
    from typer.testing import CliRunner

    from northstar.cli import app
    from northstar.feedback import service as feedback
    from northstar.feedback.schemas import FeedbackCreate
    from northstar.ideas import service as ideas
    from northstar.ideas.schemas import IdeaUpdate, LinkRequest

    world = make_world(session)
    idea = make_idea(session, world, "Slack alerts")
    item = feedback.create_feedback(
        session, world.actor(), FeedbackCreate(text="Alert us in Slack", contact_email="cy@umbrella.example")
    )
    ideas.link_feedback(session, world.actor(), idea.id, LinkRequest(feedback_ids=[item.id]))
    session.commit()
    for key, value in {
        "NORTHSTAR_DATABASE_URL": database_url,
        "NORTHSTAR_HOME": str(tmp_path),
        "NORTHSTAR_SMTP_HOST": "127.0.0.1",
        "NORTHSTAR_SMTP_PORT": str(smtp.port),
        "NORTHSTAR_SMTP_TLS": "none",
        "NORTHSTAR_SMTP_FROM": "Umbrella product <product@umbrella.example>",
        "NORTHSTAR_PUBLIC_URL": "https://northstar.umbrella.example",
        "NORTHSTAR_SECRET_KEY": "cli-secret",
    }.items():
        monkeypatch.setenv(key, value)
    ws = ["--workspace", world.workspace.slug]
    runner = CliRunner()
    early = runner.invoke(app, ["changelog", "draft", "--idea", str(idea.id), *ws])
    assert early.exit_code == 2 and "only a shipped idea" in early.output and "Traceback" not in early.output
    for status in ("planned", "in_progress", "shipped"):
        ideas.update_idea(session, world.actor(), idea.id, IdeaUpdate(status=status))
    session.commit()
    drafted = runner.invoke(app, ["changelog", "draft", "--idea", str(idea.id), *ws, "--format", "json"])
    assert drafted.exit_code == 0, drafted.output
    entry_id = json.loads(drafted.output)["id"]
    published = runner.invoke(app, ["changelog", "publish", str(entry_id), *ws, "--format", "json"])
    assert published.exit_code == 0, published.output
    assert json.loads(published.output)["told"] == 1
    sent = runner.invoke(app, ["notifications", "send-pending", "--format", "json"])
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.output)["sent"] == 1 + 6, "the contact, and three status changes to two leaders"
    mail = next(m for m in smtp.messages if m["To"] == "cy@umbrella.example")
    assert mail["From"] == "Umbrella product <product@umbrella.example>"
    assert "https://northstar.umbrella.example/unsubscribe/" in mail.get_payload()
    again = runner.invoke(app, ["notifications", "send-pending", "--format", "json"])
    assert json.loads(again.output)["sent"] == 0 and len(smtp.messages) == 7
    missing = runner.invoke(app, ["changelog", "publish", "999", *ws])
    assert missing.exit_code == 2 and len(missing.output.strip().splitlines()) == 1
