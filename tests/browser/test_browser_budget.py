"""The budget in a real browser: open /budget from the navigation, add a plan line with a refused amount first (the
error sits next to the field, what was typed stays), import a finance export whose bad row is named and nothing
saved, then a good one, and see plan against actual with the variance; each page opened clean and checked with axe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_world

from northstar.budget import engine
from northstar.core.permissions import Role
from northstar.teams.models import Team

pytestmark = pytest.mark.browser


def test_plan_line_import_and_variance(live_server: str, session: Session, page: Any, tmp_path: Path) -> None:
    world = make_world(session, "Lumen")
    for name in ("Growth", "Core"):
        session.add(Team(workspace_id=world.workspace.id, name=name))
    session.commit()
    today = dt.date.today()
    quarter = engine.quarter_of(today)
    first_day = engine.parse_period(quarter).starts_on.isoformat()
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/", watch)
    page.click("nav >> text=Budget")
    page.wait_for_selector("h1:has-text('Budget')")
    watch.assert_clean("/budget")
    assert "No plan lines yet" in page.inner_text("[data-testid=plan-lines]")
    assert_accessible(page, "/budget (empty)")

    form = page.locator("[data-testid=plan-line-form]")
    form.locator("select[name=team_id]").select_option(label="Growth")
    form.locator("input[name=period]").fill(quarter)
    form.locator("select[name=category]").select_option(label="Contractors")
    form.locator("input[name=amount]").fill("lots")
    form.locator("button[type=submit]").click()
    amount = page.locator("[data-testid=plan-line-form] input[name=amount]")
    assert amount.input_value() == "lots" and amount.get_attribute("aria-invalid") == "true"
    assert "not an amount" in page.inner_text("#amount-error")
    assert page.locator("[data-testid=plan-line-form] input[name=period]").input_value() == quarter
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), refused
    assert_accessible(page, "/budget with a refused plan line")

    amount.fill("18,000")
    page.locator("[data-testid=plan-line-form] button[type=submit]").click()
    page.wait_for_selector("text=Added the plan line.")
    assert "$18,000.00" in page.inner_text("[data-testid=plan-lines]")
    watch.assert_clean("/budget after adding")

    page.click("text=Import actual spend")
    page.wait_for_selector("h1:has-text('Import actual spend')")
    assert_accessible(page, "/budget/import")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"Date,Net,Cost centre,Category\n{first_day},100,Growth,contractors\n{first_day},50,Moonshots,tools\n"
    )
    page.set_input_files("input[name=file]", str(bad))
    page.click("button:has-text('Next: map columns')")
    page.wait_for_selector("h2:has-text('Map the columns')")
    page.select_option("select[name=map-amount]", "net")
    page.click("button:has-text('Import')")
    errors = page.inner_text("[data-testid=import-errors]")
    assert "Nothing was imported" in errors and "Moonshots" in errors and "Team or cost centre" in errors
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), refused
    assert_accessible(page, "/budget/import with refused rows")

    good = tmp_path / "good.csv"
    good.write_text(
        "Date,Net,Cost centre,Category,Vendor\n"
        f'{first_day},"12,000.50",Growth,contractors,Acme Dev\n{first_day},19.99,Core,tools,Figma\n'
    )
    page.click("text=Upload another file")
    page.set_input_files("input[name=file]", str(good))
    page.click("button:has-text('Next: map columns')")
    page.wait_for_selector("h2:has-text('Map the columns')")
    assert page.locator("select[name=map-team]").input_value() == "cost_centre", "a cost centre is a team"
    page.select_option("select[name=map-amount]", "net")  # a refused import saved no mapping
    page.click("button:has-text('Import')")
    page.wait_for_selector("[data-testid=import-done]")
    assert "imported 2 new row(s) totalling $12,020.49" in page.inner_text("[data-testid=import-done]")
    watch.assert_clean("/budget/import after importing")

    page.click("text=See plan against actual")
    page.wait_for_selector("[data-testid=variance-table]")
    table = page.inner_text("[data-testid=variance-table]")
    assert "$18,000.00" in table and "$12,000.50" in table and "−$5,999.50" in table
    assert "Core" in table and "$19.99" in table
    assert page.locator("figure.chart svg").count() == 2, (
        "the plan-and-actual chart and the burn-up are drawn"
    )
    assert "Core" in page.inner_text("[data-testid=budget-alerts]")  # spend without a plan
    watch.assert_clean("/budget with spend")
    assert_accessible(page, "/budget with spend")


def test_edit_a_line_import_a_workbook_follow_a_plan_and_replan(
    live_server: str, session: Session, page: Any, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    from northstar.budget import service
    from northstar.budget.schemas import BudgetLineCreate
    from northstar.decisions import service as decisions
    from northstar.decisions.schemas import Assumptions, PlanCreate
    from northstar.ideas import service as ideas
    from northstar.ideas.schemas import IdeaCreate

    world = make_world(session, "Orbit")
    quarter = engine.quarter_of(dt.date.today())
    start = engine.parse_period(quarter).starts_on
    team = Team(workspace_id=world.workspace.id, name="Core", capacity={quarter: 26})
    session.add(team)
    session.flush()
    for title, effort in (("Offline mode", 12), ("Audit export", 10)):
        inputs = {"effort": effort, "one_off_cost": 900, "benefit_per_quarter": 800}
        ideas.create_idea(session, world.actor(), IdeaCreate(title=title, team_id=team.id, inputs=inputs))
    assumptions = Assumptions(time_limit_seconds=3, start_date=start.isoformat(), budget=5000)
    plan = decisions.create_plan(
        session, world.actor(), PlanCreate(name="This quarter", assumptions=assumptions)
    )
    decisions.solve_portfolio(session, world.actor(), plan.id)
    decisions.schedule_plan(session, world.actor(), plan.id)
    service.create_line(
        session,
        world.actor(),
        BudgetLineCreate(team_id=team.id, period=quarter, category="tools", amount="900"),
    )
    session.commit()
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)
    open_clean(page, f"{live_server}/budget", watch)

    page.click("[data-testid=plan-lines] a:has-text('Edit')")
    page.wait_for_selector("h1:has-text('Edit plan line')")
    assert_accessible(page, "/budget/lines/…/edit")
    page.fill("[data-testid=plan-line-edit] input[name=amount]", "1,250")
    page.click("button:has-text('Save plan line')")
    page.wait_for_selector("text=Saved the plan line.")
    assert "$1,250.00" in page.inner_text("[data-testid=plan-lines]")

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Posted", "Net", "Cost centre", "Category", "Project"])
    sheet.append([start, 480.25, "Core", "tools", "Offline mode"])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    page.click("text=Import actual spend")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Next: map columns')")
    page.wait_for_selector("h2:has-text('Map the columns')")
    page.select_option("select[name=map-date]", "posted")
    page.select_option("select[name=map-amount]", "net")
    assert page.locator("select[name=map-idea]").input_value() == "project"
    page.click("button:has-text('Import')")
    page.wait_for_selector("[data-testid=import-done]")
    assert "imported 1 new row(s) totalling $480.25" in page.inner_text("[data-testid=import-done]")
    watch.assert_clean("/budget/import of a workbook")

    page.click("text=See plan against actual")
    page.select_option("[data-testid=follow-plan] select[name=plan_id]", label="This quarter")
    page.click("button:has-text('Follow and snapshot its funding')")
    page.wait_for_selector("text=Following the plan")
    initiatives_table = page.inner_text("[data-testid=initiatives]")
    assert "Offline mode" in initiatives_table and "This quarter" in initiatives_table  # funded in that plan
    assert "Core" in page.inner_text("[data-testid=people-cost]")
    watch.assert_clean("/budget following a plan")
    assert_accessible(page, "/budget following a plan")

    page.click("[data-testid=replan] button")
    page.wait_for_selector("h1:has-text('re-plan with')")
    assert "/plans/" in page.url
    assert service.get_settings(session, world.actor()).replan_plan_id is not None
