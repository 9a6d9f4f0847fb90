"""JSON API of the budget: plan lines, importing actual spend, settings and the plan-against-actual report."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request

from northstar.budget import costs, initiatives, service
from northstar.budget.schemas import (
    BudgetLineCreate,
    BudgetLineRead,
    BudgetLineUpdate,
    BudgetReport,
    BudgetSettingsRead,
    BudgetSettingsUpdate,
    CommitmentCreate,
    CommitmentRead,
    CostRateRead,
    CostRateSet,
    EstimateHistoryRead,
    FundingRead,
    ImportReport,
    InitiativeReport,
    OutcomeSet,
    PeopleCostReport,
)
from northstar.core.errors import PayloadTooLarge
from northstar.core.tabular import parse_mapping
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/budget", tags=["budget"])


def field_mapping(spec: str | None) -> dict[str, str] | None:
    """``'file column=field,...'`` (as every import takes it) as {field: file column}; None when not given."""
    if spec is None:
        return None
    return {target: column for column, target in parse_mapping(spec).items()}


@router.get("/lines")
def list_lines(
    session: DB,
    actor: ApiActor,
    period: Annotated[str | None, Query(description="Only lines in this month or quarter.")] = None,
) -> list[BudgetLineRead]:
    return service.list_lines(session, actor, period)


@router.post("/lines", status_code=201)
def create_line(body: BudgetLineCreate, session: DB, actor: ApiActor) -> BudgetLineRead:
    """Add a plan line; ``amount`` is money as typed ("25,000.50"), answered as ``amount_cents``."""
    return service.create_line(session, actor, body)


@router.patch("/lines/{line_id}")
def update_line(line_id: int, body: BudgetLineUpdate, session: DB, actor: ApiActor) -> BudgetLineRead:
    """Change the given fields of a plan line (the audit log keeps the old values)."""
    return service.update_line(session, actor, line_id, body)


@router.delete("/lines/{line_id}", status_code=204)
def delete_line(line_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_line(session, actor, line_id)


@router.post("/actuals/import")
async def import_actuals(
    request: Request,
    session: DB,
    actor: ApiActor,
    map: Annotated[str | None, Query(max_length=2000, description="'file column=field,...'")] = None,
    source: Annotated[
        str, Query(max_length=300, description="The file's name, kept with each row.")
    ] = "request body",
) -> ImportReport:
    """Import a finance export sent as the request body (``text/csv`` or an XLSX workbook): all-or-nothing,
    idempotent on row keys."""
    body = await request.body()
    if len(body) > service.MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"the file is larger than {service.MAX_IMPORT_BYTES // 1_000_000} MB")
    return service.import_actuals(session, actor, body, field_mapping(map), source)


@router.get("/commitments")
def list_commitments(
    session: DB,
    actor: ApiActor,
    period: Annotated[str | None, Query(description="Only those due in this month or quarter.")] = None,
) -> list[CommitmentRead]:
    return service.list_commitments(session, actor, period)


@router.post("/commitments", status_code=201)
def create_commitment(body: CommitmentCreate, session: DB, actor: ApiActor) -> CommitmentRead:
    """Record a signed contract or purchase order; the forecast adds it until it falls due."""
    return service.create_commitment(session, actor, body)


@router.delete("/commitments/{commitment_id}", status_code=204)
def delete_commitment(commitment_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_commitment(session, actor, commitment_id)


@router.get("/cost-rates")
def list_cost_rates(session: DB, actor: ApiActor) -> list[CostRateRead]:
    return costs.list_cost_rates(session, actor)


@router.put("/cost-rates")
def set_cost_rate(body: CostRateSet, session: DB, actor: ApiActor) -> CostRateRead:
    """Set a team's cost per person-month or person-day (replacing the one it had)."""
    return costs.set_cost_rate(session, actor, body)


@router.get("/people-cost")
def get_people_cost(
    session: DB,
    actor: ApiActor,
    period: Annotated[str, Query(description="A month (2026-11) or a quarter (2026-Q4).")],
) -> PeopleCostReport:
    """Each team's cost rate × the time the followed plan's schedule gives each initiative, per month."""
    return costs.people_cost(session, actor, period)


@router.post("/follow-plan/{plan_id}")
def follow_plan(plan_id: int, session: DB, actor: ApiActor) -> list[FundingRead]:
    """Follow a decisions plan: cost its schedule, and snapshot each newly funded idea's business case."""
    return initiatives.follow_plan(session, actor, plan_id)


@router.get("/fundings")
def list_fundings(session: DB, actor: ApiActor) -> list[FundingRead]:
    return initiatives.list_fundings(session, actor)


@router.get("/initiatives")
def initiative_report(
    session: DB,
    actor: ApiActor,
    as_of: Annotated[dt.date | None, Query(description="Cost up to this day; default today.")] = None,
) -> InitiativeReport:
    """Planned against actual cost per funded initiative, and realized return for shipped ones."""
    return initiatives.initiative_report(session, actor, as_of)


@router.put("/initiatives/{idea_id}/outcome", status_code=204)
def record_outcome(idea_id: int, body: OutcomeSet, session: DB, actor: ApiActor) -> None:
    """Enter an initiative's actual effort and a year's benefit with its source."""
    initiatives.record_outcome(session, actor, idea_id, body)


@router.get("/estimate-history")
def estimate_history(session: DB, actor: ApiActor) -> EstimateHistoryRead:
    """Actual ÷ estimated effort and cost per team over shipped initiatives: how far estimates have been off."""
    return initiatives.estimate_history(session, actor)


@router.post("/estimate-history/forecast/{plan_id}")
def forecast_with_history(
    plan_id: int,
    session: DB,
    actor: ApiActor,
    simulations: Annotated[int, Query(ge=100, le=200_000)] = 10_000,
) -> dict[str, object]:
    """Re-run the plan's Monte Carlo forecast with durations scaled by the team's past estimate ratios."""
    plan = initiatives.forecast_with_history(session, actor, plan_id, simulations)
    return {"plan_id": plan.id, "forecast": plan.forecast}


@router.post("/replan", status_code=201)
def replan(session: DB, actor: ApiActor) -> dict[str, object]:
    """Re-run the followed plan's portfolio with the budget that is left after the funded work's actual cost."""
    plan, remaining, _job = initiatives.replan(session, actor)
    return {
        "plan_id": plan.id,
        "name": plan.name,
        "remaining_budget_cents": remaining,
        "selected": (plan.portfolio or {}).get("selected", []),
        "url": f"/plans/{plan.id}",
    }


@router.get("/settings")
def get_settings(session: DB, actor: ApiActor) -> BudgetSettingsRead:
    return service.get_settings(session, actor)


@router.patch("/settings")
def update_settings(body: BudgetSettingsUpdate, session: DB, actor: ApiActor) -> BudgetSettingsRead:
    """Set the overspend alert threshold (percent over plan) and the finance export's column mapping."""
    return service.update_settings(session, actor, body)


@router.get("/report")
def get_report(
    session: DB,
    actor: ApiActor,
    period: Annotated[str, Query(description="A month (2026-11) or a quarter (2026-Q4).")],
    as_of: Annotated[
        dt.date | None, Query(description="The day the forecast is made on; default today.")
    ] = None,
) -> BudgetReport:
    """Plan against actual per team and category: variance, burn rate, run-rate forecast and overspend alerts."""
    return service.report(session, actor, period, as_of)
