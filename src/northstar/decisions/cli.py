"""CLI: ``northstar plan create|list|portfolio|schedule|forecast|compare`` with ``--format json`` and progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    console,
    emit,
    handle_errors,
    open_session,
    progress_bar,
    resolve_actor,
)
from northstar.decisions import comparison, service
from northstar.decisions.schemas import Assumptions, PlanCreate, PlanSummary

app = typer.Typer(help="Portfolio, roadmap, forecasts and scenarios.", no_args_is_help=True)


def _as_progress(update: Callable[[int, int | None, str], None]) -> Callable[[str, float], None]:
    return lambda stage, fraction: update(int(100 * fraction), 100, stage)


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


@app.command("create")
@handle_errors
def create(
    name: str = typer.Argument(...),
    budget: float | None = typer.Option(None, help="Budget for one-off costs (blank: none)."),
    discount_rate: float = typer.Option(0.10, help="Per year."),
    value_basis: str = typer.Option("npv", help="npv, rice or cost_of_delay."),
    time_limit: float = typer.Option(10.0, help="Solver seconds."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Create a plan."""
    assumptions = Assumptions.model_validate(
        {
            "budget": budget,
            "discount_rate": discount_rate,
            "value_basis": value_basis,
            "time_limit_seconds": time_limit,
        }
    )
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        plan = service.create_plan(session, actor, PlanCreate(name=name, assumptions=assumptions))
        session.flush()
        emit([PlanSummary.model_validate(plan)], fmt, ["id", "name", "parent_id", "solved_at"])


@app.command("list")
@handle_errors
def list_plans(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List plans and scenarios."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        plans = [PlanSummary.model_validate(p) for p in service.list_plans(session, actor)]
    emit(plans, fmt, ["id", "name", "parent_id", "solved_at"], title="Plans")


@app.command("portfolio")
@handle_errors
def portfolio(
    plan_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Choose the ideas to fund (CP-SAT), with bound, gap, binding constraints and why ideas were left out."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        with progress_bar("Solving the portfolio", enabled=fmt != OutputFormat.json) as update:
            plan = service.solve_portfolio(session, actor, plan_id, _as_progress(update))
        result = dict(plan.portfolio or {})
    if fmt == OutputFormat.json:
        _json(result)
        return
    titles = result.get("titles", {})
    console.print(
        f"[bold]{result['status']}[/]: value {result['value']:,.0f}, bound {result.get('bound') or 0:,.0f}, "
        f"gap {100 * (result.get('gap') or 0):.2f} %"
    )
    emit([{"idea": titles.get(i, i)} for i in result["selected"]], fmt, ["idea"], title="Funded")
    emit(
        [{"constraint": b["name"], "used": b["used"], "limit": b["limit"]} for b in result["binding"]],
        fmt,
        ["constraint", "used", "limit"],
        title="Binding",
    )
    emit(
        [
            {"idea": titles.get(r["idea_id"], r["idea_id"]), "why": r["summary"]}
            for r in result["left_out"][:20]
        ],
        fmt,
        ["idea", "why"],
        title="Left out (top 20 by value)",
    )


@app.command("schedule")
@handle_errors
def schedule(
    plan_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Schedule the funded ideas over weeks across teams (value-weighted completion)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        with progress_bar("Scheduling the roadmap", enabled=fmt != OutputFormat.json) as update:
            plan = service.schedule_plan(session, actor, plan_id, _as_progress(update))
        result = dict(plan.schedule or {})
        titles = (plan.portfolio or {}).get("titles", {})
    if fmt == OutputFormat.json:
        _json(result)
        return
    console.print(
        f"[bold]{result['status']}[/]: makespan {result['makespan']} weeks, "
        f"objective {result['objective']:,.1f} (bound {result['bound']:,.1f})"
    )
    rows = [
        {"idea": titles.get(i["id"], i["id"]), "start week": i["start"], "end week": i["end"]}
        for i in sorted(result["items"], key=lambda x: x["start"])
    ]
    emit(rows, fmt, ["idea", "start week", "end week"], title="Roadmap")


@app.command("forecast")
@handle_errors
def forecast(
    plan_id: int = typer.Argument(...),
    simulations: int = typer.Option(10_000, "--simulations", "-n", min=100, max=200_000),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Monte Carlo delivery dates (P50/P85/P95) and deadline probabilities over the scheduled roadmap."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        with progress_bar(f"Simulating {simulations:,} runs", enabled=fmt != OutputFormat.json) as update:
            plan = service.forecast_plan(session, actor, plan_id, simulations, _as_progress(update))
        result = dict(plan.forecast or {})
        titles = (plan.portfolio or {}).get("titles", {})
    if fmt == OutputFormat.json:
        _json(result)
        return
    rows = [
        {
            "idea": titles.get(i["id"], i["id"]),
            **i["dates"],
            "deadline met": "—"
            if i["deadline_probability"] is None
            else f"{100 * i['deadline_probability']:.0f} %",
        }
        for i in result["items"]
    ]
    emit(rows, fmt, ["idea", "P50", "P85", "P95", "deadline met"], title="Delivery forecast")
    finish = result["finish"]["dates"]
    console.print(f"Whole plan: P50 {finish.get('P50')}, P85 {finish.get('P85')}, P95 {finish.get('P95')}")


@app.command("compare")
@handle_errors
def compare(
    plan_a: int = typer.Argument(...),
    plan_b: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Compare two solved plans or scenarios side by side."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        with progress_bar("Comparing", enabled=fmt != OutputFormat.json) as update:
            result = comparison.compare_plans(session, actor, plan_a, plan_b)
            update(100, 100, "done")
    if fmt == OutputFormat.json:
        _json(result.model_dump(mode="json"))
        return
    console.print(f"[bold]{result.a.name}[/] → [bold]{result.b.name}[/]")
    for change in result.assumption_changes:
        console.print(f"  assumes: {change}", highlight=False)
    for line in result.summary:
        console.print(f"  {line}", highlight=False)
    rows = [{"idea": t, "in": result.a.name} for t in result.only_in_a]
    rows += [{"idea": t, "in": result.b.name} for t in result.only_in_b]
    emit(rows, fmt, ["idea", "in"], title="Differences")
