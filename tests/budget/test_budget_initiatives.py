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
from northstar.ideas.schemas import IdeaCreate, IdeaScores
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


def _ship(session: Session, idea_id: int) -> None:
    from northstar.ideas.models import Idea

    idea = session.get(Idea, idea_id)
    assert idea is not None
    idea.status = "shipped"
    session.commit()


def test_funding_snapshot_actual_cost_and_realized_roi_per_initiative(session: Session) -> None:
    from northstar.budget import initiatives, service
    from northstar.budget.schemas import OutcomeSet
    from northstar.ideas.schemas import IdeaEdit, LinkRequest
    from tests.factories import make_customer, make_feedback

    world, team, made, plan_id = _planned(session)
    actor = world.actor()
    costs.set_cost_rate(session, actor, CostRateSet(team_id=team.id, unit="person_day", amount="400"))
    funded = initiatives.follow_plan(session, actor, plan_id)
    session.commit()
    assert {f.idea_id for f in funded} == {made["Beta"], made["Gamma"]}
    beta = next(f for f in funded if f.idea_id == made["Beta"])
    schedule = decisions.get_plan(session, actor, plan_id).schedule
    assert schedule is not None
    item = next(i for i in schedule["items"] if i["id"] == str(made["Beta"]))
    weeks, people = item["end"] - item["start"], schedule["people"][str(made["Beta"])]
    assert (beta.planned_cost_cents, beta.planned_people_cents) == (80_000, 40_000 * 5 * people * weeks)
    case = decisions.business_case(session, actor, plan_id, made["Beta"])
    assert case is not None and beta.business_case["npv_cents"] == round(case.npv * 100)
    assert beta.effort_person_weeks == 12 and service.get_settings(session, actor).plan_id == plan_id
    # the snapshot keeps the decision as it was: a later cost change and re-solve do not move it
    ideas.edit_idea(session, actor, made["Beta"], IdeaEdit(title="Beta", team_id=team.id, one_off_cost=5000))
    decisions.solve_portfolio(session, actor, plan_id)
    assert initiatives.record_funding(session, actor, decisions.get_plan(session, actor, plan_id)) == []
    assert (
        next(
            f for f in initiatives.list_fundings(session, actor) if f.idea_id == made["Beta"]
        ).planned_cost_cents
        == 80_000
    )
    # spend tagged with an initiative by title or id; an unknown one refuses the file naming row and field
    bad = b"date,amount,team,initiative\n2026-11-05,300,Core,Beta\n2026-11-06,5,Core,Moonshot\n"
    with pytest.raises(ValidationFailed) as refused:
        service.import_actuals(session, actor, bad, None, "tagged.csv")
    assert [(e.row, e.field) for e in refused.value.errors] == [(3, "idea")]
    session.rollback()
    good = f"date,amount,team,initiative\n2026-11-05,300,Core,beta\n2026-11-06,100,Core,{made['Gamma']}\n"
    service.import_actuals(session, actor, good.encode(), None, "tagged.csv")
    # Gamma shipped: its benefit is the ARR of the customers who asked; Beta's is entered by hand with a source
    for name, arr in (("Acme", 30_000.0), ("Globex", 12_000.5)):
        customer = make_customer(session, world, name, arr)
        item_id = make_feedback(session, world, f"{name} wants gamma", customer).id
        ideas.link_feedback(session, actor, made["Gamma"], LinkRequest(feedback_ids=[item_id]))
    _ship(session, made["Gamma"])
    _ship(session, made["Beta"])
    with pytest.raises(ValidationFailed, match="benefit_source"):
        initiatives.record_outcome(session, actor, made["Beta"], OutcomeSet(benefit="50000"))
    initiatives.record_outcome(
        session,
        actor,
        made["Beta"],
        OutcomeSet(benefit="50,000", benefit_source="Q1 finance review", actual_effort_person_weeks=18),
    )
    session.commit()
    today = dt.date(2026, 11, 20)
    report = initiatives.initiative_report(session, actor, today)
    rows = {r.idea_id: r for r in report.rows}
    b, g = rows[made["Beta"]], rows[made["Gamma"]]
    assert b.actual_spend_cents == 30_000 and g.actual_spend_cents == 10_000
    people_to_date = costs.people_cost(session, actor, "2026-11", today)
    assert b.actual_people_cents == sum(
        r.amount_cents for r in people_to_date.rows if r.idea_id == made["Beta"]
    )
    assert b.actual_cost_cents == b.actual_spend_cents + b.actual_people_cents
    assert (b.benefit_cents, b.benefit_source, b.actual_effort_person_weeks) == (
        5_000_000,
        "Q1 finance review",
        18,
    )
    assert b.realized_roi_percent == round((5_000_000 - b.actual_cost_cents) / b.actual_cost_cents * 100, 1)
    assert (g.benefit_cents, g.benefit_source) == (4_200_050, "ARR of the 2 customer(s) who asked")
    assert b.roi_percent == round(case.roi * 100, 1) if case.roi is not None else b.roi_percent is None
    with pytest.raises(ValidationFailed):
        initiatives.follow_plan(
            session, actor, decisions.create_plan(session, actor, PlanCreate(name="empty")).id
        )


def test_estimate_history_learns_from_shipped_work_and_feeds_the_decisions_forecast(session: Session) -> None:
    from northstar.budget import initiatives
    from northstar.budget.schemas import OutcomeSet

    world, _team, made, plan_id = _planned(session)
    actor = world.actor()
    initiatives.follow_plan(session, actor, plan_id)
    with pytest.raises(ValidationFailed, match="no history"):
        initiatives.forecast_with_history(session, actor, plan_id, 500)
    for name, actual in (("Beta", 24), ("Gamma", 18)):  # estimated 12 person-weeks each: 2× and 1.5×
        _ship(session, made[name])
        initiatives.record_outcome(session, actor, made[name], OutcomeSet(actual_effort_person_weeks=actual))
    session.commit()
    found = initiatives.estimate_history(session, actor)
    core = next(r for r in found.effort if r.team == "Core")
    assert (sorted(core.ratios), core.median, core.mean_absolute_error_percent) == ([1.5, 2.0], 1.75, 75.0)
    # the shipped ideas leave the schedule: re-solve with Alpha cheaper so there is open work to forecast
    ideas.set_scores(session, actor, made["Alpha"], IdeaScores(effort=20))
    decisions.solve_portfolio(session, actor, plan_id)
    decisions.schedule_plan(session, actor, plan_id)
    plain = decisions.forecast_plan(session, actor, plan_id, 500).forecast
    assert plain is not None and plain["adjusted_by_history"] is False
    p50 = plain["items"][0]["percentiles"]["P50"]
    learned = initiatives.forecast_with_history(session, actor, plan_id, 500).forecast
    assert learned["adjusted_by_history"] is True
    assert 1.4 * p50 <= learned["items"][0]["percentiles"]["P50"] <= 2.1 * p50  # 1.5× or 2× the raw durations


def test_replan_runs_the_portfolio_again_with_the_budget_that_is_left(session: Session) -> None:
    from northstar.budget import initiatives, service

    world, team, made, plan_id = _planned(session)
    actor = world.actor()
    with pytest.raises(ValidationFailed, match="no plan is followed"):
        initiatives.replan(session, make_world(session).actor())
    costs.set_cost_rate(session, actor, CostRateSet(team_id=team.id, unit="person_day", amount="10"))
    initiatives.follow_plan(session, actor, plan_id)
    csv = b"date,amount,team,initiative\n2026-11-05,1200,Core,Beta\n"
    service.import_actuals(session, actor, csv, None, "spend.csv")
    _ship(session, made["Beta"])
    session.commit()
    spent = sum(r.actual_cost_cents for r in initiatives.initiative_report(session, actor).rows)
    plan, remaining, job = initiatives.replan(session, actor)
    session.commit()
    assert job is None and remaining == 5000_00 - spent and remaining < 5000_00 - 1200_00
    assert plan.assumptions["budget"] == remaining / 100 and plan.parent_id == plan_id
    assert plan.portfolio is not None and plan.portfolio["status"] in ("optimal", "feasible")
    assert str(made["Beta"]) not in plan.portfolio["selected"]  # shipped work is not chosen again
    assert service.get_settings(session, actor).replan_plan_id == plan.id
    with pytest.raises(PermissionDenied):
        initiatives.replan(session, world.actor(Role.VIEWER))
