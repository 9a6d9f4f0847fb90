"""Turn an insight specification (API / saved insight) into a query runner call and a tabular result.

Periods that are not whole are marked: the one still running at ``now`` (this week, today) and those the date
range cuts (a week that starts before ``date_from`` or ends after ``date_to``). Their counts are partial, so the
charts draw them dashed and the tables and CSV say ``complete = false`` instead of showing a fall in demand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher
from northstar.analytics.queries.funnels import FunnelExclusion, FunnelQuery, FunnelStep, run_funnel
from northstar.analytics.queries.lifecycle import LifecycleQuery, run_lifecycle
from northstar.analytics.queries.periods import Interval, shift
from northstar.analytics.queries.retention import RetentionQuery, run_retention
from northstar.analytics.queries.stickiness import StickinessQuery, run_stickiness
from northstar.analytics.queries.trends import TrendsQuery, run_trends
from northstar.analytics.schemas import (
    FunnelSpec,
    InsightResult,
    InsightSpec,
    LifecycleSpec,
    RetentionSpec,
    StickinessSpec,
    TrendsSpec,
)

DEFAULT_DAYS = 30


def date_range(
    date_from: dt.date | None, date_to: dt.date | None, today: dt.date, last_days: int | None = None
) -> DateRange:
    """``[date_from, date_to]`` as whole UTC days (default: the last ``last_days``, else 30, days up to today)."""
    last = date_to or today
    first = date_from or last - dt.timedelta(days=(last_days or DEFAULT_DAYS) - 1)
    if first > last:
        raise ValueError("date_from is after date_to")
    start = dt.datetime.combine(first, dt.time())
    return DateRange(start, dt.datetime.combine(last, dt.time()) + dt.timedelta(days=1))


def period_complete(
    start: dt.datetime, interval: Interval, span: DateRange, now: dt.datetime, rolling_days: int = 0
) -> bool:
    """Whether the period starting at ``start`` was over by ``now`` and lies wholly inside ``span``.

    ``rolling_days`` > 0 is a rolling count (WAU, MAU) whose day is whole once it is over; its window reaching
    before the range does not make it partial (the query widens the range for it)."""
    end = shift(start, interval)
    if end > now:
        return False
    if rolling_days:
        return True
    inside_start = span.start is None or start >= span.start
    inside_end = span.end is None or end <= span.end
    return inside_start and inside_end


def run_spec(
    engine: SqlEngine, spec: InsightSpec, today: dt.date, now: dt.datetime | None = None
) -> InsightResult:
    """Run one insight and return it as rows (for tables and CSV) plus the raw data (for charts).

    ``now`` (naive UTC; default: the end of ``today``) decides which period is still in progress."""
    moment = now if now is not None else dt.datetime.combine(today, dt.time()) + dt.timedelta(days=1)
    if isinstance(spec, TrendsSpec):
        return _trends(engine, spec, today, moment)
    if isinstance(spec, FunnelSpec):
        return _funnel(engine, spec, today)
    if isinstance(spec, RetentionSpec):
        return _retention(engine, spec, today)
    if isinstance(spec, StickinessSpec):
        return _stickiness(engine, spec, today)
    return _lifecycle(engine, spec, today, moment)


def _trends(engine: SqlEngine, spec: TrendsSpec, today: dt.date, now: dt.datetime) -> InsightResult:
    span = date_range(spec.date_from, spec.date_to, today, spec.last_days)
    rolling = {"wau": 7, "mau": 30}.get(spec.math, 0)
    query = TrendsQuery(
        matcher=EventMatcher(spec.event),
        date_range=span,
        math=spec.math,
        math_property=spec.math_property,
        interval=spec.interval,
        breakdown=spec.breakdown,
        compare=spec.compare,
    )
    series = run_trends(engine, query)
    rows: list[list[Any]] = []
    data: dict[str, Any] = {"series": []}
    for item in series:
        label = item.label if item.label is not None else spec.event
        # a previous-period series is over; its last period is as whole as the current one's counterpart
        points: list[dict[str, Any]] = [
            {
                "date": p.date.isoformat(),
                "value": p.value,
                "complete": item.compare == "previous"
                or period_complete(p.date, spec.interval, span, now, rolling),
            }
            for p in item.points
        ]
        data["series"].append({"label": label, "compare": item.compare, "points": points})
        rows.extend([label, item.compare, p["date"][:10], p["value"], p["complete"]] for p in points)
    return InsightResult(
        kind="trends", columns=["series", "period", "date", "value", "complete"], rows=rows, data=data
    )


def _funnel(engine: SqlEngine, spec: FunnelSpec, today: dt.date) -> InsightResult:
    names = spec.steps
    query = FunnelQuery(
        steps=[FunnelStep(name, EventMatcher(name)) for name in names],
        window_seconds=int(spec.window_days * 86400),
        mode=spec.mode,
        exclusions=[
            FunnelExclusion(EventMatcher(e), 0, len(names) - 1) for e in spec.exclusions if len(names) > 1
        ],
        date_range=date_range(spec.date_from, spec.date_to, today, spec.last_days),
        breakdown=spec.breakdown,
    )
    result = run_funnel(engine, query)
    rows: list[list[Any]] = []
    series = []
    for item in result.series:
        label = item.breakdown_value or "all"
        steps: list[dict[str, Any]] = [
            {
                "name": s.name,
                "count": s.count,
                "conversion_rate": s.conversion_rate,
                "average_seconds": s.average_seconds,
                "median_seconds": s.median_seconds,
                "dropped_off": len(item.persons_dropped_after(index)) if index < len(names) - 1 else 0,
            }
            for index, s in enumerate(item.steps)
        ]
        series.append({"breakdown": label, "steps": steps})
        rows.extend(
            [label, s["name"], s["count"], round(float(s["conversion_rate"]), 4), s["average_seconds"],
             s["median_seconds"]]
            for s in steps
        )  # fmt: skip
    return InsightResult(
        kind="funnel",
        columns=["breakdown", "step", "persons", "conversion_rate", "average_seconds", "median_seconds"],
        rows=rows,
        data={"series": series},
    )


def _retention(engine: SqlEngine, spec: RetentionSpec, today: dt.date) -> InsightResult:
    query = RetentionQuery(
        start=EventMatcher(spec.start_event),
        returning=EventMatcher(spec.return_event),
        date_to=dt.datetime.combine(spec.date_to or today, dt.time()),
        period=spec.period,
        intervals=spec.intervals,
        retention_type=spec.retention_type,
    )
    cohorts = run_retention(engine, query)
    rows = [[c.start.date().isoformat(), *c.values] for c in cohorts]
    columns = ["cohort", *[f"{spec.period} {k}" for k in range(spec.intervals)]]
    data = {"cohorts": [{"start": c.start.date().isoformat(), "values": c.values} for c in cohorts]}
    return InsightResult(kind="retention", columns=columns, rows=rows, data=data)


def _stickiness(engine: SqlEngine, spec: StickinessSpec, today: dt.date) -> InsightResult:
    query = StickinessQuery(
        EventMatcher(spec.event), date_range(spec.date_from, spec.date_to, today, spec.last_days)
    )
    counts = run_stickiness(engine, query)
    return InsightResult(
        kind="stickiness",
        columns=["days_active", "persons"],
        rows=[[x, n] for x, n in counts],
        data={"counts": [{"days": x, "persons": n} for x, n in counts]},
    )


def _lifecycle(engine: SqlEngine, spec: LifecycleSpec, today: dt.date, now: dt.datetime) -> InsightResult:
    span = date_range(spec.date_from, spec.date_to, today, spec.last_days)
    query = LifecycleQuery(EventMatcher(spec.event), span, spec.interval)
    statuses = run_lifecycle(engine, query)
    rows = [
        [status, day.date().isoformat(), count, period_complete(day, spec.interval, span, now)]
        for status, points in statuses.items()
        for day, count in points
    ]
    data = {
        status: [
            {
                "date": day.date().isoformat(),
                "persons": count,
                "complete": period_complete(day, spec.interval, span, now),
            }
            for day, count in points
        ]
        for status, points in statuses.items()
    }
    return InsightResult(
        kind="lifecycle", columns=["status", "date", "persons", "complete"], rows=rows, data=data
    )
