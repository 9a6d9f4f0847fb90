"""The ``northstar`` command: set-up, serving, accounts, and each module's sub-commands.

Starting must be quick (``northstar --help`` and ``northstar version`` in well under half a second), so this file
imports only Typer and the module registry: each module's ``cli`` is imported when one of its commands runs, and
the listing takes the commands' names and help from ``modules.py`` (:class:`LazyGroup`). The commands below import
what they need inside their bodies for the same reason.
"""

from __future__ import annotations

import difflib
import getpass
import importlib
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer import _click as click  # Typer 0.29 ships its own copy of Click; its commands are these classes
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup

from northstar import __version__, modules
from northstar.cli_support import (
    FormatOption,
    OutputFormat,
    UserOption,
    WorkspaceOption,
    console,
    emit,
    emit_one,
    err_console,
    fail,
    handle_errors,
    open_session,
    resolve_actor,
)


def mount(spec: modules.ModuleSpec, module: Any, target: typer.Typer) -> None:
    """Mount one module's commands on ``target``: ``COMMANDS = {name: typer_app}``, or ``app`` under the spec's
    cli name, or ``COMMAND``, one function that is the command itself (``northstar search QUERY``)."""
    command = modules.attr(module, "COMMAND")
    if command is not None and spec.cli_name:
        target.command(spec.cli_name)(command)
        return
    commands = modules.attr(module, "COMMANDS")
    if isinstance(commands, dict):
        for name, sub in commands.items():
            target.add_typer(sub, name=name)
        return
    sub = modules.attr(module, "app")
    if sub is not None and spec.cli_name:
        target.add_typer(sub, name=spec.cli_name, help=spec.cli_help or None)


def _nothing() -> None:
    """A callback that makes a one-command Typer app a group, so its command keeps its own name."""


_loaded: dict[str, dict[str, click.Command]] = {}


def module_commands(name: str) -> dict[str, click.Command]:
    """The Click commands module ``name`` adds at the top level, importing its ``cli`` (once per process)."""
    if name not in _loaded:
        scratch = typer.Typer()
        scratch.callback()(_nothing)
        mount(modules.spec_of(name), importlib.import_module(f"northstar.{name}.cli"), scratch)
        group = typer.main.get_command(scratch)
        assert isinstance(group, TyperGroup)
        _loaded[name] = dict(group.commands)
    return _loaded[name]


class LazyGroup(TyperGroup):
    """The root command. Its own commands (below) are built at once; a module's are built from its ``cli`` the
    first time one is resolved to run. ``--help`` lists a not-yet-loaded command by its entry in ``modules.py``."""

    def _pending(self) -> dict[str, modules.CliEntry]:
        return {entry.name: entry for entry in modules.cli_entries() if entry.name not in self.commands}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.commands, *self._pending()]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = self.commands.get(cmd_name)
        if found is not None:
            return found
        entry = self._pending().get(cmd_name)
        return None if entry is None else TyperCommand(name=entry.name, help=entry.help)

    def load(self, cmd_name: str) -> None:
        """Replace the listing entry of ``cmd_name`` (if it is a module's) by the real command."""
        entry = self._pending().get(cmd_name)
        if entry is not None:
            self.commands.update(module_commands(entry.module))

    def load_all(self) -> None:
        """Build every module's commands (the CLI reference and the tests document the whole tree)."""
        for name in self._pending():
            self.load(name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args:
            self.load(args[0])
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            matches = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if matches:
                exc.message = (
                    f"{exc.message.rstrip('.')}. Did you mean {', '.join(repr(m) for m in matches)}?"
                )
            raise


def full_command() -> TyperGroup:
    """The whole command tree with every module's commands built (for the generated CLI reference)."""
    root = typer.main.get_command(app)
    assert isinstance(root, LazyGroup)
    root.load_all()
    return root


app = typer.Typer(
    name="northstar",
    help="Northstar: the operating system for a Head of Product.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Local user accounts.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspaces (one company or product line each).", no_args_is_help=True)
token_app = typer.Typer(help="Per-workspace API tokens.", no_args_is_help=True)
jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(workspace_app, name="workspace")
app.add_typer(token_app, name="token")
app.add_typer(jobs_app, name="jobs")


def _password(password: str | None) -> str:
    if password:
        return password
    first = getpass.getpass("Password (8+ characters): ")
    if first != getpass.getpass("Repeat password: "):
        fail("the passwords differ")
    return first


@app.command()
def version() -> None:
    """Print Northstar's version."""
    console.print(__version__)


@app.command()
@handle_errors
def init(
    email: str | None = typer.Option(None, help="Create this first user (owner of the first workspace)."),
    name: str = typer.Option("Admin", help="The first user's name."),
    password: str | None = typer.Option(None, help="The first user's password (prompted when omitted)."),
    workspace: str = typer.Option("My company", help="Name of the first workspace."),
) -> None:
    """Create the data directory and database; optionally the first user and workspace."""
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import UserCreate, WorkspaceCreate
    from northstar.core.settings import Settings

    settings = Settings()
    with open_session(settings) as session:
        if email:
            user = accounts.create_user(
                session, UserCreate(email=email, name=name, password=_password(password))
            )
            ws = accounts.create_workspace(session, user, WorkspaceCreate(name=workspace))
            console.print(f"Created {user.email} as owner of workspace [bold]{ws.slug}[/].")
    console.print(f"Database ready at {settings.resolved_database_url()}")


def _serve(host: str | None, port: int | None, workers: int | None, on_ready: Callable[[str], None]) -> None:
    from northstar.core.settings import Settings
    from northstar.web.serve import ServeError, launch

    settings = Settings()
    count = workers or settings.resolved_web_workers()
    try:
        status = launch(
            host or settings.host,
            port or settings.port,
            count,
            worker_timeout=settings.web_worker_timeout,
            ready_timeout=settings.ready_timeout,
            migrate=settings.upgrade_on_start,
            on_ready=on_ready,
            say=lambda message: err_console.print(f"[bold yellow]northstar:[/] {message}", highlight=False),
        )
    except ServeError as exc:
        fail(str(exc))
    if status not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise typer.Exit(status if status > 0 else 1)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default NORTHSTAR_HOST or 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default NORTHSTAR_PORT or 8000)."),
    workers: int | None = typer.Option(
        None,
        min=1,
        help="Server processes (default NORTHSTAR_WEB_WORKERS, else 1 on up to 2 cores, else one per core, "
        "at most 4).",
    ),
) -> None:
    """Serve the web UI and the JSON API (migrating the database first); "ready" once /api/v1/health answers."""

    def ready(url: str) -> None:
        console.print(f"[bold green]Northstar ready[/] at {url}")

    _serve(host, port, workers, ready)


@app.command()
@handle_errors
def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve after seeding."),
    port: int | None = typer.Option(None),
    seed: int = typer.Option(7, help="Random seed of the demo company."),
) -> None:
    """Seed the demo company (replacing an earlier demo workspace), serve it, and print the login once it answers."""
    from northstar.analytics import runtime
    from northstar.core.settings import Settings
    from northstar.demo.seed import DEMO_EMAIL, DEMO_PASSWORD, seed_demo

    settings = Settings()
    with open_session(settings) as session:
        summary = seed_demo(
            session,
            seed=seed,
            progress=lambda message: console.print(f"  {message}", style="dim"),
            settings=settings,
        )
    runtime.close_all()  # the server's processes open the demo's event store next: DuckDB allows one writer
    console.print(summary)
    login = f"  log in as [bold]{DEMO_EMAIL}[/] / [bold]{DEMO_PASSWORD}[/]\n"
    if not serve_after:
        console.print(f"\n[bold green]Northstar demo seeded[/]; start it with `northstar serve`.\n{login}")
        return

    def ready(url: str) -> None:
        console.print(f"\n[bold green]Northstar demo ready[/] at {url}\n{login}")

    console.print("Starting the server; the address follows once it answers.", style="dim")
    _serve(None, port, None, ready)


@app.command()
@handle_errors
def worker(
    concurrency: int = typer.Option(2, min=1, max=64, help="Jobs this worker runs at once."),
    plugin: list[str] = typer.Option(
        [], "--import", help="Also import this Python module's job handlers and schedules (repeatable)."
    ),
    name: str | None = typer.Option(None, help="The worker's name in the queue (default: its host and pid)."),
) -> None:
    """Run background jobs and the schedule from the PostgreSQL queue until stopped (SIGTERM or Ctrl-C)."""
    import asyncio
    import os
    import socket

    from northstar.cli_support import open_database
    from northstar.core import queue
    from northstar.core.settings import Settings

    settings = Settings()
    url = settings.resolved_database_url()
    queue.conninfo(url)  # the queue lives in PostgreSQL: refuse SQLite with a clear message
    modules.load_jobs()
    for module in plugin:
        importlib.import_module(module)
    label = name or f"{socket.gethostname()}-{os.getpid()}"
    with open_database(settings) as factory:
        err_console.print(f"northstar worker {label}: {concurrency} at once on {url.split('@')[-1]}")
        asyncio.run(
            queue.run_worker(
                url,
                factory,
                concurrency=concurrency,
                heartbeat_seconds=settings.worker_heartbeat_seconds,
                stalled_seconds=settings.worker_stalled_seconds,
                name=label,
            )
        )


@db_app.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Apply every pending schema migration."""
    from northstar.core import migrate
    from northstar.core.settings import Settings

    settings = Settings()
    modules.load_models()
    migrate.upgrade(settings.resolved_database_url())
    console.print(
        "Database is up to date: " + ", ".join(migrate.current_heads(settings.resolved_database_url()))
    )


@app.command()
@handle_errors
def backup(
    file: Path = typer.Argument(..., help="The archive to write (tar.gz)."),
) -> None:
    """Write the database, the event stores, trained models and the secret key to one archive (docs/backup.md)."""
    from northstar.backup.service import create_backup
    from northstar.core.settings import Settings

    manifest = create_backup(Settings(), file, say=lambda message: console.print(f"  {message}", style="dim"))
    console.print(
        f"Backed up {sum(manifest.tables.values())} rows of {len(manifest.tables)} tables "
        f"and {', '.join(manifest.files) or 'no files'} to {file}"
    )


@app.command()
@handle_errors
def restore(
    file: Path = typer.Argument(..., help="An archive written by `northstar backup`."),
    force: bool = typer.Option(False, "--force", help="Replace a database that already holds data."),
) -> None:
    """Restore a backup into an empty database (or, with --force, over this one) and upgrade it to this version."""
    from northstar.backup.service import restore_backup
    from northstar.core.settings import Settings

    manifest = restore_backup(
        Settings(), file, force=force, say=lambda message: console.print(f"  {message}", style="dim")
    )
    console.print(
        f"Restored {sum(manifest.tables.values())} rows of {len(manifest.tables)} tables from {file} "
        f"(made {manifest.created_at} by Northstar {manifest.northstar_version})"
    )


@user_app.command("add")
@handle_errors
def user_add(
    email: str = typer.Argument(...),
    name: str = typer.Option(..., help="Full name."),
    password: str | None = typer.Option(None, help="Prompted when omitted."),
    role: str = typer.Option(
        "viewer",
        help="Role in --workspace: owner, admin, head_of_product, product_manager, contributor, viewer.",
    ),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Create a local account and add it to a workspace with a role."""
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import UserCreate, UserRead
    from northstar.core.permissions import Role

    try:
        chosen = Role(role)
    except ValueError:
        fail(f"unknown role {role!r}; choose one of {', '.join(r.value for r in Role)}")
    with open_session() as session:
        user = accounts.create_user(session, UserCreate(email=email, name=name, password=_password(password)))
        session.flush()
        try:
            actor = resolve_actor(session, workspace, as_user)
        except Exception:
            actor = None
        if actor is not None:
            accounts.add_member(session, actor, user.email, chosen)
        emit_one(UserRead.model_validate(user), fmt)


@workspace_app.command("create")
@handle_errors
def workspace_create(
    name: str = typer.Argument(...),
    owner: str = typer.Option(..., help="E-mail of the owner (an existing user)."),
    slug: str | None = typer.Option(None),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Create a workspace owned by an existing user."""
    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import WorkspaceCreate, WorkspaceRead

    with open_session() as session:
        user = accounts.get_user_by_email(session, owner)
        ws = accounts.create_workspace(session, user, WorkspaceCreate(name=name, slug=slug))
        emit_one(WorkspaceRead.model_validate(ws), fmt)


@workspace_app.command("list")
@handle_errors
def workspace_list(fmt: OutputFormat = FormatOption) -> None:
    """List every workspace with its member count."""
    from sqlalchemy import func, select

    from northstar.accounts.models import Membership, Workspace

    with open_session() as session:
        rows = session.execute(
            select(Workspace.id, Workspace.slug, Workspace.name, func.count(Membership.id))
            .outerjoin(Membership, Membership.workspace_id == Workspace.id)
            .group_by(Workspace.id, Workspace.slug, Workspace.name)
            .order_by(Workspace.id)
        ).all()
    emit([{"id": i, "slug": s, "name": n, "members": m} for i, s, n, m in rows], fmt, title="Workspaces")


@token_app.command("create")
@handle_errors
def token_create(
    name: str | None = typer.Option(
        None, help="What the token is for (default: its scope and today's date)."
    ),
    scope: str = typer.Option("read", help="read, write or ingest."),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Create an API token; the secret is printed once and stored only as a hash."""
    import datetime as dt

    from northstar.accounts import service as accounts
    from northstar.accounts.schemas import TokenCreate, TokenCreated, TokenRead

    label = name or f"{scope} token of {dt.date.today().isoformat()}"
    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        token, secret = accounts.create_token(
            session, actor, TokenCreate.model_validate({"name": label, "scope": scope})
        )
        emit_one(TokenCreated(**TokenRead.model_validate(token).model_dump(), token=secret), fmt)


@jobs_app.command("list")
@handle_errors
def jobs_list(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """List recent background jobs."""
    from northstar.core import jobs
    from northstar.core.jobs_schemas import JobRead

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit(
            [JobRead.model_validate(j) for j in jobs.list_jobs(session, actor)],
            fmt,
            ["id", "kind", "status", "done", "total", "message", "created_at"],
            title="Jobs",
        )


@jobs_app.command("cancel")
@handle_errors
def jobs_cancel(
    job_id: int = typer.Argument(...),
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Ask a job to stop."""
    from northstar.core import jobs
    from northstar.core.jobs_schemas import JobRead

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        emit_one(JobRead.model_validate(jobs.cancel_job(session, actor, job_id)), fmt)


def main() -> None:
    """Console-script entry point."""
    app()
