"""Experiments in a real browser: open an experiment with results from the list and read its verdict, change its
status, then create one through the form, paste per-variant summaries and read the new result.

Each page is opened clean (no console error, no failed request) and checked with axe.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_world

from northstar.core.permissions import Role
from northstar.experiments import service
from northstar.experiments.schemas import ExperimentCreate, SummaryUpload

pytestmark = pytest.mark.browser

ILLEGIBLE = re.compile(r"\{'|\['|\bNone\b|\d+\.\d{5,}|/api/v1/")
MEAN_CSV = (
    "variation,users,main_sum,main_sum_squares\n"
    "control,3407,1396.87,52377.9767\n"
    "treatment,3461,2422.7,134698.29\n"
)
WINNING_CSV = "variation,users,main_sum,main_sum_squares\ncontrol,5000,500,500\ntreatment,5000,650,650\n"


def _legible(page: Any, where: str) -> None:
    bad = ILLEGIBLE.findall(page.locator("main").inner_text())
    assert not bad, f"{where}: illegible text {bad[:5]}"


def test_an_experiment_s_verdict_is_read_and_a_new_one_is_created(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    pricing = service.create_experiment(
        session,
        world.actor(Role.OWNER),
        ExperimentCreate.model_validate(
            {
                "key": "pricing-page",
                "name": "Pricing page redesign",
                "variants": [{"key": "control"}, {"key": "treatment"}],
                "metrics": [
                    {"key": "revenue", "name": "Revenue per user", "type": "mean"},
                    {"key": "churn", "type": "proportion", "role": "guardrail", "inverse": True},
                ],
            }
        ),
    )
    service.upload_summaries(
        session, world.actor(Role.OWNER), pricing.id, SummaryUpload(metric_key="revenue", csv=MEAN_CSV)
    )
    session.commit()
    page.set_default_timeout(10_000)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)

    open_clean(page, f"{live_server}/experiments", watch)
    assert_accessible(page, "/experiments")
    _legible(page, "/experiments")
    page.click("text=Pricing page redesign")
    page.wait_for_url(f"{live_server}/experiments/{pricing.id}")
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/experiments/{id}")
    assert_accessible(page, "/experiments/{id}")
    _legible(page, "/experiments/{id}")
    assert page.locator("[data-testid=interval-chart] svg").count() >= 1
    revenue = page.locator("[data-testid=metric-revenue] tbody tr", has_text="treatment")
    assert "+70.73%" in revenue.inner_text()
    assert "Inconclusive" in revenue.inner_text(), "p = 0.06: the interval still includes no change"
    assert "no summary uploaded yet" in page.locator("[data-testid=metric-churn]").inner_text()

    page.get_by_label("Status", exact=True).select_option(label="Running")
    page.get_by_role("button", name="Set").click()
    page.wait_for_selector("text=Started 20")
    watch.assert_clean("/experiments/{id} after starting it")
    assert page.get_by_label("Status", exact=True).locator("option:checked").inner_text() == "Running"

    open_clean(page, f"{live_server}/experiments", watch)
    page.click("text=New experiment")
    form = page.locator("form[action='/experiments']")
    form.get_by_label("Key", exact=True).fill("one-page-checkout")
    form.get_by_label("Name", exact=True).fill("One-page checkout")
    form.get_by_label("Hypothesis").fill("If checkout fits one page, more visitors will buy.")
    form.get_by_label("Metrics, one per line").fill("conversion proprtion goal")
    form.get_by_role("button", name="Create experiment").click()
    page.wait_for_selector("[data-testid=new-experiment] .field-error")
    refused, watch.problems = watch.problems, []
    assert refused and all("422" in problem for problem in refused), f"only the refused save fails: {refused}"
    assert_accessible(page, "/experiments (refused form)")
    metrics = form.get_by_label("Metrics, one per line")
    assert metrics.get_attribute("aria-invalid") == "true"
    assert "line 1" in form.locator("#metrics-error").inner_text()
    assert form.get_by_label("Name", exact=True).input_value() == "One-page checkout", (
        "what was typed is kept"
    )
    assert metrics.input_value() == "conversion proprtion goal"
    metrics.fill("conversion proportion goal")
    form.get_by_role("button", name="Create experiment").click()
    page.wait_for_url(re.compile(r"/experiments/\d+$"))
    page.wait_for_load_state("networkidle")
    watch.assert_clean("/experiments/{id} created")
    assert page.locator("h1").inner_text().startswith("One-page checkout")
    assert "No results yet" in page.locator("main").inner_text()

    page.get_by_label("CSV").fill(WINNING_CSV)
    page.get_by_role("button", name="Upload").click()
    page.wait_for_selector("[data-testid=interval-chart] svg")
    watch.assert_clean("/experiments/{id} after the upload")
    assert_accessible(page, "/experiments/{id} with results")
    conversion = page.locator("[data-testid=metric-conversion] tbody tr", has_text="treatment")
    assert "Better" in conversion.inner_text(), conversion.inner_text()
    _legible(page, "/experiments/{id} with results")
