"""Demo content of the decision module (called by ``northstar demo``): a plan for the next year and a scenario.

The plans are created, not solved, so seeding stays fast; ``northstar plan portfolio 1`` solves the first one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.decisions import service
from northstar.decisions.schemas import Assumptions, PlanCopy, PlanCreate


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    company = context.company
    budget = round(0.4 * sum(idea.one_off_cost for idea in company.ideas), -3)
    plan = service.create_plan(
        session,
        actor,
        PlanCreate(name="Next four quarters", assumptions=Assumptions(budget=budget, discount_rate=0.10)),
    )
    first_team = next(iter(context.team_ids.values()), None)
    if first_team is not None:
        service.copy_plan(
            session,
            actor,
            plan.id,
            PlanCopy(
                name="Hire into the first team (+25 % capacity)",
                assumptions={"capacity_factor": {str(first_team): 1.25}},
            ),
        )
