"""CLI for customers: ``northstar customers add|import|list``."""

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
)
from northstar.core.listing import ListParams
from northstar.core.tabular import parse_mapping
from northstar.customers import service
from northstar.customers.schemas import CustomerCreate, CustomerRead

app = typer.Typer(help="Customers (accounts) with segment, plan and ARR.", no_args_is_help=True)


@app.command("add")
@handle_errors
def add(
    name: str = typer.Argument(...),
    external_id: str | None = typer.Option(None),
    segment: str | None = typer.Option(None),
    plan: str | None = typer.Option(None),
    arr: float = typer.Option(0.0, min=0),
    domain: str | None = typer.Option(None, help="E-mail domain, used to attribute feedback."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Add one customer."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        customer = service.create_customer(
            session,
            actor,
            CustomerCreate(
                name=name, external_id=external_id, segment=segment, plan=plan, arr=arr, domain=domain
            ),
        )
        emit_one(CustomerRead.model_validate(customer), fmt)


@app.command("import")
@handle_errors
def import_file(
    path: Path = typer.Argument(
        ..., help="CSV with a name column; optional external_id, segment, plan, arr, ..."
    ),
    map: str | None = typer.Option(None, "--map", help="Rename columns: 'file column=field,...'."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import valid rows and report every skipped one."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Import customers from CSV; a known external id updates that customer. All-or-nothing by default."""
    data = path.read_bytes()
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        report = service.import_customers_csv(
            session, actor, data, parse_mapping(map), skip_invalid, str(path)
        )
    emit(
        [e.model_dump() for e in report.errors],
        fmt,
        ["row", "field", "message"],
        title="Skipped rows",
        extra={"created": report.created, "updated": report.updated, "skipped": report.skipped},
    )


@app.command("list")
@handle_errors
def list_customers(
    q: str | None = typer.Option(None, "--q", "-q", help="Search name, external id or domain."),
    segment: str | None = typer.Option(None),
    sort: str = typer.Option("-arr", help="name, arr, segment, created_at; prefix - for descending."),
    page: int = typer.Option(1, min=1),
    per_page: int = typer.Option(50, min=1, max=500),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List customers."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.list_customers(
            session, actor, ListParams(q, sort, page, per_page, {"segment": segment})
        )
        emit(
            [CustomerRead.model_validate(c) for c in result.items],
            fmt,
            ["id", "name", "external_id", "segment", "plan", "arr", "region", "lifecycle_stage"],
            title="Customers",
            extra={"total": result.total, "page": result.page},
        )
