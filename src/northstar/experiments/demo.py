"""Demo experiments for the demo company (called by ``northstar demo``).

Two experiments with deterministic per-variant summaries: a finished onboarding test whose checklist
variant wins on activation without hurting support tickets, and a running pricing-page test with a
third variant and a traffic split that is off (the report shows the sample-ratio-mismatch warning).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.experiments import service
from northstar.experiments.schemas import ExperimentCreate, ExperimentUpdate, SummaryUpload


def _proportion_csv(rows: list[tuple[str, int, float]], rng: np.random.Generator) -> str:
    lines = ["variation,users,main_sum"]
    lines += [f"{key},{users},{int(rng.binomial(users, rate))}" for key, users, rate in rows]
    return "\n".join(lines) + "\n"


def _mean_csv(rows: list[tuple[str, int, float]], rng: np.random.Generator) -> str:
    lines = ["variation,users,main_sum,main_sum_squares"]
    for key, users, mean in rows:
        values = rng.gamma(0.6, mean / 0.6, users) * (rng.random(users) < 0.3)
        lines.append(f"{key},{users},{values.sum():.4f},{(values**2).sum():.4f}")
    return "\n".join(lines) + "\n"


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Create the demo experiments through the service (so they are audited like user actions)."""
    rng = np.random.default_rng(2026)
    idea_ids = list(getattr(context, "idea_ids", {}).values())
    onboarding = service.create_experiment(
        session,
        actor,
        ExperimentCreate.model_validate(
            {
                "key": "onboarding-checklist",
                "name": "Onboarding checklist",
                "hypothesis": "A short checklist on the first screen gets more new accounts to their first report.",
                "exposure_event": "onboarding_viewed",
                "variants": [
                    {"key": "control", "name": "Empty state"},
                    {"key": "checklist", "name": "Checklist"},
                ],
                "metrics": [
                    {
                        "key": "activation",
                        "name": "Activated in 7 days",
                        "type": "proportion",
                        "event": "report_created",
                    },
                    {
                        "key": "tickets",
                        "name": "Support tickets",
                        "type": "proportion",
                        "role": "guardrail",
                        "inverse": True,
                        "event": "ticket_opened",
                    },
                ],
                "idea_id": idea_ids[0] if idea_ids else None,
            }
        ),
    )
    service.update_experiment(session, actor, onboarding.id, ExperimentUpdate(status="concluded"))
    activation = _proportion_csv([("control", 4120, 0.31), ("checklist", 4087, 0.35)], rng)
    tickets = _proportion_csv([("control", 4120, 0.052), ("checklist", 4087, 0.050)], rng)
    for key, csv in (("activation", activation), ("tickets", tickets)):
        service.upload_summaries(session, actor, onboarding.id, SummaryUpload(metric_key=key, csv=csv))

    pricing = service.create_experiment(
        session,
        actor,
        ExperimentCreate.model_validate(
            {
                "key": "pricing-page",
                "name": "Pricing page: annual plan first",
                "hypothesis": "Showing the annual plan first raises revenue per visitor.",
                "exposure_event": "pricing_viewed",
                "variants": [{"key": "control"}, {"key": "annual-first"}, {"key": "annual-only"}],
                "metrics": [{"key": "revenue", "name": "Revenue per visitor", "type": "mean"}],
                "settings": {"engine": "bayesian"},
            }
        ),
    )
    service.update_experiment(session, actor, pricing.id, ExperimentUpdate(status="running"))
    revenue = _mean_csv(
        [("control", 2950, 40.0), ("annual-first", 3010, 44.0), ("annual-only", 2640, 38.0)], rng
    )
    service.upload_summaries(session, actor, pricing.id, SummaryUpload(metric_key="revenue", csv=revenue))
