"""Analytics in a real browser: choose a funnel, pick its steps, run it, save it, put it on a new dashboard and open
that dashboard; define a metric on its page. Every page is opened clean and checked with axe, and a refused form
comes back with the error next to its field and the typed values kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_world

from northstar.analytics import runtime
from northstar.analytics.store import EventRecord
from northstar.core.permissions import Role
from northstar.core.settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def _events(settings: Settings, workspace_id: int) -> None:
    """Six sign-ups, four of whom create a report and two share one, over the last few days."""
    now = datetime.now(UTC).replace(tzinfo=None)
    records = []
    for n in range(6):
        start = now - timedelta(days=5, hours=n)
        steps = ["signed_up", "report_created", "report_shared"][: 1 + (n < 4) + (n < 2)]
        for k, event in enumerate(steps):
            records.append(
                EventRecord(event=event, distinct_id=f"user{n}", timestamp=start + timedelta(hours=k))
            )
    runtime.store_registry(settings).get(str(workspace_id)).append(records)


def _refused(watch: PageWatch) -> None:
    """The refused submission answers 422 (its page still renders); nothing else may have failed."""
    problems, watch.problems = watch.problems, []
    assert problems and all("422" in problem for problem in problems), problems


def test_funnel_is_built_saved_and_read_on_a_new_dashboard(
    live_server: str, session: Session, page: Any, app_settings: Settings
) -> None:
    world = make_world(session, "Lumen")
    _events(app_settings, world.workspace.id)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/analytics", watch)
    assert_accessible(page, "/analytics")
    assert page.locator("fieldset[data-kind=trends]").is_visible()
    assert not page.locator("fieldset[data-kind=funnel]").is_visible(), "only the chosen type's fields show"

    page.select_option("#kind-choice", label="Funnel")
    assert page.locator("fieldset[data-kind=funnel]").is_visible()
    assert not page.locator("fieldset[data-kind=trends]").is_visible()
    assert not page.locator("#trends-math").is_visible()
    # the pickers offer the events that arrived, with their counts
    options = page.locator("#event-names option").evaluate_all("els => els.map(e => e.value)")
    assert set(options) == {"signed_up", "report_created", "report_shared"}

    page.fill("#funnel-steps-1", "signed_up")
    page.click("#insight-builder button[type=submit]")
    page.wait_for_selector("#funnel-steps-error")
    _refused(watch)
    assert "at least two steps" in page.locator("#funnel-steps-error").inner_text()
    assert page.locator("#funnel-steps-1").input_value() == "signed_up", "the typed step is kept"
    assert page.locator("fieldset[data-kind=funnel]").is_visible()

    page.fill("#funnel-steps-2", "report_created")
    page.click("[data-add-step]")
    page.fill("#funnel-steps-4", "report_shared")
    page.click("#insight-builder button[type=submit]")
    page.wait_for_selector("[data-testid=result] table")
    watch.assert_clean("/analytics after running the funnel")
    table = page.locator("[data-testid=result] table").inner_text()
    assert "3. report_shared" in table and "66.7%" in table and "33.3%" in table
    assert page.locator("[data-testid=result] svg").count() >= 1
    assert_accessible(page, "/analytics with a funnel result")

    page.click("[data-testid=save-form] button[type=submit]")  # no name yet
    page.wait_for_selector("#save-name-error")
    _refused(watch)
    assert page.locator("[data-testid=result] table").is_visible(), (
        "the result stays while the name is missing"
    )
    page.fill("#save-name", "Activation funnel")
    page.click("[data-testid=save-form] button[type=submit]")
    page.wait_for_selector("text=Saved the insight.")
    watch.assert_clean("the saved insight's page")
    assert page.locator("h1").inner_text() == "Activation funnel"
    assert_accessible(page, "/analytics/insights/{id}")

    page.fill("#new_dashboard", "Product health")
    page.click("[data-testid=add-to-dashboard] button[type=submit]")
    page.wait_for_selector("text=Added the insight to this dashboard.")
    watch.assert_clean("the new dashboard")
    assert page.locator("h1").inner_text() == "Product health"
    tile = page.locator("[data-testid=dashboard-grid] section")
    assert tile.count() == 1 and "Activation funnel" in tile.inner_text()
    assert tile.locator("svg").count() >= 1
    assert_accessible(page, "/analytics/dashboards/{id}")

    page.click("nav.subnav >> text=Dashboards")
    page.wait_for_selector("[data-testid=dashboards]")
    watch.assert_clean("/analytics/dashboards")
    assert_accessible(page, "/analytics/dashboards")
    page.click("[data-testid=dashboards] >> text=Product health")
    page.wait_for_selector("[data-testid=dashboard-grid]")
    assert "Activation funnel" in page.locator("[data-testid=dashboard-grid]").inner_text()

    page.click("nav.subnav >> text=Saved insights")
    page.wait_for_selector("[data-testid=saved-insights]")
    assert "Product health" in page.locator("[data-testid=saved-insights]").inner_text()
    assert_accessible(page, "/analytics/insights")
    watch.assert_clean("the dashboard and the saved insights")


def test_metric_is_defined_on_its_page_with_errors_next_to_the_fields(
    live_server: str, session: Session, page: Any, app_settings: Settings
) -> None:
    world = make_world(session, "Lumen")
    _events(app_settings, world.workspace.id)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/analytics/metrics", watch)
    assert_accessible(page, "/analytics/metrics")
    assert "No metrics yet" in page.locator("main").inner_text()
    assert "/api/" not in page.locator("main").inner_text()

    form = page.locator("[data-testid=new-metric]")
    form.locator("#metric-name").fill("Activation rate")
    form.locator("#metric-key").fill("Activation Rate")
    form.locator("#metric-event").fill("signed_up")
    page.select_option("#metric-math", label="Conversion rate to a second event")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#metric-key-error")
    _refused(watch)
    assert page.locator("#metric-key").input_value() == "Activation Rate"
    assert page.locator("#metric-name").input_value() == "Activation rate"
    assert_accessible(page, "/analytics/metrics with errors")

    page.fill("#metric-key", "activation_rate")
    page.fill("#metric-conversion_event", "report_created")
    page.click("[data-testid=new-metric] button[type=submit]")
    page.wait_for_selector("[data-testid=metrics]")
    watch.assert_clean("/analytics/metrics after defining")
    row = page.locator("[data-testid=metrics] tbody tr").first.inner_text()
    assert "Activation rate" in row and "66.7%" in row
