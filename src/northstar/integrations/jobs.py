"""Background jobs of the integrations: a sync of one connection, and the processing of one received webhook.

The worker's schedule runs an incremental sync of every connection each hour (as the user who made it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.jobs import JobContext, ScheduledRun, job_handler, schedule
from northstar.integrations import runtime, service
from northstar.integrations.models import Connection


@job_handler("integrations.sync", permission=service.PERMISSION)
def sync_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Sync connection ``params["connection_id"]`` (from the start when ``params["full"]``)."""

    def report(pages: int, items: int) -> None:
        context.progress(items, None, f"page {pages}: {items} items")

    run = service.run_sync(
        context.factory,
        context.actor,
        int(params["connection_id"]),
        runtime.secret_for(context.factory),
        full=bool(params.get("full", False)),
        job_id=context.job_id,
        progress=report,
    )
    return run.model_dump(mode="json")


@job_handler("integrations.webhook", permission=service.PERMISSION)
def webhook_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Process webhook delivery ``params["delivery_id"]``."""
    return service.process_delivery(
        context.factory,
        context.actor,
        int(params["delivery_id"]),
        runtime.secret_for(context.factory),
        job_id=context.job_id,
    )


def every_connection(session: Session) -> list[ScheduledRun]:
    """One incremental sync per connection, run as its creator (else the workspace's owner)."""
    rows = session.execute(
        select(Connection.id, Connection.workspace_id, Connection.created_by).order_by(Connection.id)
    )
    return [
        ScheduledRun(workspace, creator, {"connection_id": connection})
        for connection, workspace, creator in rows
    ]


schedule("integrations.sync", cron="17 * * * *", targets=every_connection)
