"""CLI for objectives: ``northstar objectives list|show|add|add-key-result|check-in|bind-metric|update-from-metrics``."""

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


@app.command("show")
@handle_errors
def show(
    objective_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Show an objective: each key result with its progress, pace signal (on track, behind, at risk) and source."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        detail = service.objective_detail(session, actor, objective_id)
    if fmt == OutputFormat.json:
        emit_one(detail, fmt)
        return
    rows = [
        {
            "key_result_id": kr.id,
            "key_result": kr.title,
            "current": f"{kr.current:,.4g} {kr.unit}".strip(),
            "target": f"{kr.target:,.4g} {kr.unit}".strip(),
            "progress": f"{kr.progress:.0%}",
            "expected": "" if kr.expected_progress is None else f"{kr.expected_progress:.0%}",
            "pace": kr.pace_words,
            "source": kr.metric_name or kr.metric or "manual",
            "check_ins": len(kr.check_ins),
        }
        for kr in detail.key_results
    ]
    period = f" · {detail.period}" if detail.period else ""
    emit(
        rows,
        fmt,
        [
            "key_result_id",
            "key_result",
            "current",
            "target",
            "progress",
            "expected",
            "pace",
            "source",
            "check_ins",
        ],
        title=f"{detail.title}{period} · {detail.progress:.0%}",
    )


@app.command("update-from-metrics")
@handle_errors
def update_from_metrics(
    objective_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Check in every metric-bound key result of an objective with the metric's value over the objective's period."""
    from northstar.core.settings import Settings

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        done = service.update_from_metrics(session, actor, Settings(), objective_id)
    emit(done, fmt, ["key_result_id", "title", "metric", "value", "reason"], title="Updated from metrics")


@app.command("bind-metric")
@handle_errors
def bind_metric(
    key_result_id: int = typer.Argument(...),
    metric: str = typer.Argument(..., help='The analytics metric\'s key, or "manual" to unbind.'),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Bind a key result to an analytics metric, so that update-from-metrics checks it in from data."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(service.bind_metric(session, actor, key_result_id, metric), fmt)
