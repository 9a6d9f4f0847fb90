"""The decision service on a real database (SQLite and PostgreSQL): scores, planning data, plans, scenarios."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.decisions import service
from northstar.decisions.comparison import compare_plans
from northstar.decisions.schemas import Assumptions, IdeaPlanningUpdate, PlanCopy, PlanCreate, ScenarioCreate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaCreate
from northstar.teams.models import Team
from tests.factories import make_world


def _company(session: Session):
    """One team of 2 people a week for a quarter (26 person-weeks) and three ideas with cash flows."""
    world = make_world(session)
    team = Team(workspace_id=world.workspace.id, name="Core", capacity={"2026-Q1": 26})
    session.add(team)
    session.flush()
    made = {}
    for title, effort, benefit, cost in [
        ("Alpha", 20, 900, 1000),
        ("Beta", 12, 700, 800),
        ("Gamma", 12, 650, 800),
    ]:
        inputs = {
            "reach": 100,
            "impact": 2,
            "confidence": 0.8,
            "effort": effort,
            "one_off_cost": cost,
            "recurring_cost_per_quarter": 0,
            "benefit_per_quarter": benefit,
            "business_value": 5,
            "time_criticality": 3,
            "risk_reduction": 1,
        }
        made[title] = ideas.create_idea(
            session, world.actor(), IdeaCreate(title=title, team_id=team.id, inputs=inputs)
        )
    session.commit()
    return world, team, made


def test_rice_scores_rank_ideas_and_show_arithmetic(session: Session) -> None:
    world, _team, _ideas = _company(session)
    rows = service.score_ideas(session, world.actor(Role.VIEWER), "rice")
    assert next(r.title for r in rows) in ("Beta", "Gamma")
    assert rows[-1].title == "Alpha"
    assert rows[-1].arithmetic == "(100 × 2 × 0.8) / 20 = 8"


def test_a_bad_custom_formula_is_a_validation_error_with_its_position(session: Session) -> None:
    world, _team, _ideas = _company(session)
    with pytest.raises(ValidationFailed, match="position 8"):
        service.score_ideas(session, world.actor(), "formula", "reach * ")


def test_portfolio_funds_the_best_pair_within_team_capacity(session: Session) -> None:
    world, _team, made = _company(session)
    plan = service.create_plan(
        session, world.actor(), PlanCreate(name="Q1", assumptions=Assumptions(time_limit_seconds=5))
    )
    solved = service.solve_portfolio(session, world.actor(), plan.id)
    result = solved.portfolio
    assert result["status"] == "optimal"
    # 26 person-weeks: Beta + Gamma (24) beat Alpha alone (20) on NPV.
    assert sorted(result["selected"]) == sorted([str(made["Beta"].id), str(made["Gamma"].id)])
    assert any(r["idea_id"] == str(made["Alpha"].id) for r in result["left_out"])


def test_schedule_and_forecast_follow_the_portfolio(session: Session) -> None:
    world, _team, made = _company(session)
    actor = world.actor()
    plan = service.create_plan(
        session, actor, PlanCreate(name="Q1", assumptions=Assumptions(time_limit_seconds=5))
    )
    service.set_idea_planning(
        session,
        actor,
        made["Gamma"].id,
        IdeaPlanningUpdate(
            estimate_low_weeks=4, estimate_likely_weeks=6, estimate_high_weeks=10, people=2, deadline_week=8
        ),
    )
    service.solve_portfolio(session, actor, plan.id)
    scheduled = service.schedule_plan(session, actor, plan.id).schedule
    assert scheduled["status"] in ("optimal", "feasible")
    assert len(scheduled["items"]) == 2
    forecasted = service.forecast_plan(session, actor, plan.id, simulations=500).forecast
    gamma = next(i for i in forecasted["items"] if i["id"] == str(made["Gamma"].id))
    assert gamma["percentiles"]["P50"] <= gamma["percentiles"]["P85"] <= gamma["percentiles"]["P95"]
    assert 0 <= gamma["deadline_probability"] <= 1


def test_scenario_with_more_capacity_funds_more_and_compares(session: Session) -> None:
    world, team, _made = _company(session)
    actor = world.actor()
    base = service.create_plan(
        session, actor, PlanCreate(name="Base", assumptions=Assumptions(time_limit_seconds=5))
    )
    bigger = service.copy_plan(
        session, actor, base.id, PlanCopy(name="Hire", assumptions={"capacity_factor": {str(team.id): 2}})
    )
    assert bigger.parent_id == base.id
    service.solve_portfolio(session, actor, base.id)
    service.solve_portfolio(session, actor, bigger.id)
    comparison = compare_plans(session, actor, base.id, bigger.id)
    assert comparison.value_b > comparison.value_a
    assert comparison.only_in_b == ["Alpha"]
    assert comparison.assumption_changes == ["Core capacity × 2 (was × 1)"]
    added = next(i for i in comparison.ideas if i.title == "Alpha")
    assert (added.in_a, added.in_b) == (False, True)
    assert "Added (1): Alpha." in comparison.summary
    assert [(u.name, u.unit, u.limit_a, u.limit_b) for u in comparison.usage] == [
        ("Capacity of Core through 2026-Q1", "person-weeks", 26, 52)
    ]
    assert any(line.startswith("No delivery forecast yet for Base and Hire") for line in comparison.summary)


def test_planning_data_rejects_unknown_dependencies_and_viewers(session: Session) -> None:
    world, _team, made = _company(session)
    with pytest.raises(ValidationFailed, match="no idea"):
        service.set_idea_planning(
            session, world.actor(), made["Beta"].id, IdeaPlanningUpdate(depends_on=[999999])
        )
    with pytest.raises(PermissionDenied):
        service.set_idea_planning(session, world.actor(Role.VIEWER), made["Beta"].id, IdeaPlanningUpdate())


def test_plans_of_another_workspace_are_not_found(session: Session) -> None:
    world, _team, _made = _company(session)
    plan = service.create_plan(session, world.actor(), PlanCreate(name="Mine"))
    other = make_world(session)
    with pytest.raises(NotFound):
        service.get_plan(session, other.actor(), plan.id)


def test_schedule_before_portfolio_says_what_to_do_first(session: Session) -> None:
    world, _team, _made = _company(session)
    plan = service.create_plan(session, world.actor(), PlanCreate(name="Q1"))
    with pytest.raises(ValidationFailed, match="solve the portfolio first"):
        service.schedule_plan(session, world.actor(), plan.id)


def test_portfolio_job_runs_in_the_background_with_progress(session: Session, session_factory) -> None:
    from northstar import modules
    from northstar.core import jobs

    modules.load_jobs()
    world, _team, _made = _company(session)
    plan = service.create_plan(
        session, world.actor(), PlanCreate(name="Q1", assumptions=Assumptions(time_limit_seconds=5))
    )
    job = jobs.create_job(session, world.actor(), "decisions.portfolio", {"plan_id": plan.id})
    session.commit()
    seen: list[str] = []
    finished = jobs.execute_job(session_factory, job.id, lambda done, total, message: seen.append(message))
    assert finished.status == "succeeded", finished.error
    assert finished.result["status"] == "optimal"
    assert "solving" in seen


def test_capacity_per_quarter_keeps_work_due_early_within_early_capacity(session: Session) -> None:
    world, team, made = _company(session)
    actor = world.actor()
    team.capacity = {"2026-Q1": 13, "2026-Q2": 26}  # 39 person-weeks in all, only 13 by the end of Q1
    session.flush()
    # Alpha (20 person-weeks) is due in week 13: it cannot be done by then, though it would fit in the total.
    service.set_idea_planning(session, actor, made["Alpha"].id, IdeaPlanningUpdate(deadline_week=13))
    plan = service.create_plan(
        session, actor, PlanCreate(name="H1", assumptions=Assumptions(time_limit_seconds=5))
    )
    result = service.solve_portfolio(session, actor, plan.id).portfolio
    assert result["status"] == "optimal"
    assert str(made["Alpha"].id) not in result["selected"]
    assert sorted(result["selected"]) == sorted([str(made["Beta"].id), str(made["Gamma"].id)])
    # rows are named after the team, and the reasons read in person-weeks
    assert set(result["usage"]) == {"capacity of Core through 2026-Q1", "capacity of Core through 2026-Q2"}
    alpha = next(r for r in result["left_out"] if r["idea_id"] == str(made["Alpha"].id))
    assert (
        "capacity of Core through 2026-Q1: needs 20 person-weeks, only 13 person-weeks left"
        in alpha["summary"]
    )
    # Without the deadline the capacity of both quarters counts: Alpha + Beta (32 ≤ 39) is the better pair.
    service.set_idea_planning(session, actor, made["Alpha"].id, IdeaPlanningUpdate())
    again = service.solve_portfolio(session, actor, plan.id).portfolio
    assert str(made["Alpha"].id) in again["selected"]


def test_forecast_uses_the_same_weekly_capacity_as_the_schedule(session: Session) -> None:
    world, team, made = _company(session)
    actor = world.actor()
    team.capacity = {"2026-Q1": 13, "2026-Q2": 39}  # one person a week in Q1, three from week 13
    session.flush()
    plan = service.create_plan(
        session, actor, PlanCreate(name="Q1", assumptions=Assumptions(time_limit_seconds=5))
    )
    for idea in made.values():
        service.set_idea_planning(
            session,
            actor,
            idea.id,
            IdeaPlanningUpdate(
                estimate_low_weeks=3, estimate_likely_weeks=4, estimate_high_weeks=6, people=2
            ),
        )
    service.solve_portfolio(session, actor, plan.id)
    scheduled = service.schedule_plan(session, actor, plan.id).schedule
    assert all(item["start"] >= 13 for item in scheduled["items"])  # two people are there only from week 13
    forecasted = service.forecast_plan(session, actor, plan.id, simulations=500).forecast
    for item in forecasted["items"]:
        assert (
            item["percentiles"]["P50"] >= 13 + 3
        )  # the forecast waits for the hire too (before: from week 0)


def test_a_budget_cut_drops_ideas_and_the_comparison_says_so_in_dollars_and_dates(session: Session) -> None:
    world, team, _made = _company(session)
    actor = world.actor()
    team.capacity = {"2026-Q1": 52}  # room for all three: only the budget decides
    base = service.create_plan(
        session, actor, PlanCreate(name="Base", assumptions=Assumptions(budget=2600, time_limit_seconds=5))
    )
    cut = service.create_scenario(session, actor, base.id, ScenarioCreate(name="Cut", budget=1800))
    for plan in (base, cut):
        service.solve_portfolio(session, actor, plan.id)
        service.schedule_plan(session, actor, plan.id)
        service.forecast_plan(session, actor, plan.id, simulations=500)
    comparison = compare_plans(session, actor, base.id, cut.id)
    assert comparison.assumption_changes == ["Budget $2,600 → $1,800"]
    assert len(comparison.only_in_a) == 1 and not comparison.only_in_b
    assert comparison.value_b < comparison.value_a and comparison.value_unit == "money"
    assert comparison.usage[0].name == "Budget" and comparison.usage[0].unit == "money"
    assert comparison.finish_a is not None and comparison.finish_b is not None
    assert comparison.finish_b.p85 <= comparison.finish_a.p85
    assert comparison.summary[1].startswith(f"Dropped (1): {comparison.only_in_a[0]}.")
    assert "less value" in comparison.summary[2] and "$" in comparison.summary[2]
    assert "With 85% confidence Cut is done by" in comparison.summary[3]
    dropped = next(i for i in comparison.ideas if not i.in_b)
    assert dropped.p85_a is not None and dropped.p85_b is None and dropped.moved_weeks is None
    text = " ".join(comparison.summary + comparison.assumption_changes)
    assert "None" not in text and "{" not in text and "capacity of" not in text


def test_a_hire_scales_the_weekly_people_before_rounding_and_pulls_the_finish_in(session: Session) -> None:
    world, team, _made = _company(session)
    actor = world.actor()
    team.capacity = {"2026-Q1": 45.5, "2026-Q2": 45.5}  # three and a half people a week: three whole ones
    base = service.create_plan(
        session, actor, PlanCreate(name="Base", assumptions=Assumptions(time_limit_seconds=5))
    )
    hire = service.create_scenario(
        session, actor, base.id, ScenarioCreate(name="Hire", team_id=team.id, capacity_factor=1.5)
    )
    for plan in (base, hire):
        service.solve_portfolio(session, actor, plan.id)
        service.schedule_plan(session, actor, plan.id)
        service.forecast_plan(session, actor, plan.id, simulations=500)
    # 3.5 people × 1.5 is five whole people (flooring first and scaling after gave int(3 × 1.5) = 4)
    assert base.schedule["team_capacity"][str(team.id)][0] == 3
    assert hire.schedule["team_capacity"][str(team.id)][0] == 5
    comparison = compare_plans(session, actor, base.id, hire.id)
    assert comparison.finish_b.p85_weeks < comparison.finish_a.p85_weeks
    assert any("earlier than Base" in line for line in comparison.summary)


def test_scenario_form_input_is_checked_field_by_field(session: Session) -> None:
    world, team, made = _company(session)
    actor = world.actor()
    other = make_world(session)
    foreign = Team(workspace_id=other.workspace.id, name="Elsewhere", capacity={})
    session.add(foreign)
    session.flush()
    base = service.create_plan(session, actor, PlanCreate(name="Base"))
    with pytest.raises(ValidationFailed) as failure:
        service.create_scenario(
            session,
            actor,
            base.id,
            ScenarioCreate(
                name="Bad",
                team_id=foreign.id,
                force_in=[made["Alpha"].id],
                force_out=[made["Alpha"].id, 999999],
            ),
        )
    fields = {error.field: error.message for error in failure.value.errors}
    assert fields["team_id"] == "choose a team of this workspace"
    assert fields["capacity_factor"].startswith("enter how much capacity")
    assert fields["force_out"] == "choose ideas of this workspace"
    with pytest.raises(ValidationFailed, match="forced both in and out"):
        service.create_scenario(
            session,
            actor,
            base.id,
            ScenarioCreate(name="Both", force_in=[made["Alpha"].id], force_out=[made["Alpha"].id]),
        )
    made_ok = service.create_scenario(
        session,
        actor,
        base.id,
        ScenarioCreate(name="Fine", team_id=team.id, capacity_factor=1.5, force_in=[made["Beta"].id]),
    )
    assert made_ok.assumptions["capacity_factor"] == {str(team.id): 1.5}
    assert made_ok.assumptions["force_in"] == [made["Beta"].id]
