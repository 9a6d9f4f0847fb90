"""Background jobs of the analytics module: evaluating anomaly alerts (kind ``analytics.alerts``).

Start one with ``POST /api/v1/analytics/alerts/evaluate?background=true``, ``POST /api/v1/jobs`` (``{"kind":
"analytics.alerts"}``), the "Check now" button on the Analytics page, or ``northstar analytics alerts --evaluate``;
schedule the last one (cron, a systemd timer) to evaluate every morning.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from northstar.analytics import alerts, runtime, service
from northstar.core.errors import ValidationFailed
from northstar.core.jobs import JobContext, job_handler


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"through: {value!r} is not a date (YYYY-MM-DD)")


@job_handler("analytics.alerts", permission="analytics.write")
def evaluate_alerts_job(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Evaluate every metric and daily saved trend for anomalies; params ``through``, ``alert_days``, ``threshold``."""
    bind = context.factory.kw.get("bind")
    url = bind.url.render_as_string(hide_password=False) if bind is not None else ""
    settings = runtime.settings_for_database(url)
    try:
        alert_days = int(params.get("alert_days", alerts.DEFAULT_ALERT_DAYS))
        threshold = float(params.get("threshold", alerts.DEFAULT_THRESHOLD))
    except (TypeError, ValueError):
        raise ValidationFailed("alert_days must be an integer and threshold a number")
    with context.session() as session:
        result = service.evaluate_alerts(
            session,
            context.actor,
            settings,
            through=_date(params.get("through")),
            alert_days=alert_days,
            threshold=threshold,
            progress=context.progress,
        )
        session.commit()
    return {
        "through_day": result.through_day.isoformat(),
        "series": result.series,
        "anomalies": result.anomalies,
        "new_alerts": result.new_alerts,
        "resolved_alerts": result.resolved_alerts,
        "notes": result.notes[:20],
    }
