"""The demo's flags: the pricing experiment runs on its flag with exposures and upgrades read from events, a plan
and a day-by-day effect; the onboarding experiment carries its ship decision (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from northstar.analytics import runtime
from northstar.core.listing import ListParams
from northstar.core.settings import Settings
from northstar.demo.company import generate_company
from northstar.experiments import demo as experiments_demo
from northstar.experiments import planning
from northstar.experiments import service as experiments
from northstar.flags import demo
from northstar.flags import service as flags
from northstar.ideas import service as ideas
from northstar.strategy import service as strategy
from northstar.strategy.schemas import KeyResultCreate, ObjectiveCreate
from tests.factories import make_idea, make_world


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def test_the_demo_runs_its_pricing_experiment_on_a_flag_and_decides_onboarding(
    session: Session, tmp_path: Path, database_url: str
) -> None:
    world = make_world(session, "Lumen Analytics")
    actor = world.actor()
    idea = make_idea(session, world, "Onboarding checklist")
    objective = strategy.create_objective(session, actor, ObjectiveCreate(title="Activate new accounts"))
    kr = strategy.add_key_result(
        session, actor, objective.id, KeyResultCreate(title="Activation", target=0.4)
    )
    settings = Settings(database_url=database_url, home=tmp_path / "home", upgrade_on_start=False)
    context = SimpleNamespace(
        company=generate_company(as_of=datetime.now(UTC)), settings=settings, idea_ids={"checklist": idea.id}
    )
    experiments_demo.seed_demo(session, actor, context)
    demo.seed_demo(session, actor, context)
    session.commit()

    assert [f.key for f in flags.list_flags(session, actor)] == [
        "ai-summaries", "new-report-editor", "onboarding-checklist", "pricing-page",
    ]  # fmt: skip
    pricing_flag = flags.get_flag_by_key(session, actor, demo.PRICING)
    exposed = {e.value: e.persons for e in flags.exposures(session, actor, settings, pricing_flag.id)}
    assert set(exposed) == {"control", "annual-first", "annual-only"} and min(exposed.values()) > 50
    [pricing] = experiments.experiments_for_flag(session, actor, demo.PRICING)
    assert pricing.exposure_summary is not None and pricing.exposure_summary["exposed"] == exposed
    assert pricing.design is not None and pricing.design["per_variant"] > 0
    points = planning.cumulative_effect(session, actor, settings, pricing.id)
    assert len({p.day for p in points}) >= 14 and all(p.effect is not None for p in points[-2:])

    onboarding = next(
        e
        for e in experiments.list_experiments(session, actor, ListParams()).items
        if e.key == "onboarding-checklist"
    )
    [decision] = planning.list_decisions(session, actor, onboarding.id)
    assert (decision.decision, decision.variation, decision.key_result_id) == ("ship", "checklist", kr.id)
    assert decision.effect is not None and decision.effect > 0
    assert ideas.get_idea(session, actor, idea.id).status == "shipped"
    assert [c.source for c in strategy.list_check_ins(session, actor, kr.id)] == ["experiment"]
