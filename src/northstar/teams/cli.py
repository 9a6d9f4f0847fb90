"""CLI for teams: ``northstar teams list|show|add|set-capacity``."""

from __future__ import annotations

import json

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    emit,
    emit_one,
    fail,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.teams import service
from northstar.teams.schemas import CapacityUpdate, TeamCreate, TeamRead

app = typer.Typer(help="Teams with disciplines and capacity per period.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_teams(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List teams."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit(
            [TeamRead.model_validate(t) for t in service.list_teams(session, actor)],
            fmt,
            ["id", "name", "disciplines", "capacity"],
            title="Teams",
        )


@app.command("add")
@handle_errors
def add(
    name: str = typer.Argument(...),
    discipline: list[str] = typer.Option([], "--discipline", help="Repeat for several."),
    capacity: str = typer.Option("{}", help='Person-weeks per period as JSON, e.g. {"2026-Q4": 60}.'),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Add a team."""
    try:
        parsed = json.loads(capacity)
    except json.JSONDecodeError as exc:
        fail(f"--capacity is not valid JSON: {exc.msg} at position {exc.pos}")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        team = service.create_team(
            session, actor, TeamCreate(name=name, disciplines=discipline, capacity=parsed)
        )
        emit_one(TeamRead.model_validate(team), fmt)


@app.command("show")
@handle_errors
def show(
    team_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Show a team: members, ideas owned, and capacity per quarter from the current quarter on."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        detail = service.team_detail(session, actor, team_id)
    if fmt == OutputFormat.json:
        emit_one(detail, fmt)
        return
    emit(
        [
            {"quarter": row.quarter + (" (current)" if row.current else ""), "person_weeks": row.person_weeks}
            for row in detail.capacity
        ],
        fmt,
        ["quarter", "person_weeks"],
        title=f"{detail.team.name}: capacity",
    )
    emit(
        [{"name": p.name, "title": p.title, "discipline": p.discipline} for p in detail.members],
        fmt,
        ["name", "title", "discipline"],
        title="Members",
    )
    emit(
        [{"idea_id": i.id, "title": i.title, "status": i.status} for i in detail.ideas],
        fmt,
        ["idea_id", "title", "status"],
        title="Ideas owned",
    )


@app.command("set-capacity")
@handle_errors
def set_capacity(
    team_id: int = typer.Argument(...),
    quarters: list[str] = typer.Argument(
        ..., help='QUARTER=PERSON_WEEKS pairs, e.g. 2026-Q4=60 2027-Q1=55; "2027-Q2=" removes a quarter.'
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Set a team's capacity in person-weeks for some quarters (the others are kept)."""
    changes: dict[str, float | None] = {}
    for pair in quarters:
        label, sep, amount = pair.partition("=")
        if not sep:
            fail(f"{pair!r} is not QUARTER=PERSON_WEEKS (for example 2026-Q4=60)")
        try:
            changes[label.strip()] = float(amount.replace(",", "")) if amount.strip() else None
        except ValueError:
            fail(f"{pair!r}: {amount!r} is not a number of person-weeks")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        team = service.set_capacity(session, actor, team_id, CapacityUpdate(capacity=changes))
        emit_one(TeamRead.model_validate(team), fmt)
