"""Turn an insight specification (API / saved insight) into a query runner call and a tabular result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher
from northstar.analytics.queries.funnels import FunnelExclusion, FunnelQuery, FunnelStep, run_funnel
from northstar.analytics.queries.lifecycle import LifecycleQuery, run_lifecycle
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


def date_range(date_from: dt.date | None, date_to: dt.date | None, today: dt.date) -> DateRange:
    """``[date_from, date_to]`` as whole UTC days (default: the last 30 days up to today)."""
    last = date_to or today
    first = date_from or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValueError("date_from is after date_to")
    start = dt.datetime.combine(first, dt.time())
    return DateRange(start, dt.datetime.combine(last, dt.time()) + dt.timedelta(days=1))


def run_spec(engine: SqlEngine, spec: InsightSpec, today: dt.date) -> InsightResult:
    """Run one insight and return it as rows (for tables and CSV) plus the raw data (for charts)."""
    if isinstance(spec, TrendsSpec):
        return _trends(engine, spec, today)
    if isinstance(spec, FunnelSpec):
        return _funnel(engine, spec, today)
    if isinstance(spec, RetentionSpec):
        return _retention(engine, spec, today)
    if isinstance(spec, StickinessSpec):
        return _stickiness(engine, spec, today)
    return _lifecycle(engine, spec, today)


def _trends(engine: SqlEngine, spec: TrendsSpec, today: dt.date) -> InsightResult:
    query = TrendsQuery(
        matcher=EventMatcher(spec.event),
        date_range=date_range(spec.date_from, spec.date_to, today),
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
        data["series"].append(
            {
                "label": label,
                "compare": item.compare,
                "points": [{"date": p.date.isoformat(), "value": p.value} for p in item.points],
            }
        )
        rows.extend([label, item.compare, p.date.date().isoformat(), p.value] for p in item.points)
    return InsightResult(kind="trends", columns=["series", "period", "date", "value"], rows=rows, data=data)


def _funnel(engine: SqlEngine, spec: FunnelSpec, today: dt.date) -> InsightResult:
    names = spec.steps
    query = FunnelQuery(
        steps=[FunnelStep(name, EventMatcher(name)) for name in names],
        window_seconds=int(spec.window_days * 86400),
        mode=spec.mode,
        exclusions=[
            FunnelExclusion(EventMatcher(e), 0, len(names) - 1) for e in spec.exclusions if len(names) > 1
        ],
        date_range=date_range(spec.date_from, spec.date_to, today),
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
    query = StickinessQuery(EventMatcher(spec.event), date_range(spec.date_from, spec.date_to, today))
    counts = run_stickiness(engine, query)
    return InsightResult(
        kind="stickiness",
        columns=["days_active", "persons"],
        rows=[[x, n] for x, n in counts],
        data={"counts": [{"days": x, "persons": n} for x, n in counts]},
    )


def _lifecycle(engine: SqlEngine, spec: LifecycleSpec, today: dt.date) -> InsightResult:
    query = LifecycleQuery(
        EventMatcher(spec.event), date_range(spec.date_from, spec.date_to, today), spec.interval
    )
    statuses = run_lifecycle(engine, query)
    rows = [
        [status, day.date().isoformat(), count]
        for status, points in statuses.items()
        for day, count in points
    ]
    data = {
        status: [{"date": day.date().isoformat(), "persons": count} for day, count in points]
        for status, points in statuses.items()
    }
    return InsightResult(kind="lifecycle", columns=["status", "date", "persons"], rows=rows, data=data)
