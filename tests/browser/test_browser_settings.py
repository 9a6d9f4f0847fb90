"""Settings in a real browser: open /settings from the navigation's Settings group, invite someone by link and
sign them up through it in a second browser, change a member's role, create an API token (its secret shown once)
and revoke it, and find those writes in the audit log by its filter; each page clean and checked with axe."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_world

from northstar.accounts import service as accounts
from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


def test_invite_change_role_and_tokens_by_clicking(
    live_server: str, session: Session, page: Any, browser: Any
) -> None:
    world = make_world(session, "Lumen")
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/", watch)
    page.click("nav [role=group]:has-text('Settings') a[href='/settings']")
    page.wait_for_selector("h1:has-text('Settings of Lumen')")
    watch.assert_clean("/settings")
    assert_accessible(page, "/settings")

    invite = page.locator("[data-testid=invite-form]")
    invite.locator("input[name=email]").fill("rafa@example.com")
    invite.locator("select[name=role]").select_option(label="Product manager")
    invite.locator("button[type=submit]").click()
    link = page.locator("#invite-url").input_value()
    assert "/invite/" in link
    watch.assert_clean("/settings after inviting")
    assert_accessible(page, "/settings with an invite link")

    contributor = world.users[Role.CONTRIBUTOR]
    row = page.locator(f"[data-testid=members] tr[data-email='{contributor.email}']")
    row.locator("select[name=role]").select_option(label="Head of product")
    row.locator("button:has-text('Change role')").click()
    page.wait_for_selector("text=Changed the role.")
    selected = page.locator(f"[data-testid=members] tr[data-email='{contributor.email}'] select[name=role]")
    assert selected.input_value() == "head_of_product"

    tokens = page.locator("[data-testid=token-form]")
    tokens.locator("input[name=name]").fill("Warehouse sync")
    tokens.locator("select[name=scope]").select_option("ingest")
    tokens.locator("button[type=submit]").click()
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("nsk_")
    assert accounts.actor_for_token(session, secret).workspace_id == world.workspace.id  # the secret works
    session.rollback()
    page.click("button[aria-label='Revoke the token Warehouse sync']")
    page.wait_for_selector("text=Revoked the token.")
    assert secret not in page.content()  # shown once only
    assert "Revoked" in page.inner_text("[data-testid=tokens] tr[data-token='Warehouse sync']")
    watch.assert_clean("/settings after the token")

    page.select_option("[data-testid=audit-filters] select[name=object_type]", label="Api token")
    page.click("[data-testid=audit-filters] button[type=submit]")
    page.wait_for_url("**object_type=api_token**")
    audit_rows = page.inner_text("[data-testid=audit-log]")
    assert "Warehouse sync (ingest)" in audit_rows and "invite" not in audit_rows.lower()
    assert_accessible(page, "/settings with an audit filter")
    watch.assert_clean("/settings filtered")

    guest = browser.new_context(viewport={"width": 1360, "height": 900})
    try:
        visitor = guest.new_page()
        visitor_watch = PageWatch(visitor)
        open_clean(visitor, link, visitor_watch)
        assert "rafa@example.com" in visitor.inner_text("main")
        assert_accessible(visitor, "/invite")
        visitor.fill("input[name=name]", "Rafa")
        visitor.fill("input[name=password]", "a-long-password")
        visitor.click("button:has-text('Create my account and join')")
        visitor.wait_for_url(f"{live_server}/", wait_until="networkidle")
        assert "Rafa · product manager" in visitor.inner_text("header")
        visitor_watch.assert_clean("home after joining by invite")
    finally:
        guest.close()
