"""The duplicates review through its faces: API (groups, merge, dismissals, unmerge), the page, the CLI."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis
from northstar.ideas import service as ideas
from northstar.ideas.schemas import LinkRequest
from tests.factories import World, make_customer, make_feedback, make_idea, make_world
from tests.feedback.test_inbox_faces import cli, invoke, login, token  # noqa: F401  (cli is a fixture)


def matched(session: Session, item: Feedback, target: Feedback, embedding: bytes | None = None) -> None:
    """Store ``item`` as the analysis would when it finds ``target`` duplicated."""
    session.add(
        FeedbackAnalysis(
            feedback_id=item.id,
            workspace_id=item.workspace_id,
            text_hash="x" * 40,
            duplicate_of_id=target.id,
            embedding=embedding,
        )
    )


def _pair(session: Session) -> tuple[World, Feedback, Feedback, Feedback]:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", arr=80_000)
    globex = make_customer(session, world, "Globex", arr=20_000)
    first = make_feedback(session, world, "Dark mode please", acme)
    second = make_feedback(session, world, "dark mode, please!", globex)
    third = make_feedback(session, world, "Add a dark theme", None)
    matched(session, second, first)
    matched(session, third, first)
    session.commit()
    return world, first, second, third


def test_api_groups_merge_dismiss_and_unmerge(client: TestClient, session: Session) -> None:
    world, first, second, third = _pair(session)
    idea = make_idea(session, world, "Dark mode")
    ideas.link_feedback(session, world.actor(), idea.id, LinkRequest(feedback_ids=[second.id], importance=3))
    session.commit()
    headers = token(session, world)
    review = client.get("/api/v1/feedback/duplicates", headers=headers).json()
    assert review["total_groups"] == 1 and review["total_items"] == 3
    group = review["groups"][0]
    assert group["lead"]["id"] == first.id
    assert {c["id"] for c in group["candidates"]} == {second.id, third.id}
    assert next(c for c in group["candidates"] if c["id"] == second.id)["exact"] is True

    dismissed = client.post(
        "/api/v1/feedback/duplicates/dismissals",
        json={"first_id": third.id, "second_id": first.id},
        headers=headers,
    )
    assert dismissed.status_code == 201 and dismissed.json()["first_id"] == first.id
    review = client.get("/api/v1/feedback/duplicates", headers=headers).json()
    assert [c["id"] for c in review["groups"][0]["candidates"]] == [second.id]
    assert review["dismissed_pairs"] == 1

    merged = client.post(
        "/api/v1/feedback/duplicates/merge",
        json={"survivor_id": first.id, "feedback_ids": [second.id]},
        headers=headers,
    )
    assert merged.status_code == 200 and merged.json()["links_moved"] == 1
    assert client.get("/api/v1/feedback/duplicates", headers=headers).json()["total_groups"] == 0
    demand = client.get(f"/api/v1/ideas/{idea.id}/demand", headers=headers).json()
    assert (
        demand["total_arr"] == 100_000 and demand["customers"] == 2
    )  # Globex's item was merged, still counts
    assert demand["idea"]["feedback_count"] == 1
    assert client.get(f"/api/v1/feedback/{second.id}", headers=headers).json()["merged_into_id"] == first.id
    assert [i["id"] for i in client.get(f"/api/v1/feedback/{first.id}/merged", headers=headers).json()] == [
        second.id
    ]
    again = client.post(
        "/api/v1/feedback/duplicates/merge",
        json={"survivor_id": first.id, "feedback_ids": [second.id]},
        headers=headers,
    )
    assert again.status_code == 422 and "merged already" in again.json()["detail"]

    back = client.post(f"/api/v1/feedback/{second.id}/unmerge", headers=headers)
    assert back.status_code == 200 and back.json()["merged_into_id"] is None
    restored = client.delete(f"/api/v1/feedback/duplicates/dismissals/{first.id}/{third.id}", headers=headers)
    assert restored.status_code == 204
    assert (
        client.delete(
            f"/api/v1/feedback/duplicates/dismissals/{first.id}/{third.id}", headers=headers
        ).status_code
        == 404
    )
    assert client.get("/api/v1/feedback/duplicates", headers=headers).json()["total_items"] == 3


def test_duplicates_page_merges_and_dismisses(client: TestClient, session: Session) -> None:
    world, first, second, third = _pair(session)
    csrf = login(client, world)
    page = client.get("/feedback/duplicates")
    assert page.status_code == 200
    assert f'data-pair="{first.id}-{second.id}"' in page.text and "same text" in page.text
    assert "Dark mode please" in page.text and "Add a dark theme" in page.text and "Merge all 3" in page.text
    response = client.post(
        "/feedback/duplicates/dismiss",
        data={"csrf_token": csrf, "first_id": str(first.id), "second_id": str(third.id)},
        follow_redirects=False,
    )
    assert response.status_code == 303 and "done=dismiss" in response.headers["location"]
    assert "Add a dark theme" not in client.get("/feedback/duplicates").text
    assert "Add a dark theme" in client.get("/feedback/duplicates", params={"show": "dismissed"}).text
    merged = client.post(
        "/feedback/duplicates/merge",
        data={"csrf_token": csrf, "survivor_id": str(second.id), "feedback_id": [first.id]},
    )
    assert merged.status_code == 200 and "1 item(s) merged" in merged.text
    session.expire_all()
    assert session.get(Feedback, first.id).merged_into_id == second.id  # type: ignore[union-attr]
    forged = client.post(
        "/feedback/duplicates/merge", data={"survivor_id": str(second.id), "feedback_id": [third.id]}
    )
    assert forged.status_code == 403


def test_cli_lists_merges_and_dismisses(cli: CliRunner, session: Session) -> None:  # noqa: F811
    for text in ("Dark mode please", "dark mode, please!", "Add a dark theme"):
        assert invoke("feedback", "add", text).exit_code == 0
    first, second, third = session.scalars(select(Feedback).order_by(Feedback.id)).all()
    matched(session, second, first)
    matched(session, third, first)
    session.commit()
    listed = invoke("feedback", "duplicate-review", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    payload = json.loads(listed.stdout)
    assert payload["groups"] == 1 and {r["feedback_id"] for r in payload["items"]} == {second.id, third.id}
    assert invoke("feedback", "duplicate-review", "dismiss", str(first.id), str(third.id)).exit_code == 0
    merged = invoke(
        "feedback", "duplicate-review", "merge", str(first.id), str(second.id), "--format", "json"
    )
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.stdout)["merged_ids"] == [second.id]
    assert (
        json.loads(invoke("feedback", "duplicate-review", "list", "--format", "json").stdout)["groups"] == 0
    )
    wrong = invoke("feedback", "duplicate-review", "merge", str(first.id), "999999")
    assert wrong.exit_code == 2 and "999999" in wrong.output
    assert invoke("feedback", "duplicate-review", "unmerge", str(second.id)).exit_code == 0
    assert invoke("feedback", "duplicate-review", "restore", str(first.id), str(third.id)).exit_code == 0
    assert (
        json.loads(invoke("feedback", "duplicate-review", "list", "--format", "json").stdout)["groups"] == 1
    )
