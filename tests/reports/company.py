"""A small company for the reports tests: one team, an objective with two key results, three ideas on the
roadmap, a solved and forecast plan, and a quarter's budget with some spend. Built through the services, except
the plan's solver results, which are written as the decision engine stores them (solving is tested there)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from northstar.budget import service as budget
from northstar.budget.schemas import BudgetLineCreate
from northstar.decisions.models import Plan
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaCreate
from northstar.strategy import service as strategy
from northstar.strategy.schemas import CheckInCreate, KeyResultCreate, ObjectiveCreate
from northstar.teams import service as teams
from northstar.teams.schemas import TeamCreate
from tests.factories import World, make_world

QUARTER = "2026-Q4"
TODAY = dt.date(2026, 11, 20)


@dataclass
class Company:
    world: World
    team_id: int
    idea_ids: dict[str, int]
    key_result_id: int
    plan_id: int


def p85_forecast(idea_ids: dict[str, int], shift_days: int = 0) -> dict[str, object]:
    def day(text: str) -> str:
        return (dt.date.fromisoformat(text) + dt.timedelta(days=shift_days)).isoformat()

    return {
        "status": "ok",
        "start_date": "2026-10-05",
        "items": [
            {
                "id": str(idea_ids["SSO enforcement"]),
                "dates": {"P50": "2026-12-01", "P85": day("2026-12-10"), "P95": "2026-12-20"},
                "deadline": "2026-12-05",
                "deadline_probability": 0.25,
            },
            {
                "id": str(idea_ids["Audit log export"]),
                "dates": {"P50": "2027-01-10", "P85": day("2027-01-20"), "P95": "2027-01-30"},
                "deadline": None,
                "deadline_probability": None,
            },
        ],
    }


def make_company(session: Session, name: str = "Lumen Test") -> Company:
    world = make_world(session, name)
    actor = world.actor()
    team = teams.create_team(session, actor, TeamCreate(name="Trust"))
    objective = strategy.create_objective(
        session, actor, ObjectiveCreate(title="Win enterprise accounts", period=QUARTER)
    )
    kr = strategy.add_key_result(
        session,
        actor,
        objective.id,
        KeyResultCreate(title="Accounts with SSO", baseline=10, target=60, unit="%"),
    )
    strategy.add_check_in(session, actor, kr.id, CheckInCreate(value=20, confidence=0.3, day=TODAY))
    strategy.add_key_result(
        session,
        actor,
        objective.id,
        KeyResultCreate(title="Security review days", baseline=21, target=7, current=9, unit="days"),
    )
    idea_ids = {}
    for title, status in (
        ("SSO enforcement", "in_progress"),
        ("Audit log export", "planned"),
        ("Dark mode", "planned"),
        ("Internal cost model", "new"),
    ):
        idea = ideas.create_idea(
            session,
            actor,
            IdeaCreate(
                title=title,
                status=status,
                team_id=team.id,
                description="Secret internal note: margin 41 %",
                inputs={"cost": 123456},
            ),
        )
        idea_ids[title] = idea.id
    plan = Plan(
        workspace_id=world.workspace.id,
        name="Next quarters",
        assumptions={"budget": 500000},
        portfolio={
            "status": "optimal",
            "value": 910000.0,
            "selected": [str(idea_ids["SSO enforcement"]), str(idea_ids["Audit log export"])],
            "usage": {"budget": [420000.0, 500000.0]},
        },
        schedule={
            "items": [
                {"id": str(idea_ids["SSO enforcement"]), "start": 1, "end": 8},
                {"id": str(idea_ids["Audit log export"]), "start": 6, "end": 14},
            ]
        },
        forecast=p85_forecast(idea_ids),
    )
    session.add(plan)
    budget.create_line(
        session, actor, BudgetLineCreate(team_id=team.id, period=QUARTER, category="people", amount="90,000")
    )
    budget.import_actuals_csv(
        session,
        actor,
        b"date,amount,team,category\n2026-10-15,52000,Trust,people\n2026-11-10,48000,Trust,people\n",
    )
    session.commit()
    return Company(world, team.id, idea_ids, kr.id, plan.id)
