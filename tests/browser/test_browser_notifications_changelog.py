"""Notifications and the changelog in a real browser: the bell counts what the idea's status change told the owner,
the notifications page marks it read, a changelog entry is drafted from the shipped idea, edited and published by
clicking, the idea's page shows who was told, and the public changelog opens logged out; each page is checked with
axe and must load without console errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_customer, make_idea, make_world

from northstar.core.permissions import Role
from northstar.feedback import service as feedback
from northstar.feedback.schemas import FeedbackCreate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaUpdate, LinkRequest

pytestmark = pytest.mark.browser


def test_bell_notifications_publish_and_public_changelog(
    live_server: str, session: Session, page: Any, browser: Any
) -> None:
    world = make_world(session, "Pied Piper")
    customer = make_customer(session, world, "Hooli", 80_000)
    item = feedback.create_feedback(
        session,
        world.actor(),
        FeedbackCreate(
            text="We need SSO for our team", customer_id=customer.id, contact_email="gavin@hooli.example"
        ),
    )
    idea = make_idea(session, world, "Single sign-on")
    ideas.link_feedback(session, world.actor(), idea.id, LinkRequest(feedback_ids=[item.id]))
    hop = world.actor(Role.HEAD_OF_PRODUCT)  # someone else moves it: the owner is told
    for status in ("planned", "in_progress", "shipped"):
        ideas.update_idea(session, hop, idea.id, IdeaUpdate(status=status))
    session.commit()

    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/", watch)
    assert page.inner_text("[data-testid=bell-count]") == "3"
    assert page.get_attribute("[data-testid=bell]", "aria-label") == "Notifications, 3 unread"
    page.click("[data-testid=bell]")
    page.wait_for_selector("h1:has-text('Notifications')")
    listing = page.inner_text("[data-testid=notification-list]")
    assert "Single sign-on: in progress → shipped" in listing and "3 unread" in listing
    assert_accessible(page, "/notifications")
    page.click("button:has-text('Mark all read')")
    page.wait_for_selector("text=Marked 3 read.")
    assert page.locator("[data-testid=bell-count]").count() == 0
    watch.assert_clean("/notifications after marking read")
    page.click("text=Preferences")
    page.wait_for_selector("h1:has-text('Notification preferences')")
    assert_accessible(page, "/notifications/preferences")
    page.fill("input[name=slack_webhook_url]", "not a url")
    page.click("button:has-text('Save preferences')")
    assert "not a webhook URL" in page.inner_text("#slack_webhook_url-error")
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), refused

    page.click("nav >> text=Changelog")
    page.wait_for_selector("h1:has-text('Changelog')")
    assert_accessible(page, "/changelog")
    page.select_option("[data-testid=draft-form] select[name=idea_id]", label="Single sign-on")
    page.click("button:has-text('Draft entry')")
    page.wait_for_selector("text=Drafted from the idea")
    page.fill("input[name=title]", "Single sign-on for every plan")
    page.click("[data-testid=entry-form] button[type=submit]")
    page.wait_for_selector("text=Saved the entry.")
    assert_accessible(page, "/changelog/{id} draft")
    page.click("button:has-text('Publish and tell the customers')")
    page.wait_for_selector("[data-testid=published-flash]")
    assert "1 contact(s) will get an e-mail" in page.inner_text("[data-testid=published-flash]")
    assert "gavin@hooli.example" in page.inner_text("[data-testid=told]")
    watch.assert_clean("/changelog/{id} after publishing")
    page.click("main >> text=Single sign-on >> nth=0")  # the idea, not the navigation's "Single sign-on"
    page.wait_for_selector("[data-testid=told]")
    assert "Hooli" in page.inner_text("[data-testid=told]"), "the idea shows who was told"

    stranger = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        public = stranger.new_page()
        outside = PageWatch(public)
        open_clean(public, f"{live_server}/updates/{world.workspace.slug}", outside)
        assert public.locator("header.topbar").count() == 0, "no account header for a visitor"
        assert "Single sign-on for every plan" in public.inner_text("[data-testid=public-entry]")
        assert_accessible(public, "/updates/{slug} logged out")
        public.click("text=Single sign-on for every plan")
        public.wait_for_url(f"**/updates/{world.workspace.slug}/*")
        outside.assert_clean("public entry")
    finally:
        stranger.close()
