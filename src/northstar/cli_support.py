"""What every CLI command shares: opening the database, choosing the acting user, printing results.

Each listing prints a Rich table by default, or ``--format json`` / ``--format csv`` for scripts.
Errors the user can fix print one line to stderr and exit with status 2.

The root command imports this file before knowing which command runs, so only Typer and Rich's console load at
import time; SQLAlchemy, pydantic and the database helpers load inside the functions that use them.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from northstar import modules
from northstar.core.errors import NorthstarError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from northstar.core.permissions import Actor
    from northstar.core.settings import Settings

console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = typer.Option(OutputFormat.table, "--format", "-f", help="Output as a table, JSON or CSV.")
WorkspaceOption = typer.Option(
    None, "--workspace", "-w", envvar="NORTHSTAR_WORKSPACE", help="Workspace slug (default: the only one)."
)
UserOption = typer.Option(
    None,
    "--as",
    envvar="NORTHSTAR_USER",
    help="Act as this user's e-mail (default: the workspace's first owner).",
)


def fail(message: str) -> None:
    """Print a one-line error and exit with status 2."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def handle_errors(func: F) -> F:
    """Turn domain errors into a one-line message and exit status 2 (no stack traces for users)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pydantic import ValidationError

        try:
            return func(*args, **kwargs)
        except NorthstarError as exc:
            details = ""
            if exc.errors:
                shown = [
                    (f"row {e.row} " if e.row else "") + f"{e.field}: {e.message}" for e in exc.errors[:5]
                ]
                details = " [" + "; ".join(shown) + (" …" if len(exc.errors) > 5 else "") + "]"
            fail(f"{exc.detail}{details}")
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()[:5]
            )
            fail(f"invalid input: {problems}")
        except FileNotFoundError as exc:
            fail(f"file not found: {exc.filename}")
        except IsADirectoryError as exc:
            fail(f"{exc.filename} is a directory, not a file")

    return wrapper  # type: ignore[return-value]


@contextmanager
def open_database(settings: Settings | None = None) -> Iterator[sessionmaker[Session]]:
    """A session factory on the configured database, migrated to the latest schema."""
    from northstar.core import migrate
    from northstar.core.database import create_database_engine, create_session_factory
    from northstar.core.settings import Settings

    settings = settings or Settings()
    url = settings.resolved_database_url()
    # Every table, even for one module's command: a flush sorts its tables by their foreign keys, and a key to a
    # table no module has imported fails ("could not find table"). The tables take about 0.2 s; Alembic, started
    # only when the database is behind, took 0.5 s more on every command.
    modules.load_models()
    engine = create_database_engine(url)
    with engine.connect() as connection:
        current = migrate.is_current(connection)
    if not current:
        migrate.upgrade(url)
    try:
        yield create_session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def open_session(settings: Settings | None = None) -> Iterator[Session]:
    """A committed-on-success session on the configured database (migrated to the latest schema)."""
    with open_database(settings) as factory:
        session = factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def run_job(
    kind: str,
    params: dict[str, Any],
    description: str,
    workspace: str | None,
    as_user: str | None,
    show_progress: bool = True,
) -> dict[str, Any]:
    """Run a background job inline with a Rich progress bar; returns its result or fails with its error."""
    from northstar.core import jobs

    modules.load_jobs()  # only here: importing every module's handlers (and their engines) takes seconds
    with open_database() as factory:
        with factory() as session:
            actor = resolve_actor(session, workspace, as_user)
            job = jobs.create_job(session, actor, kind, params)
            session.commit()
            job_id = job.id
        with progress_bar(description, enabled=show_progress) as update:
            finished = jobs.execute_job(factory, job_id, update)
    if finished.status != "succeeded":
        fail(
            f"job {job_id} {finished.status}: {(finished.error or '').splitlines()[0] if finished.error else ''}"
        )
    return finished.result or {}


def resolve_actor(session: Session, workspace: str | None, user_email: str | None) -> Actor:
    """The actor a CLI command runs as: the given (or only) workspace, the given user or its first owner."""
    from sqlalchemy import select

    from northstar.accounts import service as accounts
    from northstar.accounts.models import Membership, Workspace

    if workspace:
        ws = accounts.get_workspace_by_slug(session, workspace)
    else:
        all_ws = list(session.scalars(select(Workspace).order_by(Workspace.id).limit(2)))
        if not all_ws:
            raise NorthstarError("no workspace yet: run `northstar init` or `northstar demo` first")
        if len(all_ws) > 1:
            raise NorthstarError("several workspaces exist: choose one with --workspace SLUG")
        ws = all_ws[0]
    if user_email:
        user = accounts.get_user_by_email(session, user_email)
        return accounts.actor_for(session, user.id, ws.id)
    owner_id = session.scalar(
        select(Membership.user_id)
        .where(Membership.workspace_id == ws.id, Membership.role == "owner")
        .order_by(Membership.id)
        .limit(1)
    )
    if owner_id is None:
        raise NorthstarError(f"workspace {ws.slug} has no owner; pass --as EMAIL")
    return accounts.actor_for(session, owner_id, ws.id)


def _plain(value: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def to_records(items: Sequence[Any]) -> list[dict[str, Any]]:
    """Records from pydantic models or dicts, with JSON-friendly values."""
    from pydantic import BaseModel

    records = []
    for item in items:
        data = item.model_dump(mode="json") if isinstance(item, BaseModel) else dict(item)
        records.append({k: _plain(v) for k, v in data.items()})
    return records


def emit(
    items: Sequence[Any],
    fmt: OutputFormat,
    columns: Sequence[str] | None = None,
    title: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Print ``items`` as a Rich table, JSON (a list, or an object with ``items`` when ``extra``) or CSV."""
    from rich.table import Table

    from northstar.core.tabular import write_csv

    records = to_records(items)
    if fmt == OutputFormat.json:
        payload: Any = {**(extra or {}), "items": records} if extra else records
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
        return
    columns = list(columns or (records[0].keys() if records else []))
    if fmt == OutputFormat.csv:
        sys.stdout.write(write_csv(records, columns))
        return
    table = Table(title=title or None, header_style="bold")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold", max_width=80)
    for record in records:
        table.add_row(*("" if record.get(c) is None else str(record.get(c)) for c in columns))
    console.print(table)
    if extra:
        console.print(" · ".join(f"{k}: {v}" for k, v in extra.items()), style="dim")


def emit_one(item: Any, fmt: OutputFormat) -> None:
    """Print one object: JSON for scripts, key/value table for people."""
    from rich.table import Table

    from northstar.core.tabular import write_csv

    record = to_records([item])[0]
    if fmt == OutputFormat.json:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        return
    if fmt == OutputFormat.csv:
        sys.stdout.write(write_csv([record]))
        return
    table = Table(show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in record.items():
        table.add_row(key, json.dumps(value, default=str) if isinstance(value, dict | list) else str(value))
    console.print(table)


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[Callable[[int, int | None, str], None]]:
    """A Rich progress bar; yields a callback ``(done, total, message)`` for job handlers."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    if not enabled:
        yield lambda done, total, message: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=None, note="")

        def update(done: int, total: int | None, message: str) -> None:
            progress.update(task, completed=done, total=total, note=message[:60])

        yield update
