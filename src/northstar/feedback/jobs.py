"""Background jobs of the feedback module."""

from __future__ import annotations

from typing import Any

from northstar.core.database import session_scope
from northstar.core.jobs import JobContext, job_handler
from northstar.feedback.importers import service as import_service


@job_handler("feedback.import_csv", permission="feedback.write")
def import_csv_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Import feedback from CSV text in ``params["csv"]`` (the web's two-step CSV import), with progress.

    Runs the same import as every other file kind: progress is reported only before the first write, which
    SQLite needs (a progress report is a write from another connection).
    """
    with context.session() as session:
        report = import_service.import_bytes(
            session,
            context.actor,
            "csv",
            str(params.get("source_name", "upload")),
            str(params.get("csv", "")).encode(),
            mapping={str(k): str(v) for k, v in dict(params.get("mapping") or {}).items()},
            skip_invalid=bool(params.get("skip_invalid", False)),
            progress=context.progress,
        )
        session.commit()
    return report.model_dump()


@job_handler(import_service.JOB_KIND, permission="feedback.write")
def import_file_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Import an uploaded file of any kind (see ``import_service``); all-or-nothing unless ``skip_invalid``.

    The upload is deleted when the job ends, whether it succeeded, failed or was cancelled.
    """
    try:
        with context.session() as session:
            report = import_service.run_import(session, context.actor, params, context.progress)
            import_service.discard_upload(session, context.actor, params.get("upload_id"))
            session.commit()
        return report.model_dump()
    finally:
        with session_scope(context.factory) as cleanup:
            import_service.discard_upload(cleanup, context.actor, params.get("upload_id"))


# registers the feedback.analyse job and the taxonomy train/predict jobs
from northstar.feedback.analysis import jobs as analysis_jobs  # noqa: E402, F401
from northstar.feedback.taxonomy import jobs as taxonomy_jobs  # noqa: E402, F401
