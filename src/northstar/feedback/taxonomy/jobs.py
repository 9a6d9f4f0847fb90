"""Background jobs of the workspace taxonomy: train (then predict every item) and predict again.

Registered when imported; ``feedback/jobs.py`` (auto-imported by the job runner) imports this module.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from northstar.core.jobs import JobContext, job_handler
from northstar.feedback.taxonomy import service as taxonomy_service
from northstar.feedback.taxonomy.service import PREDICT_JOB, TRAIN_JOB


@job_handler(TRAIN_JOB, permission="feedback.write")
def train_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Train the workspace's classifier on its labels, score it on a held-out split, predict every item."""
    with context.session() as session:
        summary = taxonomy_service.train_model(session, context.actor, context.progress, context.job_id)
        session.commit()
    return asdict(summary)


@job_handler(PREDICT_JOB, permission="feedback.write")
def predict_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Predict every inbox item with the current model (new feedback arrived since the last training)."""
    with context.session() as session:
        predicted = taxonomy_service.predict_items(session, context.actor, context.progress)
        session.commit()
    return {"predicted": predicted}
