"""A feedback item and a theme's items in a real browser: open an item from the inbox by clicking, correct its kind,
link it to an idea found by typing, unlink it, move it to another theme; from a theme, link its items to an existing
idea in one step. Each page opens clean (no console error, no failed request) and passes axe."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_customer, make_idea, make_world
from tests.feedback.analysis_support import TOPICS
from tests.feedback.themes_support import seed_topics, the_theme

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


def _choose(page: Any, select: str, label: str) -> None:
    """Pick the option whose text contains ``label``, as a person reads the list."""
    value = page.locator(select).locator("option", has_text=label).first.get_attribute("value")
    page.select_option(select, value)


def test_item_is_opened_from_the_inbox_corrected_linked_unlinked_and_moved(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    acme = make_customer(session, world, "Acme Analytics", 48_250.0, "enterprise")
    ids = seed_topics(session, world, {"export": [acme]})
    make_idea(session, world, "Spreadsheet export for reports")
    make_idea(session, world, "Single sign-on")
    login_theme = the_theme(session, ids["login"])
    text = TOPICS["export"][0]
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)

    open_clean(page, f"{live_server}/feedback", watch)
    page.get_by_role("link", name=text).click()
    page.wait_for_url(f"{live_server}/feedback/{ids['export'][0]}")
    watch.assert_clean("/feedback/{id}")
    assert_accessible(page, "/feedback/{id}")
    assert page.locator(".breadcrumbs").inner_text().split()[0] == "Inbox"
    assert page.locator("[data-testid=item-text]").inner_text() == text
    customer = page.locator("[data-testid=customer]")
    assert "Acme Analytics" in customer.inner_text() and "$48,250" in customer.inner_text()
    assert "Feature request" in page.locator("[data-testid=kind]").inner_text()

    _choose(page, "#kind-kind", "question")
    page.locator("[data-testid=kind-form] button[type=submit]").click()
    page.wait_for_selector("text=Kind corrected; every re-analysis keeps it.")
    assert "Question" in page.locator("[data-testid=kind]").inner_text()
    assert "set by hand" in page.locator("[data-testid=kind]").inner_text()

    link = page.locator("[data-testid=link-form]")
    link.locator("button[type=submit]").click()  # nothing chosen: refused next to the picker
    assert page.locator("#link-idea_id-error").inner_text() == "choose an idea from the list"
    watch.problems = [p for p in watch.problems if "422" not in p]
    page.locator("#link-idea-search").fill("spreadsheet")
    page.wait_for_function(
        "() => document.querySelector('#link-idea_id').options.length === 2"
        " && document.querySelector('#link-idea_id').value !== ''"
    )
    _choose(page, "#link-importance", "must-have")
    page.locator("[data-testid=link-form] button[type=submit]").click()
    page.wait_for_selector("text=Linked to the idea.")
    ideas = page.locator("[data-testid=item-ideas]")
    assert "Spreadsheet export for reports" in ideas.inner_text() and "must-have" in ideas.inner_text()
    watch.assert_clean("/feedback/{id} after linking")

    ideas.get_by_role("button", name="Unlink from Spreadsheet export for reports").click()
    page.wait_for_selector("text=Unlinked from the idea.")
    assert "Not linked to any idea yet" in page.locator("[data-testid=item-ideas]").inner_text()

    page.select_option("#theme-theme_id", str(login_theme))
    page.locator("[data-testid=theme-form]").get_by_role("button", name="Move", exact=True).click()
    page.wait_for_selector("text=Moved to the theme; every re-analysis keeps it there.")
    assert "placed by hand" in page.locator("[data-testid=theme]").inner_text()
    history = page.locator("[data-testid=history]").inner_text()
    for line in (
        "Moved to theme",
        "Unlinked from idea",
        "Linked to idea",
        "Kind set to question by hand",
        "Logged",
    ):
        assert line in history, history
    watch.assert_clean("/feedback/{id} after correcting")
    assert_accessible(page, "/feedback/{id} with a flash and history")

    page.locator("[data-testid=theme-form]").get_by_role("button", name="Remove from theme").click()
    page.wait_for_selector("text=Taken out of its theme; every re-analysis keeps it out.")
    assert "taken out of its theme by hand" in page.locator("[data-testid=theme]").inner_text()
    page.select_option("#theme-theme_id", str(login_theme))
    page.locator("[data-testid=theme-form]").get_by_role("button", name="Move", exact=True).click()
    page.wait_for_selector("text=Moved to the theme; every re-analysis keeps it there.")
    watch.assert_clean("/feedback/{id} after removing from the theme and moving back")

    page.locator("[data-testid=theme] a").first.click()
    page.wait_for_url(f"{live_server}/feedback/themes/{login_theme}")
    watch.assert_clean("/feedback/themes/{id} from the item")


def test_theme_items_are_linked_to_an_existing_idea_in_one_step(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    ids = seed_topics(session, world)
    make_idea(session, world, "Spreadsheet export for reports")
    export = the_theme(session, ids["export"])
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/feedback/themes/{export}", watch)
    assert_accessible(page, "/feedback/themes/{id}")

    # two items first, by ticking them
    rows = page.locator("[data-testid=items] tbody tr")
    rows.nth(0).locator("input[type=checkbox]").check()
    rows.nth(1).locator("input[type=checkbox]").check()
    checked = page.locator("[data-testid=link-checked]")
    _choose(page, "#checked-idea_id", "Spreadsheet export")
    checked.get_by_role("button", name="Link checked").click()
    page.wait_for_selector("[data-testid=flash]")
    assert (
        "2 item(s) linked to Spreadsheet export for reports"
        in page.locator("[data-testid=flash]").inner_text()
    )

    # then the whole theme: the two are not linked twice
    form = page.locator("[data-testid=link-all-form]")
    form.locator("input[type=search]").fill("spreadsheet")
    page.wait_for_function("() => document.querySelector('#all-idea_id').value !== ''")
    form.get_by_role("button", name="Link all 6 items to this idea").click()
    page.wait_for_selector("text=were linked to it already")
    flash = page.locator("[data-testid=flash]").inner_text()
    assert (
        "4 item(s) linked to Spreadsheet export for reports" in flash
        and "2 were linked to it already" in flash
    )
    watch.assert_clean("/feedback/themes/{id} after linking")
    assert_accessible(page, "/feedback/themes/{id} with a flash")

    page.locator("[data-testid=flash] a").click()
    page.wait_for_selector("[data-testid=idea-feedback]")
    assert page.locator("[data-testid=idea-feedback] tbody tr").count() == 6
    page.locator("[data-testid=idea-feedback] a.item-link").first.click()
    page.wait_for_selector("[data-testid=item-ideas]")
    assert "Spreadsheet export for reports" in page.locator("[data-testid=item-ideas]").inner_text()
    watch.assert_clean("/feedback/{id} from the idea")
