"""One feedback item: its detail (customer, analysis, theme, duplicates, ideas, history), linking and unlinking ideas,
correcting its kind and theme so re-analysis keeps the correction, and linking a theme's items to an existing idea
in one step — through the service, the API, the pages and the CLI, on SQLite and PostgreSQL, with the real model."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.accounts import service as accounts
from northstar.accounts.schemas import TokenCreate
from northstar.cli import app
from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role, TokenScope
from northstar.feedback.analysis.service import run_analysis
from northstar.feedback.item import service
from northstar.feedback.item.schemas import ItemLinkRequest
from northstar.feedback.models.curation import KindOverride
from northstar.feedback.models.themes import FeedbackThemeLock
from northstar.feedback.schemas import FeedbackUpdate
from northstar.feedback.service import update_feedback
from northstar.feedback.themes import service as themes_service
from northstar.feedback.themes.schemas import LinkToIdeaRequest
from northstar.ideas.models import Idea, IdeaFeedbackLink
from tests.factories import PASSWORD, World, make_customer, make_feedback, make_idea, make_world
from tests.feedback.analysis_support import TOPICS
from tests.feedback.themes_support import seed_topics, the_theme, theme_of


def _links(session: Session, idea_id: int) -> dict[int, int]:
    session.expire_all()
    return dict(
        session.execute(
            select(IdeaFeedbackLink.feedback_id, IdeaFeedbackLink.importance).where(
                IdeaFeedbackLink.idea_id == idea_id
            )
        ).all()
    )


def test_detail_shows_customer_analysis_theme_ideas_and_history(session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", 48_250.0, "enterprise")
    ids = seed_topics(session, world, {"export": [acme]})
    item = ids["export"][0]
    idea = make_idea(session, world, "CSV export")
    owner = world.actor()

    detail = service.item_detail(session, owner, item)
    assert detail.text == TOPICS["export"][0]
    assert detail.customer is not None and detail.customer.name == "Acme" and detail.customer.arr == 48_250.0
    assert detail.analysed and detail.kind == "feature_request" and 0 < (detail.kind_confidence or 0) <= 1
    assert detail.sentiment_band in ("negative", "neutral", "positive") and detail.sentiment is not None
    assert detail.theme is not None and detail.theme.id == the_theme(session, ids["export"])
    assert not detail.kind_set_by_person and not detail.theme_set_by_person and detail.ideas == []
    assert [h.action for h in detail.history] == ["create"]
    assert detail.history[0].who == world.users[Role.OWNER].name

    result = service.link_to_idea(session, owner, item, ItemLinkRequest(idea_id=idea.id, importance=3))
    assert (result.linked, result.already_linked) == (1, 0)
    session.commit()
    detail = service.item_detail(session, owner, item)
    assert [(i.idea_id, i.title, i.importance) for i in detail.ideas] == [(idea.id, "CSV export", 3)]
    assert session.get(Idea, idea.id).feedback_count == 1  # type: ignore[union-attr]
    assert detail.history[0].action == "feedback.linked" and "CSV export" in detail.history[0].summary

    # a product manager reads the item but not the audit log; a viewer cannot link
    manager = service.item_detail(session, world.actor(Role.PRODUCT_MANAGER), item)
    assert not manager.history_visible and manager.history == [] and manager.ideas
    with pytest.raises(PermissionDenied):
        service.link_to_idea(session, world.actor(Role.VIEWER), item, ItemLinkRequest(idea_id=idea.id))
    with pytest.raises(NotFound):
        service.item_detail(session, make_world(session).actor(), item)  # another workspace

    service.unlink_from_idea(session, owner, item, idea.id)
    session.commit()
    assert service.item_detail(session, owner, item).ideas == []
    assert session.get(Idea, idea.id).feedback_count == 0  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        service.unlink_from_idea(session, owner, item, idea.id)  # not linked any more


def test_kind_and_theme_corrections_are_kept_across_reanalysis(session: Session) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    owner = world.actor()
    item, other = ids["export"][0], ids["export"][1]
    login = the_theme(session, ids["login"])

    assert service.correct_kind(session, owner, item, "bug") == 1
    assert service.correct_theme(session, owner, item, login) == 1
    assert service.correct_theme(session, owner, other, None) == 1
    session.commit()
    # the corrections are stored where the analysis and the inbox read them: kind overrides and theme locks
    assert session.get(KindOverride, item).kind == "bug"  # type: ignore[union-attr]
    assert session.get(FeedbackThemeLock, item).theme_id == login  # type: ignore[union-attr]
    removed_lock = session.get(FeedbackThemeLock, other)
    assert removed_lock is not None and removed_lock.theme_id is None

    # the text changes, so the engine analyses both items again; the people's choices win
    for feedback_id in (item, other):
        update_feedback(session, owner, feedback_id, FeedbackUpdate(text=TOPICS["export"][2] + " please"))
    session.commit()
    assert run_analysis(session, owner).analysed == 2
    session.commit()
    assert theme_of(session, item) == login and theme_of(session, other) is None
    detail = service.item_detail(session, owner, item)
    assert detail.kind == "bug" and detail.kind_set_by_person and detail.analysed_kind == "feature_request"
    assert detail.theme_set_by_person and detail.theme is not None and detail.theme.id == login
    moved_out = service.item_detail(session, owner, other)
    assert moved_out.theme is None and moved_out.theme_set_by_person
    actions = [h.action for h in detail.history]
    assert actions[:3] == ["update", "feedback.theme_moved", "feedback.kind_set"]

    assert service.correct_kind(session, owner, item, None) == 1  # back to the analysed kind
    assert service.correct_theme(session, owner, other, None) == 0  # out already: nothing changes
    with pytest.raises(ValidationFailed):
        service.correct_kind(session, owner, item, "rant")
    with pytest.raises(NotFound):
        service.correct_theme(session, owner, item, 987_654)
    unanalysed = make_feedback(session, world, text="Brand new and not analysed")
    with pytest.raises(ValidationFailed, match="not analysed"):
        service.correct_theme(session, owner, unanalysed.id, login)


def test_theme_items_link_to_an_existing_idea_without_duplicates(session: Session) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    owner = world.actor()
    export = the_theme(session, ids["export"])
    idea = make_idea(session, world, "Exports")
    first = ids["export"][0]
    service.link_to_idea(session, owner, first, ItemLinkRequest(idea_id=idea.id, importance=3))

    some = themes_service.link_theme_to_idea(
        session, owner, export, LinkToIdeaRequest(idea_id=idea.id, feedback_ids=ids["export"][:2])
    )
    assert (some.linked, some.already_linked, some.idea_title) == (1, 1, "Exports")
    every = themes_service.link_theme_to_idea(session, owner, export, LinkToIdeaRequest(idea_id=idea.id))
    assert (every.linked, every.already_linked) == (4, 2)
    again = themes_service.link_theme_to_idea(session, owner, export, LinkToIdeaRequest(idea_id=idea.id))
    assert (again.linked, again.already_linked) == (0, 6)
    session.commit()
    links = _links(session, idea.id)
    assert sorted(links) == sorted(ids["export"]) and links[first] == 3  # the earlier importance is kept
    assert session.get(Idea, idea.id).feedback_count == 6  # type: ignore[union-attr]

    with pytest.raises(ValidationFailed, match="not in theme"):
        themes_service.link_theme_to_idea(
            session, owner, export, LinkToIdeaRequest(idea_id=idea.id, feedback_ids=ids["login"][:1])
        )
    with pytest.raises(NotFound):
        themes_service.link_theme_to_idea(session, owner, export, LinkToIdeaRequest(idea_id=987_654))
    with pytest.raises(PermissionDenied):
        themes_service.link_theme_to_idea(
            session, world.actor(Role.VIEWER), export, LinkToIdeaRequest(idea_id=idea.id)
        )


def _headers(session: Session, world: World, role: Role = Role.OWNER) -> dict[str, str]:
    row, secret = accounts.create_token(
        session, world.actor(Role.OWNER), TokenCreate(name="t", scope=TokenScope.WRITE)
    )
    row.user_id = world.users[role].id
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def test_api_reads_links_and_corrects_an_item(client: TestClient, session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme", 1000.0, "smb")
    ids = seed_topics(session, world, {"export": [acme]})
    headers = _headers(session, world)
    item = ids["export"][0]
    idea = make_idea(session, world, "CSV export")
    login = the_theme(session, ids["login"])
    api = f"/api/v1/feedback/{item}"

    detail = _ok(client.get(api, headers=headers))
    assert detail["customer"]["name"] == "Acme" and detail["kind"] == "feature_request"
    assert detail["theme"]["id"] == the_theme(session, ids["export"]) and detail["history_visible"]
    linked = _ok(client.post(f"{api}/ideas", json={"idea_id": idea.id, "importance": 1}, headers=headers))
    assert linked == {"linked": 1, "already_linked": 0}
    assert [i["idea_id"] for i in _ok(client.get(api, headers=headers))["ideas"]] == [idea.id]
    _ok(client.delete(f"{api}/ideas/{idea.id}", headers=headers), 204)
    assert _ok(client.get(api, headers=headers))["ideas"] == []
    corrected = _ok(client.put(f"{api}/kind", json={"kind": "question"}, headers=headers))
    assert corrected["kind"] == "question" and corrected["kind_set_by_person"]
    moved = _ok(client.put(f"{api}/theme", json={"theme_id": login}, headers=headers))
    assert moved["theme"]["id"] == login and moved["theme_set_by_person"]
    removed = _ok(client.put(f"{api}/theme", json={"theme_id": None}, headers=headers))
    assert removed["theme"] is None and removed["theme_set_by_person"]

    export = the_theme(session, ids["export"][1:])
    result = _ok(
        client.post(
            f"/api/v1/feedback/themes/{export}/link-to-idea", json={"idea_id": idea.id}, headers=headers
        )
    )
    assert (result["linked"], result["already_linked"], result["idea_title"]) == (5, 0, "CSV export")

    for method, path, body, status in [
        ("get", "/api/v1/feedback/987654", None, 404),
        ("post", f"{api}/ideas", {"idea_id": "csv"}, 422),
        ("post", f"{api}/ideas", {"idea_id": idea.id, "importance": 9}, 422),
        ("post", f"{api}/ideas", {"idea_id": 987654}, 404),
        ("delete", f"{api}/ideas/{idea.id}", None, 404),
        ("put", f"{api}/kind", {"kind": "rant"}, 422),
        ("put", f"{api}/theme", {"theme_id": 987654}, 404),
        (
            "post",
            f"/api/v1/feedback/themes/{export}/link-to-idea",
            {"idea_id": idea.id, "importance": 0},
            422,
        ),
        (
            "post",
            f"/api/v1/feedback/themes/{export}/link-to-idea",
            {"idea_id": idea.id, "feedback_ids": [1]},
            422,
        ),
    ]:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (method, path, body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"]
    viewer = _headers(session, world, Role.VIEWER)
    assert _ok(client.get(api, headers=viewer))["history_visible"] is False
    assert client.put(f"{api}/kind", json={"kind": "bug"}, headers=viewer).status_code == 403
    assert client.post(f"{api}/ideas", json={"idea_id": idea.id}, headers=viewer).status_code == 403
    assert client.get(api, headers=_headers(session, make_world(session))).status_code == 404


def _login(client: TestClient, world: World, role: Role = Role.OWNER) -> str:
    client.post("/login", data={"email": world.email(role), "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_item_page_shows_the_item_and_its_forms_work(client: TestClient, session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme <Corp>", 48_250.0, "enterprise")
    ids = seed_topics(session, world, {"export": [acme]})
    item = ids["export"][0]
    update_feedback(
        session, world.actor(), item, FeedbackUpdate(text="Line one <b>bold</b>\n\n  indented line")
    )
    session.commit()
    idea = make_idea(session, world, "CSV export")
    csrf = _login(client, world)

    inbox = client.get("/feedback")
    assert f'href="/feedback/{item}"' in inbox.text  # every inbox row opens its item
    page = client.get(f"/feedback/{item}")
    assert page.status_code == 200
    assert "Line one &lt;b&gt;bold&lt;/b&gt;\n\n  indented line" in page.text  # escaped, whitespace kept
    assert 'href="/customers/' in page.text and "Acme &lt;Corp&gt;" in page.text and "$48,250" in page.text
    assert "Feature request" in page.text and "% confident" in page.text
    assert f'href="/feedback/themes/{the_theme(session, ids["export"][1:])}"' in page.text
    assert 'aria-label="Breadcrumb"' in page.text and "None" not in page.text

    refused = client.post(
        f"/feedback/{item}/link", data={"csrf_token": csrf, "idea_id": "", "idea_search": "csv"}
    )
    assert refused.status_code == 422
    assert 'id="link-idea_id-error"' in refused.text and 'value="csv"' in refused.text
    done = client.post(
        f"/feedback/{item}/link", data={"csrf_token": csrf, "idea_id": str(idea.id), "importance": "3"}
    )
    assert done.status_code == 200 and "Linked to the idea." in done.text and "must-have" in done.text
    assert (
        f'href="/feedback/{item}"' in client.get(f"/ideas/{idea.id}").text
    )  # the idea's feedback links back
    assert f'href="/feedback/{item}"' in client.get(f"/customers/{acme.id}").text
    done = client.post(f"/feedback/{item}/unlink", data={"csrf_token": csrf, "idea_id": str(idea.id)})
    assert "Unlinked from the idea." in done.text and "Not linked to any idea yet" in done.text
    done = client.post(f"/feedback/{item}/kind", data={"csrf_token": csrf, "kind": "bug"})
    assert "Kind corrected" in done.text and "set by hand" in done.text
    refused = client.post(f"/feedback/{item}/theme", data={"csrf_token": csrf, "theme_id": ""})
    assert refused.status_code == 422 and 'id="theme-theme_id-error"' in refused.text
    done = client.post(f"/feedback/{item}/theme", data={"csrf_token": csrf, "theme_id": "", "remove": "1"})
    assert "Taken out of its theme" in done.text and "Taken out of its theme by hand" in done.text
    assert client.post(f"/feedback/{item}/kind", data={"kind": "bug"}).status_code in (
        400,
        403,
    )  # no CSRF token
    assert client.get("/feedback/987654").status_code == 404


def test_theme_page_links_all_or_checked_items_to_an_existing_idea(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    ids = seed_topics(session, world)
    export = the_theme(session, ids["export"])
    idea = make_idea(session, world, "Exports")
    csrf = _login(client, world)
    page = client.get(f"/feedback/themes/{export}")
    assert 'data-testid="link-all-form"' in page.text and "Link all 6 items to this idea" in page.text
    assert page.text.count('class="item-link"') == 6

    url = f"/feedback/themes/{export}/link-to-idea"
    checked = client.post(
        url,
        data={
            "csrf_token": csrf,
            "scope": "checked",
            "idea_id": str(idea.id),
            "feedback_id": ids["export"][:2],
        },
    )
    assert (
        checked.status_code == 200
        and "2 item(s) linked to" in checked.text
        and ">Exports</a>" in checked.text
    )
    every = client.post(url, data={"csrf_token": csrf, "scope": "all", "idea_id": str(idea.id)})
    assert "4 item(s) linked to" in every.text and "2 were linked to it already" in every.text
    assert sorted(_links(session, idea.id)) == sorted(ids["export"])
    refused = client.post(url, data={"csrf_token": csrf, "scope": "all", "idea_id": ""})
    assert refused.status_code == 422 and 'id="all-idea_id-error"' in refused.text
    refused = client.post(url, data={"csrf_token": csrf, "scope": "checked", "idea_id": str(idea.id)})
    assert refused.status_code == 422 and "check the items to link first" in refused.text


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_shows_links_unlinks_and_moves_an_item(cli: CliRunner) -> None:
    ids = [_json(cli.invoke(app, ["feedback", "add", text, "-f", "json"]))["id"] for text in TOPICS["export"]]
    ids += [_json(cli.invoke(app, ["feedback", "add", text, "-f", "json"]))["id"] for text in TOPICS["login"]]
    assert cli.invoke(app, ["feedback", "analyse", "-f", "json"]).exit_code == 0
    idea = _json(cli.invoke(app, ["ideas", "add", "Exports", "-f", "json"]))["id"]
    item = ids[0]

    shown = _json(cli.invoke(app, ["feedback", "show", str(item), "-f", "json"]))
    assert shown["text"] == TOPICS["export"][0] and shown["theme"] and shown["history_visible"]
    table = cli.invoke(app, ["feedback", "show", str(item)])
    assert table.exit_code == 0 and "Linked ideas" in table.stdout
    assert (
        _json(cli.invoke(app, ["feedback", "link", str(item), "--idea", str(idea), "-f", "json"]))["linked"]
        == 1
    )
    assert [
        i["idea_id"] for i in _json(cli.invoke(app, ["feedback", "show", str(item), "-f", "json"]))["ideas"]
    ] == [idea]
    unlinked = cli.invoke(app, ["feedback", "unlink", str(item), "--idea", str(idea)])
    assert unlinked.exit_code == 0 and "unlinked" in unlinked.stderr
    again = cli.invoke(app, ["feedback", "unlink", str(item), "--idea", str(idea)])
    assert again.exit_code == 2 and "not linked" in again.output

    removed = cli.invoke(app, ["feedback", "set-theme", str(item), "--no-theme"])
    assert removed.exit_code == 0 and "out of every theme" in removed.stderr
    assert _json(cli.invoke(app, ["feedback", "show", str(item), "-f", "json"]))["theme"] is None
    assert (
        cli.invoke(app, ["feedback", "set-theme", str(item)]).exit_code == 2
    )  # neither --theme nor --no-theme

    theme = _json(cli.invoke(app, ["feedback", "show", str(ids[1]), "-f", "json"]))["theme"]["id"]
    linked = _json(
        cli.invoke(app, ["feedback", "theme-link-to-idea", str(theme), "--idea", str(idea), "-f", "json"])
    )
    assert linked["linked"] >= 5 and linked["already_linked"] == 0
    twice = _json(
        cli.invoke(app, ["feedback", "theme-link-to-idea", str(theme), "--idea", str(idea), "-f", "json"])
    )
    assert twice["linked"] == 0 and twice["already_linked"] == linked["linked"]
    bad = cli.invoke(app, ["feedback", "theme-link-to-idea", str(theme), "--idea", "987654"])
    assert bad.exit_code == 2 and "idea" in bad.output
