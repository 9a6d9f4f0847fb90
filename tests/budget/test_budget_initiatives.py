"""People cost, cost per initiative and realized ROI, estimate history and re-planning, on a real decisions plan
(solved and scheduled by the decisions service) on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from northstar.budget import costs
from northstar.budget.schemas import CostRateSet
from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.decisions import service as decisions
from northstar.decisions.schemas import Assumptions, PlanCreate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaCreate
from northstar.teams.models import Team
from tests.factories import World, make_world

START = "2026-11-02"  # a Monday


def _planned(session: Session) -> tuple[World, Team, dict[str, int], int]:
    """One team of two people a week; Beta and Gamma (12 person-weeks each) are funded and run one after another."""
    world = make_world(session)
    team = Team(workspace_id=world.workspace.id, name="Core", capacity={"2026-Q4": 26, "2027-Q1": 26})
    session.add(team)
    session.flush()
    made = {}
    for title, effort, benefit, cost in [
        ("Alpha", 60, 900, 1000),
        ("Beta", 12, 700, 800),
        ("Gamma", 12, 650, 800),
    ]:
        inputs = {
            "effort": effort,
            "one_off_cost": cost,
            "recurring_cost_per_quarter": 50,
            "benefit_per_quarter": benefit,
        }
        made[title] = ideas.create_idea(
            session, world.actor(), IdeaCreate(title=title, team_id=team.id, inputs=inputs)
        ).id
    assumptions = Assumptions(time_limit_seconds=5, start_date=START, budget=5000)
    plan = decisions.create_plan(session, world.actor(), PlanCreate(name="Q4 plan", assumptions=assumptions))
    decisions.solve_portfolio(session, world.actor(), plan.id)
    decisions.schedule_plan(session, world.actor(), plan.id)
    session.commit()
    return world, team, made, plan.id


def test_people_cost_is_the_rate_times_the_scheduled_people_and_working_days(session: Session) -> None:
    world, team, made, plan_id = _planned(session)
    actor = world.actor()
    before = costs.people_cost(session, actor, "2026-Q4")
    assert before.plan_id == plan_id and before.teams_without_rate == ["Core"] and before.total_cents == 0
    rate = costs.set_cost_rate(session, actor, CostRateSet(team_id=team.id, unit="person_day", amount="400"))
    assert (rate.team, rate.amount_cents, rate.unit) == ("Core", 40_000, "person_day")
    schedule = decisions.get_plan(session, actor, plan_id).schedule
    assert schedule is not None
    items = {item["id"]: item for item in schedule["items"]}
    assert set(items) == {str(made["Beta"]), str(made["Gamma"])}
    q4 = costs.people_cost(session, actor, "2026-Q4")
    q1 = costs.people_cost(session, actor, "2027-Q1")
    assert q4.teams_without_rate == [] and q4.week_zero == dt.date(2026, 11, 2)
    for idea_id, item in items.items():
        people = schedule["people"][idea_id]
        days = sum(r.person_days for r in q4.rows + q1.rows if r.idea_id == int(idea_id))
        assert days == people * 5 * (
            item["end"] - item["start"]
        )  # every week of the schedule is Mon-Fri × people
    assert q4.total_cents == 40_000 * sum(r.person_days for r in q4.rows)
    assert {r.month for r in q4.rows} <= {"2026-11", "2026-12"}
    changed = costs.set_cost_rate(
        session, actor, CostRateSet(team_id=team.id, unit="person_month", amount="13,000")
    )
    assert changed.unit == "person_month" and len(costs.list_cost_rates(session, actor)) == 1
    assert costs.people_cost(session, actor, "2026-Q4").total_cents == 60_000 * sum(
        r.person_days for r in q4.rows
    )
    with pytest.raises(PermissionDenied):
        costs.set_cost_rate(session, world.actor(Role.VIEWER), CostRateSet(team_id=team.id, amount="1"))
    with pytest.raises(ValidationFailed):
        costs.set_cost_rate(session, make_world(session).actor(), CostRateSet(team_id=team.id, amount="1"))
    with pytest.raises(ValueError, match="not an amount"):
        CostRateSet(team_id=team.id, amount="a lot")
    assert costs.people_cost(session, make_world(session).actor(), "2026-Q4").reason.startswith("no plan")
