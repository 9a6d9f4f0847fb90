"""The search's faces: ``GET /api/v1/search``, ``northstar search``, the ``/search`` page and the header box."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.cli import app
from northstar.core.permissions import Role, TokenScope
from tests.factories import PASSWORD, World, make_customer, make_feedback, make_idea, make_world


def _bearer(session: Session, world: World, scope: TokenScope = TokenScope.READ) -> dict[str, str]:
    _row, secret = accounts.create_token(session, world.actor(Role.OWNER), TokenCreate(name="t", scope=scope))
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _log_in(client: TestClient, world: World) -> None:
    response = client.post(
        "/login", data={"email": world.email(Role.OWNER), "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_api_groups_hits_by_kind_with_counts(client: TestClient, session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme Exports")
    make_feedback(session, world, "Exports to <b>Excel</b> please", customer=acme)
    make_idea(session, world, "Excel exports")
    make_world_item = make_world(session, "Other")
    make_feedback(session, make_world_item, "Their Excel exports")
    response = client.get("/api/v1/search?q=EXCEL&limit=2", headers=_bearer(session, world))
    assert response.status_code == 200, response.text
    body = response.json()
    counts = {group["kind"]: group["total"] for group in body["groups"]}
    assert counts == {"feedback": 1, "ideas": 1, "customers": 0, "people": 0}
    assert body["total"] == 2 and body["words"] == ["EXCEL"]
    feedback = body["groups"][0]["hits"][0]
    assert feedback["snippet_html"] == "Exports to &lt;b&gt;<mark>Excel</mark>&lt;/b&gt; please"
    assert feedback["url"] == f"/feedback/{feedback['id']}"


def test_api_refuses_a_bad_limit_and_an_ingest_token(client: TestClient, session: Session) -> None:
    world = make_world(session)
    headers = _bearer(session, world)
    assert client.get("/api/v1/search?q=x&limit=0", headers=headers).status_code == 422
    assert client.get("/api/v1/search?q=x&limit=51", headers=headers).status_code == 422
    assert client.get("/api/v1/search?q=", headers=headers).json()["groups"] == []
    ingest = _bearer(session, world, TokenScope.INGEST)
    assert client.get("/api/v1/search?q=x", headers=ingest).status_code == 403
    assert client.get("/api/v1/search?q=x").status_code == 401


def test_results_page_shows_groups_hint_and_what_to_try(client: TestClient, session: Session) -> None:
    world = make_world(session)
    make_feedback(session, world, "The <script>export</script> is slow")
    make_idea(session, world, "Faster export")
    _log_in(client, world)
    page = client.get("/search?q=export").text
    assert 'role="search"' in page and 'for="global-search"' in page, "the header box, labelled"
    assert 'data-testid="group-feedback"' in page and 'data-testid="group-ideas"' in page
    assert 'data-testid="group-customers"' not in page, "a kind without a match is only counted"
    assert "Customers: 0" in page
    assert "&lt;script&gt;<mark>export</mark>&lt;/script&gt;" in page and "<script>export" not in page
    assert 'data-testid="search-hint"' in client.get("/search").text
    nothing = client.get("/search?q=zebra+unicorn").text
    assert 'data-testid="search-empty"' in nothing and "Use fewer words" in nothing
    assert 'value="export"' in client.get("/search?q=export").text, "the header box keeps the query"
    assert 'id="global-search"' in client.get("/ideas").text, "the box is in every page's header"


def test_cli_searches_as_json_and_as_text(cli: CliRunner) -> None:
    assert (
        cli.invoke(app, ["ideas", "add", "Dark mode [beta]", "--description", "Night shift"]).exit_code == 0
    )
    assert cli.invoke(app, ["ideas", "add", "Light theme"]).exit_code == 0
    result = cli.invoke(app, ["search", "dark", "MODE", "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    ideas = next(group for group in body["groups"] if group["kind"] == "ideas")
    assert ideas["total"] == 1 and ideas["hits"][0]["title"] == "Dark mode [beta]"
    text = cli.invoke(app, ["search", "dark mode"])
    assert text.exit_code == 0 and "Ideas (1)" in text.stdout and "Dark mode [beta]" in text.stdout
    nothing = cli.invoke(app, ["search", "zebra"])
    assert nothing.exit_code == 0 and "Nothing matches “zebra”." in nothing.stdout
    bad = cli.invoke(app, ["search", "dark", "--limit", "0"])
    assert bad.exit_code == 2
