"""GitHub Issues and Jira against their local fakes, on both databases: labelled issues become feedback across
``Link``-header pages, a linked issue closed as completed ships its idea; a Jira issue created from an idea (or
linked) brings its status and fix version back through JQL pages, so "Done" marks the idea shipped."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.errors import Conflict, NorthstarError
from northstar.feedback.models import Feedback
from northstar.ideas import service as ideas
from northstar.ideas.models import Idea
from northstar.ideas.schemas import IdeaCreate
from northstar.integrations import service
from northstar.integrations.schemas import IssueLinkCreate
from tests.factories import World
from tests.integrations.conftest import SECRET, connect
from tests.integrations.fakes import FakeServices, State


def _idea(session: Session, world: World, title: str, status: str = "planned") -> int:
    idea = ideas.create_idea(
        session, world.actor(), IdeaCreate(title=title, description=f"{title}.\nFor the EU.", status=status)
    )  # type: ignore[arg-type]
    session.commit()
    return idea.id


def _status(session: Session, idea_id: int) -> Idea:
    session.expire_all()
    idea = session.get(Idea, idea_id)
    assert idea is not None
    return idea


def test_github_labelled_issues_become_feedback_across_link_pages_and_pull_requests_are_skipped(
    session: Session, session_factory: sessionmaker[Session], world: World, fakes: FakeServices, fake: State
) -> None:
    fake.add_issue("Bulk edit", "Let me edit 50 rows at once", ["feedback"])
    fake.add_issue("Crash on save", "Stack trace attached", ["bug"])
    fake.add_issue("Bump deps", "", ["feedback"], pull_request=True)
    fake.add_issue("Slack alerts", "", ["Customer", "enhancement"])
    fake.add_issue("Offline mode", "Field teams lose signal", ["feedback"])
    connection_id = connect(session, world, fakes, "github")
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert (run.pages, run.created) == (3, 3)
    assert all("per_page=100" in url for url in fake.github_requests[:1])
    assert "page=2" in fake.github_requests[1] and "page=3" in fake.github_requests[2]
    items = session.scalars(select(Feedback).order_by(Feedback.external_ref)).all()
    assert [(i.external_ref, i.source, i.text) for i in items] == [
        ("github:acme/app#1", "community", "Let me edit 50 rows at once"),
        ("github:acme/app#4", "community", "Slack alerts"),
        ("github:acme/app#5", "community", "Field teams lose signal"),
    ]
    fake.add_issue("Audit export", "CSV please", ["feedback"])
    again = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert "since=" in fake.github_requests[3] and again.created == 1


def test_github_linked_issue_closed_as_completed_ships_the_idea(
    session: Session, session_factory: sessionmaker[Session], world: World, fakes: FakeServices, fake: State
) -> None:
    fake.add_issue("Offline mode", "", ["feedback"])
    connection_id = connect(session, world, fakes, "github")
    idea_id = _idea(session, world, "Offline mode")
    link = service.link_issue(
        session, world.actor(), connection_id, IssueLinkCreate(idea_id=idea_id, issue="#1"), SECRET
    )
    session.commit()
    assert (link.issue_key, _status(session, idea_id).status) == (
        "acme/app#1",
        "in_progress",
    )  # open = being built
    fake.close_issue(1)
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert run.ideas_moved == 1 and _status(session, idea_id).status == "shipped"
    with pytest.raises(Conflict, match="already linked"):
        service.link_issue(
            session, world.actor(), connection_id, IssueLinkCreate(idea_id=idea_id, issue="1"), SECRET
        )


def test_jira_issue_created_from_an_idea_then_done_with_a_fix_version_ships_the_idea(
    session: Session, session_factory: sessionmaker[Session], world: World, fakes: FakeServices, fake: State
) -> None:
    for n in range(3):
        fake.add_jira(f"Unrelated {n}")
    connection_id = connect(session, world, fakes, "jira")
    idea_id = _idea(session, world, "SAML single sign-on")
    link = service.link_issue(session, world.actor(), connection_id, IssueLinkCreate(idea_id=idea_id), SECRET)
    session.commit()
    sent = fake.jira_created[0]["fields"]
    assert (sent["project"], sent["summary"], sent["issuetype"]) == (
        {"key": "PROD"},
        "SAML single sign-on",
        {"name": "Story"},
    )
    assert [p["content"][0]["text"] for p in sent["description"]["content"]] == [
        "SAML single sign-on.",
        "For the EU.",
    ]
    assert (link.issue_key, link.issue_status, _status(session, idea_id).status) == (
        "PROD-4",
        "To Do",
        "planned",
    )

    first = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert (first.pages, first.ideas_moved) == (2, 0)  # 4 issues, 2 a page, paged by nextPageToken
    assert (
        "nextPageToken" in fake.jira_searches[1]
        and fake.jira_searches[0]["jql"] == 'project = "PROD" ORDER BY updated ASC'
    )
    fake.move_jira("PROD-4", "Done", "done", version="2026.3")
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert 'updated >= "2026/03/02 09:' in fake.jira_searches[2]["jql"]
    idea = _status(session, idea_id)
    assert (run.ideas_moved, idea.status, idea.inputs.get("fix_version")) == (2, "shipped", "2026.3")
    links = service.list_links(session, world.actor(), connection_id)
    assert (links[0].issue_status, links[0].fix_versions) == ("Done", ["2026.3"])


def test_jira_link_to_a_missing_issue_is_refused_and_nothing_is_stored(
    session: Session, world: World, fakes: FakeServices
) -> None:
    connection_id = connect(session, world, fakes, "jira")
    idea_id = _idea(session, world, "Audit log")
    with pytest.raises(NorthstarError, match="Jira answered 404"):
        service.link_issue(
            session, world.actor(), connection_id, IssueLinkCreate(idea_id=idea_id, issue="PROD-99"), SECRET
        )
    assert service.list_links(session, world.actor(), connection_id) == []
    zendesk = connect(session, world, fakes, "zendesk")
    with pytest.raises(Conflict, match="cannot create issues"):
        service.link_issue(session, world.actor(), zendesk, IssueLinkCreate(idea_id=idea_id), SECRET)
