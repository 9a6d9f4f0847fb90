"""CLI of notifications: ``northstar notifications send-pending|list|outbox``."""

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
    open_database,
    open_session,
    resolve_actor,
)

app = typer.Typer(help="In-app, e-mail and Slack notifications and their outbox.", no_args_is_help=True)


@app.command("send-pending")
@handle_errors
def send_pending(
    fmt: OutputFormat = FormatOption,
    workspace: str | None = typer.Option(
        None, "--workspace", "-w", help="Only this workspace (slug); default every workspace with mail due."
    ),
) -> None:
    """Deliver the outbox messages that are due (run it from cron, e.g. every minute), as one job per workspace.

    SMTP comes from NORTHSTAR_SMTP_HOST, _PORT, _FROM, _TLS, _USERNAME and _PASSWORD; a failed attempt is
    retried by a later run after its backoff, so running this often loses nothing and sends nothing twice.
    """
    from northstar.accounts.models import Workspace
    from northstar.core import jobs
    from northstar.notifications import service

    totals = {"workspaces": 0, "sent": 0, "retrying": 0, "failed": 0, "suppressed": 0, "skipped": 0}
    with open_database() as factory:
        with factory() as session:
            if workspace:
                targets = [resolve_actor(session, workspace, None)]
            else:
                slugs = [
                    session.get(Workspace, ws_id).slug  # type: ignore[union-attr]
                    for ws_id in service.due_workspaces(session)
                ]
                targets = [resolve_actor(session, slug, None) for slug in slugs]
            job_ids = []
            for actor in targets:
                job_ids.append(jobs.create_job(session, actor, "notifications.deliver", {}).id)
            session.commit()
        for job_id in job_ids:
            finished = jobs.execute_job(factory, job_id)
            if finished.status != "succeeded":
                fail(
                    f"job {job_id} {finished.status}: {(finished.error or '').splitlines()[0] if finished.error else ''}"
                )
            totals["workspaces"] += 1
            for key, value in (finished.result or {}).items():
                totals[key] = totals.get(key, 0) + int(value)
    emit_one(totals, fmt)


@app.command("list")
@handle_errors
def list_notifications(
    unread: bool = typer.Option(False, help="Only unread ones."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """Your notifications, newest first."""
    from northstar.notifications import service

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        listing = service.list_notifications(session, actor, unread)
    emit(
        listing.items,
        fmt,
        ["id", "event", "title", "created_at", "read_at"],
        title=f"{listing.unread} unread",
    )


@app.command("outbox")
@handle_errors
def outbox(
    status: str | None = typer.Option(None, help="pending, sending, sent, failed or suppressed."),
    fmt: OutputFormat = FormatOption,
    workspace: str | None = WorkspaceOption,
    as_user: str | None = UserOption,
) -> None:
    """The workspace's outbox: every e-mail and Slack message with its delivery state."""
    from northstar.notifications import service

    with open_session() as session:
        actor = resolve_actor(session, workspace, as_user)
        rows = service.list_outbox(session, actor, status)
    emit(
        rows,
        fmt,
        ["id", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at", "last_error"],
    )
