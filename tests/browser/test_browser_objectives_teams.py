"""Objectives and teams in a real browser: open an objective from the list, check in on a key result by typing
(a refused value stays next to its field), see the history update, bind a key result to a metric and update it
from the metric, and edit a team's capacity; each page opened clean and checked with axe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_world

from northstar.analytics import runtime
from northstar.analytics import service as analytics
from northstar.analytics.schemas import MetricCreate
from northstar.core.permissions import Role
from northstar.strategy import service as strategy
from northstar.strategy.schemas import KeyResultCreate, ObjectiveCreate
from northstar.teams import service as teams
from northstar.teams.models import Person, Team

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def _quarter(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def test_key_result_is_checked_in_and_bound_to_a_metric(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    actor = world.actor()
    year = dt.date.today().year
    objective = strategy.create_objective(
        session, actor, ObjectiveCreate(title="Grow usage", period=str(year))
    )
    strategy.add_key_result(
        session,
        actor,
        objective.id,
        KeyResultCreate(title="Reports exported", baseline=0, target=500, unit="reports"),
    )
    analytics.create_metric(
        session,
        actor,
        MetricCreate(key="reports", name="Reports exported", event="report_exported", window_days=365),
    )
    session.commit()
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/objectives", watch)
    assert_accessible(page, "/objectives")
    page.click("text=Grow usage")
    page.wait_for_selector("h1:has-text('Grow usage')")
    watch.assert_clean("/objectives/{id}")
    assert_accessible(page, "/objectives/{id}")
    card = page.locator("[data-testid=key-result]").first
    assert "No check-ins yet" in card.locator("[data-testid=check-ins]").inner_text()

    form = card.locator("[data-testid=check-in-form]")
    form.locator("input[name=value]").fill("forty")
    form.locator("input[name=note]").fill("first month")
    form.locator("button[type=submit]").click()
    value = page.locator("[data-testid=check-in-form] input[name=value]").first
    assert value.input_value() == "forty" and value.get_attribute("aria-invalid") == "true"
    assert page.locator("[data-testid=check-in-form] input[name=note]").first.input_value() == "first month"
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), refused

    value.fill("40")
    page.locator("[data-testid=check-in-form] button[type=submit]").first.click()
    page.wait_for_selector("text=Checked in.")
    history = page.locator("[data-testid=check-ins]").first.inner_text()
    assert "40 reports" in history and "first month" in history and "Typed in" in history
    assert page.locator("[data-testid=key-result] svg").count() >= 1, "the history chart is drawn"
    assert page.locator("[data-testid=current]").first.inner_text() == "40 reports"
    watch.assert_clean("/objectives/{id} after the check-in")

    page.select_option("[data-testid=metric-form] select[name=metric]", label="Reports exported (reports)")
    page.click("[data-testid=metric-form] button:has-text('Save source')")
    page.wait_for_selector("text=Saved which metric the key result follows.")
    assert "the metric Reports exported" in page.locator("[data-testid=pace-reason]").first.inner_text()
    page.click("button:has-text('Update from metrics')")
    page.wait_for_selector("text=Updated 1 key result from their metrics")
    history = page.locator("[data-testid=check-ins]").first.inner_text()
    assert "From the metric" in history
    assert page.locator("[data-testid=pace]").first.inner_text() in {"On track", "Behind", "At risk"}
    watch.assert_clean("/objectives/{id} after updating from metrics")
    assert_accessible(page, "/objectives/{id} with history")


def test_team_capacity_is_edited_on_the_team_page(live_server: str, session: Session, page: Any) -> None:
    world = make_world(session, "Lumen")
    team = Team(workspace_id=world.workspace.id, name="Data platform", capacity={})
    session.add(team)
    session.flush()
    session.add(Person(workspace_id=world.workspace.id, name="Ada Lovelace", title="PM", team_id=team.id))
    session.commit()
    current = _quarter(dt.date.today())
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/teams", watch)
    assert_accessible(page, "/teams")
    page.click("text=Data platform")
    page.wait_for_selector("h1:has-text('Data platform')")
    watch.assert_clean("/teams/{id}")
    assert_accessible(page, "/teams/{id}")
    assert "Ada Lovelace" in page.locator("[data-testid=team-members]").inner_text()

    field = page.get_by_label(f"Capacity in {current}")
    field.fill("-3")
    page.click("button:has-text('Save capacity')")
    field = page.get_by_label(f"Capacity in {current}")
    assert field.input_value() == "-3" and field.get_attribute("aria-invalid") == "true"
    assert "must be 0 or more person-weeks" in page.locator("[data-testid=capacity-form]").inner_text()
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), refused

    field.fill("42.5")
    page.click("button:has-text('Save capacity')")
    page.wait_for_selector("text=Saved the capacity.")
    assert page.get_by_label(f"Capacity in {current}").input_value() == "42.5"
    assert "42.5 person-weeks" in page.locator(".stats").inner_text()
    session.expire_all()
    assert teams.get_team(session, world.actor(), team.id).capacity == {current: 42.5}
    watch.assert_clean("/teams/{id} after saving")
