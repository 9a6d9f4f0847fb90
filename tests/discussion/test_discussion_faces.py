"""Discussion's faces on both databases: the JSON API (problem details on bad input, another workspace's object
is 404), the thread on each discussable page with its forms (a refused comment keeps its text), the /activity
page with filters, the autocomplete script behind the login, and the CLI."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import Workspace
from northstar.core.permissions import Role
from northstar.discussion import engine, service
from northstar.discussion.schemas import CommentCreate
from northstar.ideas.models import Idea
from tests.factories import PASSWORD, World, make_idea, make_world


def _headers(session: Session, world: World, role: Role = Role.OWNER) -> dict[str, str]:
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate

    _row, secret = accounts.create_token(session, world.actor(role), TokenCreate(name="t", scope="write"))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_comments_edit_delete_follow_and_problems(client: TestClient, session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world, "Bulk edit")
    headers = _headers(session, world, Role.ADMIN)
    base = f"/api/v1/discussion/idea/{idea.id}"
    handles = {m["handle"] for m in client.get("/api/v1/discussion/members", headers=headers).json()}
    viewer = engine.handle_base(world.email(Role.VIEWER))
    assert viewer in handles and len(handles) == len(Role)
    created = client.post(f"{base}/comments", json={"body": f"<b>bold</b> @{viewer}"}, headers=headers)
    assert created.status_code == 201 and created.json()["mentions"] == [viewer]
    comment_id = created.json()["id"]
    empty = client.post(f"{base}/comments", json={"body": "   "}, headers=headers)
    assert empty.status_code == 422 and empty.headers["content-type"].startswith("application/problem+json")
    assert "write something" in empty.json()["detail"]
    assert (
        client.post("/api/v1/discussion/customer/1/comments", json={"body": "x"}, headers=headers).status_code
        == 422
    )
    other = make_world(session)
    assert client.get(base + "/comments", headers=_headers(session, other)).status_code == 404
    edited = client.patch(
        f"/api/v1/discussion/comments/{comment_id}", json={"body": "plain"}, headers=headers
    )
    assert edited.json()["body"] == "plain" and edited.json()["edited_at"]
    assert client.put(f"{base}/follow", headers=headers).json()["following"] is True
    assert client.delete(f"{base}/follow", headers=headers).json()["following"] is False
    sentences = [a["sentence"] for a in client.get(f"{base}/activity", headers=headers).json()]
    assert sentences[0].endswith("edited a comment") and "commented" in sentences[1]
    feed = client.get("/api/v1/activity?object_type=idea&size=1", headers=headers).json()
    assert feed["has_next"] and len(feed["entries"]) == 1
    assert client.delete(f"/api/v1/discussion/comments/{comment_id}", headers=headers).status_code == 204
    assert client.get(base + "/comments", headers=headers).json() == []


def _log_in(client: TestClient, world: World, role: Role = Role.OWNER) -> None:
    client.post("/login", data={"email": world.email(role), "password": PASSWORD, "next": "/"})


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_thread_on_the_idea_page_and_its_forms(client: TestClient, session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world, "Slack alerts")
    service.create_comment(
        session, world.actor(), "idea", idea.id, CommentCreate(body="first <line>\nsecond")
    )
    session.commit()
    assert client.get("/discussion/mentions.js", follow_redirects=False).status_code in (302, 303)
    _log_in(client, world)
    page = client.get(f"/ideas/{idea.id}")
    assert page.status_code == 200 and 'data-testid="discussion"' in page.text
    assert "first &lt;line&gt;<br>second" in page.text and "/discussion/mentions.js" in page.text
    assert "<script>" not in page.text.split('data-testid="discussion"')[1]
    token = _csrf(page.text)
    refused = client.post(f"/discussion/idea/{idea.id}/comments", data={"csrf_token": token, "body": " "})
    assert refused.status_code == 422 and "write something" in refused.text
    long_text = "kept " * 2001
    kept = client.post(f"/discussion/idea/{idea.id}/comments", data={"csrf_token": token, "body": long_text})
    assert kept.status_code == 422 and long_text.strip() in kept.text
    posted = client.post(
        f"/discussion/idea/{idea.id}/comments",
        data={"csrf_token": token, "body": "Shipping next week"},
        follow_redirects=False,
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith(
        f"/ideas/{idea.id}?commented=1#comment-"
    )
    assert "Shipping next week" in client.get(f"/ideas/{idea.id}").text
    script = client.get("/discussion/mentions.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    activity = client.get("/activity?object_type=idea")
    assert activity.status_code == 200 and "commented: Shipping next week" in activity.text
    assert f'href="/ideas/{idea.id}"' in activity.text


def test_cli_comment_members_and_activity(cli: Any, session: Session) -> None:
    from northstar.cli import app

    workspace = session.scalar(select(Workspace).where(Workspace.name == "Acme"))
    assert workspace is not None
    session.add(Idea(workspace_id=workspace.id, title="CLI idea"))
    session.commit()
    idea_id = session.scalar(select(Idea.id).where(Idea.title == "CLI idea"))
    members = cli.invoke(app, ["discussion", "members", "--format", "json"])
    assert members.exit_code == 0 and '"handle": "hop"' in members.output
    said = cli.invoke(app, ["discussion", "comment", "idea", str(idea_id), "Reviewed on the train"])
    assert said.exit_code == 0, said.output
    listed = cli.invoke(app, ["discussion", "comments", "idea", str(idea_id), "--format", "json"])
    assert "Reviewed on the train" in listed.output
    feed = cli.invoke(app, ["discussion", "activity", "--format", "json"])
    assert "Hana commented: Reviewed on the train" in feed.output
    bad = cli.invoke(app, ["discussion", "comment", "idea", str(idea_id), "  "])
    assert bad.exit_code == 2 and "write something" in bad.output
