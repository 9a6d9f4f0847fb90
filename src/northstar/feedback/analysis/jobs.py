"""The background job that runs the feedback analysis (kind ``feedback.analyse``).

Registered when this module is imported; ``feedback/jobs.py`` (auto-imported by the job runner) imports it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from northstar.core.jobs import JobContext, job_handler
from northstar.feedback.analysis.service import run_analysis


@job_handler("feedback.analyse", permission="feedback.write")
def analyse_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Analyse new and changed feedback of the workspace, with progress per stage."""
    with context.session() as session:
        summary = run_analysis(session, context.actor, progress=context.progress)
        session.commit()
    return asdict(summary)
