"""Pages of the decision module: prioritization table, plans with portfolio and roadmap, scenario comparison."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from northstar.core.errors import ValidationFailed
from northstar.decisions import charts, comparison, service
from northstar.decisions.schemas import Assumptions, PlanCreate, ScenarioCreate
from northstar.ideas import service as ideas_service
from northstar.ideas.schemas import CONFIDENCE_LEVELS, IMPACT_SCALE, SCORE_INPUTS, IdeaScores
from northstar.teams import service as teams_service
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, parse_form, plain, plain_number, query_string
from northstar.web.templating import full_money, render

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


def _day(value: str | None) -> str:
    """An ISO date of a stored result as people read it (3 Mar 2028); "—" when missing."""
    return comparison.day(date.fromisoformat(value)) if value else "—"


def _amount(name: str, value: float) -> str:
    """A budget or capacity amount of a solved plan with its unit: $1,452,600 or 106.3 person-weeks."""
    if name == "budget":
        return full_money(value)
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text} person-week{'' if text == '1' else 's'}"


#: helpers the plan templates call (registered by the layout's template environment)
TEMPLATE_GLOBALS = {"plan_day": _day, "plan_amount": _amount}


@router.get("/plans")
def plans_page(request: Request, session: DB, user: CurrentUser) -> Response:
    plans = service.list_plans(session, user.actor)
    return render(
        request,
        "decisions_plans.html",
        user=user,
        plans=plans,
        names={p.id: p.name for p in plans},
        form={"discount_rate": "10", "time_limit_seconds": "10", "value_basis": "npv"},
        errors={},
        can_plan=user.actor.can("plans.write"),
    )


@router.post("/plans")
async def create_plan(request: Request, session: DB, user: CurrentUser) -> Response:
    form = await _form(request, user)
    typed = {
        k: form.get(k, "") for k in ("name", "budget", "discount_rate", "value_basis", "time_limit_seconds")
    }
    try:
        rate = plain_number(typed["discount_rate"]).removesuffix("%")
        assumptions = parse_form(
            Assumptions,
            {
                "budget": plain_number(typed["budget"]),
                "discount_rate": str(float(rate) / 100) if _is_number(rate) else rate,
                "value_basis": typed["value_basis"] or "npv",
                "time_limit_seconds": plain_number(typed["time_limit_seconds"]) or "10",
            },
        )
        data = parse_form(PlanCreate, {"name": typed["name"].strip(), "assumptions": assumptions})
        plan = service.create_plan(session, user.actor, data)
    except ValidationFailed as failure:
        session.rollback()
        plans = service.list_plans(session, user.actor)
        return render(
            request,
            "decisions_plans.html",
            status_code=422,
            user=user,
            plans=plans,
            names={p.id: p.name for p in plans},
            form=typed,
            errors=field_messages(failure),
            can_plan=True,
        )
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@router.get("/plans/compare")
def compare_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    a: Annotated[int | None, Query(ge=1)] = None,
    b: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Two plans side by side; when one is not solved yet, the page says so and links to it. Without two plans
    to compare, the plans list (where each scenario links to its comparison)."""
    if a is None or b is None:
        return RedirectResponse("/plans", status_code=303)
    try:
        result = comparison.compare_plans(session, user.actor, a, b)
    except ValidationFailed as failure:
        plans = [service.get_plan(session, user.actor, a), service.get_plan(session, user.actor, b)]
        return render(
            request,
            "decisions_compare.html",
            status_code=409,
            user=user,
            c=None,
            plans=plans,
            problem=failure.detail,
        )
    return render(request, "decisions_compare.html", user=user, c=result)


def _plan_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    plan_id: int,
    job: int | None = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
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
    plans = service.list_plans(session, user.actor)
    others = [p for p in plans if p.id != plan.id]
    parent = next((p for p in plans if p.id == plan.parent_id), None)
    scenarios = [p for p in plans if p.parent_id == plan.id]
    compare_to = parent or (scenarios[0] if scenarios else None)
    funded = [(int(i), titles.get(i, "")) for i in portfolio.get("selected", [])]
    left_out = [(int(r["idea_id"]), titles.get(r["idea_id"], "")) for r in portfolio.get("left_out", [])]
    newest = ideas_service.idea_choices(session, user.actor)
    return render(
        request,
        "decisions_plan.html",
        status_code=422 if errors else 200,
        user=user,
        plan=plan,
        portfolio=portfolio,
        titles=titles,
        usage_chart=usage,
        roadmap_chart=roadmap,
        load_chart=load,
        others=others,
        parent=parent,
        scenarios=scenarios,
        compare_to=compare_to,
        jobs=running,
        assumptions=comparison.describe_assumptions(session, user.actor, plan),
        team_choices=[(t.id, t.name) for t in teams_service.list_teams(session, user.actor)],
        force_in_choices=sorted(left_out, key=lambda pair: pair[1].lower()) if left_out else newest,
        force_out_choices=sorted(funded, key=lambda pair: pair[1].lower()) if funded else newest,
        scenario_form=typed or {},
        scenario_errors=errors or {},
        can_plan=user.actor.can("plans.write"),
    )


@router.get("/plans/{plan_id}")
def plan_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    plan_id: int,
    job: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    return _plan_page(request, session, user, plan_id, job)


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


SCENARIO_FIELDS = ("name", "budget", "team_id", "capacity_factor", "force_in", "force_out")


@router.post("/plans/{plan_id}/copy")
async def copy_plan(request: Request, session: DB, user: CurrentUser, plan_id: int) -> Response:
    """A scenario of this plan from the form; refused input comes back next to its field, as typed."""
    raw = await request.form()
    check_csrf(user, str(raw.get("csrf_token") or ""))
    typed = {key: str(raw.get(key) or "") for key in SCENARIO_FIELDS}
    try:
        data = parse_form(
            ScenarioCreate,
            {
                "name": typed["name"].strip(),
                "budget": plain_number(typed["budget"]),
                "team_id": typed["team_id"],
                "capacity_factor": plain_number(typed["capacity_factor"]).lstrip("×x"),
                "force_in": [str(v) for v in raw.getlist("force_in") if v],
                "force_out": [str(v) for v in raw.getlist("force_out") if v],
            },
        )
        scenario = service.create_scenario(session, user.actor, plan_id, data)
    except ValidationFailed as failure:
        session.rollback()
        return _plan_page(request, session, user, plan_id, typed=typed, errors=field_messages(failure))
    return RedirectResponse(f"/plans/{scenario.id}", status_code=303)
