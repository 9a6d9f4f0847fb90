"""The import job through its three faces: the CLI (`feedback import --format-kind`), the API (upload → job id →
job status) and the web import page (upload → the job's progress page)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.cli import app
from northstar.core.permissions import Role, TokenScope
from northstar.feedback.models import Feedback
from tests.factories import PASSWORD, World, make_world

runner = CliRunner()


def zendesk_export(text: str) -> str:
    return json.dumps(
        {
            "tickets": [{"id": 7, "subject": "Exports", "description": text, "requester_id": 1}],
            "users": [{"id": 1, "name": "Ana", "email": "ana@shop.com"}],
        }
    )


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    args = ["init", "--email", "hop@example.com", "--name", "Hana", "--password", "a-long-password"]
    result = runner.invoke(app, [*args, "--workspace", "Acme Corp"])
    assert result.exit_code == 0, result.output
    return runner


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_imports_a_zendesk_export_twice_without_duplicates(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    path.write_text(zendesk_export("Exports time out"), encoding="utf-8")
    first = _json(
        cli.invoke(app, ["feedback", "import", str(path), "--format-kind", "zendesk", "-f", "json"])
    )
    assert (first["kind"], first["created"], first["customers_created"]) == ("zendesk", 1, 1)
    path.write_text(zendesk_export("Exports still time out"), encoding="utf-8")
    again = _json(cli.invoke(app, ["feedback", "import", str(path), "-k", "zendesk", "-f", "json"]))
    assert (again["created"], again["updated"]) == (0, 1)
    items = _json(cli.invoke(app, ["feedback", "list", "-f", "json"]))["items"]
    assert [i["text"] for i in items] == ["Exports still time out"]


def test_cli_shows_a_progress_bar_and_a_summary(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text('{"text": "Needs SSO", "external_ref": "n1"}\n', encoding="utf-8")
    result = cli.invoke(app, ["feedback", "import", str(path)])  # kind from the extension, table output
    assert result.exit_code == 0, result.output
    assert "Importing notes.jsonl" in result.output and "100%" in result.output
    assert "created: 1" in result.output


def test_cli_bad_files_exit_2_with_one_line(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"tickets": [{"id": 1, "description": ""}]}', encoding="utf-8")
    unknown = cli.invoke(app, ["feedback", "import", str(path)])
    assert unknown.exit_code == 2 and "--format-kind" in unknown.output
    failed = cli.invoke(app, ["feedback", "import", str(path), "--format-kind", "zendesk"])
    assert failed.exit_code == 2
    assert "export.json: 1 invalid ticket(s); first at ticket 1, field text: no text" in failed.output
    assert "Traceback" not in failed.output
    wrong = cli.invoke(app, ["feedback", "import", str(path), "--format-kind", "trello"])
    assert wrong.exit_code == 2
    mapped = cli.invoke(app, ["feedback", "import", str(path), "-k", "zendesk", "--map", "a=text"])
    assert mapped.exit_code == 2 and "mapping applies to csv" in mapped.output
    assert _json(cli.invoke(app, ["feedback", "list", "-f", "json"]))["total"] == 0


def test_cli_manages_the_embeddable_form(cli: CliRunner) -> None:
    assert _json(cli.invoke(app, ["feedback", "form", "-f", "json"]))["configured"] is False
    made = _json(cli.invoke(app, ["feedback", "form", "--rotate", "--title", "Tell us", "-f", "json"]))
    assert made["enabled"] and made["title"] == "Tell us" and made["embed_path"].endswith(made["form_key"])
    off = _json(cli.invoke(app, ["feedback", "form", "--disable", "-f", "json"]))
    assert off["enabled"] is False and off["form_key"] == made["form_key"]


def _wait(client: TestClient, job_id: int, headers: dict[str, str] | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def _token(session: Session, world: World, scope: TokenScope, role: Role = Role.OWNER) -> dict[str, str]:
    _row, secret = accounts.create_token(session, world.actor(role), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_upload_returns_a_job_whose_status_holds_the_report(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world, TokenScope.WRITE)
    kinds = client.get("/api/v1/feedback/imports/kinds", headers=headers).json()
    assert {k["key"] for k in kinds} >= {"zendesk", "intercom", "email", "csv", "jsonl", "parquet"}
    files = {"file": ("tickets.json", zendesk_export("Exports time out"), "application/json")}
    started = client.post("/api/v1/feedback/imports?kind=zendesk", files=files, headers=headers)
    assert started.status_code == 202, started.text
    body = started.json()
    assert started.headers["location"] == body["progress_url"] == f"/api/v1/jobs/{body['job_id']}"
    job = _wait(client, body["job_id"], headers)
    assert job["status"] == "succeeded", job
    assert job["result"]["created"] == 1 and job["fraction"] == 1.0
    raw = client.post(
        "/api/v1/feedback/imports?kind=zendesk&filename=t.json",
        content=zendesk_export("Exports still time out").encode(),
        headers={**headers, "content-type": "application/octet-stream"},
    )
    assert raw.status_code == 202
    assert _wait(client, raw.json()["job_id"], headers)["result"]["updated"] == 1
    session.expire_all()
    assert list(session.scalars(select(Feedback.text))) == ["Exports still time out"]


def test_api_refuses_bad_uploads_with_problem_details(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _token(session, world, TokenScope.WRITE)
    unknown = client.post("/api/v1/feedback/imports?kind=trello", content=b"x", headers=headers)
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.json()["errors"][0]["field"] == "kind"
    empty = client.post("/api/v1/feedback/imports?kind=zendesk", content=b"", headers=headers)
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    reader = _token(session, world, TokenScope.READ)
    refused = client.post("/api/v1/feedback/imports?kind=zendesk", content=b"{}", headers=reader)
    assert refused.status_code == 403
    too_big = client.post(
        "/api/v1/feedback/imports?kind=zendesk",
        content=b"x",
        headers={**headers, "content-length": str(60 * 1024 * 1024)},
    )
    assert too_big.status_code == 413


def _login(client: TestClient, world: World) -> str:
    client.post("/login", data={"email": world.email(), "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/feedback/imports").text)
    assert match
    return match.group(1)


def test_web_import_page_lists_kinds_and_starts_a_job(client: TestClient, session: Session) -> None:
    world = make_world(session)
    csrf = _login(client, world)
    page = client.get("/feedback/imports")
    assert page.status_code == 200
    for label in ("Zendesk tickets", "Intercom conversations", "Google Play reviews", "App Store reviews"):
        assert label in page.text
    for label in ("Canny posts", "Productboard notes", "Jira issues", "E-mail", "JSON Lines", "Parquet"):
        assert label in page.text
    started = client.post(
        "/feedback/imports",
        data={"csrf_token": csrf, "kind": "zendesk"},
        files={"file": ("tickets.json", zendesk_export("Exports time out"), "application/json")},
        follow_redirects=False,
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/jobs/")
    job_id = int(started.headers["location"].rsplit("/", 1)[1])
    assert _wait(client, job_id)["status"] == "succeeded"
    progress_page = client.get(f"/jobs/{job_id}")
    assert "<progress" in progress_page.text and "succeeded" in progress_page.text
    forged = client.post(
        "/feedback/imports",
        data={"csrf_token": "forged", "kind": "zendesk"},
        files={"file": ("t.json", "{}", "application/json")},
    )
    assert forged.status_code == 403
