"""Reports & sharing in a real browser: open /reports from the navigation, issue a board report by clicking, start
this week's brief, write the note, send it (the form disappears), make a share link and open it in a second,
logged-out browser, then revoke it and see that browser get "not found"; every page clean and checked with axe."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.reports.company import make_company

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


def test_board_report_brief_and_share_link_by_clicking(
    live_server: str, session: Session, page: Any, browser: Any
) -> None:
    company = make_company(session, "Lumen Browser")
    log_in(page, live_server, company.world.email(Role.HEAD_OF_PRODUCT))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/", watch)
    page.click("nav >> text=Reports")
    page.wait_for_selector("h1:has-text('Reports')")
    assert "No reports yet" in page.inner_text("main")
    watch.assert_clean("/reports")
    assert_accessible(page, "/reports (empty)")

    page.click("button:has-text('Issue board report')")
    page.wait_for_selector("text=Issued the board report.")
    body = page.inner_text("[data-testid=report-body]")
    assert "Objectives scorecard" in body and "Accounts with SSO" in body and "SSO enforcement" in body
    assert page.locator("[data-testid=report-body] svg").count() >= 1, "the roadmap timeline is drawn"
    watch.assert_clean("board report page")
    assert_accessible(page, "board report page")

    page.click("nav >> text=Reports")
    page.click("button:has-text('New brief')")
    page.wait_for_selector("[data-testid=note-form]")
    page.fill("textarea[name=note]", "Enterprise push on track; SSO ships next month.")
    page.click("button:has-text('Save note')")
    page.wait_for_selector("text=Saved the note.")
    assert "Enterprise push on track" in page.inner_text("[data-testid=report-body]")
    assert_accessible(page, "draft brief")
    page.click("button:has-text('Send brief')")
    page.wait_for_selector("text=Sent the brief")
    assert page.locator("[data-testid=note-form]").count() == 0, "a sent brief takes no more edits"
    assert "Sent" in page.inner_text("[data-testid=report-status]")
    watch.assert_clean("brief")

    page.click("nav >> text=Reports")
    assert page.locator("[data-testid=reports-table] tbody tr").count() == 2
    page.click("text=Share links")
    page.wait_for_selector("h1:has-text('Share links')")
    assert_accessible(page, "/reports/share-links (empty)")
    page.fill("input[name=label]", "Board, December meeting")
    page.click("button:has-text('Make link')")
    page.wait_for_selector("text=Made the link.")
    address = page.get_attribute("[data-testid=share-address]", "href")
    assert address and address.startswith("/share/")
    assert "Board, December meeting" in page.inner_text("[data-testid=share-links-table]")
    watch.assert_clean("share links")
    assert_accessible(page, "/reports/share-links")

    stranger = browser.new_context()
    try:
        outside = stranger.new_page()
        outside_watch = PageWatch(outside)
        open_clean(outside, f"{live_server}{address}", outside_watch)
        table = outside.inner_text("[data-testid=shared-roadmap]")
        assert "SSO enforcement" in table and "Dark mode" in table and "Internal cost model" not in table
        assert outside.locator("nav.mainnav").count() == 0
        assert_accessible(outside, "shared roadmap (logged out)")

        page.click("button:has-text('Revoke')")
        page.wait_for_selector("text=Revoked the link")
        assert "revoked" in page.inner_text("[data-testid=share-links-table]")
        watch.assert_clean("after revoking")
        response = outside.goto(f"{live_server}{address}")
        assert response.status == 404
        assert "This page does not exist." in outside.inner_text("main")
        assert "Lumen" not in outside.content()
    finally:
        stranger.close()
