"""CLI of the integrations: ``northstar integrations add|test|sync|status``.

Credentials are never typed on the command line (where shell history would keep them): ``add`` reads each from
the environment variable ``NORTHSTAR_<SERVICE>_<NAME>`` (e.g. ``NORTHSTAR_ZENDESK_API_TOKEN``) or asks for it
without echoing it.
"""

from __future__ import annotations

import os

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
from northstar.core.settings import Settings
from northstar.integrations import runtime, service
from northstar.integrations.connectors import SERVICES
from northstar.integrations.schemas import ConnectionCreate, SyncRunRead

app = typer.Typer(
    help="Connections to Zendesk, GitHub Issues and Jira: sync, webhooks, ideas linked to issues.",
    no_args_is_help=True,
)


def _pairs(values: list[str]) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            fail(f"--set {value!r}: write it as name=value, e.g. --set base_url=https://acme.zendesk.com")
        pairs[key.strip()] = text.strip()
    return pairs


@app.command("add")
@handle_errors
def add(
    service_name: str = typer.Argument(..., metavar="SERVICE", help="zendesk, github or jira."),
    name: str = typer.Option(..., "--name", help="A name for this connection."),
    settings: list[str] = typer.Option([], "--set", help="A setting as name=value (repeat)."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Add a connection; credentials come from NORTHSTAR_<SERVICE>_<NAME> or a hidden prompt."""
    if service_name not in SERVICES:
        fail(f"unknown service {service_name!r}; choose one of {', '.join(SERVICES)}")
    spec = SERVICES[service_name]
    credentials = {}
    for field in spec.credentials:
        variable = f"NORTHSTAR_{spec.name.upper()}_{field.name.upper()}"
        value = os.environ.get(variable)
        if value is None and field.required:
            value = typer.prompt(f"{field.label} ({variable})", hide_input=True)
        if value:
            credentials[field.name] = value
    data = ConnectionCreate(service=spec.name, name=name, config=_pairs(settings), credentials=credentials)  # type: ignore[arg-type]
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        connection = service.add_connection(session, actor, data, Settings().resolved_secret_key())
        emit_one(service.to_read(connection), fmt)


@app.command("test")
@handle_errors
def test(
    connection_id: int = typer.Argument(..., help="The connection's id (see `status`)."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Check that the stored credentials reach the service."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        result = service.test_connection(session, actor, connection_id, Settings().resolved_secret_key())
    if not result.ok:
        fail(result.message)
    typer.echo(result.message)


@app.command("sync")
@handle_errors
def sync(
    connection_id: int = typer.Argument(..., help="The connection's id (see `status`)."),
    full: bool = typer.Option(False, "--full", help="Start from the beginning instead of the stored cursor."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Sync a connection now, with a progress bar; resumes from the last committed page after a failure."""
    settings = Settings()
    runtime.remember(settings.resolved_database_url(), settings.resolved_secret_key())
    result = run_job(
        "integrations.sync",
        {"connection_id": connection_id, "full": full},
        "Syncing",
        workspace,
        as_user,
        show_progress=fmt == OutputFormat.table,
    )
    emit_one(SyncRunRead.model_validate(result), fmt)


@app.command("status")
@handle_errors
def status(
    connection_id: int | None = typer.Argument(
        None, help="Show this connection's runs instead of all connections."
    ),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List connections with their last run, or one connection's runs."""
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        if connection_id is not None:
            runs = [
                SyncRunRead.model_validate(r).model_dump()
                for r in service.list_runs(session, actor, connection_id)
            ]
            emit(
                runs,
                fmt,
                [
                    "id",
                    "mode",
                    "status",
                    "pages",
                    "items_in",
                    "created",
                    "updated",
                    "error_count",
                    "duration_ms",
                ],
                title="Sync runs",
            )
            return
        rows = []
        for connection in service.list_connections(session, actor):
            last = next(iter(service.list_runs(session, actor, connection.id, 1)), None)
            rows.append(
                {
                    "id": connection.id,
                    "service": connection.service,
                    "name": connection.name,
                    "last_sync_at": connection.last_sync_at,
                    "last_run": f"{last.status}: {last.created} new, {last.updated} updated" if last else "",
                }
            )
    emit(rows, fmt, ["id", "service", "name", "last_sync_at", "last_run"], title="Connections")
