"""CLI for the feedback inbox: ``northstar feedback add|import|list``."""

from __future__ import annotations

from pathlib import Path

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
    run_job,
)
from northstar.core.listing import ListParams
from northstar.core.tabular import decode_bytes, parse_mapping
from northstar.feedback import service
from northstar.feedback.schemas import FeedbackCreate, FeedbackRead

app = typer.Typer(help="The feedback inbox: log, import and list customer feedback.", no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    text: str = typer.Argument(..., help="What the customer said."),
    source: str = typer.Option(
        "support", help="support, sales, survey, app_review, community, interview, in_app"
    ),
    customer: str | None = typer.Option(None, "--customer", help="The customer's external id."),
    contact: str | None = typer.Option(
        None, "--contact", help="The contact's e-mail (matches the customer by domain)."
    ),
    rating: float | None = typer.Option(None, help="NPS (0–10) or stars (1–5)."),
    ref: str | None = typer.Option(
        None, "--ref", help="External reference (re-adding the same source+ref updates)."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Log one piece of feedback on behalf of a customer."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        data = FeedbackCreate(
            text=text,
            source=source,
            customer_external_id=customer,
            contact_email=contact,
            rating=rating,
            external_ref=ref,
        )
        item = service.create_feedback(session, actor, data)
        session.flush()
        emit_one(FeedbackRead.model_validate(item), fmt)


@app.command("import")
@handle_errors
def import_file(
    path: Path = typer.Argument(..., help="CSV file with at least a text column."),
    map: str | None = typer.Option(None, "--map", help="Rename columns: 'file column=field,...'."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import valid rows and report every skipped one."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Import feedback from a CSV file as a job with a progress bar; all-or-nothing unless --skip-invalid."""
    text = decode_bytes(path.read_bytes(), str(path))
    params = {
        "csv": text,
        "mapping": parse_mapping(map),
        "skip_invalid": skip_invalid,
        "source_name": path.name,
    }
    report = run_job(
        "feedback.import_csv",
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
            "created": report.get("created"),
            "updated": report.get("updated"),
            "skipped": report.get("skipped"),
        },
    )


@app.command("list")
@handle_errors
def list_items(
    q: str | None = typer.Option(None, "--q", "-q", help="Words to search for."),
    source: str | None = typer.Option(None),
    customer_id: int | None = typer.Option(None),
    segment: str | None = typer.Option(None),
    sort: str = typer.Option("-received_at", help="received_at, rating or id; prefix - for descending."),
    page: int = typer.Option(1, min=1),
    per_page: int = typer.Option(50, min=1, max=500),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List feedback with search, filters and pagination."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        filters = {"source": source, "customer_id": customer_id, "segment": segment}
        result = service.list_feedback(session, actor, ListParams(q, sort, page, per_page, filters))
        items = [FeedbackRead.model_validate(f) for f in result.items]
        emit(
            items,
            fmt,
            ["id", "received_at", "source", "customer_id", "rating", "text"],
            title="Feedback",
            extra={"total": result.total, "page": result.page},
        )


def _register_analysis_commands() -> None:
    """Add the stateless analysis commands (themes, classify, train, duplicates) when that module is present."""
    import importlib.util

    if importlib.util.find_spec("northstar.feedback.analysis_cli") is not None:
        from northstar.feedback.analysis_cli import register

        register(app)


_register_analysis_commands()
