"""Integrations in a real browser against the local fake Zendesk: open /integrations from the navigation, connect
Zendesk with a missing e-mail first (the error sits next to the field, the token is not echoed), then test the
connection, sync it, follow the job to its end and see the run on the connection's page; each page checked with axe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_world
from tests.integrations.fakes import ZENDESK_EMAIL, ZENDESK_TOKEN, FakeServices, running_fakes

from northstar.core.permissions import Role

pytestmark = pytest.mark.browser


@pytest.fixture
def zendesk() -> Iterator[FakeServices]:
    yield from running_fakes()


def test_connect_test_and_sync_zendesk_by_clicking(
    live_server: str, session: Session, page: Any, zendesk: FakeServices
) -> None:
    for n, org in enumerate(("Globex", "Initech", "Globex")):
        zendesk.state.add_ticket(f"Request {n}", f"Customers ask for thing number {n}", org=org)
    world = make_world(session, "Lumen")
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/", watch)
    page.click("nav >> text=Integrations")
    page.wait_for_selector("h1:has-text('Integrations')")
    watch.assert_clean("/integrations")
    assert "No connections yet" in page.inner_text("[data-testid=connections]")
    assert_accessible(page, "/integrations (empty)")

    page.click("text=Connect Zendesk")
    page.wait_for_selector("h1:has-text('Connect Zendesk')")
    assert_accessible(page, "/integrations/new/zendesk")
    form = page.locator("[data-testid=add-connection]")
    form.locator("input[name=name]").fill("Support desk")
    form.locator("input[name=base_url]").fill(zendesk.url)
    form.locator("input[name=api_token]").fill(ZENDESK_TOKEN)
    form.locator("button[type=submit]").click()
    email = page.locator("input[name=email]")
    assert email.get_attribute("aria-invalid") == "true" and "Agent e-mail is required" in page.inner_text(
        "#email-error"
    )
    assert page.locator("input[name=api_token]").input_value() == ""  # a credential is never sent back
    assert page.locator("input[name=base_url]").input_value() == zendesk.url
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), refused
    assert_accessible(page, "/integrations/new/zendesk refused")

    email.fill(ZENDESK_EMAIL)
    page.locator("input[name=api_token]").fill(ZENDESK_TOKEN)
    page.locator("[data-testid=add-connection] button[type=submit]").click()
    page.wait_for_selector("text=Saved the connection.")
    page.click("button:has-text('Test connection')")
    assert "Connection works: signed in to Zendesk as Ada Agent" in page.inner_text(
        "[data-testid=test-result]"
    )
    assert ZENDESK_TOKEN not in page.content()
    connection_url = page.url.split("?")[0]
    assert_accessible(page, "/integrations/{id}")

    page.click("button:has-text('Sync now')")
    page.wait_for_selector(".job[data-status=succeeded]", timeout=20_000)
    watch.assert_clean("the sync job")
    page.goto(connection_url)
    runs = page.inner_text("[data-testid=runs]")
    assert "Incremental" in runs and "Succeeded" in runs, runs
    row = page.locator("[data-testid=runs] tbody tr").first.locator("td")
    assert [row.nth(i).inner_text() for i in (3, 5, 9)] == ["2", "3", "0"]  # pages, new, errors
    watch.assert_clean("/integrations/{id} after the sync")
    page.click("text=← All integrations")
    assert "Support desk" in page.inner_text("[data-testid=connections]")
    assert_accessible(page, "/integrations with a connection")
