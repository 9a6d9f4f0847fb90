"""CLI of one feedback item: ``northstar feedback show|link|unlink|set-theme`` (``set-kind`` is the inbox's)."""

from __future__ import annotations

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
from northstar.feedback.item import service
from northstar.feedback.item.schemas import ItemLinkRequest


@handle_errors
def show(
    feedback_id: int = typer.Argument(..., help="Feedback item id."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """One item with its customer, kind, sentiment, theme, duplicates, linked ideas and history."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        detail = service.item_detail(session, actor, feedback_id)
        if fmt == OutputFormat.json:
            emit_one(detail.model_dump(mode="json"), fmt)
            return
        customer = detail.customer
        emit_one(
            {
                "id": detail.id,
                "text": detail.text,
                "source": detail.source,
                "external_ref": detail.external_ref,
                "received_at": detail.received_at,
                "customer": f"{customer.name} (ARR {customer.arr:,.0f})" if customer else None,
                "kind": detail.kind,
                "kind_confidence": detail.kind_confidence,
                "kind_set_by_person": detail.kind_set_by_person,
                "sentiment": detail.sentiment,
                "theme": detail.theme.name if detail.theme else None,
                "duplicate_of": detail.duplicate_of.feedback_id if detail.duplicate_of else None,
                "merged_into": detail.merged_into.feedback_id if detail.merged_into else None,
            },
            fmt,
        )
        emit(detail.ideas, fmt, ["idea_id", "title", "status", "importance"], title="Linked ideas")
        if detail.history_visible:
            emit(detail.history, fmt, ["at", "action", "who", "summary"], title="History")


@handle_errors
def link(
    feedback_id: int = typer.Argument(..., help="Feedback item id."),
    idea: int = typer.Option(..., "--idea", help="The idea to link it to."),
    importance: int = typer.Option(2, min=1, max=3, help="1 nice to have, 2 important, 3 must-have."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Link an item to an idea (linking again changes the importance)."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.link_to_idea(
            session, actor, feedback_id, ItemLinkRequest(idea_id=idea, importance=importance)
        )
        emit_one(result, fmt)


@handle_errors
def unlink(
    feedback_id: int = typer.Argument(..., help="Feedback item id."),
    idea: int = typer.Option(..., "--idea", help="The idea to take it off."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Take an item off an idea."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        service.unlink_from_idea(session, actor, feedback_id, idea)
        typer.echo(f"feedback {feedback_id} unlinked from idea {idea}", err=True)


@handle_errors
def set_theme(
    feedback_id: int = typer.Argument(..., help="Feedback item id."),
    theme: int | None = typer.Option(None, "--theme", help="The (sub-)theme to move it to."),
    no_theme: bool = typer.Option(False, "--no-theme", help="Take it out of every theme instead."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Move an item to another theme, or take it out of every theme; re-analysis keeps the choice."""
    if (theme is None) == (not no_theme):
        fail("give either --theme ID or --no-theme")
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        changed = service.correct_theme(session, actor, feedback_id, None if no_theme else theme)
        where = "out of every theme" if no_theme else f"in theme {theme}"
        typer.echo(f"feedback {feedback_id} is {where}{'' if changed else ' (it was already)'}", err=True)


def register(app: typer.Typer) -> None:
    """Add the item commands to ``northstar feedback``."""
    app.command("show")(show)
    app.command("link")(link)
    app.command("unlink")(unlink)
    app.command("set-theme")(set_theme)
