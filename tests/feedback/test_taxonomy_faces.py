"""The taxonomy through its faces: API (categories, labels, train job, overview, predictions), page, CLI."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.feedback.models import Feedback
from northstar.feedback.models.curation import TaxonomyLabel
from northstar.feedback.taxonomy import service as taxonomy_service
from tests.factories import make_feedback, make_world
from tests.feedback.analysis_support import TOPICS
from tests.feedback.test_inbox_faces import cli, invoke, login, token  # noqa: F401  (cli is a fixture)


def _wait(client: TestClient, job_id: int, headers: dict[str, str] | None = None) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers or {}).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_api_categories_labels_training_and_predictions(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = token(session, world)
    ids = {
        topic: [make_feedback(session, world, text=t).id for t in texts] for topic, texts in TOPICS.items()
    }
    for topic in TOPICS:
        created = client.post(
            "/api/v1/feedback/taxonomy/categories", json={"name": topic.title()}, headers=headers
        )
        assert created.status_code == 201
    taken = client.post("/api/v1/feedback/taxonomy/categories", json={"name": "LOGIN"}, headers=headers)
    assert taken.status_code == 409
    early = client.post("/api/v1/feedback/taxonomy/train", headers=headers)
    assert early.status_code == 422 and "at least two categories" in early.json()["detail"]
    for topic in TOPICS:
        labelled = client.post(
            "/api/v1/feedback/taxonomy/labels",
            json={"feedback_ids": ids[topic][:3], "category": topic.upper()},
            headers=headers,
        )
        assert labelled.status_code == 200 and labelled.json() == {"changed": 3}
    unknown = client.post(
        "/api/v1/feedback/taxonomy/labels",
        json={"feedback_ids": ids["login"][:1], "category": "Nope"},
        headers=headers,
    )
    assert unknown.status_code == 404
    missing = client.post(
        "/api/v1/feedback/taxonomy/labels", json={"feedback_ids": ids["login"][:1]}, headers=headers
    )
    assert missing.status_code == 422

    started = client.post("/api/v1/feedback/taxonomy/train", headers=headers)
    assert started.status_code == 202
    job = _wait(client, started.json()["id"], headers)
    assert job["status"] == "succeeded", job
    overview = client.get("/api/v1/feedback/taxonomy", headers=headers).json()
    assert overview["model"]["labels_used"] == 9 and overview["model"]["held_out"] == 9
    assert overview["model"]["accuracy"] is not None and overview["predicted"] == 18
    assert {c["name"]: c["labels"] for c in overview["categories"]} == {"Login": 3, "Export": 3, "Pricing": 3}
    listed = client.get(
        "/api/v1/feedback", params={"category_id": overview["categories"][0]["id"]}, headers=headers
    )
    assert listed.json()["total"] >= 3 and listed.json()["items"][0]["category_name"] is not None
    predictions = client.get(
        "/api/v1/feedback/taxonomy/predictions", params={"limit": 5}, headers=headers
    ).json()
    assert len(predictions) == 5 and predictions == sorted(predictions, key=lambda p: p["confidence"])
    assert len(client.get("/api/v1/feedback/taxonomy/models", headers=headers).json()) == 1

    category_id = overview["categories"][0]["id"]
    renamed = client.patch(
        f"/api/v1/feedback/taxonomy/categories/{category_id}", json={"name": "Exports"}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Exports"
    assert (
        client.delete(f"/api/v1/feedback/taxonomy/categories/{category_id}", headers=headers).status_code
        == 204
    )
    assert (
        client.delete(f"/api/v1/feedback/taxonomy/categories/{category_id}", headers=headers).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/feedback/taxonomy/labels/{ids['login'][5]}", headers=headers).status_code
        == 404
    )


def test_taxonomy_page_adds_labels_trains_and_shows_the_model(client: TestClient, session: Session) -> None:
    world = make_world(session)
    ids = {
        topic: [make_feedback(session, world, text=t).id for t in texts] for topic, texts in TOPICS.items()
    }
    csrf = login(client, world)
    empty = client.get("/feedback/taxonomy")
    assert empty.status_code == 200 and "No categories yet" in empty.text and "disabled" in empty.text
    for topic in TOPICS:
        client.post("/feedback/taxonomy/categories", data={"csrf_token": csrf, "name": topic.title()})
    categories = dict(taxonomy_service.category_choices(session, world.actor()))
    by_name = {name: category_id for category_id, name in categories.items()}
    page = client.get("/feedback/taxonomy")
    assert "Label a few items to start" in page.text and "Pricing" in page.text
    for topic in TOPICS:
        saved = client.post(
            "/feedback/taxonomy/label",
            data={
                "csrf_token": csrf,
                "feedback_id": ids[topic][:3],
                "category_id": str(by_name[topic.title()]),
            },
        )
        assert saved.status_code == 200 and "3 label(s) saved" in saved.text
    started = client.post("/feedback/taxonomy/train", data={"csrf_token": csrf}, follow_redirects=False)
    assert started.status_code == 303
    running = client.get("/feedback/taxonomy")
    assert 'class="job" data-job-id=' in running.text
    job_id = int(running.text.split('data-job-id="')[1].split('"')[0])
    assert _wait(client, job_id)["status"] == "succeeded"
    trained = client.get("/feedback/taxonomy")
    assert (
        'data-testid="accuracy"' in trained.text
        and "cross-validated accuracy on 9 labelled items" in trained.text
    )
    assert "Confusion of the top classes" in trained.text and 'data-testid="per-category"' in trained.text
    # the inbox shows each item's category with its confidence, and labelling there is a correction
    inbox = client.get("/feedback")
    assert "predicted " in inbox.text and "labelled" in inbox.text
    item = ids["pricing"][5]
    client.post(
        "/feedback/bulk/label",
        data={"csrf_token": csrf, "feedback_id": [item], "set_category_id": str(by_name["Login"])},
    )
    label = session.scalar(select(TaxonomyLabel).where(TaxonomyLabel.feedback_id == item))
    assert label is not None and label.origin == "correction"


def test_cli_category_add_label_train_predict_and_status(cli: CliRunner, session: Session) -> None:  # noqa: F811
    for texts in TOPICS.values():
        for text in texts:
            assert invoke("feedback", "add", text).exit_code == 0
    ids = list(session.scalars(select(Feedback.id).order_by(Feedback.id)))
    for topic in TOPICS:
        added = invoke("feedback", "taxonomy", "category-add", topic.title(), "--format", "json")
        assert added.exit_code == 0, added.output
    listed = json.loads(invoke("feedback", "taxonomy", "category-list", "--format", "json").stdout)
    assert [c["name"] for c in listed] == ["Export", "Login", "Pricing"]
    assert json.loads(invoke("feedback", "taxonomy", "list", "--format", "json").stdout) == listed
    not_yet = invoke("feedback", "taxonomy", "train")
    assert not_yet.exit_code == 2 and "at least two categories" in not_yet.output
    for position, topic in enumerate(TOPICS):
        first = position * 6
        labelled = invoke(
            "feedback",
            "taxonomy",
            "label",
            *map(str, ids[first : first + 3]),
            "--category",
            topic,
            "-f",
            "json",
        )
        assert labelled.exit_code == 0, labelled.output
        assert json.loads(labelled.stdout)["changed"] == 3
    trained = invoke("feedback", "taxonomy", "train", "--format", "json")
    assert trained.exit_code == 0, trained.output
    summary = json.loads(trained.stdout)
    assert summary["labels_used"] == 9 and summary["predicted"] == 18 and summary["accuracy"] is not None
    predicted = invoke("feedback", "taxonomy", "predict", "--limit", "4", "--format", "json")
    assert predicted.exit_code == 0, predicted.output
    payload = json.loads(predicted.stdout)
    assert payload["predicted"] == 18 and len(payload["items"]) == 4
    status = json.loads(invoke("feedback", "taxonomy", "status", "--format", "json").stdout)
    assert status["labels_used"] == 9 and status["labelled"] == 9
    wrong = invoke("feedback", "taxonomy", "label", str(ids[0]), "--category", "Nope")
    assert wrong.exit_code == 2 and "no category" in wrong.output
    by_category = json.loads(invoke("feedback", "list", "--category", "Login", "--format", "json").stdout)
    assert by_category["total"] >= 3
