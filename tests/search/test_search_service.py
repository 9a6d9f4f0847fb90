"""The global search on both databases: every word matched case-insensitively in feedback, ideas, customers and
people; only the actor's workspace; ``%`` and ``_`` taken literally; snippets escaped with the matches marked."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Actor, Role, TokenScope
from northstar.feedback import service as feedback_service
from northstar.feedback.schemas import FeedbackCreate
from northstar.ideas import service as ideas_service
from northstar.ideas.schemas import IdeaCreate
from northstar.search import service
from northstar.search.schemas import SearchResults
from northstar.teams.models import Person, Team
from tests.factories import World, make_customer, make_feedback, make_idea, make_world


def _titles(results: SearchResults, kind: str) -> list[str]:
    group = next(g for g in results.groups if g.kind == kind)
    return [hit.title for hit in group.hits]


def _group(results: SearchResults, kind: str):  # type: ignore[no-untyped-def]
    return next(g for g in results.groups if g.kind == kind)


def _people(session: Session, world: World) -> tuple[Person, Person, Person]:
    """A manager with one report and one peer; the product manager user is the manager's staff record."""
    team = Team(workspace_id=world.workspace.id, name="Growth")
    session.add(team)
    session.flush()
    manager = Person(
        workspace_id=world.workspace.id,
        name="Grace Hopper",
        title="Group product manager",
        team_id=team.id,
        user_id=world.users[Role.PRODUCT_MANAGER].id,
    )
    session.add(manager)
    session.flush()
    report = Person(
        workspace_id=world.workspace.id,
        name="Ada Lovelace",
        title="Product designer",
        manager_id=manager.id,
        team_id=team.id,
    )
    peer = Person(workspace_id=world.workspace.id, name="Alan Turing", title="Staff product designer")
    session.add_all([report, peer])
    session.commit()
    return manager, report, peer


def test_words_match_case_insensitively_in_every_kind(session: Session) -> None:
    world = make_world(session)
    acme = make_customer(session, world, "Acme Dashboards Inc", arr=120_000, segment="enterprise")
    make_feedback(session, world, "The DASHBOARD export to CSV is broken on Safari", customer=acme)
    make_feedback(session, world, "Please add dark mode")
    feedback_service.create_feedback(
        session, world.actor(), FeedbackCreate(text="It times out", title="Slow dashboard export")
    )
    ideas_service.create_idea(
        session,
        world.actor(),
        IdeaCreate(title="Scheduled exports", description="Email the dashboard as CSV"),
    )
    make_idea(session, world, "Dark mode")
    session.commit()
    _people(session, world)

    results = service.search(session, world.actor(), "dashboard EXPORT")
    assert sorted(_titles(results, "feedback")) == [
        "Slow dashboard export",
        "The DASHBOARD export to CSV is broken on Safari",
    ], "matched in the text or the title, every word, any case"
    assert _titles(results, "ideas") == ["Scheduled exports"], (
        "title and description together hold both words"
    )
    assert _titles(results, "customers") == [], "a customer must hold every word too"
    assert results.total == 3

    designers = service.search(session, world.actor(), "designer")
    assert _titles(designers, "people") == ["Ada Lovelace", "Alan Turing"], "job titles are searched, by name"
    assert _group(designers, "people").hits[0].detail == "Team Growth"
    assert _titles(service.search(session, world.actor(), "acme"), "customers") == ["Acme Dashboards Inc"]
    customer_hit = _group(service.search(session, world.actor(), "acme"), "customers").hits[0]
    assert customer_hit.url == f"/customers/{acme.id}"
    assert customer_hit.detail == "Enterprise · $120,000 ARR"


def test_each_kind_is_counted_beyond_the_limit_with_a_link_to_all(session: Session) -> None:
    world = make_world(session)
    for n in range(7):
        make_feedback(session, world, f"Export number {n} failed")
    results = service.search(session, world.actor(), "export", limit=3)
    group = _group(results, "feedback")
    assert (group.total, len(group.hits), group.total_capped) == (7, 3, False)
    assert group.all_url == "/feedback?q=export"
    assert [g.kind for g in results.groups] == ["feedback", "ideas", "customers", "people"]
    assert _group(results, "ideas").all_url is None, "nothing more to see"
    hit = group.hits[0]
    assert hit.url == f"/feedback/{hit.id}" and hit.detail.startswith("Support · ")


def test_other_workspaces_are_invisible(session: Session) -> None:
    ours, theirs = make_world(session, "Ours"), make_world(session, "Theirs")
    make_feedback(session, theirs, "Their secret roadmap wish")
    make_idea(session, theirs, "Secret roadmap")
    make_customer(session, theirs, "Secret Corp")
    session.add(Person(workspace_id=theirs.workspace.id, name="Secret Agent"))
    session.commit()
    make_feedback(session, ours, "Our own secret")
    results = service.search(session, ours.actor(), "secret")
    assert results.total == 1
    assert _titles(results, "feedback") == ["Our own secret"]


def test_people_profiles_link_only_for_those_who_may_open_them(session: Session) -> None:
    world = make_world(session)
    manager, report, peer = _people(session, world)
    as_manager = service.search(session, world.actor(Role.PRODUCT_MANAGER), "a")
    urls = {hit.title: hit.url for hit in _group(as_manager, "people").hits}
    assert urls["Grace Hopper"] == f"/people/{manager.id}", "their own profile"
    assert urls["Ada Lovelace"] == f"/people/{report.id}", "a direct report's profile"
    assert urls["Alan Turing"] == "/teams", (
        "a peer without a team: the teams page, not a profile they cannot open"
    )
    as_leader = service.search(session, world.actor(Role.HEAD_OF_PRODUCT), "turing")
    assert _group(as_leader, "people").hits[0].url == f"/people/{peer.id}"
    as_viewer = service.search(session, world.actor(Role.VIEWER), "lovelace")
    assert _group(as_viewer, "people").hits[0].url == f"/teams/{report.team_id}"


def test_only_readers_may_search(session: Session) -> None:
    world = make_world(session)
    ingest = Actor(world.users[Role.OWNER].id, world.workspace.id, Role.OWNER, scope=TokenScope.INGEST)
    with pytest.raises(PermissionDenied):
        service.search(session, ingest, "anything")
    with pytest.raises(ValidationFailed):
        service.search(session, world.actor(), "anything", limit=0)
    with pytest.raises(ValidationFailed):
        service.search(session, world.actor(), "anything", limit=51)


def test_percent_and_underscore_are_literal(session: Session) -> None:
    world = make_world(session)
    make_feedback(session, world, "Discount of 50% for annual plans")
    make_feedback(session, world, "The field user_id is wrong")
    make_feedback(session, world, "Nothing special here")
    make_customer(session, world, "Plain Customer")
    make_idea(session, world, "Plain idea")
    for query in ("%", "_", "%%%", "___", "\\"):
        found = service.search(session, world.actor(), query)
        expected = {"%": 1, "_": 1, "%%%": 0, "___": 0, "\\": 0}[query]
        assert found.total == expected, f"{query!r} matched {found.total}"
    assert _titles(service.search(session, world.actor(), "50%"), "feedback") == [
        "Discount of 50% for annual plans"
    ]
    assert _titles(service.search(session, world.actor(), "user_id"), "feedback") == [
        "The field user_id is wrong"
    ]
    assert service.search(session, world.actor(), "user_ids").total == 0


def test_snippets_are_escaped_before_the_matches_are_marked(session: Session) -> None:
    world = make_world(session)
    make_feedback(session, world, '<script>alert("x")</script> the <b>search</b> & filters are slow')
    make_idea(session, world, "Search <img src=x onerror=alert(1)>")
    results = service.search(session, world.actor(), "search")
    hit = _group(results, "feedback").hits[0]
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "&lt;b&gt;<mark>search</mark>&lt;/b&gt; &amp; filters" in hit.snippet_html
    assert hit.snippet.startswith('<script>alert("x")</script>'), (
        "the plain snippet keeps the text as written"
    )
    idea = _group(results, "ideas").hits[0]
    assert idea.title_html == "<mark>Search</mark> &lt;img src=x onerror=alert(1)&gt;"
    assert service.highlight("a <mark> b", ["mark"]) == "a &lt;<mark>mark</mark>&gt; b", (
        "a word that is a tag"
    )


def test_long_text_is_cut_around_the_first_match() -> None:
    text = " ".join(["lorem"] * 80) + " the needle is here " + " ".join(["ipsum"] * 80)
    passage = service.snippet(text, ["NEEDLE"])
    assert passage.startswith("…") and passage.endswith("…")
    assert "needle" in passage and len(passage) <= service.SNIPPET_CHARS + 2
    assert service.snippet("short text", ["x"]) == "short text"
    assert (
        service.highlight("Dark dark DARK", ["dark"])
        == "<mark>Dark</mark> <mark>dark</mark> <mark>DARK</mark>"
    )


def test_an_empty_query_finds_nothing(session: Session) -> None:
    world = make_world(session)
    make_feedback(session, world, "Anything")
    for query in ("", "   ", None):
        results = service.search(session, world.actor(), query)
        assert (results.total, results.groups, results.words) == (0, [], [])
