"""The inbox through its three faces: the API list with filters and bulk routes, the page and its bulk forms, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.core.permissions import Role, TokenScope
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackTheme
from northstar.feedback.models.curation import KindOverride, TaxonomyLabel
from northstar.feedback.taxonomy import service as taxonomy_service
from northstar.ideas.models import Idea
from tests.factories import PASSWORD, World, make_customer, make_feedback, make_idea, make_world
from tests.feedback.test_inbox_filters import analysed


def token(session: Session, world: World, scope: TokenScope = TokenScope.WRITE) -> dict[str, str]:
    _row, secret = accounts.create_token(session, world.actor(), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def login(client: TestClient, world: World, role: Role = Role.OWNER) -> str:
    response = client.post(
        "/login", data={"email": world.email(role), "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def _seed(session: Session) -> tuple[World, dict[str, Feedback], FeedbackTheme]:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", arr=120_000, segment="enterprise")
    theme = FeedbackTheme(workspace_id=world.workspace.id, key="t1", name="Exports")
    session.add(theme)
    session.flush()
    items = {
        "crash": make_feedback(session, world, "The export crashes", acme),
        "csv": make_feedback(session, world, "Please add CSV export", acme, "community"),
        "love": make_feedback(session, world, "Love the charts", None, "app_review"),
    }
    analysed(session, items["crash"], "bug", -0.8, theme, 0.91)
    analysed(session, items["csv"], "feature_request", 0.0, theme)
    analysed(session, items["love"], "praise", 0.8, None)
    session.commit()
    return world, items, theme


def test_api_lists_with_filters_and_annotations(client: TestClient, session: Session) -> None:
    world, items, theme = _seed(session)
    headers = token(session, world)
    body = client.get(
        "/api/v1/feedback", params={"kind": "bug", "sentiment": "negative"}, headers=headers
    ).json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == items["crash"].id and item["kind"] == "bug" and item["kind_confidence"] == 0.91
    assert (
        item["sentiment_band"] == "negative"
        and item["theme_name"] == "Exports"
        and item["merged_into_id"] is None
    )
    themed = client.get(
        "/api/v1/feedback", params={"theme_id": theme.id, "q": "export"}, headers=headers
    ).json()
    assert {i["id"] for i in themed["items"]} == {items["crash"].id, items["csv"].id}
    bad = client.get("/api/v1/feedback", params={"sentiment": "angry"}, headers=headers)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    unknown = client.get("/api/v1/feedback", params={"kind": "rant"}, headers=headers)
    assert unknown.status_code == 422 and "unknown kind" in unknown.json()["detail"]


def test_api_bulk_kind_and_delete(client: TestClient, session: Session) -> None:
    world, items, _ = _seed(session)
    headers = token(session, world)
    ids = [items["crash"].id, items["love"].id]
    done = client.post(
        "/api/v1/feedback/bulk/kind", json={"feedback_ids": ids, "kind": "complaint"}, headers=headers
    )
    assert done.status_code == 200 and done.json() == {"changed": 2}
    listed = client.get("/api/v1/feedback", params={"kind": "complaint"}, headers=headers).json()
    assert {i["id"] for i in listed["items"]} == set(ids) and all(
        i["kind_set_by_person"] for i in listed["items"]
    )
    refused = client.post(
        "/api/v1/feedback/bulk/kind", json={"feedback_ids": [999_999], "kind": "bug"}, headers=headers
    )
    assert refused.status_code == 422 and "999999" in refused.json()["detail"]
    empty = client.post("/api/v1/feedback/bulk/delete", json={"feedback_ids": []}, headers=headers)
    assert empty.status_code == 422
    read_only = token(session, world, TokenScope.READ)
    assert (
        client.post("/api/v1/feedback/bulk/delete", json={"feedback_ids": ids}, headers=read_only).status_code
        == 403
    )
    deleted = client.post("/api/v1/feedback/bulk/delete", json={"feedback_ids": ids}, headers=headers)
    assert deleted.json() == {"changed": 2}
    assert client.get("/api/v1/feedback", headers=headers).json()["total"] == 1


def test_inbox_page_shows_kind_sentiment_theme_and_filters(client: TestClient, session: Session) -> None:
    world, items, theme = _seed(session)
    login(client, world)
    page = client.get("/feedback", params={"kind": "bug"})
    assert page.status_code == 200
    assert "The export crashes" in page.text and "Love the charts" not in page.text
    assert "kind-bug" in page.text and "91%" in page.text and "sentiment-negative" in page.text
    assert f'href="?theme_id={theme.id}"' in page.text
    everything = client.get("/feedback", params={"sentiment": "positive", "source": "app_review"})
    assert "Love the charts" in everything.text and "The export crashes" not in everything.text
    one_customer = client.get("/feedback", params={"customer_id": items["crash"].customer_id})
    assert "Customer: Acme" in one_customer.text and "Love the charts" not in one_customer.text


def test_page_bulk_actions_set_kind_label_delete_and_merge(client: TestClient, session: Session) -> None:
    world, items, _ = _seed(session)
    csrf = login(client, world)
    crash, csv, love = items["crash"].id, items["csv"].id, items["love"].id
    back = "kind=bug&evil=https://x.example"
    moved = client.post(
        "/feedback/bulk/kind",
        data={"csrf_token": csrf, "feedback_id": [crash], "set_kind": "complaint", "back": back},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/feedback?kind=bug&done=kind&count=1"
    assert session.get(KindOverride, crash) is not None
    assert (
        client.post("/feedback/bulk/kind", data={"feedback_id": [crash], "set_kind": "bug"}).status_code
        == 403
    )

    category = taxonomy_service.add_category(session, world.actor(), "Exports")
    session.commit()
    labelled = client.post(
        "/feedback/bulk/label",
        data={"csrf_token": csrf, "feedback_id": [crash, csv], "set_category_id": str(category.id)},
    )
    assert labelled.status_code == 200 and "2 item(s) labelled" in labelled.text
    assert {label.feedback_id for label in session.scalars(select(TaxonomyLabel))} == {crash, csv}
    nothing = client.post(
        "/feedback/bulk/label", data={"csrf_token": csrf, "set_category_id": str(category.id)}
    )
    assert nothing.status_code == 422 and "select at least one" in nothing.text

    confirm = client.post("/feedback/bulk/delete", data={"csrf_token": csrf, "feedback_id": [love]})
    assert confirm.status_code == 200 and "Delete 1 item(s)" in confirm.text
    assert session.get(Feedback, love) is not None  # asking deletes nothing
    client.post("/feedback/bulk/delete/confirm", data={"csrf_token": csrf, "feedback_id": [love]})
    session.expire_all()
    assert session.get(Feedback, love) is None

    choose = client.post(
        "/feedback/bulk/merge", data={"csrf_token": csrf, "feedback_id": [crash, csv], "back": ""}
    )
    assert choose.status_code == 200 and 'name="survivor_id"' in choose.text
    merged = client.post(
        "/feedback/duplicates/merge",
        data={"csrf_token": csrf, "survivor_id": str(csv), "feedback_id": [crash, csv], "back": ""},
        follow_redirects=False,
    )
    assert merged.headers["location"] == "/feedback?done=merge&count=1"
    session.expire_all()
    assert session.get(Feedback, crash).merged_into_id == csv  # type: ignore[union-attr]
    inbox = client.get("/feedback")
    assert "The export crashes" not in inbox.text and "+1 merged" in inbox.text


def test_linking_from_the_inbox_still_works(client: TestClient, session: Session) -> None:
    world, items, _ = _seed(session)
    idea = make_idea(session, world, "CSV export")
    csrf = login(client, world)
    response = client.post(
        "/feedback/link",
        data={
            "csrf_token": csrf,
            "feedback_id": [items["csv"].id],
            "idea_id": str(idea.id),
            "importance": "3",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/ideas/{idea.id}"
    session.expire_all()
    assert session.get(Idea, idea.id).feedback_count == 1  # type: ignore[union-attr]


runner = CliRunner()


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    from northstar.cli import app

    result = runner.invoke(
        app,
        [
            "init",
            "--email",
            "hop@example.com",
            "--name",
            "Hana",
            "--password",
            "a-long-password",
            "--workspace",
            "Acme",
        ],
    )
    assert result.exit_code == 0, result.output
    return runner


def invoke(*args: str) -> Any:
    from northstar.cli import app

    return runner.invoke(app, list(args))


def test_cli_lists_with_filters_and_sets_kinds(cli: CliRunner, session: Session) -> None:
    for text in ("The export crashes", "Love the charts"):
        assert invoke("feedback", "add", text).exit_code == 0
    crash, love = session.scalars(select(Feedback).order_by(Feedback.id)).all()
    analysed(session, crash, "bug", -0.8, None)
    analysed(session, love, "praise", 0.9, None)
    session.commit()
    listed = invoke("feedback", "list", "--kind", "bug", "--format", "json")
    assert listed.exit_code == 0, listed.output
    payload = json.loads(listed.stdout)
    assert payload["total"] == 1 and payload["items"][0]["kind"] == "bug"
    assert payload["items"][0]["sentiment_band"] == "negative"
    positive = json.loads(invoke("feedback", "list", "--sentiment", "positive", "--format", "json").stdout)
    assert [i["id"] for i in positive["items"]] == [love.id]
    changed = invoke("feedback", "set-kind", str(love.id), "--kind", "question")
    assert changed.exit_code == 0, changed.output
    questions = json.loads(invoke("feedback", "list", "--kind", "question", "--format", "json").stdout)
    assert [i["id"] for i in questions["items"]] == [love.id]
    bad = invoke("feedback", "list", "--kind", "rant")
    assert bad.exit_code == 2 and "unknown kind" in bad.output
    unconfirmed = invoke("feedback", "delete", str(crash.id))
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    assert invoke("feedback", "delete", str(crash.id), "--yes").exit_code == 0
    assert json.loads(invoke("feedback", "list", "--format", "json").stdout)["total"] == 1


def test_api_and_page_move_items_to_a_theme_and_it_sticks(client: TestClient, session: Session) -> None:
    from northstar.feedback.models.analysis import FeedbackAnalysis
    from northstar.feedback.models.themes import FeedbackThemeLock

    world, items, _theme = _seed(session)
    parent = FeedbackTheme(workspace_id=world.workspace.id, key="p2", name="Delight")
    session.add(parent)
    session.flush()
    charts = FeedbackTheme(workspace_id=world.workspace.id, key="t2", name="Charts", parent_id=parent.id)
    session.add(charts)
    session.commit()
    headers = token(session, world)
    moved = client.post(
        "/api/v1/feedback/bulk/theme",
        json={"feedback_ids": [items["love"].id], "theme_id": charts.id},
        headers=headers,
    )
    assert moved.status_code == 200 and moved.json() == {"changed": 1}
    to_group = client.post(
        "/api/v1/feedback/bulk/theme",
        json={"feedback_ids": [items["love"].id], "theme_id": parent.id},
        headers=headers,
    )
    assert to_group.status_code == 422  # a parent theme holds no items itself
    session.expire_all()
    assert session.get(FeedbackAnalysis, items["love"].id).theme_id == charts.id  # type: ignore[union-attr]
    assert session.get(FeedbackThemeLock, items["love"].id) is not None  # re-analysis keeps it there
    csrf = login(client, world)
    page = client.get("/feedback")
    assert "Delight › Charts" in page.text
    client.post(
        "/feedback/bulk/theme",
        data={"csrf_token": csrf, "feedback_id": [items["csv"].id], "set_theme_id": str(charts.id)},
    )
    assert {
        i["id"]
        for i in client.get("/api/v1/feedback", params={"theme_id": parent.id}, headers=headers).json()[
            "items"
        ]
    } == {
        items["love"].id,
        items["csv"].id,
    }
