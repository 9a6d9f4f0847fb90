"""Background jobs of the feedback module."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext, job_handler
from northstar.feedback import service


@job_handler("feedback.import_csv", permission="feedback.write")
def import_csv_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Import feedback from CSV text in ``params["csv"]``; progress is reported every 200 rows."""
    with context.session() as session:
        report = service.import_feedback_csv(
            session,
            context.actor,
            str(params.get("csv", "")).encode(),
            mapping=dict(params.get("mapping") or {}),
            skip_invalid=bool(params.get("skip_invalid", False)),
            source=str(params.get("source_name", "upload")),
            progress=context.progress,
        )
        session.commit()
    return report.model_dump()


from northstar.feedback import analysis_jobs  # noqa: E402, F401  (registers the feedback.analyse job)
