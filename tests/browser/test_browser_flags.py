"""Feature flags and experiment planning in a real browser: create a flag, change its rollout and its variants' split,
then plan an experiment's sample size and record its decision (the idea moves, the key result gets a check-in).

Each page is opened clean (no console error, no failed request) and checked with axe.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.browser_fixtures import PageWatch, assert_accessible, log_in, open_clean
from tests.factories import make_idea, make_world

from northstar.core.permissions import Role
from northstar.experiments import service as experiments
from northstar.experiments.schemas import ExperimentCreate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaUpdate
from northstar.strategy import service as strategy
from northstar.strategy.schemas import KeyResultCreate, ObjectiveCreate

pytestmark = pytest.mark.browser

ILLEGIBLE = re.compile(r"\{'|\['|\bNone\b|\d+\.\d{5,}|/api/v1/")


def _check(page: Any, watch: PageWatch, where: str) -> None:
    page.wait_for_load_state("networkidle")
    watch.assert_clean(where)
    assert_accessible(page, where)
    bad = ILLEGIBLE.findall(page.locator("main").inner_text())
    assert not bad, f"{where}: illegible text {bad[:5]}"


def test_a_flag_is_created_and_rolled_out_and_an_experiment_is_planned_and_decided(
    live_server: str, session: Session, page: Any
) -> None:
    world = make_world(session, "Lumen")
    owner = world.actor(Role.OWNER)
    idea = make_idea(session, world, "Annual plan first")
    ideas.update_idea(session, owner, idea.id, IdeaUpdate(status="planned"))
    objective = strategy.create_objective(session, owner, ObjectiveCreate(title="Grow revenue"))
    kr = strategy.add_key_result(
        session, owner, objective.id, KeyResultCreate(title="Upgrade rate", target=0.1)
    )
    experiment = experiments.create_experiment(
        session,
        owner,
        ExperimentCreate.model_validate(
            {
                "key": "annual-plan",
                "name": "Annual plan first",
                "status": "running",
                "feature_flag": "annual-plan",
                "idea_id": idea.id,
                "variants": [{"key": "control"}, {"key": "test"}],
                "metrics": [{"key": "upgraded", "type": "proportion", "event": "plan_upgraded"}],
            }
        ),
    )
    session.commit()
    page.set_default_timeout(10_000)
    log_in(page, live_server, world.email(Role.OWNER))
    watch = PageWatch(page)

    open_clean(page, f"{live_server}/flags", watch)
    _check(page, watch, "/flags")
    page.get_by_text("New flag").click()
    page.get_by_label("Key (what the code asks for)").fill("annual-plan")
    page.get_by_label("Name", exact=True).fill("Annual plan first")
    page.get_by_label("Roll out to").fill("20")
    page.get_by_label("Variants (leave empty for an on/off flag)").fill("control, test")
    page.get_by_role("button", name="Create flag").click()
    page.wait_for_url(re.compile(r"/flags/\d+\?created=1"))
    _check(page, watch, "/flags/{id}")
    assert page.locator("[data-testid=rollout-1]").inner_text() == "20.0 %"
    assert "Annual plan first" in page.locator("[data-testid=flag-experiments]").inner_text()

    page.get_by_label("Roll every condition out to").fill("60")
    page.get_by_role("button", name="Set rollout").click()
    page.wait_for_url(re.compile(r"saved=rollout"))
    assert page.locator("[data-testid=rollout-1]").inner_text() == "60.0 %"

    page.get_by_role("link", name="Edit flag").click()
    _check(page, watch, "/flags/{id}/edit")
    page.get_by_label("Variant 1 split percentage").fill("30")
    page.get_by_label("Variant 2 split percentage").fill("70")
    page.get_by_role("button", name="Save flag").click()
    page.wait_for_url(re.compile(r"saved=flag"))
    split = page.locator("[data-testid=variants]").inner_text()
    assert "30.0 %" in split and "70.0 %" in split

    open_clean(page, f"{live_server}/experiments/{experiment.id}", watch)
    _check(page, watch, "/experiments/{id}")
    design = page.locator("[data-testid=design-form]")
    design.get_by_label("Baseline: the rate in %, or the mean").fill("10")
    design.get_by_label("Smallest effect worth detecting").fill("20")
    design.get_by_label("People entering the experiment per day").fill("500")
    design.get_by_role("button", name="Plan").click()
    page.wait_for_url(re.compile(r"saved=design"))
    assert (
        "3,623 people per variant, 7,246 in all, about 15 days"
        in page.locator("[data-testid=design-result]").inner_text()
    )

    decision = page.locator("[data-testid=decision-form]")
    decision.get_by_label("Ship the variant").check()
    decision.get_by_label("Why").fill("Upgrades up by a fifth, refunds flat.")
    decision.get_by_label("Key result it moves").select_option(label="Grow revenue · Upgrade rate")
    decision.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(r"saved=decision"))
    _check(page, watch, "/experiments/{id} decided")
    record = page.locator("[data-testid=decision-record]").inner_text()
    assert "Ship test" in record and "Upgrades up by a fifth" in record and "moved to Shipped" in record
    session.expire_all()
    assert ideas.get_idea(session, owner, idea.id).status == "shipped"
    assert [c.source for c in strategy.list_check_ins(session, owner, kr.id)] == ["experiment"]
