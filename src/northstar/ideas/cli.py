"""CLI for ideas: ``northstar ideas add|list|show|link``."""

from __future__ import annotations

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    console,
    emit,
    emit_one,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.core.listing import ListParams
from northstar.ideas import service
from northstar.ideas.schemas import IdeaCreate, IdeaRead, LinkRequest

app = typer.Typer(help="Ideas and the feedback behind them.", no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    title: str = typer.Argument(...),
    description: str = typer.Option("", help="What and why."),
    team_id: int | None = typer.Option(None),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Create an idea."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        idea = service.create_idea(
            session, actor, IdeaCreate(title=title, description=description, team_id=team_id)
        )
        session.flush()
        emit_one(IdeaRead.model_validate(idea), fmt)


@app.command("list")
@handle_errors
def list_ideas(
    q: str | None = typer.Option(None, "--q", "-q"),
    status: str | None = typer.Option(None, help="new, under_review, planned, in_progress, shipped, wont_do"),
    sort: str = typer.Option(
        "-feedback_count", help="title, status, created_at, feedback_count; - for descending."
    ),
    page: int = typer.Option(1, min=1),
    per_page: int = typer.Option(50, min=1, max=500),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List ideas."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.list_ideas(session, actor, ListParams(q, sort, page, per_page, {"status": status}))
        emit(
            [IdeaRead.model_validate(i) for i in result.items],
            fmt,
            ["id", "title", "status", "team_id", "feedback_count"],
            title="Ideas",
            extra={"total": result.total, "page": result.page},
        )


@app.command("show")
@handle_errors
def show(
    idea_id: int = typer.Argument(...),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Show an idea with its linked feedback, customers and the ARR of the customers who asked."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        demand = service.idea_demand(session, actor, idea_id)
    if fmt == OutputFormat.json:
        emit_one(demand, fmt)
        return
    emit_one(demand.idea, fmt)
    console.print(
        f"[bold]{demand.customers}[/] customers · ARR [bold]{demand.total_arr:,.0f}[/] (each counted once)"
    )
    emit(
        demand.feedback,
        fmt,
        ["feedback_id", "customer_name", "customer_arr", "importance", "text"],
        title="Linked feedback",
    )


@app.command("link")
@handle_errors
def link(
    idea_id: int = typer.Argument(...),
    feedback_ids: list[int] = typer.Argument(..., help="One or more feedback ids."),
    importance: int = typer.Option(2, min=1, max=3, help="1 nice to have, 2 important, 3 must-have."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Link feedback items to an idea."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.link_feedback(
            session, actor, idea_id, LinkRequest(feedback_ids=feedback_ids, importance=importance)
        )
        emit_one(result, fmt)
