"""A Head of Product in a real browser: log in, create an idea, link feedback from the inbox, see the ARR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.factories import PASSWORD, make_customer, make_feedback, make_world

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


def test_link_feedback_from_inbox_and_see_arr_on_idea_page(
    live_server: str, session: Session, page: Any, screenshots: Path, backend: str
) -> None:
    world = make_world(session, "Lumen")
    acme = make_customer(session, world, "Acme Bank", arr=120_000, segment="enterprise")
    beta = make_customer(session, world, "Beta Shop", arr=8_000, segment="smb")
    make_feedback(session, world, "We need SAML single sign-on before renewal", acme)
    make_feedback(session, world, "SSO with Okta please", acme)
    make_feedback(session, world, "Single sign-on would save us time", beta)
    make_feedback(session, world, "Dark mode for the dashboard", beta)

    page.goto(f"{live_server}/ideas")
    assert "/login" in page.url
    page.fill("input[name=email]", world.email(Role.HEAD_OF_PRODUCT))
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    try:
        page.wait_for_url(f"{live_server}/ideas", timeout=20000)
    except Exception:
        print("DEBUG URL", page.url, page.content()[:3000])
        raise

    page.click("summary:has-text('New idea')")
    page.fill("input[name=title]", "Single sign-on (SAML)")
    page.click("button:has-text('Create idea')")
    page.wait_for_url("**/ideas/*")
    assert page.locator("h1").inner_text() == "Single sign-on (SAML)"

    page.goto(f"{live_server}/feedback?q=sign")
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    page.goto(f"{live_server}/feedback?q=SSO")
    page.check("input[data-select-all=feedback_id]")
    page.goto(f"{live_server}/feedback")
    for text in ("SAML single sign-on", "SSO with Okta", "Single sign-on would"):
        page.locator("tr", has_text=text).locator("input[name=feedback_id]").check()
    # the picker lists the newest ideas; its search box asks the API for any other
    page.fill("input[data-idea-search]", "saml")
    page.wait_for_function("document.querySelector('select[name=idea_id]').value !== ''")  # the one match
    assert page.locator("select[name=idea_id] option").count() == 2
    page.select_option("select[name=idea_id]", label="Single sign-on (SAML)")
    page.select_option("select[name=importance]", value="3")
    page.click("button:has-text('Link')")
    page.wait_for_url("**/ideas/*")

    assert page.locator("[data-testid=total-arr]").inner_text() == "$128k"
    assert page.locator("[data-testid=idea-feedback] tbody tr").count() == 3
    assert "Acme Bank" in page.content() and "Beta Shop" in page.content()
    page.screenshot(path=str(screenshots / f"idea-with-arr-{backend}.png"), full_page=True)

    page.goto(f"{live_server}/")
    assert page.locator(".stat-value").first.inner_text() == "2"
    page.screenshot(path=str(screenshots / f"home-{backend}.png"), full_page=True)
