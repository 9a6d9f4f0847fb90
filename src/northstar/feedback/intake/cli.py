"""CLI for the embeddable feedback form: ``northstar feedback form`` shows or changes its key, heading and state.

Registered on the feedback app by ``feedback/cli.py``.
"""

from __future__ import annotations

import typer

from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    emit_one,
    fail,
    handle_errors,
    open_session,
    resolve_actor,
)
from northstar.feedback.intake import form_service
from northstar.feedback.intake.form_schemas import settings_of


def form(
    rotate: bool = typer.Option(
        False, "--rotate", help="Create the form, or give it a new key (the old embed URL stops working)."
    ),
    enable: bool = typer.Option(False, "--enable", help="Switch the form on."),
    disable: bool = typer.Option(
        False, "--disable", help="Switch the form off (its page says 'not available')."
    ),
    title: str | None = typer.Option(None, "--title", help="The heading shown above the form."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Show or change the embeddable feedback form (its key, embed path, heading, on/off)."""
    if enable and disable:
        fail("choose --enable or --disable, not both")
    enabled = True if enable else False if disable else None
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        if rotate:
            form_service.rotate_form_key(session, actor)
        if enabled is not None or title is not None:
            form_service.update_form(session, actor, enabled, title)
        session.flush()
        emit_one(settings_of(form_service.get_form(session, actor)), fmt)


def register(app: typer.Typer) -> None:
    """Add ``form`` to the feedback CLI."""
    app.command("form")(handle_errors(form))
