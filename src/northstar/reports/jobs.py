"""The weekly brief as a background job: ``reports.weekly_brief`` makes this week's draft brief when one is due.

On PostgreSQL the worker's schedule starts it every Monday at 06:00 UTC in every workspace (as its owner); it also
runs when something else starts it (``POST /api/v1/jobs`` with this kind, or ``northstar report brief --generate``
from cron on SQLite, which asks the same "is it due?" question). Running it again in the same week does nothing.
"""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext, job_handler, schedule
from northstar.reports import service


@job_handler("reports.weekly_brief", permission=service.WRITE)
def weekly_brief_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Make this week's brief if none exists yet; the result names it (or says none was due)."""
    with context.session() as session:
        report = service.generate_brief(session, context.actor, only_if_due=True)
        session.commit()
        if report is None:
            return {"generated": False, "reason": "this week has a brief already"}
        return {"generated": True, "report_id": report.id, "period": report.period}


schedule("reports.weekly_brief", cron="0 6 * * 1")
