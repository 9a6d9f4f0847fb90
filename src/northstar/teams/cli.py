"""CLI for teams: ``northstar teams list|add``."""

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
from northstar.teams.schemas import TeamCreate, TeamRead

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
