"""The delivery job: ``notifications.deliver`` sends one workspace's due outbox messages."""

from __future__ import annotations

from typing import Any

from northstar.core.jobs import JobContext, job_handler
from northstar.core.settings import Settings
from northstar.notifications import delivery


@job_handler("notifications.deliver", permission="jobs.run")
def deliver(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Send what is due; SMTP and Slack settings are read from the environment the job runs in."""
    report = delivery.deliver_pending(
        context.factory,
        Settings(),
        context.actor.workspace_id,
        progress=lambda done, total: context.progress(done, total, "sending notifications"),
    )
    return report.model_dump()
