"""Discussion in a real browser: on an idea's page a member writes a comment and picks a colleague from the @mention
autocomplete; signed in as that colleague, the bell counts the mention, its link opens the idea at the comment, the
colleague replies, and /activity lists both comments; each page is checked with axe and loads without errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_idea, make_world

from northstar.core.permissions import Role
from northstar.discussion import engine

pytestmark = pytest.mark.browser


def test_comment_mention_bell_reply_and_activity(
    live_server: str, session: Session, page: Any, browser: Any
) -> None:
    world = make_world(session, "Hooli")
    idea = make_idea(session, world, "Calendar sync")
    handle = engine.handle_base(world.email(Role.PRODUCT_MANAGER))

    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/ideas/{idea.id}", watch)
    assert_accessible(page, "/ideas/{id} with its discussion")
    box = page.locator("#comment-body")
    box.click()
    box.type("Customers ask weekly. @" + handle[:7])
    page.click(f".mention-choices li[data-handle='{handle}']")
    assert box.input_value().endswith(f"@{handle} ")
    box.type("can you scope it?")
    page.click("[data-testid=comment-form] button[type=submit]")
    page.wait_for_selector("text=Comment posted.")
    assert f"@{handle} can you scope it?" in page.inner_text("[data-testid=comments]")
    assert "commented: Customers ask weekly." in page.inner_text("[data-testid=object-activity]")
    watch.assert_clean("/ideas/{id} after commenting")

    colleague = browser.new_context().new_page()
    log_in(colleague, live_server, world.email(Role.PRODUCT_MANAGER))
    other_watch = PageWatch(colleague)
    open_clean(colleague, f"{live_server}/", other_watch)
    assert colleague.inner_text("[data-testid=bell-count]") == "1"
    colleague.click("[data-testid=bell]")
    colleague.wait_for_selector("h1:has-text('Notifications')")
    assert "mentioned you on Calendar sync" in colleague.inner_text("[data-testid=notification-list]")
    colleague.click("[data-testid=notification-list] a:has-text('Open')")
    colleague.wait_for_selector("[data-testid=discussion]")
    assert f"/ideas/{idea.id}" in colleague.url
    colleague.fill("#comment-body", "On it, estimate by Friday.")
    colleague.click("[data-testid=comment-form] button[type=submit]")
    colleague.wait_for_selector("text=Comment posted.")
    assert "Unfollow" in colleague.inner_text("[data-testid=follow-form]")
    assert_accessible(colleague, "/ideas/{id} after the reply")
    other_watch.assert_clean("/ideas/{id} after replying")

    colleague.click("nav >> text=Activity")
    colleague.wait_for_selector("h1:has-text('Activity')")
    feed = colleague.inner_text("[data-testid=activity-feed]")
    assert "commented: On it, estimate by Friday." in feed and "commented: Customers ask weekly." in feed
    assert feed.index("On it") < feed.index("Customers ask weekly")
    assert_accessible(colleague, "/activity")
    colleague.select_option("select[name=person]", label=world.users[Role.OWNER].name)
    colleague.click("button:has-text('Filter')")
    colleague.wait_for_url("**/activity?**")
    assert "On it" not in colleague.inner_text("[data-testid=activity-feed]")
    other_watch.assert_clean("/activity")
