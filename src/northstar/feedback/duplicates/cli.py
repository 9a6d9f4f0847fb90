"""``northstar feedback duplicate-review``: suspected duplicates in a workspace, merge, unmerge, not-a-duplicate.

(``northstar feedback duplicates --input FILE`` is the stateless command that finds duplicates in a file.)
"""

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
)
from northstar.feedback.duplicates import service as duplicates_service

app = typer.Typer(
    help="Review the workspace's suspected duplicates: list, merge, unmerge, dismiss, restore.",
    no_args_is_help=True,
)


@app.command("list")
@handle_errors
def list_groups(
    page: int = typer.Option(1, min=1),
    per_page: int = typer.Option(20, min=1, max=200),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Suspected duplicate pairs, by group (largest groups first)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        review = duplicates_service.review_duplicates(session, actor, page, per_page)
        rows = [
            {
                "group": group.lead.id,
                "feedback_id": c.item.id,
                "matched_with": c.matched_with_id,
                "similarity": c.similarity,
                "exact": c.exact,
                "text": c.item.text[:120],
            }
            for group in review.groups
            for c in group.candidates
        ]
        emit(
            rows,
            fmt,
            ["group", "feedback_id", "matched_with", "similarity", "exact", "text"],
            "Suspected duplicates",
            extra={"groups": review.total_groups, "dismissed_pairs": review.dismissed_pairs, "page": page},
        )


@app.command("merge")
@handle_errors
def merge(
    survivor: int = typer.Argument(..., help="The item that stays in the inbox."),
    feedback_ids: list[int] = typer.Argument(..., help="The items merged into it."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Merge items into SURVIVOR, keeping their idea links (highest importance), customers, votes and labels."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = duplicates_service.merge_feedback(session, actor, survivor, feedback_ids)
        emit_one(result.__dict__, fmt)


@app.command("unmerge")
@handle_errors
def unmerge(
    feedback_id: int = typer.Argument(..., help="A merged item."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Take a merged item out of its survivor again, with its idea links."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        duplicates_service.unmerge_feedback(session, actor, feedback_id)
        typer.echo(f"#{feedback_id} is back in the inbox", err=True)


@app.command("dismiss")
@handle_errors
def dismiss(
    first: int = typer.Argument(...),
    second: int = typer.Argument(...),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Say two items are not duplicates (remembered across re-analysis)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        duplicates_service.dismiss_pair(session, actor, first, second)
        typer.echo(f"#{first} and #{second} are not duplicates", err=True)


@app.command("restore")
@handle_errors
def restore(
    first: int = typer.Argument(...),
    second: int = typer.Argument(...),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Forget a dismissal, so the pair can be suggested again."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        duplicates_service.restore_pair(session, actor, first, second)
        typer.echo(f"#{first} and #{second} can be suggested again", err=True)
