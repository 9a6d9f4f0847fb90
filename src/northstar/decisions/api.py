"""JSON API of the decision module: scores, per-idea planning data, plans and scenarios, solves and comparisons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from northstar.core.errors import ValidationFailed
from northstar.decisions import comparison, service
from northstar.decisions.schemas import (
    ComparisonRead,
    Framework,
    IdeaPlanningRead,
    IdeaPlanningUpdate,
    PlanCopy,
    PlanCreate,
    PlanRead,
    PlanSummary,
    ScoredIdea,
)
from northstar.decisions.solve import cashflow
from northstar.decisions.solve.common import PlanningInputError
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["decisions"])


@router.get("/decisions/scores")
def scores(
    session: DB,
    actor: ApiActor,
    framework: Framework = "rice",
    formula: Annotated[str | None, Query(max_length=2000)] = None,
) -> list[ScoredIdea]:
    """Open ideas scored by a framework (or a custom formula over their inputs), best first, with arithmetic."""
    return service.score_ideas(session, actor, framework, formula)


@router.get("/decisions/ideas/{idea_id}/planning")
def get_idea_planning(idea_id: int, session: DB, actor: ApiActor) -> IdeaPlanningRead:
    return service.get_idea_planning(session, actor, idea_id)


@router.put("/decisions/ideas/{idea_id}/planning")
def set_idea_planning(
    idea_id: int, body: IdeaPlanningUpdate, session: DB, actor: ApiActor
) -> IdeaPlanningRead:
    return service.set_idea_planning(session, actor, idea_id, body)


@router.get("/plans")
def list_plans(session: DB, actor: ApiActor) -> list[PlanSummary]:
    return [PlanSummary.model_validate(plan) for plan in service.list_plans(session, actor)]


@router.post("/plans", status_code=201)
def create_plan(body: PlanCreate, session: DB, actor: ApiActor) -> PlanRead:
    return PlanRead.model_validate(service.create_plan(session, actor, body))


@router.get("/plans/compare")
def compare_plans(
    session: DB, actor: ApiActor, a: Annotated[int, Query(ge=1)], b: Annotated[int, Query(ge=1)]
) -> ComparisonRead:
    return comparison.compare_plans(session, actor, a, b)


@router.get("/plans/{plan_id}")
def get_plan(plan_id: int, session: DB, actor: ApiActor) -> PlanRead:
    return PlanRead.model_validate(service.get_plan(session, actor, plan_id))


@router.delete("/plans/{plan_id}", status_code=204)
def delete_plan(plan_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_plan(session, actor, plan_id)


@router.post("/plans/{plan_id}/copy", status_code=201)
def copy_plan(plan_id: int, body: PlanCopy, session: DB, actor: ApiActor) -> PlanRead:
    """Create a scenario: the plan with some assumptions changed."""
    return PlanRead.model_validate(service.copy_plan(session, actor, plan_id, body))


@router.post("/plans/{plan_id}/portfolio")
def solve_portfolio(plan_id: int, session: DB, actor: ApiActor) -> PlanRead:
    return PlanRead.model_validate(service.solve_portfolio(session, actor, plan_id))


@router.post("/plans/{plan_id}/schedule")
def schedule_plan(plan_id: int, session: DB, actor: ApiActor) -> PlanRead:
    return PlanRead.model_validate(service.schedule_plan(session, actor, plan_id))


@router.post("/plans/{plan_id}/forecast")
def forecast_plan(
    plan_id: int,
    session: DB,
    actor: ApiActor,
    simulations: Annotated[int, Query(ge=100, le=200_000)] = 10_000,
) -> PlanRead:
    return PlanRead.model_validate(service.forecast_plan(session, actor, plan_id, simulations))


@router.post("/decisions/cashflow")
def cash_flow(
    actor: ApiActor,
    periods: Annotated[int, Query(ge=1, le=400)],
    discount_rate: Annotated[float, Query(ge=-0.99, le=10)],
    one_off_cost: Annotated[float, Query(ge=0)] = 0,
    recurring_cost: Annotated[float, Query(ge=0)] = 0,
    benefit_per_period: Annotated[float, Query(ge=0)] = 0,
    benefit_start: Annotated[int, Query(ge=0)] = 1,
    ramp_periods: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, object]:
    """NPV, ROI, payback, IRR and the tornado for one set of cash-flow assumptions (nothing is stored)."""
    problem = cashflow.CashFlowProblem(
        periods, discount_rate, one_off_cost, recurring_cost, benefit_per_period, benefit_start, ramp_periods
    )
    try:
        result = cashflow.solve(problem)
        chart = cashflow.tornado(problem)
    except PlanningInputError as exc:
        raise ValidationFailed(str(exc)) from exc
    return {
        "npv": result.npv,
        "roi": result.roi,
        "discounted_roi": result.discounted_roi,
        "payback": result.payback,
        "discounted_payback": result.discounted_payback,
        "irr": result.irr,
        "flows": result.flows,
        "arithmetic": result.arithmetic,
        "tornado": [
            {
                "assumption": bar.assumption,
                "low": bar.low_value,
                "high": bar.high_value,
                "npv_at_low": bar.npv_at_low,
                "npv_at_high": bar.npv_at_high,
            }
            for bar in chart.bars
        ],
    }
