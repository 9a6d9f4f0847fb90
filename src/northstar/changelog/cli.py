"""CLI of the changelog: ``northstar changelog list|draft|publish``."""

from __future__ import annotations

import typer

from northstar.changelog import service
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
from northstar.core.settings import Settings

app = typer.Typer(help="The public changelog that tells the customers who asked.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_entries(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Every entry: drafts first, then the published ones."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit(service.list_entries(session, actor), fmt, ["id", "title", "status", "idea_id", "published_at"])


@app.command("draft")
@handle_errors
def draft(
    idea: int = typer.Option(..., "--idea", help="The shipped idea's id."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Draft an entry from a shipped idea (its description and the themes behind it)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(service.draft_from_idea(session, actor, idea), fmt)


@app.command("publish")
@handle_errors
def publish(
    entry_id: int = typer.Argument(..., help="The entry's id."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Publish an entry: e-mail each contact who asked (through the outbox) and mark their feedback answered.

    Links in the e-mail use NORTHSTAR_PUBLIC_URL; `northstar notifications send-pending` delivers them.
    """
    settings = Settings()
    links = service.Links(settings.resolved_public_url(), settings.resolved_secret_key())
    with open_session(settings) as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.publish(session, actor, entry_id, links)
    emit_one(
        {
            "id": result.entry.id,
            "title": result.entry.title,
            "answered": result.answered,
            "told": result.told,
            "unsubscribed": result.unsubscribed,
            "without_email": result.without_email,
            "public_url": result.public_url,
        },
        fmt,
    )
