"""Bulk commands of the inbox: ``northstar feedback set-kind`` and ``northstar feedback delete``."""

from __future__ import annotations

import typer

from northstar.cli_support import (
    UserOption,
    WorkspaceOption,
    fail,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.feedback.inbox import service as inbox_service


@handle_errors
def set_kind(
    feedback_ids: list[int] = typer.Argument(..., help="Feedback item ids."),
    kind: str = typer.Option(
        ..., "--kind", help="bug, feature_request, complaint, praise, question, other; 'analysed' to reset."
    ),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Give items a kind by hand (kept across re-analysis)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        changed = inbox_service.set_kind(session, actor, feedback_ids, None if kind == "analysed" else kind)
        typer.echo(f"{changed} item(s) changed", err=True)


@handle_errors
def delete(
    feedback_ids: list[int] = typer.Argument(..., help="Feedback item ids."),
    yes: bool = typer.Option(False, "--yes", help="Confirm the deletion."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Delete items (their ideas are recounted)."""
    if not yes:
        fail(f"this deletes {len(feedback_ids)} item(s) for good; add --yes to confirm")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        deleted = inbox_service.delete_items(session, actor, feedback_ids)
        typer.echo(f"{deleted} item(s) deleted", err=True)


def register(app: typer.Typer) -> None:
    """Add the inbox's bulk commands and the taxonomy and duplicates sub-commands to ``northstar feedback``."""
    from northstar.feedback.duplicates import cli as duplicates_cli
    from northstar.feedback.taxonomy import cli as taxonomy_cli

    app.command("set-kind")(set_kind)
    app.command("delete")(delete)
    app.add_typer(taxonomy_cli.app, name="taxonomy")
    app.add_typer(duplicates_cli.app, name="duplicate-review")
