"""Background jobs of the decision module: solving, scheduling and forecasting a plan, with progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from northstar.core.jobs import JobContext, job_handler
from northstar.decisions import service


def _progress(context: JobContext) -> Callable[[str, float], None]:
    return lambda stage, fraction: context.progress(int(100 * fraction), 100, stage)


@job_handler("decisions.portfolio", permission="plans.write")
def portfolio_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Solve the portfolio of plan ``params["plan_id"]``."""
    with context.session() as session:
        plan = service.solve_portfolio(session, context.actor, int(params["plan_id"]), _progress(context))
        session.commit()
        data = plan.portfolio or {}
        return {"plan_id": plan.id, "status": data.get("status"), "value": data.get("value")}


@job_handler("decisions.schedule", permission="plans.write")
def schedule_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Schedule the funded ideas of plan ``params["plan_id"]``."""
    with context.session() as session:
        plan = service.schedule_plan(session, context.actor, int(params["plan_id"]), _progress(context))
        session.commit()
        data = plan.schedule or {}
        return {"plan_id": plan.id, "status": data.get("status"), "makespan": data.get("makespan")}


@job_handler("decisions.forecast", permission="plans.write")
def forecast_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Forecast plan ``params["plan_id"]`` with ``params["simulations"]`` Monte Carlo runs (default 10,000)."""
    with context.session() as session:
        simulations = int(params.get("simulations", 10_000))
        plan = service.forecast_plan(
            session, context.actor, int(params["plan_id"]), simulations, _progress(context)
        )
        session.commit()
        finish = (plan.forecast or {}).get("finish", {})
        return {"plan_id": plan.id, "finish": finish.get("percentiles")}
