"""CLI for objectives: ``northstar objectives list|add|add-key-result|check-in``."""

from __future__ import annotations

import typer

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
    to_records,
)
from northstar.strategy import service
from northstar.strategy.schemas import CheckInCreate, CheckInRead, KeyResultCreate, ObjectiveCreate

app = typer.Typer(help="Objectives, key results and check-ins.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_objectives(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List objectives with their key results and progress."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        objectives = service.list_objectives(session, actor)
    if fmt == OutputFormat.json:
        emit(objectives, fmt)
        return
    rows = [
        {
            "objective": o.title,
            "key_result_id": kr.id,
            "key_result": kr.title,
            "current": kr.current,
            "target": kr.target,
            "progress": f"{kr.progress:.0%}",
        }
        for o in objectives
        for kr in o.key_results
    ]
    emit(
        rows,
        fmt,
        ["objective", "key_result_id", "key_result", "current", "target", "progress"],
        title="Objectives",
    )


@app.command("add")
@handle_errors
def add(
    title: str = typer.Argument(...),
    period: str | None = typer.Option(None, help="For example 2026-Q4."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Create an objective."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        objective = service.create_objective(session, actor, ObjectiveCreate(title=title, period=period))
        emit_one(service.read_objective(session, objective), fmt)


@app.command("add-key-result")
@handle_errors
def add_key_result(
    objective_id: int = typer.Argument(...),
    title: str = typer.Argument(...),
    target: float = typer.Option(..., help="Target value."),
    baseline: float = typer.Option(0.0),
    unit: str = typer.Option(""),
    metric: str | None = typer.Option(None, help="Metric key that updates progress from data."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Add a key result to an objective."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        kr = service.add_key_result(
            session,
            actor,
            objective_id,
            KeyResultCreate(title=title, target=target, baseline=baseline, unit=unit, metric=metric),
        )
        emit_one(kr, fmt)


@app.command("check-in")
@handle_errors
def check_in(
    key_result_id: int = typer.Argument(...),
    value: float = typer.Argument(...),
    confidence: float = typer.Option(0.7, min=0, max=1),
    note: str = typer.Option(""),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Record a check-in on a key result."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        made = service.add_check_in(
            session, actor, key_result_id, CheckInCreate(value=value, confidence=confidence, note=note)
        )
        emit_one(to_records([CheckInRead.model_validate(made)])[0], fmt)
