"""Demo content of the decision module (called by ``northstar demo``): a plan for the next four quarters and two
scenarios of it, each solved, scheduled and forecast at seed time, so a newcomer's first look at the decision
engine is a funded portfolio, a roadmap with delivery dates and a comparison that shows what a choice changes:

- **Budget cut by a quarter**: the same teams with 25 % less money; the optimizer drops initiatives.
- **Hire two people into <team>**: the team whose work finishes last gets two more people from the first quarter;
  the same ideas are funded and their delivery dates come in.

Each solve has a short time limit (``DEMO_TIME_LIMIT_SECONDS``) so seeding stays fast; the portfolio is solved to
optimality within it, the roadmap schedule is the best found in that time (a feasible, not always optimal, order).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.decisions import service
from northstar.decisions.models import Plan
from northstar.decisions.schemas import Assumptions, PlanCreate, ScenarioCreate
from northstar.teams.models import Team

#: seconds each solve (portfolio, schedule) of a demo plan may take; re-solving from the page uses the same
DEMO_TIME_LIMIT_SECONDS = 1.0
DEMO_SIMULATIONS = 5_000
BUDGET_CUT = 0.75
HIRED_PEOPLE = 2


def _start_of(quarter: str) -> date | None:
    """The first day of a capacity period labelled like ``2027-Q1`` (None for another kind of label)."""
    try:
        year, q = quarter.split("-Q")
        return date(int(year), 3 * (int(q) - 1) + 1, 1)
    except ValueError:
        return None


def _solve(session: Session, actor: Actor, plan: Plan) -> None:
    service.solve_portfolio(session, actor, plan.id)
    if (plan.portfolio or {}).get("selected"):
        service.schedule_plan(session, actor, plan.id)
        if (plan.schedule or {}).get("items"):
            service.forecast_plan(session, actor, plan.id, simulations=DEMO_SIMULATIONS)


def _last_team(plan: Plan) -> int | None:
    """The team whose funded work is done last in the plan's forecast (85 % confidence): the one to hire into."""
    teams = (plan.schedule or {}).get("teams", {})
    finishes = [
        (item["percentiles"]["P85"], teams[item["id"]])
        for item in (plan.forecast or {}).get("items", [])
        if item["id"] in teams
    ]
    return int(max(finishes)[1]) if finishes else None


def _spent(plan: Plan, budget: float) -> float:
    """What the plan's funded ideas cost: a cut of the budget they leave unused would change nothing."""
    used = ((plan.portfolio or {}).get("usage") or {}).get("budget")
    return float(used[0]) if used else budget


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    company = context.company
    budget = round(0.4 * sum(idea.one_off_cost for idea in company.ideas), -3)
    teams = {
        team.id: team for team in session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id))
    }
    quarters = sorted({label for team in teams.values() for label in (team.capacity or {})})
    start = _start_of(quarters[0]) if quarters else None
    plan = service.create_plan(
        session,
        actor,
        PlanCreate(
            name="Next four quarters",
            assumptions=Assumptions(
                budget=budget,
                discount_rate=0.10,
                time_limit_seconds=DEMO_TIME_LIMIT_SECONDS,
                start_date=start.isoformat() if start else None,
            ),
        ),
    )
    _solve(session, actor, plan)
    cut = service.create_scenario(
        session,
        actor,
        plan.id,
        ScenarioCreate(name="Budget cut by a quarter", budget=round(_spent(plan, budget) * BUDGET_CUT, -3)),
    )
    _solve(session, actor, cut)
    team_id = _last_team(plan)
    if team_id is None:
        return
    team = teams[team_id]
    people = int(float((team.capacity or {}).get(quarters[0], 0.0)) / service.WEEKS_PER_QUARTER)
    factor = round((people + HIRED_PEOPLE) / max(people, 1), 2)
    hire = service.create_scenario(
        session,
        actor,
        plan.id,
        ScenarioCreate(
            name=f"Hire two people into {team.name}",
            team_id=team_id,
            capacity_factor=factor,
        ),
    )
    _solve(session, actor, hire)
