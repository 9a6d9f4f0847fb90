"""Demo flags (called by ``northstar demo`` after experiments and analytics).

* ``pricing-page``: three variants, the flag of the running pricing experiment, with two weeks of
  ``$feature_flag_called`` events from the demo company's people (assigned by the flag itself) when the demo has an
  event store.
* ``onboarding-checklist``: the concluded onboarding test, now shipped to everyone.
* ``new-report-editor``: on for Pro and Team plans, 25 % of them, and for everyone at the demo company itself.
* ``ai-summaries``: switched off.
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


def _exposure_events(company: Any, flag: engine.FlagDefinition) -> list[Any]:
    """Each contact of a live account visits the pricing page with probability 0.6 in the last 14 days."""
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
            first = until - timedelta(days=float(rng.uniform(0.2, 14)))
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
    """Create the demo flags through the service, bind the pricing experiment to its flag, add its exposures."""
    from northstar.experiments import service as experiments
    from northstar.experiments.models import Experiment
    from northstar.experiments.schemas import ExperimentUpdate

    created = {}
    for raw in _flags():
        flag = service.create_flag(session, actor, FlagCreate.model_validate(raw))
        created[flag.key] = flag
    pricing = session.scalar(
        select(Experiment).where(Experiment.workspace_id == actor.workspace_id, Experiment.key == PRICING)
    )
    if pricing is not None:
        experiments.update_experiment(
            session,
            actor,
            pricing.id,
            ExperimentUpdate(feature_flag=PRICING, exposure_event=service.EXPOSURE_EVENT),
        )
    settings = getattr(context, "settings", None)
    company = getattr(context, "company", None)
    if settings is not None and company is not None:
        from northstar.analytics import runtime

        store = runtime.store_registry(settings).get(str(actor.workspace_id))
        store.append(_exposure_events(company, service.definition(created[PRICING])))
