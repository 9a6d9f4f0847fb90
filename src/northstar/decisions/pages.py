"""Pages of the decision module: prioritization table, plans with portfolio and roadmap, scenario comparison."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.core.errors import ValidationFailed
from northstar.decisions import charts, service
from northstar.decisions.schemas import Assumptions, PlanCopy, PlanCreate
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)
FRAMEWORKS = ("rice", "ice", "wsjf", "cost_of_delay", "value_effort", "formula")


async def _form(request: Request, user: CurrentUser) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    return form


def _float(form: dict[str, str], key: str) -> float | None:
    value = form.get(key, "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationFailed(f"{key} must be a number, got {value!r}") from None


def _ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(",", " ").split()]
    except ValueError:
        raise ValidationFailed(f"expected idea ids separated by commas, got {text!r}") from None


@router.get("/prioritize")
def prioritize_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    framework: Annotated[str, Query(max_length=20)] = "rice",
    formula: Annotated[str, Query(max_length=2000)] = "reach * impact * confidence / effort",
    sort: Annotated[str, Query(max_length=10)] = "score",
) -> Response:
    chosen = framework if framework in FRAMEWORKS else "rice"
    error = None
    try:
        rows = service.score_ideas(session, user.actor, chosen, formula)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        rows, error = [], failure.errors[0].message if failure.errors else failure.detail
    if sort == "title":
        rows.sort(key=lambda row: row.title.lower())
    return render(
        request,
        "decisions_prioritize.html",
        user=user,
        rows=rows,
        framework=chosen,
        frameworks=FRAMEWORKS,
        formula=formula,
        error=error,
        sort=sort,
    )


@router.get("/plans")
def plans_page(request: Request, session: DB, user: CurrentUser) -> Response:
    return render(request, "decisions_plans.html", user=user, plans=service.list_plans(session, user.actor))


@router.post("/plans")
async def create_plan(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    assumptions = Assumptions(
        budget=_float(form, "budget"),
        discount_rate=_float(form, "discount_rate") or 0.10,
        value_basis=form.get("value_basis") or "npv",  # type: ignore[arg-type]
        time_limit_seconds=_float(form, "time_limit_seconds") or 10,
    )
    plan = service.create_plan(
        session, user.actor, PlanCreate(name=form.get("name") or "Plan", assumptions=assumptions)
    )
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


@router.get("/plans/compare")
def compare_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    a: Annotated[int, Query(ge=1)],
    b: Annotated[int, Query(ge=1)],
) -> Response:
    comparison = service.compare_plans(session, user.actor, a, b)
    return render(request, "decisions_compare.html", user=user, c=comparison)


@router.get("/plans/{plan_id}")
def plan_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    plan_id: int,
    job: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    plan = service.get_plan(session, user.actor, plan_id)
    running = service.plan_jobs(session, user.actor, plan.id, job)
    portfolio = plan.portfolio or {}
    titles = portfolio.get("titles", {})
    team_names = portfolio.get("team_names", {})
    usage = charts.usage_chart(portfolio["usage"]) if portfolio.get("usage") else None
    roadmap = load = None
    if plan.schedule and plan.schedule.get("items"):
        plan.schedule.setdefault("team_names", team_names)
        roadmap = charts.roadmap_chart(plan.schedule, plan.forecast, titles)
        load = charts.load_chart(plan.schedule, team_names)
    others = [p for p in service.list_plans(session, user.actor) if p.id != plan.id]
    return render(
        request,
        "decisions_plan.html",
        user=user,
        plan=plan,
        portfolio=portfolio,
        titles=titles,
        usage_chart=usage,
        roadmap_chart=roadmap,
        load_chart=load,
        others=others,
        jobs=running,
    )


def _start(
    request: Request, session: DB, user: CurrentUser, plan_id: int, step: str, runs: int = 0
) -> Response:
    """Queue the step as a background job and show the plan with the job's progress; the page reloads when done."""
    runner = request.app.state.jobs
    job = service.start_plan_job(session, user.actor, runner, plan_id, step, runs or 10_000)
    return RedirectResponse(f"/plans/{plan_id}?job={job.id}", status_code=303)


@router.post("/plans/{plan_id}/solve")
async def solve_plan(request: Request, session: DB, user: CurrentUser, plan_id: int) -> Response:
    await _form(request, user)
    return _start(request, session, user, plan_id, "portfolio")


@router.post("/plans/{plan_id}/schedule")
async def schedule_plan(request: Request, session: DB, user: CurrentUser, plan_id: int) -> Response:
    await _form(request, user)
    return _start(request, session, user, plan_id, "schedule")


@router.post("/plans/{plan_id}/forecast")
async def forecast_plan(request: Request, session: DB, user: CurrentUser, plan_id: int) -> Response:
    form = await _form(request, user)
    simulations = _float(form, "simulations") or 10_000
    if simulations != int(simulations):
        raise ValidationFailed(f"simulations must be a whole number, got {simulations:g}")
    return _start(request, session, user, plan_id, "forecast", int(simulations))


@router.post("/plans/{plan_id}/copy")
async def copy_plan(request: Request, session: DB, user: CurrentUser, plan_id: int) -> Response:
    form = await _form(request, user)
    changes: dict[str, object] = {}
    if (budget := _float(form, "budget")) is not None:
        changes["budget"] = budget
    if form.get("team_id") and (factor := _float(form, "capacity_factor")) is not None:
        changes["capacity_factor"] = {form["team_id"]: factor}
    if form.get("force_in"):
        changes["force_in"] = _ids(form["force_in"])
    if form.get("force_out"):
        changes["force_out"] = _ids(form["force_out"])
    scenario = service.copy_plan(
        session, user.actor, plan_id, PlanCopy(name=form.get("name") or "Scenario", assumptions=changes)
    )
    return RedirectResponse(f"/plans/{scenario.id}", status_code=303)
