"""Pages of the decision module: prioritization table, plans with portfolio and roadmap, scenario comparison."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.core.errors import ValidationFailed
from northstar.decisions import charts, service
from northstar.decisions.schemas import Assumptions, PlanCopy, PlanCreate
from northstar.ideas import service as ideas_service
from northstar.ideas.schemas import CONFIDENCE_LEVELS, IMPACT_SCALE, SCORE_INPUTS, IdeaScores
from northstar.teams import service as teams_service
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, plain, plain_number, query_string
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


def _prioritize_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    framework: str,
    formula: str,
    sort: str,
    show: str,
    failed: tuple[int, dict[str, str], dict[str, str]] | None = None,
) -> Response:
    """The Prioritize table; ``failed`` is (idea id, typed values, errors) of a row whose scores were refused."""
    chosen = framework if framework in FRAMEWORKS else "rice"
    include_closed = show == "all"
    error = None
    try:
        table = service.prioritize(session, user.actor, chosen, formula, include_closed)  # type: ignore[arg-type]
    except ValidationFailed as failure:
        error = failure.errors[0].message if failure.errors else failure.detail
        table = service.prioritize(session, user.actor, "rice", None, include_closed)
    rows = table.rows
    if sort == "title":
        rows.sort(key=lambda row: row.title.lower())
    teams = {t.id: t.name for t in teams_service.list_teams(session, user.actor)}
    suggestions = ideas_service.reach_suggestions(session, user.actor, [row.idea_id for row in rows])
    typed: dict[int, dict[str, str]] = {
        row.idea_id: {k: plain(v) for k, v in row.inputs.items()} for row in rows
    }
    errors: dict[int, dict[str, str]] = {}
    if failed:
        typed[failed[0]], errors[failed[0]] = failed[1], failed[2]
    return render(
        request,
        "decisions_prioritize.html",
        status_code=422 if errors else 200,
        user=user,
        table=table,
        rows=rows,
        framework=chosen,
        frameworks=FRAMEWORKS,
        formula=formula,
        error=error,
        sort=sort,
        show="all" if include_closed else "open",
        team_names=teams,
        suggestions=suggestions,
        typed=typed,
        errors=errors,
        impact_choices=[(plain(value), f"{value:g} · {name}") for value, name in IMPACT_SCALE],
        confidence_choices=[
            (plain(value), f"{value * 100:g} % · {name}") for value, name in CONFIDENCE_LEVELS
        ],
        can_score=user.actor.can("ideas.write"),
        all_query=query_string(
            framework=chosen, formula=formula if chosen == "formula" else None, sort=sort, show="all"
        ),
    )


@router.get("/prioritize")
def prioritize_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    framework: Annotated[str, Query(max_length=20)] = "rice",
    formula: Annotated[str, Query(max_length=2000)] = "reach * impact * confidence / effort",
    sort: Annotated[str, Query(max_length=10)] = "score",
    show: Annotated[str, Query(max_length=10)] = "open",
) -> Response:
    return _prioritize_page(request, session, user, framework, formula, sort, show)


@router.post("/prioritize/ideas/{idea_id}/scores")
async def score_idea(request: Request, session: DB, user: CurrentUser, idea_id: int) -> Response:
    """Save one row's reach, impact, confidence and effort; back to the same table at that row."""
    form = await _form(request, user)
    typed = {key: form.get(key, "") for key in SCORE_INPUTS}
    view = {key: form.get(key, "") for key in ("framework", "formula", "sort", "show")}
    try:
        scores = parse_form(IdeaScores, {key: plain_number(value) for key, value in typed.items()})
        ideas_service.set_scores(session, user.actor, idea_id, scores)
    except ValidationFailed as failure:
        session.rollback()
        return _prioritize_page(
            request,
            session,
            user,
            view["framework"] or "rice",
            view["formula"] or "reach * impact * confidence / effort",
            view["sort"] or "score",
            view["show"] or "open",
            failed=(idea_id, typed, field_messages(failure)),
        )
    keep = query_string(**view, saved=idea_id)
    return RedirectResponse(f"/prioritize?{keep}#idea-{idea_id}", status_code=303)


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
