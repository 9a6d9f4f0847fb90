"""Demo flags (called by ``northstar demo`` after experiments and analytics).

* ``pricing-page``: three variants, the flag of the running pricing experiment, with two weeks of
  ``$feature_flag_called`` events from the demo company's people (assigned by the flag itself) when the demo has an
  event store.
* ``onboarding-checklist``: the concluded onboarding test, now shipped to everyone.
* ``new-report-editor``: on for Pro and Team plans, 25 % of them, and for everyone at the demo company itself.
* ``ai-summaries``: switched off.

It also finishes the experiments' story, which needs the flags, the events and the key results (seeded before):
the pricing experiment runs on its flag with an upgrade goal read from the events and a plan made before it started,
and the concluded onboarding experiment carries its decision (ship), which moved its idea and checked in on a key
result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.flags import engine, service
from northstar.flags.schemas import FlagCreate

PRICING = "pricing-page"
UPGRADE_EVENT = "plan_upgraded"


def _flags() -> list[dict[str, Any]]:
    return [
        {
            "key": PRICING,
            "name": "Pricing page: annual plan first",
            "description": "Runs the pricing-page experiment: which plan the pricing page shows first.",
            "conditions": [{"rollout_percentage": 100}],
            "variants": [
                {"key": "control", "name": "Monthly first", "rollout_percentage": 34},
                {"key": "annual-first", "name": "Annual first", "rollout_percentage": 33},
                {"key": "annual-only", "name": "Annual only", "rollout_percentage": 33},
            ],
        },
        {
            "key": "onboarding-checklist",
            "name": "Onboarding checklist",
            "description": "The checklist won its experiment and is on for everyone.",
            "conditions": [{"rollout_percentage": 100}],
        },
        {
            "key": "new-report-editor",
            "name": "New report editor",
            "description": "Early access for paying plans while the editor is in beta.",
            "conditions": [
                {"properties": [{"key": "email", "operator": "icontains", "value": "@lumenanalytics.com"}]},
                {
                    "properties": [{"key": "plan", "operator": "exact", "value": ["pro", "team"]}],
                    "rollout_percentage": 25,
                },
            ],
        },
        {
            "key": "ai-summaries",
            "name": "AI summaries of feedback",
            "description": "Off until the summaries stop inventing customers.",
            "active": False,
            "conditions": [{"rollout_percentage": 10}],
        },
    ]


#: share of exposed people who upgrade, per pricing-page variant
UPGRADE_RATES = {"control": 0.08, "annual-first": 0.11, "annual-only": 0.065}
RUN_DAYS = 14


def _exposure_events(company: Any, flag: engine.FlagDefinition) -> list[Any]:
    """Each contact of a live account visits the pricing page with probability 0.6 in the last 14 days; some of
    them upgrade within two days, at their variant's rate."""
    from northstar.analytics.store.records import EventRecord, to_naive_utc

    rng = np.random.default_rng(20)
    until = to_naive_utc(company.as_of)
    records = []
    for customer in company.customers:
        if customer.lifecycle_stage == "churned":
            continue
        for contact in customer.contacts:
            if rng.random() > 0.6:
                continue
            value = engine.evaluate(flag, contact.email).value
            first = until - timedelta(days=float(rng.uniform(0.2, RUN_DAYS)))
            if rng.random() < UPGRADE_RATES.get(str(value), 0.0):
                upgraded = min(until, first + timedelta(hours=float(rng.uniform(0.1, 48))))
                records.append(
                    EventRecord(event=UPGRADE_EVENT, distinct_id=contact.email, timestamp=upgraded)
                )
            for visit in range(int(rng.integers(1, 4))):
                records.append(
                    EventRecord(
                        event=service.EXPOSURE_EVENT,
                        distinct_id=contact.email,
                        timestamp=min(until, first + timedelta(days=visit * float(rng.uniform(0.5, 3)))),
                        properties={"$feature_flag": flag.key, "$feature_flag_response": str(value)},
                    )
                )
    return sorted(records, key=lambda record: record.timestamp)


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Create the demo flags through the services, run the pricing experiment on its flag, and record the
    onboarding experiment's decision."""
    created = {}
    for raw in _flags():
        flag = service.create_flag(session, actor, FlagCreate.model_validate(raw))
        created[flag.key] = flag
    settings = getattr(context, "settings", None)
    company = getattr(context, "company", None)
    if settings is not None and company is not None:
        from northstar.analytics import runtime

        store = runtime.store_registry(settings).get(str(actor.workspace_id))
        store.append(_exposure_events(company, service.definition(created[PRICING])))
    _run_pricing_on_its_flag(session, actor, settings, company)
    _decide_onboarding(session, actor)


def _experiment(session: Session, actor: Actor, key: str) -> Any:
    from northstar.experiments.models import Experiment

    return session.scalar(
        select(Experiment).where(Experiment.workspace_id == actor.workspace_id, Experiment.key == key)
    )


def _run_pricing_on_its_flag(session: Session, actor: Actor, settings: Any, company: Any) -> None:
    from northstar.experiments import planning
    from northstar.experiments import service as experiments
    from northstar.experiments.schemas import DesignRequest, ExperimentUpdate, MetricDefinition

    pricing = _experiment(session, actor, PRICING)
    if pricing is None:
        return
    upgrade = MetricDefinition(
        key="upgraded", name="Upgraded in 2 days", type="proportion", event=UPGRADE_EVENT, window_days=2
    )
    metrics = [upgrade, *(MetricDefinition.model_validate(m) for m in pricing.metrics)]
    change: dict[str, Any] = {
        "feature_flag": PRICING,
        "exposure_event": service.EXPOSURE_EVENT,
        "metrics": metrics,
    }
    if company is not None:
        change["started_at"] = company.as_of - timedelta(days=RUN_DAYS)
    experiments.update_experiment(session, actor, pricing.id, ExperimentUpdate.model_validate(change))
    planning.save_design(
        session, actor, pricing.id, DesignRequest(baseline=0.08, mde=0.3, mde_relative=True, daily_traffic=60)
    )
    if settings is not None:
        experiments.refresh_from_events(session, actor, settings, pricing.id)


def _decide_onboarding(session: Session, actor: Actor) -> None:
    from northstar.experiments import planning
    from northstar.experiments.schemas import DecisionCreate
    from northstar.strategy import service as strategy

    onboarding = _experiment(session, actor, "onboarding-checklist")
    if onboarding is None:
        return
    key_results = [
        kr.id for objective in strategy.list_objectives(session, actor) for kr in objective.key_results
    ]
    reason = (
        "Activation rose by about four points with support tickets flat; the checklist is now on for everyone "
        "through the onboarding-checklist flag."
    )
    planning.record_decision(
        session,
        actor,
        onboarding.id,
        DecisionCreate(
            decision="ship",
            reason=reason,
            variation="checklist",
            key_result_id=key_results[0] if key_results else None,
        ),
    )
