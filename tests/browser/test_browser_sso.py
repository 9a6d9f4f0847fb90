"""Single sign-on and two-factor login in a real browser. An owner opens Single sign-on from the navigation and
sets up the local OpenID Connect provider by clicking; after logging out, Ana signs in with her work e-mail through
the provider and lands in the workspace as Head of Product (her group's role); a person of another domain is
refused with a page that says why. The owner then turns on two-factor login from their security page and logs in
with a code. Each page of ours opens clean and passes axe."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from sqlalchemy.orm import Session
from tests.accounts.conftest import _provider_server, provider  # noqa: F401 - fixtures
from tests.accounts.oidc_provider import Provider
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import PASSWORD, make_world

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


def _log_out(page: Any) -> None:
    page.click("button:has-text('Log out')")
    page.wait_for_url(re.compile(r".*/login$"))


def test_owner_sets_up_sso_and_a_member_signs_in_with_the_mapped_role(
    live_server: str,
    session: Session,
    page: Any,
    provider: Provider,  # noqa: F811 - the imported fixture
) -> None:
    world = make_world(session, "Lumen")
    provider.register("northstar-browser", "browser-secret", f"{live_server}/sso/callback")
    provider.add_person("ana", email="ana@lumen.example", name="Ana Ruiz", groups=["product-leads"])
    provider.add_person("mal", email="mallory@elsewhere.example", name="Mallory")
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    page.click("nav >> text=Single sign-on")
    page.wait_for_selector("h1:has-text('Single sign-on')")
    watch.assert_clean("/settings/sso")
    assert "not set up" in page.inner_text("[data-testid=sso-status]")
    assert_accessible(page, "/settings/sso (empty)")
    form = page.locator("[data-testid=sso-form]")
    form.locator("input[name=issuer]").fill(provider.issuer)
    form.locator("input[name=client_id]").fill("northstar-browser")
    form.locator("input[name=client_secret]").fill("browser-secret")
    form.locator("input[name=allowed_domains]").fill("lumen.example")
    form.locator("textarea[name=group_roles]").fill("product-leads = head_of_product")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=Saved the single sign-on settings.")
    status = page.inner_text("[data-testid=sso-status]")
    assert "product-leads → Head of Product" in status and "browser-secret" not in page.content()
    watch.assert_clean("/settings/sso after saving")
    assert_accessible(page, "/settings/sso (configured)")
    _log_out(page)

    open_clean(page, f"{live_server}/login", watch)
    assert_accessible(page, "/login with single sign-on")
    page.fill("input[name=sso_email]", "ana@lumen.example")
    page.click("button:has-text('Sign in with single sign-on')")
    page.wait_for_selector("h1:has-text('Test identity provider')")
    page.click("button:has-text('Sign in as ana@lumen.example')")
    page.wait_for_url(f"{live_server}/", wait_until="networkidle")
    assert "Ana Ruiz · head of product" in page.inner_text("header .who")
    assert "Lumen" in page.content()
    watch.problems = []  # the provider's own page is not ours to check
    open_clean(page, f"{live_server}/", watch)
    _log_out(page)

    # someone of another domain goes through the provider and is refused by Northstar, with the reason
    page.goto(f"{live_server}/sso/{world.workspace.slug}")
    page.click("button:has-text('Sign in as mallory@elsewhere.example')")
    page.wait_for_selector("[data-testid=sso-refused]")
    reason = page.inner_text("[data-testid=sso-refused]")
    assert "mallory@elsewhere.example is not allowed into Lumen" in reason and "lumen.example" in reason
    refused, watch.problems = watch.problems, []
    assert all("403" in problem for problem in refused), refused
    assert_accessible(page, "single sign-on refused")


def test_owner_turns_on_two_factor_and_logs_in_with_a_code(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    page.click("header .who")
    page.wait_for_selector("h1:has-text('Your security')")
    watch.assert_clean("/account/security")
    assert_accessible(page, "/account/security")
    page.click("button:has-text('Set up two-factor login')")
    page.wait_for_selector("[data-testid=totp-qr] svg")
    assert_accessible(page, "/account/security (set-up)")
    totp = pyotp.TOTP(page.inner_text("[data-testid=totp-secret]").strip())
    page.fill("[data-testid=two-factor-confirm] input[name=code]", totp.now())
    page.click("button:has-text('Turn two-factor login on')")
    page.wait_for_selector("[data-testid=recovery-codes]")
    codes = page.locator("[data-testid=recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    watch.assert_clean("/account/security (recovery codes)")
    _log_out(page)

    page.fill("input[name=email]", world.email(Role.OWNER))
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector("[data-testid=two-factor-form]")
    assert_accessible(page, "/login/two-factor")
    page.fill("input[name=code]", codes[0])
    page.click("button:has-text('Verify')")
    page.wait_for_url(f"{live_server}/", wait_until="networkidle")
    watch.assert_clean("home after two-factor login")
