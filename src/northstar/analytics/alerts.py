"""Anomaly alerts: evaluate the workspace's metric series with the weekly-seasonal detector and keep the alerts.

Which series: every metric definition (its event and math, day by day: totals and sums per day; unique users, DAU,
WAU and MAU as distinct persons per day — a rolling count would smear one day's incident over a week or a month;
averages per day) and every saved *trends* insight with a daily interval and no breakdown (its saved date range is
ignored: alerts are about the latest days).

How: for each series, the ``HISTORY_DAYS`` days before the alert window plus the window itself (``alert_days``, the
last days up to ``through``, by default yesterday in UTC — today is not over yet) are read from the event store;
leading days before the series' first non-zero value are dropped (a product that started sending events three weeks
ago has no history before that, not a history of zeros). :func:`~northstar.analytics.anomalies.detect_anomalies`
assesses each day against a robust level + trend + weekday model of the eight weeks before it; a day beyond
``threshold`` noise units (default 4) is an anomaly, *critical* beyond ``CRITICAL_FACTOR`` × threshold (6).

What is stored: one alert per series and day inside the alert window (re-evaluating updates it and keeps an
acknowledgement); an unacknowledged alert whose day is no longer anomalous (late events arrived) is removed. Each
evaluation is recorded (``AlertCheck``), so the pages can say when the series were last checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.analytics.anomalies import DayAssessment, detect_anomalies
from northstar.analytics.models import AlertCheck, AnomalyAlert, Metric, SavedInsight
from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher
from northstar.analytics.queries.trends import TrendsQuery, run_trends
from northstar.analytics.schemas import AlertEvaluation, AlertRead
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import Conflict, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor

WRITE = "analytics.write"
HISTORY_DAYS = 56  # the detector's model window (eight weeks)
MIN_HISTORY_DAYS = 28  # four weeks of history before a day can be assessed
DEFAULT_THRESHOLD = 4.0
CRITICAL_FACTOR = 1.5
DEFAULT_ALERT_DAYS = 7
EARLIEST_DAY = dt.date(1971, 1, 1)
# A metric's "unique users" over a day is that day's active users. WAU / MAU are watched through the daily active
# users too: a rolling count smears one day's incident over 7 or 30 days and would alert on each of them.
# Active accounts are watched through their users' daily activity; a conversion rate is not watched (a share of a
# handful of sign-ups a day swings too much to model).
_DAILY_MATHS = {"unique_users": "dau", "unique_accounts": "dau", "wau": "dau", "mau": "dau"}
_UNWATCHED_MATHS = {"conversion"}

Progress = Callable[[int, int | None, str], None]


@dataclass(frozen=True)
class DailySeries:
    """One series to assess: its key, a label for people, where it comes from, and its days and values."""

    key: str
    label: str
    days: list[dt.date]
    values: list[float]
    metric_id: int | None = None
    insight_id: int | None = None


def _daily_values(
    engine: SqlEngine, event: str, math: str, math_property: str | None, first: dt.date, last: dt.date
) -> tuple[list[dt.date], list[float]]:
    span = DateRange(
        dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time()) + dt.timedelta(1)
    )
    query = TrendsQuery(
        EventMatcher(event),
        span,
        math=_DAILY_MATHS.get(math, math),  # type: ignore[arg-type]
        math_property=math_property,
        interval="day",
    )
    series = run_trends(engine, query)
    points = series[0].points if series else []
    return [p.date.date() for p in points], [float(p.value) for p in points]


def _from_first_activity(days: list[dt.date], values: list[float]) -> tuple[list[dt.date], list[float]]:
    start = next((i for i, value in enumerate(values) if value != 0), len(values))
    return days[start:], values[start:]


def metric_series(engine: SqlEngine, metric: Metric, first: dt.date, last: dt.date) -> DailySeries:
    """The metric's value per day from ``first`` to ``last`` (starting at its first non-zero day)."""
    days, values = _daily_values(engine, metric.event, metric.math, metric.math_property, first, last)
    days, values = _from_first_activity(days, values)
    return DailySeries(f"metric:{metric.key}", metric.name, days, values, metric_id=metric.id)


def insight_series(
    engine: SqlEngine, insight: SavedInsight, first: dt.date, last: dt.date
) -> DailySeries | None:
    """A saved daily trends insight without breakdown as a series, or ``None`` when it is not one."""
    query = insight.query or {}
    if insight.kind != "trends" or query.get("interval", "day") != "day" or query.get("breakdown"):
        return None
    days, values = _daily_values(
        engine,
        str(query.get("event")),
        str(query.get("math") or "total"),
        query.get("math_property"),
        first,
        last,
    )
    days, values = _from_first_activity(days, values)
    return DailySeries(f"insight:{insight.id}", insight.name, days, values, insight_id=insight.id)


def severity(score: float, threshold: float) -> str:
    """``critical`` beyond ``CRITICAL_FACTOR`` × threshold noise units, ``warning`` otherwise."""
    return "critical" if abs(score) > CRITICAL_FACTOR * threshold else "warning"


def assess(
    series: DailySeries, window_start: dt.date, threshold: float
) -> tuple[list[DayAssessment], str | None]:
    """The anomalous days of ``series`` on or after ``window_start``, and why nothing was assessed (if so)."""
    if not series.days:
        return [], f"{series.label}: no events in the last {HISTORY_DAYS} days"
    report = detect_anomalies(
        series.days,
        series.values,
        threshold=threshold,
        window_days=HISTORY_DAYS,
        min_history_days=MIN_HISTORY_DAYS,
    )
    assessed = [d for d in report.days if d.day >= window_start and d.score is not None]
    if not assessed:
        return [], f"{series.label}: not enough history yet (needs {MIN_HISTORY_DAYS} days of data)"
    return [d for d in assessed if d.is_anomaly], None


def _collect_series(
    session: Session, actor: Actor, engine: SqlEngine, first: dt.date, last: dt.date
) -> list[DailySeries]:
    metrics = session.scalars(
        select(Metric).where(Metric.workspace_id == actor.workspace_id).order_by(Metric.key)
    )
    found = [
        metric_series(engine, metric, first, last)
        for metric in metrics
        if metric.math not in _UNWATCHED_MATHS
    ]
    insights = session.scalars(
        select(SavedInsight).where(SavedInsight.workspace_id == actor.workspace_id).order_by(SavedInsight.id)
    )
    for insight in insights:
        series = insight_series(engine, insight, first, last)
        if series is not None:
            found.append(series)
    return found


def evaluate_alerts(
    session: Session,
    actor: Actor,
    engine: SqlEngine,
    *,
    through: dt.date | None = None,
    alert_days: int = DEFAULT_ALERT_DAYS,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
) -> AlertEvaluation:
    """Assess every metric and daily saved trend up to ``through`` (default yesterday) and store the alerts."""
    actor.require(WRITE)
    if not 1 <= alert_days <= 31:
        raise ValidationFailed("alert_days must be between 1 and 31")
    if not 1.0 <= threshold <= 20.0:
        raise ValidationFailed("threshold must be between 1 and 20 noise units")
    today = utcnow().date()
    last = through or (today - dt.timedelta(days=1))
    if not EARLIEST_DAY <= last <= today:
        raise ValidationFailed(f"through must be a day between {EARLIEST_DAY.isoformat()} and today")
    window_start = last - dt.timedelta(days=alert_days - 1)
    first = window_start - dt.timedelta(days=HISTORY_DAYS)
    report = progress or (lambda done, total, message: None)
    report(0, None, "reading series")
    all_series = _collect_series(session, actor, engine, first, last)
    notes: list[str] = []
    assessed: list[tuple[DailySeries, list[DayAssessment]]] = []
    for index, series in enumerate(all_series):
        report(index, len(all_series), series.label)
        flagged, note = assess(series, window_start, threshold)
        if note:
            notes.append(note)
        assessed.append((series, flagged))
    # Progress is stored by another session: report the end before this one starts writing (SQLite has one writer).
    report(len(all_series), len(all_series), "storing alerts")
    anomalies = new = resolved = 0
    touched: list[AnomalyAlert] = []
    for series, flagged in assessed:
        anomalies += len(flagged)
        created, removed, alerts = _store(session, actor, series, flagged, window_start, last, threshold)
        new, resolved, touched = new + created, resolved + removed, touched + alerts
    check = AlertCheck(
        workspace_id=actor.workspace_id,
        through_day=last,
        series=len(all_series),
        anomalies=anomalies,
        notes=notes,
    )
    session.add(check)
    session.flush()
    audit.record(
        session, actor, "evaluate", "analytics_alerts", check.id,
        f"{len(all_series)} series through {last.isoformat()}: {anomalies} anomalies, {new} new alerts",
    )  # fmt: skip
    return AlertEvaluation(
        through_day=last,
        series=len(all_series),
        anomalies=anomalies,
        new_alerts=new,
        resolved_alerts=resolved,
        notes=notes,
        alerts=[
            AlertRead.model_validate(a) for a in sorted(touched, key=lambda a: (a.day, a.label), reverse=True)
        ],
    )


def _store(
    session: Session,
    actor: Actor,
    series: DailySeries,
    flagged: list[DayAssessment],
    window_start: dt.date,
    last: dt.date,
    threshold: float,
) -> tuple[int, int, list[AnomalyAlert]]:
    """Upsert the series' alerts in the window; drop unacknowledged ones that are no longer anomalous."""
    existing = {
        alert.day: alert
        for alert in session.scalars(
            select(AnomalyAlert).where(
                AnomalyAlert.workspace_id == actor.workspace_id,
                AnomalyAlert.series_key == series.key,
                AnomalyAlert.day >= window_start,
                AnomalyAlert.day <= last,
            )
        )
    }
    created = removed = 0
    kept: list[AnomalyAlert] = []
    for day in flagged:
        assert day.value is not None and day.expected is not None and day.score is not None
        assert day.lower is not None and day.upper is not None
        alert = existing.pop(day.day, None)
        if alert is None:
            alert = AnomalyAlert(workspace_id=actor.workspace_id, series_key=series.key, day=day.day)
            session.add(alert)
            created += 1
        alert.label, alert.metric_id, alert.insight_id = series.label, series.metric_id, series.insight_id
        alert.observed, alert.expected, alert.lower, alert.upper = (
            day.value,
            day.expected,
            day.lower,
            day.upper,
        )
        alert.score, alert.direction = day.score, day.direction or ("spike" if day.score > 0 else "drop")
        alert.severity = severity(day.score, threshold)
        kept.append(alert)
    for alert in existing.values():
        if not alert.acknowledged:
            session.delete(alert)
            removed += 1
    session.flush()
    return created, removed, kept


def list_alerts(
    session: Session, actor: Actor, *, acknowledged: bool | None = False, limit: int = 100
) -> list[AnomalyAlert]:
    """Alerts of the workspace, newest day first; ``acknowledged=None`` lists both kinds."""
    actor.require(READ)
    query = select(AnomalyAlert).where(AnomalyAlert.workspace_id == actor.workspace_id)
    if acknowledged is not None:
        query = query.where(AnomalyAlert.acknowledged == acknowledged)
    query = query.order_by(AnomalyAlert.day.desc(), AnomalyAlert.score.desc(), AnomalyAlert.id)
    return list(session.scalars(query.limit(max(1, min(limit, 1000)))))


def acknowledge_alert(session: Session, actor: Actor, alert_id: int) -> AnomalyAlert:
    """Mark an alert as seen (it stays listed with ``acknowledged=true`` and is not reopened)."""
    actor.require(WRITE)
    alert = get_owned(session, AnomalyAlert, alert_id, actor.workspace_id, "alert")
    if alert.acknowledged:
        raise Conflict(f"alert {alert_id} is already acknowledged")
    alert.acknowledged, alert.acknowledged_by, alert.acknowledged_at = True, actor.user_id or None, utcnow()
    audit.record(
        session,
        actor,
        "acknowledge",
        "analytics_alert",
        alert.id,
        f"{alert.label} {alert.direction} on {alert.day}",
    )
    session.flush()
    return alert


def latest_check(session: Session, actor: Actor) -> AlertCheck | None:
    """The workspace's last evaluation, if any."""
    actor.require(READ)
    query = select(AlertCheck).where(AlertCheck.workspace_id == actor.workspace_id)
    return session.scalar(query.order_by(AlertCheck.id.desc()).limit(1))
