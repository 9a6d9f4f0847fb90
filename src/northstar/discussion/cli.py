"""CLI of discussion: ``northstar discussion comments|comment|follow|activity|members``."""

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
from northstar.discussion import service
from northstar.discussion.schemas import CommentCreate

app = typer.Typer(help="Comments with @mentions, followers and activity feeds.", no_args_is_help=True)

TypeArgument = typer.Argument(..., help="idea, feedback_theme, plan, objective or experiment.")
IdArgument = typer.Argument(..., help="The object's id.")


@app.command("comments")
@handle_errors
def comments(
    object_type: str = TypeArgument,
    object_id: int = IdArgument,
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """An object's comments, oldest first."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit(
            service.list_comments(session, actor, object_type, object_id),
            fmt,
            ["id", "author_name", "created_at", "body"],
        )


@app.command("comment")
@handle_errors
def comment(
    object_type: str = TypeArgument,
    object_id: int = IdArgument,
    text: str = typer.Argument(..., help="The comment; @handle mentions a member (see `members`)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Post a comment; mentioned members and the object's followers are told."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(
            service.create_comment(session, actor, object_type, object_id, CommentCreate(body=text)), fmt
        )


@app.command("follow")
@handle_errors
def follow(
    object_type: str = TypeArgument,
    object_id: int = IdArgument,
    stop: bool = typer.Option(False, "--stop", help="Unfollow instead."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Follow (or with --stop unfollow) an object: followers are told of new comments."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(service.set_following(session, actor, object_type, object_id, not stop), fmt)


@app.command("activity")
@handle_errors
def activity(
    object_type: str | None = typer.Option(None, "--type", help="Only this object type."),
    person: int | None = typer.Option(None, "--person", help="Only what this user id did."),
    page: int = typer.Option(1, "--page", min=1),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """The workspace's activity on ideas, themes, plans, objectives and experiments, newest first."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        feed = service.workspace_activity(session, actor, object_type, person, page)
        emit(feed.entries, fmt, ["created_at", "object_type", "object_name", "sentence"])


@app.command("members")
@handle_errors
def members(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Every member and the handle to @mention them by."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit(service.members(session, actor), fmt, ["user_id", "handle", "name"])
