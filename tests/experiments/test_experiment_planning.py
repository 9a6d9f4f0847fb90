"""Plans, the cumulative effect from the event store, and decision records that move the idea and the key result
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from northstar.analytics import runtime
from northstar.analytics.store.records import EventRecord
from northstar.cli import app
from northstar.core.errors import NotFound, ValidationFailed
from northstar.core.settings import Settings
from northstar.experiments import planning, service
from northstar.experiments.schemas import DecisionCreate, DesignRequest, ExperimentCreate, ExperimentUpdate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaUpdate
from northstar.strategy import service as strategy
from northstar.strategy.schemas import KeyResultCreate, ObjectiveCreate
from tests.factories import PASSWORD, make_idea, make_world


@pytest.fixture(autouse=True)
def _close_event_stores() -> Iterator[None]:
    yield
    runtime.close_all()


def _setup(session: Session) -> tuple[Any, Any, Any, Any]:
    world = make_world(session)
    actor = world.actor()
    idea = make_idea(session, world, "One-page checkout")
    ideas.update_idea(session, actor, idea.id, IdeaUpdate(status="planned"))
    objective = strategy.create_objective(session, actor, ObjectiveCreate(title="Grow revenue"))
    kr = strategy.add_key_result(
        session,
        actor,
        objective.id,
        KeyResultCreate(title="Checkout conversion", baseline=0.2, target=0.3, current=0.24),
    )
    experiment = service.create_experiment(
        session,
        actor,
        ExperimentCreate.model_validate(
            {
                "key": "checkout",
                "name": "One-page checkout",
                "feature_flag": "checkout",
                "idea_id": idea.id,
                "key_result_id": kr.id,
                "variants": [{"key": "control"}, {"key": "one-page"}],
                "metrics": [{"key": "bought", "type": "proportion", "event": "purchased"}],
            }
        ),
    )
    return world, actor, experiment, kr


def test_a_saved_plan_uses_the_experiments_variants_and_refuses_impossible_ones(session: Session) -> None:
    _world, actor, experiment, _kr = _setup(session)
    plan = planning.save_design(
        session, actor, experiment.id, DesignRequest(baseline=0.10, mde=0.20, daily_traffic=500)
    )
    assert (plan.per_variant, plan.total, plan.days, plan.variants) == (3623, 7246, 15, 2)
    assert service.get_experiment(session, actor, experiment.id).design["per_variant"] == 3623
    with pytest.raises(ValidationFailed, match="not a rate"):
        planning.save_design(session, actor, experiment.id, DesignRequest(baseline=0.9, mde=0.5))
    with pytest.raises(ValidationFailed, match="standard deviation"):
        planning.design(DesignRequest(metric_type="mean", baseline=40, mde=0.1))


def test_a_decision_concludes_moves_the_idea_and_appends_to_the_key_results_history(session: Session) -> None:
    _world, actor, experiment, kr = _setup(session)
    service.update_experiment(session, actor, experiment.id, ExperimentUpdate(status="running"))
    with pytest.raises(ValidationFailed, match="not one of the experiment's variants"):
        planning.record_decision(
            session, actor, experiment.id, DecisionCreate(decision="ship", reason="yes", variation="nope")
        )
    decision = planning.record_decision(
        session, actor, experiment.id, DecisionCreate(decision="ship", reason="Conversion up, tickets flat.")
    )
    session.commit()
    assert (decision.variation, decision.idea_status) == ("one-page", "shipped")
    assert (
        ideas.get_idea(session, actor, experiment.idea_id).status == "shipped"
    )  # planned → in progress → shipped
    assert service.get_experiment(session, actor, experiment.id).status == "concluded"
    history = strategy.list_check_ins(session, actor, kr.id)
    assert [(c.source, c.value) for c in history] == [("experiment", 0.24)]
    assert "ship one-page" in history[0].note and "Conversion up" in history[0].note
    assert [d.id for d in planning.list_decisions(session, actor, experiment.id)] == [decision.id]


def test_a_decision_refused_halfway_keeps_nothing(session: Session) -> None:
    _world, actor, experiment, _kr = _setup(session)
    session.commit()
    with pytest.raises(NotFound):  # the idea has moved by the time the unknown key result is found
        planning.record_decision(
            session,
            actor,
            experiment.id,
            DecisionCreate(decision="roll_back", reason="worse", key_result_id=10**6),
        )
    session.rollback()  # what every face does with a refused request
    assert ideas.get_idea(session, actor, experiment.idea_id).status == "planned"
    assert planning.list_decisions(session, actor, experiment.id) == []
    assert service.get_experiment(session, actor, experiment.id).status == "draft"


def test_the_cumulative_effect_is_read_day_by_day_from_flag_exposures(
    session: Session, tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", database_url="sqlite:///unused.db")
    _world, actor, experiment, _kr = _setup(session)
    start = datetime(2026, 11, 1, 9)
    service.update_experiment(
        session, actor, experiment.id, ExperimentUpdate(started_at=start, ended_at=start + timedelta(days=3))
    )
    records = []
    for n in range(120):
        variant = "one-page" if n % 2 else "control"
        seen = start + timedelta(hours=n * 0.5)
        properties = {"$feature_flag": "checkout", "$feature_flag_response": variant}
        records.append(EventRecord("$feature_flag_called", f"p{n}", seen, properties=properties))
        if (variant == "one-page" and n % 3) or n % 5 == 0:
            records.append(EventRecord("purchased", f"p{n}", seen + timedelta(minutes=5)))
    runtime.workspace_store(settings, actor.workspace_id).append(records)
    points = planning.cumulative_effect(session, actor, settings, experiment.id)
    assert [p.day for p in points] == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
    users = [p.users for p in points]
    assert (
        users == sorted(users) and users[-1] == 60
    )  # cumulative: one-page people seen by the end of each day
    assert points[-1].effect is not None and points[-1].effect > 0 and points[-1].ci_low is not None


def test_cli_plans_and_refuses_an_unknown_decision(cli: CliRunner) -> None:
    planned = cli.invoke(
        app,
        [
            "experiment",
            "plan",
            "--baseline",
            "0.2",
            "--mde",
            "0.05",
            "--absolute",
            "--daily",
            "300",
            "--format",
            "json",
        ],
    )
    assert planned.exit_code == 0, planned.output
    assert (json.loads(planned.output)["per_variant"], json.loads(planned.output)["days"]) == (1031, 7)
    impossible = cli.invoke(app, ["experiment", "plan", "--baseline", "0.95", "--mde", "0.1", "--absolute"])
    assert impossible.exit_code == 2 and "not a rate" in impossible.output
    refused = cli.invoke(app, ["experiment", "decide", "1", "celebrate", "--reason", "why not"])
    assert refused.exit_code == 2


def test_the_report_page_plans_and_records_a_decision(client: TestClient, session: Session) -> None:
    world, _actor, experiment, kr = _setup(session)
    session.commit()
    assert (
        client.post(
            "/login", data={"email": world.email(), "password": PASSWORD}, follow_redirects=False
        ).status_code
        == 303
    )
    page = client.get(f"/experiments/{experiment.id}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {
        "csrf_token": csrf,
        "metric_type": "proportion",
        "baseline": "10",
        "mde": "20",
        "mde_kind": "relative",
        "alpha": "5",
        "power": "80",
        "daily_traffic": "500",
    }
    saved = client.post(f"/experiments/{experiment.id}/design", data=form)
    assert "3,623</strong> people per variant" in saved.text and "15 days" in saved.text
    bad = client.post(
        f"/experiments/{experiment.id}/design",
        data={**form, "baseline": "95", "mde": "10", "mde_kind": "absolute"},
    )
    assert bad.status_code == 422 and "not a rate" in bad.text and 'value="95"' in bad.text
    no_reason = client.post(
        f"/experiments/{experiment.id}/decision",
        data={"csrf_token": csrf, "decision": "iterate", "variation": "one-page", "reason": ""},
    )
    assert (
        no_reason.status_code == 422
        and ideas.get_idea(session, world.actor(), experiment.idea_id).status == "planned"
    )
    decided = client.post(
        f"/experiments/{experiment.id}/decision",
        data={
            "csrf_token": csrf,
            "decision": "iterate",
            "variation": "one-page",
            "reason": "Too few buyers to tell.",
            "key_result_id": str(kr.id),
        },
    )
    assert "Recorded the decision" in decided.text and "Too few buyers to tell." in decided.text
    session.expire_all()
    assert [c.source for c in strategy.list_check_ins(session, world.actor(), kr.id)] == ["experiment"]
