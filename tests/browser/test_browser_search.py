"""The global search in a real browser: type in the header box on another page, press Enter, read the grouped
results with the matches marked, click one and land on its page; axe on the results, the hint and no results."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_customer, make_feedback, make_idea, make_world

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


def test_search_from_the_header_finds_grouped_results_and_opens_one(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    acme = make_customer(session, world, "Acme Analytics", arr=84_000, segment="enterprise")
    make_feedback(session, world, "Exporting the <b>dashboard</b> to PDF loses the charts", customer=acme)
    idea = make_idea(session, world, "Dashboard PDF export")
    make_idea(session, world, "Dark mode")
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/ideas", watch)

    box = page.get_by_role("search", name="Everything").get_by_label(
        "Search feedback, ideas, customers and people"
    )
    box.fill("dashboard pdf")
    box.press("Enter")
    page.wait_for_url("**/search?q=dashboard+pdf")
    watch.assert_clean("/search?q=dashboard pdf")
    assert page.locator("h1").inner_text() == "Results for “dashboard pdf”"
    assert page.locator("#global-search").input_value() == "dashboard pdf", "the header box keeps the query"
    feedback = page.locator("[data-testid=group-feedback]")
    assert feedback.locator("h2").inner_text() == "Feedback (1)"
    assert "Exporting the <b>dashboard</b> to PDF" in feedback.inner_text(), (
        "the text as written, not as HTML"
    )
    assert feedback.locator("mark").all_inner_texts()[:2] == ["dashboard", "PDF"]
    ideas = page.locator("[data-testid=group-ideas]")
    assert ideas.locator("h2").inner_text() == "Ideas (1)"
    assert page.locator("[data-testid=group-customers]").count() == 0
    assert "Customers: 0" in page.locator("[data-testid=search-summary]").inner_text()
    assert_accessible(page, "/search?q=")

    ideas.get_by_role("link", name="Dashboard PDF export").click()
    page.wait_for_url(f"{live_server}/ideas/{idea.id}")
    assert page.locator("h1").inner_text() == "Dashboard PDF export"
    watch.assert_clean(f"/ideas/{idea.id} from the search")

    box = page.locator("#global-search")
    box.fill("acme")
    box.press("Enter")
    page.wait_for_url("**/search?q=acme")
    customers = page.locator("[data-testid=group-customers]")
    assert "Enterprise · $84,000 ARR" in customers.inner_text()
    customers.get_by_role("link", name="Acme Analytics").click()
    page.wait_for_url(f"{live_server}/customers/{acme.id}")
    watch.assert_clean("/customers/{id} from the search")


def test_search_page_hints_when_empty_and_says_what_to_try(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    make_feedback(session, world, "Please add dark mode")
    log_in(page, live_server, world.email(Role.VIEWER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/search", watch)
    assert "Type a few words" in page.locator("[data-testid=search-hint]").inner_text()
    assert_accessible(page, "/search")

    field = page.get_by_label("Search feedback, ideas, customers and people", exact=True).last
    field.fill("zebra unicorn")
    page.get_by_role("search", name="Search again").get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=zebra+unicorn")
    empty = page.locator("[data-testid=search-empty]").inner_text()
    assert "Nothing matches “zebra unicorn”." in empty and "Use fewer words" in empty
    assert_accessible(page, "/search with no results")
    watch.assert_clean("/search with no results")
