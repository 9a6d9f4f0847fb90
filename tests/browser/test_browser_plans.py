"""Plans in a real browser: open the plans list and a plan, create a scenario by picking a team and an idea by name,
solve, schedule and forecast it by pressing the page's buttons, compare it with its plan and read the forecast.

Each page is opened clean (no console error, no failed request) and checked with axe. A small company (two teams,
four ideas with cost and benefit) keeps the solves to a second each.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_world

from northstar.core.permissions import Role
from northstar.decisions import service
from northstar.decisions.schemas import Assumptions, PlanCreate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaCreate
from northstar.teams.models import Team

pytestmark = pytest.mark.browser


def _company(session: Session) -> tuple[Any, Any]:
    """Two teams of three people a week; four ideas, the best of them too big for the budget."""
    world = make_world(session, "Lumen")
    core = Team(workspace_id=world.workspace.id, name="Core", capacity={"2027-Q1": 39, "2027-Q2": 39})
    mobile = Team(workspace_id=world.workspace.id, name="Mobile", capacity={"2027-Q1": 39, "2027-Q2": 39})
    session.add_all([core, mobile])
    session.flush()
    for title, team, effort, cost, benefit in [
        ("SAML single sign-on", core, 12, 40_000, 30_000),
        ("Audit log export", core, 8, 20_000, 12_000),
        ("Offline dashboards", mobile, 10, 30_000, 18_000),
        ("Dark mode", mobile, 6, 90_000, 40_000),
    ]:
        inputs = {
            "reach": 100,
            "impact": 2,
            "confidence": 0.8,
            "effort": effort,
            "one_off_cost": cost,
            "recurring_cost_per_quarter": 0,
            "benefit_per_quarter": benefit,
        }
        ideas.create_idea(session, world.actor(), IdeaCreate(title=title, team_id=team.id, inputs=inputs))
    plan = service.create_plan(
        session,
        world.actor(),
        PlanCreate(
            name="Next two quarters",
            assumptions=Assumptions(budget=100_000, time_limit_seconds=2, start_date="2027-01-04"),
        ),
    )
    service.solve_portfolio(session, world.actor(), plan.id)
    service.schedule_plan(session, world.actor(), plan.id)
    service.forecast_plan(session, world.actor(), plan.id, simulations=1_000)
    session.commit()
    return world, plan


def _press_and_wait(page: Any, button: str, done: str) -> None:
    """Press a plan step's button; the page shows the job's progress and reloads itself when the job is done."""
    page.click(f"button:has-text('{button}')")
    page.wait_for_selector(".job[data-job-id]")
    page.wait_for_selector(done, timeout=60_000)


def test_a_scenario_is_made_by_picking_names_solved_compared_and_its_forecast_read(
    live_server: str, session: Session, page: Any
) -> None:
    world, plan = _company(session)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)

    open_clean(page, f"{live_server}/plans", watch)
    assert_accessible(page, "/plans")
    row = page.locator("tr", has_text="Next two quarters")
    assert "$" in row.inner_text() and "2027" in row.inner_text()
    row.locator("a", has_text="Next two quarters").click()
    page.wait_for_url(f"{live_server}/plans/{plan.id}")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/plans/{id}")
    assert_accessible(page, "/plans/{id}")
    assert "Budget $100,000 of one-off cost" in page.locator("[data-testid=assumptions]").inner_text()
    assert "Dark mode" in page.locator("main").inner_text()

    form = page.locator("[data-testid=scenario-form]")
    form.locator("input[name=name]").fill("Hire into Core, fund dark mode")
    form.locator("select[name=team_id]").select_option(label="Core")
    form.locator("input[name=capacity_factor]").fill("lots")
    form.locator("button[type=submit]").click()
    factor = page.locator("[data-testid=scenario-form] input[name=capacity_factor]")
    assert factor.input_value() == "lots", "the typed value is kept after a refused scenario"
    assert factor.get_attribute("aria-invalid") == "true"
    assert "enter a number" in page.locator("#scenario-capacity_factor-error").inner_text()
    assert page.locator("[data-testid=scenario-form] input[name=name]").input_value() == (
        "Hire into Core, fund dark mode"
    )
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), (
        f"only the refused scenario fails: {refused}"
    )
    assert_accessible(page, "/plans/{id} with a refused scenario")

    factor.fill("2")
    # search for the idea by name, as a person would, and pick it from what the search found
    form.locator("input[data-idea-search=force_in]").fill("dark")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('select[name=force_in] option')).some(o => o.text === 'Dark mode')"
    )
    form.locator("select[name=force_in]").select_option(label="Dark mode")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Hire into Core, fund dark mode')")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("the new scenario")
    assumptions = page.locator("[data-testid=assumptions]").inner_text()
    assert "Core capacity × 2" in assumptions and "Forced in: Dark mode" in assumptions
    assert_accessible(page, "/plans/{scenario}")

    _press_and_wait(page, "Solve portfolio", "button:has-text('Schedule roadmap')")
    _press_and_wait(page, "Schedule roadmap", "button:has-text('Forecast delivery')")
    _press_and_wait(page, "Forecast delivery", "[data-testid=plan-finish]")
    watch.assert_clean("solving, scheduling and forecasting the scenario")
    assert "with 85% confidence" in page.locator("[data-testid=plan-finish]").inner_text()
    assert_accessible(page, "/plans/{scenario} forecast")

    page.click("a:has-text('Compare Hire into Core, fund dark mode with Next two quarters')")
    page.wait_for_selector("h1:has-text('compared with')")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/plans/compare")
    assert_accessible(page, "/plans/compare")
    changes = page.locator("[data-testid=assumption-changes]").inner_text()
    assert "Core capacity × 2 (was × 1)" in changes and "Dark mode forced in" in changes
    summary = page.locator("[data-testid=what-changed]").inner_text()
    assert "Added (1): Dark mode." in summary
    assert "With 85% confidence Hire into Core, fund dark mode is done by" in summary
    finish = page.locator("[data-testid=finish-table]").inner_text()
    assert "2027" in finish and "week" in finish and "not forecast" not in finish
    dark = page.locator("[data-testid=idea-table] tbody tr", has_text="Dark mode").inner_text()
    assert "added" in dark and "not funded" in dark
