"""Job handlers for the queue tests, imported by the worker processes with ``northstar worker --import``.

Each run writes rows to ``job_runs`` (created by the test): one when the handler starts and one when it ends,
with the process id, so that a test can count how often and where each job ran.
"""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy import text

from northstar.core.jobs import JobContext, job_handler, schedule

RUNS_TABLE = "CREATE TABLE IF NOT EXISTS job_runs (id serial PRIMARY KEY, job_id int, pid int, phase text)"


def _record(context: JobContext, phase: str) -> None:
    with context.session() as session:
        session.execute(
            text("INSERT INTO job_runs (job_id, pid, phase) VALUES (:job, :pid, :phase)"),
            {"job": context.job_id, "pid": os.getpid(), "phase": phase},
        )
        session.commit()


@job_handler("test.record")
def record_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Record the start, work ``steps`` × ``pause`` seconds reporting progress, record the end."""
    _record(context, "start")
    steps, pause = int(params.get("steps", 1)), float(params.get("pause", 0.0))
    for step in range(steps):
        time.sleep(pause)
        context.progress(step + 1, steps, f"step {step + 1}")
    _record(context, "end")
    return {"pid": os.getpid()}


@job_handler("test.tick")
def tick_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    _record(context, "tick")
    return {"tick": params.get("tick")}


if os.environ.get("NORTHSTAR_TEST_SCHEDULE_EVERY_SECOND"):
    schedule("test.tick", cron="* * * * * *")
