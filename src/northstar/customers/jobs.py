"""Background jobs of the customers module."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext, job_handler
from northstar.customers import service


@job_handler("customers.import_csv", permission="customers.write")
def import_csv_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Import customers from CSV text in ``params["csv"]``."""
    context.progress(0, None, "validating")
    with context.session() as session:
        report = service.import_customers_csv(
            session,
            context.actor,
            str(params.get("csv", "")).encode(),
            mapping=dict(params.get("mapping") or {}),
            skip_invalid=bool(params.get("skip_invalid", False)),
            source=str(params.get("source_name", "upload")),
        )
        session.commit()
    return report.model_dump()
