"""Background jobs of the integrations: a sync of one connection, and the processing of one received webhook."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext, job_handler
from northstar.integrations import runtime, service


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
