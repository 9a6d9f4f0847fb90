"""CLI of the budget: ``northstar budget plan-add|lines|import-actuals|report|threshold``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from northstar.budget import costs, initiatives, service
from northstar.budget.api import field_mapping
from northstar.budget.engine import format_money
from northstar.budget.schemas import BudgetLineCreate, BudgetSettingsUpdate, CommitmentCreate, CostRateSet
from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    emit,
    emit_one,
    handle_errors,
    open_session,
    resolve_actor,
)

app = typer.Typer(
    help="Budget plan lines, actual spend from finance and plan against actual.", no_args_is_help=True
)


def _team_id(session: object, actor: object, name: str) -> int:
    from northstar.core.errors import ValidationFailed
    from northstar.teams import service as teams

    found = {t.name.casefold(): t.id for t in teams.list_teams(session, actor)}  # type: ignore[arg-type]
    if name.casefold() not in found:
        raise ValidationFailed(f"team: no team named {name!r}")
    return found[name.casefold()]


@app.command("plan-add")
@handle_errors
def plan_add(
    team: str = typer.Option(..., help="The team's name."),
    period: str = typer.Option(..., help="A month (2026-11) or a quarter (2026-Q4)."),
    category: str = typer.Option(..., help="people, contractors, tools, research, marketing or other."),
    amount: str = typer.Option(..., help="Planned spend in the workspace's currency, e.g. 25000 or 1234.56."),
    idea_id: int | None = typer.Option(None, help="The idea this money is for, if one."),
    note: str | None = typer.Option(None),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Add a plan line for a team in a month or quarter."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        data = BudgetLineCreate(
            team_id=_team_id(session, actor, team),
            period=period,
            category=category,
            amount=amount,
            idea_id=idea_id,
            note=note,
        )
        emit_one(service.create_line(session, actor, data), fmt)


@app.command("commit-add")
@handle_errors
def commit_add(
    team: str = typer.Option(..., help="The team's name."),
    category: str = typer.Option(..., help="people, contractors, tools, research, marketing or other."),
    amount: str = typer.Option(..., help="The committed amount, e.g. 40000 or 1234.56."),
    due_on: str = typer.Option(..., help="When the invoice is expected (YYYY-MM-DD)."),
    vendor: str | None = typer.Option(None),
    reference: str | None = typer.Option(None, help="PO or contract number."),
    idea_id: int | None = typer.Option(None, help="The initiative this money is for, if one."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Record committed spend (a signed contract or purchase order); the forecast adds it until it falls due."""
    from northstar.core.errors import ValidationFailed

    try:
        day = dt.date.fromisoformat(due_on)
    except ValueError:
        raise ValidationFailed(f"--due-on: {due_on!r} is not a date; write it like 2026-11-03")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        data = CommitmentCreate(
            team_id=_team_id(session, actor, team),
            category=category,
            amount=amount,
            due_on=day,
            vendor=vendor,
            reference=reference,
            idea_id=idea_id,
        )
        emit_one(service.create_commitment(session, actor, data), fmt)


@app.command("rate-set")
@handle_errors
def rate_set(
    team: str = typer.Option(..., help="The team's name."),
    amount: str = typer.Option(..., help="Cost of one person per unit, e.g. 14500."),
    per: str = typer.Option("month", help="month (person-month) or day (person-day)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Set a team's cost rate, used to cost the time the plan's schedule gives each initiative."""
    from northstar.core.errors import ValidationFailed

    units = {"month": "person_month", "day": "person_day"}
    if per not in units:
        raise ValidationFailed(f"--per: {per!r} is neither month nor day")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        data = CostRateSet(team_id=_team_id(session, actor, team), unit=units[per], amount=amount)  # type: ignore[arg-type]
        emit_one(costs.set_cost_rate(session, actor, data), fmt)


@app.command("people-cost")
@handle_errors
def people_cost(
    period: str = typer.Option(..., help="A month (2026-11) or a quarter (2026-Q4)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """People cost per team, initiative and month from the followed plan's schedule and the cost rates."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = costs.people_cost(session, actor, period)
    if fmt != OutputFormat.table:
        emit_one(result, fmt)
        return
    rows = [
        {**row.model_dump(), "amount": format_money(row.amount_cents, result.currency)} for row in result.rows
    ]
    title = f"People cost {result.period}, plan {result.plan_name or '—'}"
    emit(rows, fmt, ["month", "team", "idea", "person_days", "amount"], title=title)


@app.command("follow-plan")
@handle_errors
def follow_plan(
    plan_id: int = typer.Argument(..., help="The decisions plan's id."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Follow a plan: cost its schedule and snapshot the business case of each idea it newly funds."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        made = initiatives.follow_plan(session, actor, plan_id)
    emit(
        [m.model_dump() for m in made],
        fmt,
        ["idea_id", "plan_name", "planned_cost_cents", "planned_people_cents"],
        title="New funding snapshots",
    )


@app.command("initiatives")
@handle_errors
def initiative_report(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Cost per initiative (planned against actual) and realized ROI of shipped ones."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = initiatives.initiative_report(session, actor)
    if fmt != OutputFormat.table:
        emit_one(result, fmt)
        return
    code = result.currency
    rows = [
        {
            "initiative": r.title,
            "status": r.status,
            "planned": format_money(r.planned_cost_cents, code),
            "actual": format_money(r.actual_cost_cents, code),
            "benefit": format_money(r.benefit_cents, code),
            "roi_planned": "—" if r.roi_percent is None else f"{r.roi_percent} %",
            "roi_realized": "—" if r.realized_roi_percent is None else f"{r.realized_roi_percent} %",
        }
        for r in result.rows
    ]
    emit(rows, fmt, list(rows[0]) if rows else ["initiative"], title=f"Initiatives as of {result.as_of}")


@app.command("outcome")
@handle_errors
def outcome(
    idea_id: int = typer.Argument(..., help="The shipped initiative's idea id."),
    actual_effort: float | None = typer.Option(None, help="Person-weeks it actually took."),
    benefit: str | None = typer.Option(None, help="A year's benefit in money, e.g. 120000."),
    source: str | None = typer.Option(None, help="Where the benefit figure comes from."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Enter what a shipped initiative took and returned (feeds realized ROI and the estimate history)."""
    from northstar.budget.schemas import OutcomeSet

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        data = OutcomeSet(actual_effort_person_weeks=actual_effort, benefit=benefit, benefit_source=source)
        initiatives.record_outcome(session, actor, idea_id, data)
    typer.echo(f"Saved the outcome of idea {idea_id}.")


@app.command("lines")
@handle_errors
def lines(
    period: str | None = typer.Option(None, help="Only lines in this month or quarter."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List plan lines."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        found = service.list_lines(session, actor, period)
    rows = [
        {**line.model_dump(), "amount": format_money(line.amount_cents, line.currency)}
        if fmt == OutputFormat.table
        else line.model_dump()
        for line in found
    ]
    emit(
        rows,
        fmt,
        [
            "id",
            "team",
            "period",
            "category",
            "amount" if fmt == OutputFormat.table else "amount_cents",
            "idea",
        ],
        title="Plan lines",
    )


@app.command("import-actuals")
@handle_errors
def import_actuals(
    path: Path = typer.Argument(
        ...,
        help="CSV or XLSX with date, amount, team (or cost centre); optional category, vendor, memo, row_key.",
    ),
    map: str | None = typer.Option(
        None, "--map", help="Rename columns: 'file column=field,...' (saved for next time)."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Import actual spend from a finance export. All-or-nothing per file; rows already imported are left alone."""
    data = path.read_bytes()
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.import_actuals(session, actor, data, field_mapping(map), path.name)
    emit_one(result, fmt)


@app.command("report")
@handle_errors
def report(
    period: str = typer.Option(..., help="A month (2026-11) or a quarter (2026-Q4)."),
    as_of: str | None = typer.Option(
        None, help="The day the forecast is made on (YYYY-MM-DD); default today."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Plan against actual per team and category: variance, burn rate, forecast and overspend alerts."""
    from northstar.core.errors import ValidationFailed

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise ValidationFailed(f"--as-of: {as_of!r} is not a date; write it like 2026-11-03")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.report(session, actor, period, day)
    if fmt != OutputFormat.table:
        emit_one(result, fmt)
        return
    code = result.currency
    rows = [
        {
            "team": row.team or "All teams",
            "category": row.category or "all",
            "planned": format_money(row.planned_cents, code),
            "actual": format_money(row.actual_cents, code),
            "variance": format_money(row.variance_cents, code, signed=True),
            "forecast": format_money(row.forecast_cents, code),
            "alert": "overspend" if row.alert else "",
        }
        for row in [*result.rows, *result.teams, result.total]
    ]
    emit(
        rows,
        fmt,
        ["team", "category", "planned", "actual", "variance", "forecast", "alert"],
        title=f"Budget {result.period} as of {result.as_of}",
    )


@app.command("threshold")
@handle_errors
def threshold(
    percent: int = typer.Argument(
        ..., min=0, max=1000, help="Alert when the forecast is more than this % over plan."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Set the overspend alert threshold."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(
            service.update_settings(session, actor, BudgetSettingsUpdate(alert_threshold_percent=percent)),
            fmt,
        )
