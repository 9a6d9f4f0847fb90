"""CLI for getting feedback in: ``northstar feedback import FILE --format-kind KIND`` and ``northstar feedback form``.

Registered on the feedback app by ``feedback/cli.py``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

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
    run_job,
)
from northstar.core.tabular import parse_mapping
from northstar.feedback import form_service, import_service
from northstar.feedback.form_schemas import settings_of
from northstar.feedback.importers.registry import SOURCE_KINDS, guess_kind

ImportKind = StrEnum("ImportKind", {key: key for key in SOURCE_KINDS})  # type: ignore[misc]


def import_file(
    path: Path = typer.Argument(
        ..., help="The file: a tool's export, e-mail (.eml/.mbox), or a CSV, JSON Lines or Parquet table."
    ),
    format_kind: ImportKind | None = typer.Option(  # type: ignore[valid-type]
        None,
        "--format-kind",
        "-k",
        help="What the file is. Default from the extension: .csv, .jsonl, .parquet, .eml/.mbox.",
        case_sensitive=False,
    ),
    map: str | None = typer.Option(
        None,
        "--map",
        help="Tables only: rename columns, 'file column=field,...' (fields: text, external_ref, …).",
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import valid rows and report every skipped one."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Import feedback from a file as a job with a progress bar; all-or-nothing unless --skip-invalid.

    Importing the same export again updates its items instead of duplicating them.
    """
    kind = format_kind.value if format_kind is not None else guess_kind(path.name)
    if kind is None:
        fail(
            f"cannot tell what {path.name} is from its extension; "
            f"say it with --format-kind ({', '.join(SOURCE_KINDS)})"
        )
    data = path.read_bytes()
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        params = import_service.store_upload(
            session,
            actor,
            str(kind),
            path.name,
            data,
            parse_mapping(map),
            skip_invalid,
            limit=import_service.MAX_CLI_BYTES,
        )
    report = run_job(
        import_service.JOB_KIND,
        params,
        f"Importing {path.name}",
        workspace,
        as_user,
        show_progress=fmt == OutputFormat.table,
    )
    emit(
        [
            {"row": e.get("row"), "field": e["field"], "message": e["message"]}
            for e in report.get("errors", [])
        ],
        fmt,
        ["row", "field", "message"],
        title="Skipped rows",
        extra={
            "kind": report.get("kind"),
            "created": report.get("created"),
            "updated": report.get("updated"),
            "unchanged": report.get("unchanged"),
            "skipped": report.get("skipped"),
            "customers_created": report.get("customers_created"),
            "warnings": [
                (f"row {w['row']}, " if w.get("row") else "") + f"{w['field']}: {w['message']}"
                for w in report.get("warnings", [])
            ],
        },
    )


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
    """Add ``import`` and ``form`` to the feedback CLI."""
    app.command("import")(handle_errors(import_file))
    app.command("form")(handle_errors(form))
