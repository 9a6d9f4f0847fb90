"""CLI for file imports: ``northstar feedback import FILE --format-kind KIND``.

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
    fail,
    handle_errors,
    open_session,
    resolve_actor,
    run_job,
)
from northstar.core.tabular import parse_mapping
from northstar.feedback.importers import service as import_service
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


def register(app: typer.Typer) -> None:
    """Add ``import`` to the feedback CLI."""
    app.command("import")(handle_errors(import_file))
