"""Use cases of the decision module: score ideas, keep planning data, and solve, schedule, forecast and compare plans.

Each function takes a Session and an Actor, checks the permission once, reads the workspace's ideas and teams,
turns them into a pure engine problem (``decisions.solve``) and stores the result on the plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.core import audit, jobs
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.jobs import Job, JobRunner
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.decisions.models import IdeaPlanning, Plan
from northstar.decisions.schemas import (
    Assumptions,
    Framework,
    IdeaPlanningRead,
    IdeaPlanningUpdate,
    PlanCopy,
    PlanCreate,
    Prioritization,
    ScenarioCreate,
    ScoredIdea,
)
from northstar.decisions.solve import cashflow, forecast, portfolio, schedule, scoring
from northstar.decisions.solve.common import PlanningInputError, SolverSettings
from northstar.decisions.solve.formula import FormulaError, evaluate, parse, render
from northstar.ideas.models import Idea
from northstar.teams.models import Team

Progress = Callable[[str, float], None]
CLOSED = ("shipped", "wont_do")
WEEKS_PER_QUARTER = 13


def _number(inputs: dict[str, Any], key: str) -> float | None:
    value = inputs.get(key)
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def _score_one(idea: Idea, framework: Framework, formula: str | None) -> tuple[float | None, str, str | None]:
    inputs = dict(idea.inputs or {})
    get: dict[str, Any] = {key: _number(inputs, key) for key in inputs}

    def value_of(key: str) -> Any:
        return get.get(key)

    try:
        if framework == "formula":
            tree = parse(formula or "")
            return evaluate(tree, get), render(tree, get), None
        if framework == "rice":
            result = scoring.rice(
                value_of("reach"), value_of("impact"), value_of("confidence"), value_of("effort")
            )
        elif framework == "ice":
            result = scoring.ice(value_of("impact_ice"), value_of("confidence_ice"), value_of("ease"))
        elif framework == "wsjf":
            result = scoring.wsjf(
                value_of("business_value"),
                value_of("time_criticality"),
                value_of("risk_reduction"),
                value_of("job_size") or value_of("effort"),
            )
        elif framework == "cost_of_delay":
            result = scoring.cost_of_delay(
                value_of("business_value"),
                value_of("time_criticality"),
                value_of("risk_reduction"),
            )
        else:
            result = scoring.value_effort(value_of("value") or 0.0, value_of("effort"))
    except (PlanningInputError, FormulaError) as error:
        return None, "", str(error)
    return result.value, result.arithmetic, None


RICE_INPUTS = ("reach", "impact", "confidence", "effort")


def _missing_rice(inputs: dict[str, Any]) -> str | None:
    """What an idea lacks for a RICE score, all at once ("needs reach, effort"), or None when it has everything."""
    missing = [key for key in RICE_INPUTS if _number(inputs, key) is None]
    return f"needs {', '.join(missing)}" if missing else None


def _scored(idea: Idea, framework: Framework, formula: str | None) -> ScoredIdea:
    value, arithmetic, problem = _score_one(idea, framework, formula)
    inputs = dict(idea.inputs or {})
    if value is None and framework == "rice":
        problem = _missing_rice(inputs) or problem
    return ScoredIdea(
        idea_id=idea.id,
        title=idea.title,
        team_id=idea.team_id,
        status=idea.status,
        score=value,
        arithmetic=arithmetic,
        problem=problem,
        inputs={key: number for key in RICE_INPUTS if (number := _number(inputs, key)) is not None},
    )


def _check_formula(framework: Framework, formula: str | None) -> None:
    if framework == "formula":
        try:
            parse(formula or "")
        except FormulaError as error:
            raise ValidationFailed(
                f"formula: {error}", [FieldError("formula", error.pointer(formula or ""))]
            ) from None


def score_ideas(
    session: Session,
    actor: Actor,
    framework: Framework = "rice",
    formula: str | None = None,
    include_closed: bool = False,
) -> list[ScoredIdea]:
    """Every open idea (and shipped and won't-do ones when asked) with its score and arithmetic, best first.

    Ideas missing inputs are listed after the scored ones, each saying what it lacks.
    """
    actor.require(READ)
    _check_formula(framework, formula)
    query = select(Idea).where(Idea.workspace_id == actor.workspace_id).order_by(Idea.id)
    if not include_closed:
        query = query.where(Idea.status.not_in(CLOSED))
    rows = [_scored(idea, framework, formula) for idea in session.scalars(query)]
    rows.sort(key=lambda row: (row.score is None, -(row.score or 0.0)))
    return rows


def prioritize(
    session: Session,
    actor: Actor,
    framework: Framework = "rice",
    formula: str | None = None,
    include_closed: bool = False,
) -> Prioritization:
    """The Prioritize table: ``score_ideas`` with how many are scored, how many need inputs and how many are closed."""
    rows = score_ideas(session, actor, framework, formula, include_closed)
    closed = session.scalar(
        select(func.count())
        .select_from(Idea)
        .where(Idea.workspace_id == actor.workspace_id, Idea.status.in_(CLOSED))
    )
    scored = sum(1 for row in rows if row.score is not None)
    return Prioritization(
        rows=rows,
        scored=scored,
        unscored=len(rows) - scored,
        closed=int(closed or 0),
        include_closed=include_closed,
    )


def _planning_row(session: Session, actor: Actor, idea_id: int) -> IdeaPlanning | None:
    return session.scalar(
        select(IdeaPlanning).where(
            IdeaPlanning.workspace_id == actor.workspace_id, IdeaPlanning.idea_id == idea_id
        )
    )


def get_idea_planning(session: Session, actor: Actor, idea_id: int) -> IdeaPlanningRead:
    actor.require(READ)
    get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    row = _planning_row(session, actor, idea_id)
    if row is None:
        return IdeaPlanningRead(idea_id=idea_id)
    return IdeaPlanningRead.model_validate(row)


def set_idea_planning(
    session: Session, actor: Actor, idea_id: int, data: IdeaPlanningUpdate
) -> IdeaPlanningRead:
    """Store an idea's estimate, category and rules; referenced ideas must exist in this workspace."""
    actor.require("plans.write")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    referenced = set(data.depends_on) | set(data.excludes)
    if idea_id in referenced:
        raise ValidationFailed(
            "an idea cannot depend on or exclude itself", [FieldError("depends_on", "self")]
        )
    known = set(
        session.scalars(
            select(Idea.id).where(Idea.workspace_id == actor.workspace_id, Idea.id.in_(referenced))
        )
    )
    missing = sorted(referenced - known)
    if missing:
        raise ValidationFailed(
            f"no idea(s) {', '.join(map(str, missing))} in this workspace",
            [FieldError("depends_on", f"unknown idea {m}") for m in missing],
        )
    row = _planning_row(session, actor, idea_id)
    if row is None:
        row = IdeaPlanning(workspace_id=actor.workspace_id, idea_id=idea_id)
        session.add(row)
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    session.flush()
    audit.record(session, actor, "update", "idea_planning", idea_id, idea.title, data.model_dump())
    return IdeaPlanningRead.model_validate(row)


def create_plan(session: Session, actor: Actor, data: PlanCreate) -> Plan:
    actor.require("plans.write")
    plan = Plan(workspace_id=actor.workspace_id, name=data.name, assumptions=data.assumptions.model_dump())
    session.add(plan)
    session.flush()
    audit.record(session, actor, "create", "plan", plan.id, plan.name)
    return plan


def get_plan(session: Session, actor: Actor, plan_id: int) -> Plan:
    actor.require(READ)
    return get_owned(session, Plan, plan_id, actor.workspace_id, "plan")


def list_plans(session: Session, actor: Actor) -> list[Plan]:
    actor.require(READ)
    return list(
        session.scalars(select(Plan).where(Plan.workspace_id == actor.workspace_id).order_by(Plan.id))
    )


def delete_plan(session: Session, actor: Actor, plan_id: int) -> None:
    actor.require("plans.write")
    plan = get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    audit.record(session, actor, "delete", "plan", plan.id, plan.name)
    session.delete(plan)


def copy_plan(session: Session, actor: Actor, plan_id: int, data: PlanCopy) -> Plan:
    """A scenario: the plan's assumptions with ``data.assumptions`` changed (validated), results not copied."""
    actor.require("plans.write")
    source = get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    try:
        assumptions = Assumptions.model_validate({**source.assumptions, **data.assumptions})
    except ValueError as error:
        raise ValidationFailed(f"invalid scenario assumptions: {error}") from None
    plan = Plan(
        workspace_id=actor.workspace_id,
        name=data.name,
        parent_id=source.id,
        assumptions=assumptions.model_dump(),
    )
    session.add(plan)
    session.flush()
    audit.record(session, actor, "create", "plan", plan.id, f"{plan.name} (scenario of {source.name})")
    return plan


def create_scenario(session: Session, actor: Actor, plan_id: int, data: ScenarioCreate) -> Plan:
    """A scenario of a plan from the plan page's form: a budget, one team's capacity scaled, ideas forced in or out.

    Teams and ideas must belong to this workspace; each problem is reported against its field.
    """
    actor.require("plans.write")
    get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    errors: list[FieldError] = []
    changes: dict[str, Any] = {}
    if data.budget is not None:
        changes["budget"] = data.budget
    if data.team_id is not None or data.capacity_factor is not None:
        if data.team_id is None:
            errors.append(FieldError("team_id", "choose the team whose capacity changes"))
        elif (
            session.scalar(
                select(Team.id).where(Team.workspace_id == actor.workspace_id, Team.id == data.team_id)
            )
            is None
        ):
            errors.append(FieldError("team_id", "choose a team of this workspace"))
        if data.capacity_factor is None:
            errors.append(FieldError("capacity_factor", "enter how much capacity the team has, like 1.25"))
        if data.team_id is not None and data.capacity_factor is not None:
            changes["capacity_factor"] = {str(data.team_id): data.capacity_factor}
    wanted = set(data.force_in) | set(data.force_out)
    known = set(
        session.scalars(select(Idea.id).where(Idea.workspace_id == actor.workspace_id, Idea.id.in_(wanted)))
    )
    for name in ("force_in", "force_out"):
        chosen = getattr(data, name)
        if set(chosen) - known:
            errors.append(FieldError(name, "choose ideas of this workspace"))
        elif chosen:
            changes[name] = list(chosen)
    if set(data.force_in) & set(data.force_out) and not any(e.field == "force_out" for e in errors):
        errors.append(FieldError("force_out", "an idea cannot be forced both in and out"))
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    return copy_plan(session, actor, plan_id, PlanCopy(name=data.name, assumptions=changes))


def _quarter_axis(teams: Iterable[Team]) -> list[str]:
    """Every capacity period label of the workspace's teams, sorted: week 0 is the start of the first one."""
    return sorted({str(label) for team in teams for label in (team.capacity or {})})


def _team_quarters(team: Team, axis: list[str]) -> list[float]:
    """The team's capacity (person-weeks) in each period of ``axis``; 0 where it has none or it is not a number."""
    given = {str(label): amount for label, amount in (team.capacity or {}).items()}
    values = []
    for label in axis:
        try:
            amount = float(given.get(label, 0.0))
        except (TypeError, ValueError):
            amount = 0.0
        values.append(max(0.0, amount) if math.isfinite(amount) else 0.0)
    return values


def _due_quarter(deadline_week: int | None, quarters: int) -> int:
    """The capacity period whose end the work must be done by: the deadline's quarter, or the last one."""
    if deadline_week is None:
        return quarters - 1
    return min(quarters - 1, max(0, math.ceil(deadline_week / WEEKS_PER_QUARTER) - 1))


def _idea_value(idea: Idea, assumptions: Assumptions) -> float | None:
    inputs = dict(idea.inputs or {})
    if assumptions.value_basis == "rice":
        parts = [_number(inputs, k) for k in ("reach", "impact", "confidence")]
        return None if None in parts else math.prod(p for p in parts if p is not None)
    if assumptions.value_basis == "cost_of_delay":
        parts = [_number(inputs, k) for k in ("business_value", "time_criticality", "risk_reduction")]
        return None if None in parts else sum(p for p in parts if p is not None)
    problem = _cash_flow_problem(idea, assumptions)
    return None if problem is None else round(cashflow.solve(problem).npv, 2)


def _cash_flow_problem(idea: Idea, assumptions: Assumptions) -> cashflow.CashFlowProblem | None:
    inputs = dict(idea.inputs or {})
    benefit = _number(inputs, "benefit_per_quarter")
    if benefit is None:
        return None
    return cashflow.CashFlowProblem(
        periods=assumptions.quarters,
        discount_rate=(1 + assumptions.discount_rate) ** 0.25 - 1,
        one_off_cost=_number(inputs, "one_off_cost") or 0.0,
        recurring_cost=_number(inputs, "recurring_cost_per_quarter") or 0.0,
        benefit_per_period=benefit,
    )


def business_case(
    session: Session, actor: Actor, plan_id: int, idea_id: int
) -> cashflow.CashFlowResult | None:
    """An idea's cost-benefit (NPV, ROI, payback) under a plan's assumptions; None without a benefit estimate."""
    actor.require(READ)
    plan = get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    problem = _cash_flow_problem(idea, Assumptions.model_validate(plan.assumptions))
    if problem is None:
        return None
    try:
        return cashflow.solve(problem)
    except PlanningInputError:
        return None


def team_labels(teams: Iterable[Team]) -> dict[int, str]:
    """Team id → the name a person reads; a name two teams share gets its id appended to tell them apart."""
    teams = list(teams)
    seen: dict[str, int] = {}
    for team in teams:
        seen[team.name] = seen.get(team.name, 0) + 1
    return {team.id: team.name if seen[team.name] == 1 else f"{team.name} ({team.id})" for team in teams}


def _portfolio_problem(
    session: Session, actor: Actor, plan: Plan
) -> tuple[portfolio.PortfolioProblem, dict, list]:
    assumptions = Assumptions.model_validate(plan.assumptions)
    teams = {
        team.id: team for team in session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id))
    }
    axis = _quarter_axis(teams.values())
    # capacity rows are named after the teams ("capacity of Insights through 2027-Q4"), as people read them
    labels = team_labels(teams.values())
    capacity: dict[str, list[float]] = {}
    for team_id, team in teams.items():
        factor = assumptions.capacity_factor.get(str(team_id), 1.0)
        capacity[labels[team_id]] = [amount * factor for amount in _team_quarters(team, axis)] or [0.0]
    quarters = max(1, len(axis))
    ideas = list(
        session.scalars(
            select(Idea)
            .where(Idea.workspace_id == actor.workspace_id, Idea.status.not_in(CLOSED))
            .order_by(Idea.id)
        )
    )
    planning = {
        row.idea_id: row
        for row in session.scalars(
            select(IdeaPlanning).where(IdeaPlanning.workspace_id == actor.workspace_id)
        )
    }
    candidates, skipped, titles = [], [], {}
    for idea in ideas:
        value = _idea_value(idea, assumptions)
        effort = _number(dict(idea.inputs or {}), "effort")
        if value is None or effort is None or idea.team_id is None or idea.team_id not in labels:
            missing = [
                name
                for name, v in (("value inputs", value), ("effort", effort), ("team", idea.team_id))
                if v is None
            ]
            skipped.append({"idea_id": idea.id, "title": idea.title, "missing": missing or ["team capacity"]})
            continue
        extra = planning.get(idea.id)
        titles[str(idea.id)] = idea.title
        due = _due_quarter(extra.deadline_week if extra else None, quarters)
        candidates.append(
            portfolio.PortfolioIdea(
                str(idea.id),
                value=value,
                cost=_number(dict(idea.inputs or {}), "one_off_cost") or 0.0,
                effort={labels[idea.team_id]: [0.0] * due + [effort]},
                category=(extra.category if extra else None)
                or str((idea.inputs or {}).get("theme") or "")
                or None,
                must_have=bool(extra and extra.must_have) or idea.id in assumptions.force_in,
                forced_out=idea.id in assumptions.force_out and idea.id not in assumptions.force_in,
                title=idea.title,
            )
        )
    ids = {c.id for c in candidates}
    dependencies, exclusions = [], []
    for idea_id, extra in planning.items():
        for other in extra.depends_on or []:
            if str(idea_id) in ids and str(other) in ids:
                dependencies.append((str(idea_id), str(other)))
        for other in extra.excludes or []:
            if str(idea_id) in ids and str(other) in ids:
                exclusions.append((str(idea_id), str(other)))
    problem = portfolio.PortfolioProblem(
        ideas=candidates,
        budget=assumptions.budget,
        capacity=capacity,
        dependencies=dependencies,
        exclusions=exclusions,
        mix_rules=[portfolio.MixRule(**rule.model_dump()) for rule in assumptions.mix_rules],
        capacity_carries_over=True,
        period_names=axis,
        currency="$",
        value_currency=assumptions.value_basis == "npv",
        effort_unit="person-weeks",
        settings=SolverSettings(time_limit_seconds=assumptions.time_limit_seconds, workers=2, seed=7),
        max_marginal_resolves=len(capacity) + 1,
        max_left_out_resolves=15,
    )
    return problem, titles, skipped


def _engine_error(error: PlanningInputError) -> ValidationFailed:
    return ValidationFailed(
        "the plan cannot be solved: " + str(error),
        [FieldError("plan", problem) for problem in error.problems[:50]],
    )


def solve_portfolio(session: Session, actor: Actor, plan_id: int, progress: Progress | None = None) -> Plan:
    """Choose the ideas to fund under the plan's budget, capacity and rules; store the result and explanations."""
    actor.require("plans.write")
    plan = get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    problem, titles, skipped = _portfolio_problem(session, actor, plan)
    if not problem.ideas:
        raise ValidationFailed("no idea has a team, an effort and value inputs yet; nothing to choose from")
    try:
        result = portfolio.solve(problem, progress)
    except PlanningInputError as error:
        raise _engine_error(error) from None
    team_names = {
        str(t.id): t.name
        for t in session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id))
    }
    plan.portfolio = {**asdict(result), "titles": titles, "skipped": skipped, "team_names": team_names}
    plan.schedule = None
    plan.forecast = None
    plan.solved_at = utcnow()
    audit.record(
        session, actor, "solve", "plan", plan.id, f"{plan.name}: {result.status}, value {result.value:,.0f}"
    )
    return plan


def _weekly_people(team: Team, axis: list[str], factor: float = 1.0) -> list[int]:
    """People available per week: each period's person-weeks (times a scenario's ``factor``) spread over its 13
    weeks, in whole people (the last week continues). The factor applies before rounding down, so a hire of a
    quarter more capacity adds a person to a team of four rather than vanishing in the rounding."""
    weeks: list[int] = []
    for person_weeks in _team_quarters(team, axis):
        people = int(person_weeks * factor / WEEKS_PER_QUARTER + 1e-9)
        weeks += [people] * WEEKS_PER_QUARTER
    return weeks or [0]


def _schedule_inputs(session: Session, actor: Actor, plan: Plan) -> tuple[schedule.ScheduleProblem, dict]:
    if not plan.portfolio or not plan.portfolio.get("selected"):
        raise ValidationFailed("solve the portfolio first: there are no funded ideas to schedule")
    assumptions = Assumptions.model_validate(plan.assumptions)
    selected = [int(i) for i in plan.portfolio["selected"]]
    ideas = {
        idea.id: idea
        for idea in session.scalars(
            select(Idea).where(Idea.workspace_id == actor.workspace_id, Idea.id.in_(selected))
        )
    }
    planning = {
        row.idea_id: row
        for row in session.scalars(
            select(IdeaPlanning).where(
                IdeaPlanning.workspace_id == actor.workspace_id, IdeaPlanning.idea_id.in_(selected)
            )
        )
    }
    teams = {
        str(t.id): t for t in session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id))
    }
    capacity = {}
    axis = _quarter_axis(teams.values())
    for team_id, team in teams.items():
        factor = assumptions.capacity_factor.get(team_id, 1.0)
        capacity[team_id] = _weekly_people(team, axis, factor)
    values = {c_id: 0.0 for c_id in map(str, selected)}
    items, estimates = [], {}
    started = _started_work(ideas, planning, capacity, assumptions)
    for idea_id in selected:
        idea = ideas.get(idea_id)
        if idea is None or idea.team_id is None:
            continue
        team_id = str(idea.team_id)
        extra = planning.get(idea_id)
        peak = max(capacity.get(team_id, [0]))
        people = max(1, min(extra.people if extra else 2, peak))
        if idea_id in started:
            people = started[idea_id]
        effort = _number(dict(idea.inputs or {}), "effort") or 1.0
        if extra and extra.estimate_likely_weeks is not None:
            likely = float(extra.estimate_likely_weeks)
            estimate = (
                float(extra.estimate_low_weeks or likely),
                likely,
                float(extra.estimate_high_weeks or likely),
                extra.distribution,
            )
        else:
            likely = effort / people
            estimate = (0.75 * likely, likely, 1.6 * likely, "pert")
        estimates[str(idea_id)] = estimate
        value = _idea_value(idea, assumptions) or 0.0
        values[str(idea_id)] = value
        items.append(
            schedule.WorkItem(
                str(idea_id),
                duration=max(1, math.ceil(likely)),
                demand={team_id: people},
                predecessors=[str(p) for p in (extra.depends_on if extra else []) if p in ideas],
                due=extra.deadline_week if extra else None,
                weight=max(value, 0.0) / 1000 + 0.001,
                fixed_start=0 if idea_id in started else None,
                title=idea.title,
            )
        )
    problem = schedule.ScheduleProblem(
        items,
        {team_id: weeks for team_id, weeks in capacity.items()},
        objective="weighted_completion",
        settings=SolverSettings(time_limit_seconds=assumptions.time_limit_seconds, workers=2, seed=7),
    )
    return problem, {"estimates": estimates, "values": values}


def _started_work(
    ideas: dict[int, Idea],
    planning: dict[int, IdeaPlanning],
    capacity: dict[str, list[int]],
    assumptions: Assumptions,
) -> dict[int, int]:
    """Ideas in progress keep their start (week 0), highest value first, sharing their team's people.

    Returns idea id → people on it. Started work beyond what a team can run at once is left unfixed (it is then
    scheduled as early as possible) rather than making the plan impossible.
    """
    by_team: dict[str, list[Idea]] = {}
    for idea in ideas.values():
        if idea.status == "in_progress" and idea.team_id is not None:
            by_team.setdefault(str(idea.team_id), []).append(idea)
    people: dict[int, int] = {}
    for team_id, running in by_team.items():
        available = capacity.get(team_id, [0])[0]
        running.sort(key=lambda idea: -(_idea_value(idea, assumptions) or 0.0))
        running = running[: max(0, available)]
        for idea in running:
            wanted = planning[idea.id].people if idea.id in planning else 2
            people[idea.id] = max(1, min(wanted, available // max(1, len(running))))
    return people


def schedule_plan(session: Session, actor: Actor, plan_id: int, progress: Progress | None = None) -> Plan:
    """Schedule the funded ideas over weeks across teams (value-weighted completion); keep started work fixed."""
    actor.require("plans.write")
    plan = get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    problem, extra = _schedule_inputs(session, actor, plan)
    try:
        result = schedule.solve(problem, progress)
    except PlanningInputError as error:
        raise _engine_error(error) from None
    payload = asdict(result)
    payload["board"] = result.board(now=0, next_periods=6) if result.items else {}
    payload["order"] = result.order() if result.items else []
    payload["estimates"] = extra["estimates"]
    payload["teams"] = {item.id: next(iter(item.demand)) for item in problem.items}
    payload["people"] = {item.id: next(iter(item.demand.values())) for item in problem.items}
    payload["deadlines"] = {item.id: item.due for item in problem.items if item.due is not None}
    payload["team_capacity"] = {team: list(values) for team, values in problem.teams.items()}  # type: ignore[arg-type]
    plan.schedule = payload
    plan.forecast = None
    audit.record(session, actor, "schedule", "plan", plan.id, f"{plan.name}: {result.status}")
    return plan


def check_simulations(simulations: int) -> None:
    """Raise a clear error when the number of Monte Carlo runs is outside 100..200,000."""
    if not 100 <= simulations <= 200_000:
        raise ValidationFailed(
            "simulations must be between 100 and 200,000", [FieldError("simulations", "range")]
        )


PLAN_JOBS = {
    "portfolio": "decisions.portfolio",
    "schedule": "decisions.schedule",
    "forecast": "decisions.forecast",
}


def start_plan_job(
    session: Session, actor: Actor, runner: JobRunner, plan_id: int, step: str, simulations: int = 10_000
) -> Job:
    """Queue the portfolio solve, the schedule or the forecast of a plan as a background job (with progress)."""
    actor.require("plans.write")
    plan = get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    if step not in PLAN_JOBS:
        raise ValidationFailed(f"unknown plan step {step!r}; known: {', '.join(PLAN_JOBS)}")
    params: dict[str, Any] = {"plan_id": plan.id}
    if step == "forecast":
        check_simulations(simulations)
        params["simulations"] = simulations
    return runner.submit(session, actor, PLAN_JOBS[step], params)


def plan_jobs(session: Session, actor: Actor, plan_id: int, job_id: int | None = None) -> list[Job]:
    """The plan's solve, schedule and forecast jobs still queued or running, plus ``job_id`` when it is one of them."""
    actor.require(READ)
    kinds = set(PLAN_JOBS.values())
    found = []
    for job in jobs.list_jobs(session, actor, limit=100):
        if job.kind not in kinds or int((job.params or {}).get("plan_id", 0)) != plan_id:
            continue
        if job.id == job_id or job.status in ("queued", "running"):
            found.append(job)
    return found


def forecast_plan(
    session: Session,
    actor: Actor,
    plan_id: int,
    simulations: int = 10_000,
    progress: Progress | None = None,
    duration_multiplier: forecast.DurationMultiplier | None = None,
) -> Plan:
    """Monte Carlo over the scheduled order: P50/P85/P95 per idea and the chance of meeting each deadline.

    ``duration_multiplier`` (for example the budget's history of actual against estimated effort per team)
    scales each sampled duration; the payload then says ``"adjusted_by_history": true``.
    """
    actor.require("plans.write")
    check_simulations(simulations)
    plan = get_owned(session, Plan, plan_id, actor.workspace_id, "plan")
    if not plan.schedule or not plan.schedule.get("items"):
        raise ValidationFailed("schedule the plan first: the forecast re-times the scheduled order")
    assumptions = Assumptions.model_validate(plan.assumptions)
    sched = plan.schedule
    capacity: dict[str, list[int]] = sched.get("team_capacity") or sched.get("capacity", {})
    order = sched["order"]
    if progress:
        progress("simulating", 0.1)
    items = []
    for item_id in order:
        low, likely, high, distribution = sched["estimates"][item_id]
        team, people = sched["teams"][item_id], sched["people"][item_id]
        items.append(
            forecast.ForecastItem(
                item_id,
                forecast.ThreePointEstimate(max(low, 0.01), likely, high, distribution),
                {team: people},
                release=0.0,
                deadline=sched["deadlines"].get(item_id),
            )
        )
    # The same weekly capacity as the scheduler (holidays and hiring included; the last week continues).
    used = {sched["teams"][item_id] for item_id in order}
    teams = {team: [int(v) for v in values] or [0] for team, values in capacity.items() if team in used}
    start_date = date.fromisoformat(assumptions.start_date) if assumptions.start_date else _next_monday()
    problem = forecast.ForecastProblem(
        items,
        teams,
        simulations=simulations,
        seed=7,
        start_date=start_date,
        duration_multiplier=duration_multiplier,
    )
    try:
        result = forecast.solve(problem)
    except PlanningInputError as error:
        raise _engine_error(error) from None
    payload = asdict(result)
    payload.pop("ends", None)
    payload["start_date"] = start_date.isoformat()
    payload["adjusted_by_history"] = duration_multiplier is not None
    plan.forecast = payload
    if progress:
        progress("done", 1.0)
    audit.record(session, actor, "forecast", "plan", plan.id, f"{plan.name}: {simulations} simulations")
    return plan


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7)
