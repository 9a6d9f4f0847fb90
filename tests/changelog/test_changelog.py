"""The changelog that closes the loop, on both databases: a draft from a shipped idea, publishing it e-mails each
contact who asked once (delivered to a real aiosmtpd server), the unsubscribe link in the mail works over HTTP and
stops further mail, the feedback is answered and the idea shows who was told; the Atom feed parses as a valid feed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from northstar.changelog import service
from northstar.changelog.schemas import EntryUpdate
from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.core.settings import Settings
from northstar.feedback import service as feedback
from northstar.feedback.schemas import FeedbackCreate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaUpdate, LinkRequest
from northstar.notifications import delivery
from northstar.notifications.models import OutboxMessage
from tests.factories import World, make_customer, make_idea, make_world
from tests.notifications.servers import SmtpServer

ATOM = "{http://www.w3.org/2005/Atom}"
LINKS = service.Links(public_url="http://testserver", secret="test-secret")


def _shipped_idea_with_askers(session: Session, world: World) -> int:
    actor = world.actor()
    customer = make_customer(session, world, "Globex", 50_000)
    items = [
        feedback.create_feedback(
            session,
            actor,
            FeedbackCreate(text=text, customer_id=customer.id, contact_email=email, source="support"),
        ).id
        for text, email in (
            ("Please let us export the roadmap to PDF for the board", "ana@globex.example"),
            ("PDF export of the roadmap, please", "ana@globex.example"),
            ("We need a PDF of the roadmap", "ben@globex.example"),
            ("Board wants a roadmap PDF", None),
        )
    ]
    idea = make_idea(session, world, "Roadmap PDF export")
    idea.description = "Export the roadmap as a PDF with the timeline and each initiative's dates."
    ideas.link_feedback(session, actor, idea.id, LinkRequest(feedback_ids=items))
    for status in ("planned", "in_progress", "shipped"):
        ideas.update_idea(session, actor, idea.id, IdeaUpdate(status=status))
    session.commit()
    return idea.id


def test_draft_publish_tells_each_asker_once_and_answers_the_feedback(
    session: Session, session_factory: sessionmaker[Session], smtp: SmtpServer
) -> None:
    world = make_world(session, "Initech")
    actor = world.actor(Role.PRODUCT_MANAGER)
    idea_id = _shipped_idea_with_askers(session, world)
    assert service.shipped_ideas(session, actor) == [(idea_id, "Roadmap PDF export")]
    entry = service.draft_from_idea(session, actor, idea_id)
    assert entry.status == "draft" and entry.title == "New: Roadmap PDF export"
    assert "timeline" in entry.body
    with pytest.raises(Conflict, match="already has changelog entry"):
        service.draft_from_idea(session, actor, idea_id)
    service.update_entry(session, actor, entry.id, EntryUpdate(title="Roadmap PDF export is here"))
    with pytest.raises(PermissionDenied):
        service.publish(session, world.actor(Role.CONTRIBUTOR), entry.id, LINKS)
    result = service.publish(session, actor, entry.id, LINKS)
    session.commit()
    assert (result.answered, result.told, result.without_email) == (4, 2, 1)
    with pytest.raises(Conflict, match="already published"):
        service.publish(session, actor, entry.id, LINKS)
    told = service.told_for_idea(session, actor, idea_id)
    assert sorted(t.outcome for t in told) == ["already_told", "no_email", "told", "told"]
    assert {t.customer for t in told if t.email} == {"Globex"}
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none", secret_key="test-secret")
    report = delivery.deliver_pending(session_factory, settings, world.workspace.id)
    customers_mail = [m for m in smtp.messages if m["To"].endswith("@globex.example")]
    assert report.sent == 2 + 6, "two customers, and three status changes told to two leaders"
    assert sorted(m["To"] for m in customers_mail) == ["ana@globex.example", "ben@globex.example"]
    ana = next(m for m in customers_mail if m["To"] == "ana@globex.example")
    text = ana.get_payload()
    assert ana["Subject"] == "You asked, we shipped: Roadmap PDF export is here"
    assert (
        "Hi there" not in text and "export the roadmap to PDF" in text and "PDF export of the roadmap" in text
    )
    assert f"http://testserver/updates/{world.workspace.slug}/{entry.id}" in text
    assert ana["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")
    assert service.answered_feedback(session, actor, [t.feedback_id for t in told]).keys() == {
        t.feedback_id for t in told
    }
    session.expire_all()
    assert {t.delivery for t in service.told_for_idea(session, actor, idea_id) if t.outcome == "told"} == {
        "sent"
    }


def test_unsubscribe_link_from_the_mail_works_and_the_next_entry_skips_them(
    client: TestClient, session: Session, smtp: SmtpServer
) -> None:
    world = make_world(session)
    actor = world.actor()
    idea_id = _shipped_idea_with_askers(session, world)
    entry = service.draft_from_idea(session, actor, idea_id)
    service.publish(session, actor, entry.id, LINKS)
    session.commit()
    body = session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.recipient == "ben@globex.example")
    ).one()
    link = re.search(r"http://testserver(/unsubscribe/\S+)", body)
    assert link
    page = client.get(link.group(1))
    assert page.status_code == 200 and "Unsubscribe" in page.text, "opening the link alone changes nothing"
    done = client.post(link.group(1))
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    forged = client.post(link.group(1)[:-3] + "abc")
    assert forged.status_code == 400 and "not valid" in forged.text
    session.expire_all()
    assert (
        session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.recipient == "ben@globex.example")
        ).one()
        == "suppressed"
    ), "the mail still waiting is not sent"
    # a second shipped idea asked for by the same people: Ben is unsubscribed and told nothing
    second = make_idea(session, world, "Dark mode")
    asked = feedback.create_feedback(
        session, actor, FeedbackCreate(text="dark mode please", contact_email="ben@globex.example")
    )
    ideas.link_feedback(session, actor, second.id, LinkRequest(feedback_ids=[asked.id]))
    for status in ("planned", "in_progress", "shipped"):
        ideas.update_idea(session, actor, second.id, IdeaUpdate(status=status))
    result = service.publish(session, actor, service.draft_from_idea(session, actor, second.id).id, LINKS)
    assert (result.told, result.unsubscribed) == (0, 1)


def test_public_changelog_and_atom_feed_without_login(client: TestClient, session: Session) -> None:
    world = make_world(session, "Hooli")
    actor = world.actor()
    idea_id = _shipped_idea_with_askers(session, world)
    entry = service.draft_from_idea(session, actor, idea_id)
    service.update_entry(session, actor, entry.id, EntryUpdate(body="PDF export <with> & ampersands"))
    session.commit()
    slug = world.workspace.slug
    assert "Nothing published yet" in client.get(f"/updates/{slug}").text, "a draft is not public"
    assert client.get(f"/updates/{slug}/{entry.id}").status_code == 404
    service.publish(session, actor, entry.id, LINKS)
    session.commit()
    page = client.get(f"/updates/{slug}")
    assert page.status_code == 200 and "New: Roadmap PDF export" in page.text
    assert "PDF export &lt;with&gt; &amp; ampersands" in page.text
    assert client.get(f"/updates/{slug}/{entry.id}").status_code == 200
    assert client.get("/updates/no-such-workspace").status_code == 404
    response = client.get(f"/updates/{slug}/feed.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.feed.title == "Hooli changelog"
    assert parsed.entries[0].title == "New: Roadmap PDF export"
    assert parsed.entries[0].link == f"http://testserver/updates/{slug}/{entry.id}"
    assert parsed.entries[0].content[0].value == "PDF export <with> & ampersands"
    root = ET.fromstring(response.content)  # RFC 4287 §4.1.1 and §4.1.2: what a feed and an entry must have
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    for item in root.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated"):
            assert item.find(f"{ATOM}{tag}") is not None, tag


def test_drafting_an_unshipped_or_unknown_idea_is_refused(session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world)
    with pytest.raises(ValidationFailed, match="is new; only a shipped idea"):
        service.draft_from_idea(session, world.actor(), idea.id)
    with pytest.raises(ValidationFailed, match="no idea 999"):
        service.draft_from_idea(session, world.actor(), 999)
