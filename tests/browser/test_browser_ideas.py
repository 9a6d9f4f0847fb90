"""Deciding by hand in a real browser: edit an idea on its page, score it there and inline on Prioritize.

Each page is opened clean (no console error, no failed request) and checked with axe; the flows are done by
clicking and typing, and a wrong value must come back next to its field with what was typed kept.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_idea, make_world

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


def _choose(page: Any, select: str, label: str) -> None:
    """Pick the option whose text contains ``label`` (as a person reads the list, not by its stored value)."""
    value = page.locator(select).locator("option", has_text=label).first.get_attribute("value")
    page.select_option(select, value)


def test_idea_is_edited_and_scored_on_its_page(live_server: str, session: Session, page: Any) -> None:
    world = make_world(session, "Lumen")
    idea = make_idea(session, world, "Dark mode")
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/ideas/{idea.id}", watch)
    assert_accessible(page, "/ideas/{id}")

    page.click("#edit > summary")
    edit = page.locator("[data-testid=edit-form]")
    edit.locator("input[name=title]").fill("Dark mode for the dashboard")
    edit.locator("textarea[name=description]").fill("Night-shift analysts asked for it.")
    edit.locator("button[type=submit]").click()
    page.wait_for_selector("text=Saved the idea's details.")
    assert page.locator("h1").inner_text() == "Dark mode for the dashboard"
    assert "Night-shift analysts asked for it." in page.locator("main").inner_text()

    scores = page.locator("[data-testid=score-form]")
    watch.assert_clean("/ideas/{id} after editing")

    scores.locator("input[name=reach]").fill("100")
    scores.locator("input[name=effort]").fill("-4")
    _choose(page, "[data-testid=score-form] select[name=impact]", "high")
    _choose(page, "[data-testid=score-form] select[name=confidence]", "high")
    scores.locator("button[type=submit]").click()
    effort = page.locator("[data-testid=score-form] input[name=effort]")
    assert effort.input_value() == "-4", "the typed value is kept after a refused save"
    assert effort.get_attribute("aria-invalid") == "true"
    assert page.locator("[data-testid=score-form] input[name=reach]").input_value() == "100"
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), f"only the refused save fails: {refused}"

    effort.fill("4")
    page.locator("[data-testid=score-form] button[type=submit]").click()
    page.wait_for_selector("text=Saved the scores.")
    assert "RICE score 50.0" in page.locator("[data-testid=rice-score]").inner_text()
    watch.assert_clean("/ideas/{id} after editing and scoring")


def test_idea_is_scored_inline_on_prioritize(live_server: str, session: Session, page: Any) -> None:
    world = make_world(session, "Lumen")
    idea = make_idea(session, world, "CSV export")
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/prioritize", watch)
    assert_accessible(page, "/prioritize")
    row = page.locator(f"#idea-{idea.id}")
    assert "—" in row.locator("td.num").inner_text(), "an unscored idea is listed, without a score"

    row.locator("input[name=reach]").fill("100")
    _choose(page, f"#idea-{idea.id} select[name=impact]", "high")
    _choose(page, f"#idea-{idea.id} select[name=confidence]", "high")
    row.locator("input[name=effort]").fill("4")
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/prioritize?**")
    assert page.locator(f"#idea-{idea.id} td.num").inner_text().strip() == "50.0"
    watch.assert_clean("/prioritize after scoring")
