"""Prioritize lists every open idea, scored or not (and closed ones on request), and scores an idea inline."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from northstar.core.permissions import Role
from northstar.decisions import service
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaCreate
from tests.factories import PASSWORD, World, make_world


def _ideas(session: Session, world: World) -> dict[str, int]:
    made = {}
    for title, status, inputs in [
        ("Scored", "new", {"reach": 100, "impact": 2, "confidence": 0.8, "effort": 4}),
        ("Half scored", "under_review", {"reach": 50, "impact": 1}),
        ("Bare", "new", {}),
        ("Shipped one", "shipped", {"reach": 10, "impact": 1, "confidence": 1, "effort": 1}),
    ]:
        idea = ideas.create_idea(session, world.actor(), IdeaCreate(title=title, status="new", inputs=inputs))
        idea.status = status
        made[title] = idea.id
    session.commit()
    return made


def test_prioritize_lists_unscored_ideas_with_what_they_need_and_counts_closed_ones(session: Session) -> None:
    world = make_world(session)
    _ideas(session, world)
    table = service.prioritize(session, world.actor(Role.VIEWER), "rice")
    assert [row.title for row in table.rows] == ["Scored", "Half scored", "Bare"]
    assert [row.problem for row in table.rows[1:]] == [
        "needs confidence, effort",
        "needs reach, impact, confidence, effort",
    ]
    assert (table.scored, table.unscored, table.closed) == (1, 2, 1)
    everything = service.prioritize(session, world.actor(), "rice", include_closed=True)
    assert [row.title for row in everything.rows][:2] == ["Scored", "Shipped one"]  # 40 > 10
    assert everything.rows[0].inputs == {"reach": 100, "impact": 2, "confidence": 0.8, "effort": 4}


def _login(client: TestClient, world: World) -> str:
    client.post("/login", data={"email": world.email(), "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_prioritize_page_scores_a_row_inline_and_shows_errors_in_that_row(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    made = _ideas(session, world)
    csrf = _login(client, world)
    page = client.get("/prioritize").text
    assert "3 ideas listed: 1 scored" in page and "2 need inputs" in page
    assert "1 shipped or won't-do idea is not listed" in page
    assert "needs reach, impact, confidence, effort" in page
    bare = made["Bare"]
    bad = client.post(
        f"/prioritize/ideas/{bare}/scores",
        data={
            "csrf_token": csrf,
            "reach": "many",
            "impact": "2",
            "confidence": "0.5",
            "effort": "3",
            "show": "open",
        },
    )
    assert bad.status_code == 422
    assert re.search(rf'id="idea-{bare}-reach-error">enter a number', bad.text)
    assert 'value="many"' in bad.text
    saved = client.post(
        f"/prioritize/ideas/{bare}/scores",
        data={
            "csrf_token": csrf,
            "reach": "1,000",
            "impact": "2",
            "confidence": "0.5",
            "effort": "4",
            "sort": "score",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"#idea-{bare}")
    table = service.prioritize(session, world.actor(), "rice")
    assert [row.title for row in table.rows][:2] == ["Bare", "Scored"]  # 1000 × 2 × 0.5 / 4 = 250 > 40
    listed = client.get("/prioritize?show=all").text
    assert "Shipped one" in listed
