"""The analytics module's panel on the home page: open anomaly alerts on the workspace's metrics."""

from __future__ import annotations

from sqlalchemy.orm import Session

from northstar.analytics import alerts
from northstar.core.permissions import Actor
from northstar.home.service import HomeItem, HomePanel

SHOWN = 6


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def home_panels(session: Session, actor: Actor) -> list[HomePanel]:
    """Unacknowledged alerts, newest day first (critical ones marked urgent)."""
    open_alerts = alerts.list_alerts(session, actor, acknowledged=False, limit=SHOWN)
    items = [
        HomeItem(
            label=f"{alert.label}: {alert.direction} on {alert.day.isoformat()}",
            href="/analytics#alerts",
            note=f"{_number(alert.observed)} seen, {_number(alert.expected)} expected",
            urgent=alert.severity == "critical",
        )
        for alert in open_alerts
    ]
    check = alerts.latest_check(session, actor)
    empty = (
        f"No open alerts (checked through {check.through_day.isoformat()})."
        if check
        else "Metrics have not been checked for anomalies yet."
    )
    return [HomePanel("Metric alerts", items, empty)]
