"""Use cases of cost per initiative: the funding snapshot, actual cost, realized return and estimate history.

When the budget follows a decisions plan, every idea the plan funds gets a snapshot of its business case as it was
then (one-off cost, planned people cost, NPV, ROI, estimated effort). Re-solving the plan later changes the plan,
not the snapshot: the first decision that funded an idea is what its actual cost is held against. Actual cost is
the spend tagged with the initiative plus the people cost of the time the schedule gave it up to today. A shipped
idea's benefit is what was entered by hand with its source, else the ARR of the customers who asked for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.budget import costs, engine
from northstar.budget.models import BudgetActual, BudgetFunding, BudgetOutcome, BudgetSettings
from northstar.budget.schemas import (
    BudgetSettingsUpdate,
    EstimateHistoryRead,
    FundingRead,
    InitiativeReport,
    InitiativeRow,
    OutcomeSet,
    RatioRead,
)
from northstar.budget.service import _teams, currency, update_settings
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor


def _cents(value: Any) -> int:
    """Whole cents of a money input stored as a number (``1234.5`` → 123450), exact via its decimal text."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return 0
    return engine.round_half_up(Fraction(amount) * 100) if amount.is_finite() else 0


def _number(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def follow_plan(session: Session, actor: Actor, plan_id: int) -> list[FundingRead]:
    """Follow a decisions plan (its schedule is costed) and snapshot the business case of each idea it funds."""
    from northstar.decisions import service as decisions

    actor.require("budget.write")
    plan = decisions.get_plan(session, actor, plan_id)
    if not plan.portfolio or not plan.portfolio.get("selected"):
        raise ValidationFailed(
            f"plan {plan.name!r} funds nothing yet: solve its portfolio first",
            [FieldError("plan_id", "solve the plan's portfolio first")],
        )
    update_settings(session, actor, BudgetSettingsUpdate(plan_id=plan.id))
    return record_funding(session, actor, plan)


def record_funding(session: Session, actor: Actor, plan: Any) -> list[FundingRead]:
    """Snapshots for the ideas ``plan`` funds that no earlier decision funded; returns the new ones."""
    from northstar.decisions import service as decisions
    from northstar.ideas.models import Idea

    actor.require("budget.write")
    selected = [int(i) for i in (plan.portfolio or {}).get("selected", [])]
    known = set(
        session.scalars(select(BudgetFunding.idea_id).where(BudgetFunding.workspace_id == actor.workspace_id))
    )
    ideas = {
        idea.id: idea
        for idea in session.scalars(
            select(Idea).where(Idea.workspace_id == actor.workspace_id, Idea.id.in_(selected))
        )
    }
    rates = costs._rates(session, actor)
    start = costs.week_zero(plan)
    work = costs.scheduled_work(plan)
    made = []
    for idea_id in selected:
        idea = ideas.get(idea_id)
        if idea is None or idea_id in known:
            continue
        inputs = dict(idea.inputs or {})
        people = engine.people_cost([w for w in work if w.idea == str(idea_id)], rates, start)
        case = decisions.business_case(session, actor, plan.id, idea_id)
        row = BudgetFunding(
            workspace_id=actor.workspace_id,
            idea_id=idea_id,
            plan_id=plan.id,
            plan_name=plan.name[:200],
            funded_at=utcnow(),
            team_id=idea.team_id,
            planned_cost_cents=_cents(inputs.get("one_off_cost") or 0),
            planned_people_cents=sum(c.amount for c in people),
            effort_person_weeks=_number(inputs.get("effort")),
            business_case={
                "npv_cents": round(case.npv * 100) if case else None,
                "roi": case.roi if case else None,
                "payback_quarters": case.payback if case else None,
                "benefit_per_quarter_cents": _cents(inputs.get("benefit_per_quarter") or 0),
                "recurring_cost_per_quarter_cents": _cents(inputs.get("recurring_cost_per_quarter") or 0),
                "quarters": int((plan.assumptions or {}).get("quarters", 8)),
                "discount_rate": float((plan.assumptions or {}).get("discount_rate", 0.10)),
            },
        )
        session.add(row)
        session.flush()
        made.append(FundingRead.model_validate(row))
    if made:
        audit.record(
            session, actor, "fund", "plan", plan.id, f"{plan.name}: {len(made)} initiative(s) snapshotted"
        )
    return made


def list_fundings(session: Session, actor: Actor) -> list[FundingRead]:
    actor.require(READ)
    rows = session.scalars(
        select(BudgetFunding)
        .where(BudgetFunding.workspace_id == actor.workspace_id)
        .order_by(BudgetFunding.id)
    )
    return [FundingRead.model_validate(r) for r in rows]


def record_outcome(session: Session, actor: Actor, idea_id: int, data: OutcomeSet) -> None:
    """Enter what an initiative took (actual effort) and returned (a year's benefit, with where it comes from)."""
    from northstar.ideas.models import Idea

    actor.require("budget.write")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    if data.benefit_cents is not None and not (data.benefit_source or "").strip():
        raise ValidationFailed(
            "benefit_source: say where the benefit comes from (a report, a dashboard, a finance figure)",
            [FieldError("benefit_source", "say where the benefit comes from")],
        )
    row = session.scalar(
        select(BudgetOutcome).where(
            BudgetOutcome.workspace_id == actor.workspace_id, BudgetOutcome.idea_id == idea_id
        )
    )
    if row is None:
        row = BudgetOutcome(workspace_id=actor.workspace_id, idea_id=idea_id)
        session.add(row)
    row.actual_effort_person_weeks = data.actual_effort_person_weeks
    row.benefit_cents = data.benefit_cents
    row.benefit_source = (data.benefit_source or "").strip() or None
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "budget_outcome",
        idea_id,
        idea.title,
        {"actual_effort_person_weeks": row.actual_effort_person_weeks, "benefit_cents": row.benefit_cents},
    )


def _percent(value: float | Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def initiative_report(session: Session, actor: Actor, today: dt.date | None = None) -> InitiativeReport:
    """Every funded initiative: planned against actual cost, and for shipped ones the realized return."""
    from northstar.ideas import service as ideas_service
    from northstar.ideas.models import Idea

    actor.require(READ)
    today = today or dt.date.today()
    ws = actor.workspace_id
    fundings = list(session.scalars(select(BudgetFunding).where(BudgetFunding.workspace_id == ws)))
    ids = [f.idea_id for f in fundings]
    ideas = {i.id: i for i in session.scalars(select(Idea).where(Idea.id.in_(ids)))} if ids else {}
    spent = (
        dict(
            session.execute(
                select(BudgetActual.idea_id, func.sum(BudgetActual.amount_cents))
                .where(
                    BudgetActual.workspace_id == ws,
                    BudgetActual.idea_id.in_(ids),
                    BudgetActual.spent_on <= today,
                )
                .group_by(BudgetActual.idea_id)
            ).all()
        )
        if ids
        else {}
    )
    outcomes = {
        o.idea_id: o for o in session.scalars(select(BudgetOutcome).where(BudgetOutcome.workspace_id == ws))
    }
    people: dict[str, int] = {}
    plan = costs.followed_plan(session, actor)
    if plan is not None:
        for c in engine.people_cost(
            costs.scheduled_work(plan), costs._rates(session, actor), costs.week_zero(plan), None, today
        ):
            people[c.idea] = people.get(c.idea, 0) + c.amount
    teams = _teams(session, actor)
    rows = []
    for funding in fundings:
        idea = ideas.get(funding.idea_id)
        if idea is None:
            continue
        outcome = outcomes.get(idea.id)
        actual_spend = int(spent.get(idea.id) or 0)
        actual_people = people.get(str(idea.id), 0)
        actual = actual_spend + actual_people
        planned = funding.planned_cost_cents + funding.planned_people_cents
        benefit, source = None, None
        if idea.status == "shipped":
            if outcome is not None and outcome.benefit_cents is not None:
                benefit, source = outcome.benefit_cents, outcome.benefit_source
            else:
                demand = ideas_service.idea_demand(session, actor, idea.id, limit=1)
                if demand.customers:
                    benefit = _cents(demand.total_arr)
                    source = f"ARR of the {demand.customers} customer(s) who asked"
        case = funding.business_case or {}
        rows.append(
            InitiativeRow(
                idea_id=idea.id,
                title=idea.title,
                status=idea.status,
                team=teams.get(funding.team_id or 0, ""),
                plan_name=funding.plan_name,
                funded_at=funding.funded_at,
                planned_cost_cents=planned,
                actual_spend_cents=actual_spend,
                actual_people_cents=actual_people,
                actual_cost_cents=actual,
                cost_variance_cents=actual - planned,
                npv_cents=case.get("npv_cents"),
                roi_percent=_percent(case.get("roi")),
                benefit_cents=benefit,
                benefit_source=source,
                realized_roi_percent=_percent(engine.realized_roi(benefit, actual)),
                estimated_effort_person_weeks=funding.effort_person_weeks,
                actual_effort_person_weeks=outcome.actual_effort_person_weeks if outcome else None,
            )
        )
    rows.sort(key=lambda r: (r.status != "shipped", -r.actual_cost_cents, r.title.lower()))
    return InitiativeReport(
        as_of=today,
        currency=currency(session, actor),
        rows=rows,
        planned_cents=sum(r.planned_cost_cents for r in rows),
        actual_cents=sum(r.actual_cost_cents for r in rows),
    )


def history(session: Session, actor: Actor, today: dt.date | None = None) -> engine.EstimateHistory:
    """Actual ÷ estimated effort and cost per team (keyed by team id) over shipped, funded initiatives."""
    report = initiative_report(session, actor, today)
    fundings = {f.idea_id: f for f in list_fundings(session, actor)}
    outcomes = [
        engine.EstimateOutcome(
            str(row.idea_id),
            str(fundings[row.idea_id].team_id or ""),
            row.estimated_effort_person_weeks,
            row.actual_effort_person_weeks,
            row.planned_cost_cents,
            row.actual_cost_cents,
        )
        for row in report.rows
        if row.status == "shipped"
    ]
    return engine.estimate_history(outcomes)


def estimate_history(session: Session, actor: Actor, today: dt.date | None = None) -> EstimateHistoryRead:
    """How far estimates have been off, per team and overall, as the empirical ratios and their spread."""
    found = history(session, actor, today)
    teams = _teams(session, actor)

    def read(team: str, summary: engine.RatioSummary) -> RatioRead:
        name = teams.get(int(team), team) if team.isdigit() else team
        return RatioRead(
            team=name,
            count=summary.count,
            median=summary.median,
            p10=summary.p10,
            p90=summary.p90,
            mean_absolute_error_percent=summary.mean_absolute_error_percent,
            ratios=[round(r, 4) for r in summary.ratios],
        )

    return EstimateHistoryRead(
        effort=[read(t, s) for t, s in found.effort.items()]
        + ([read("", found.all_effort)] if found.all_effort.count else []),
        cost=[read(t, s) for t, s in found.cost.items()]
        + ([read("", found.all_cost)] if found.all_cost.count else []),
    )


def forecast_with_history(session: Session, actor: Actor, plan_id: int, simulations: int = 10_000) -> Any:
    """The decisions Monte Carlo forecast of ``plan_id`` with each sampled duration scaled by a draw from its
    team's past actual ÷ estimated effort (all teams' when a team has fewer than two shipped initiatives)."""
    from northstar.decisions import service as decisions

    found = history(session, actor)
    if not found.all_effort.count:
        raise ValidationFailed(
            "no shipped initiative has its actual effort entered yet, so there is no history to learn from",
            [FieldError("history", "enter the actual effort of shipped initiatives first")],
        )
    return decisions.forecast_plan(session, actor, plan_id, simulations, duration_multiplier=found.multiplier)


def replan(session: Session, actor: Actor, runner: Any | None = None) -> tuple[Any, int, Any | None]:
    """Re-run the portfolio with what is left: a scenario of the followed plan whose budget is the plan's budget
    minus the actual cost so far of the initiatives it funded; shipped ideas drop out as the decisions service
    leaves closed ideas out. Solved now, or as a background job when ``runner`` is given.

    Returns (the new plan, the remaining budget in cents, the job or None).
    """
    from northstar.decisions import service as decisions
    from northstar.decisions.schemas import PlanCopy

    actor.require("budget.write")
    actor.require("plans.write")
    base = costs.followed_plan(session, actor)
    if base is None:
        raise ValidationFailed(
            "no plan is followed yet: follow a solved plan first",
            [FieldError("plan_id", "follow a plan first")],
        )
    budget = (base.assumptions or {}).get("budget")
    if budget is None:
        raise ValidationFailed(
            f"plan {base.name!r} has no budget, so there is nothing left to re-plan with; give it a budget",
            [FieldError("budget", "the followed plan has no budget")],
        )
    funded_here = {f.idea_id for f in list_fundings(session, actor) if f.plan_id == base.id}
    spent = sum(
        r.actual_cost_cents for r in initiative_report(session, actor).rows if r.idea_id in funded_here
    )
    remaining = max(0, _cents(budget) - spent)
    code = currency(session, actor)
    name = f"{base.name}: re-plan with {engine.format_money(remaining, code)} left"
    plan = decisions.copy_plan(
        session, actor, base.id, PlanCopy(name=name[:200], assumptions={"budget": remaining / 100})
    )
    row = session.get(BudgetSettings, actor.workspace_id)
    if row is not None:
        row.replan_plan_id = plan.id
    job = None
    if runner is not None:
        job = decisions.start_plan_job(session, actor, runner, plan.id, "portfolio")
    else:
        decisions.solve_portfolio(session, actor, plan.id)
    audit.record(session, actor, "replan", "plan", plan.id, name)
    return plan, remaining, job
