"""Trends runner: event counts, unique users, DAU/WAU/MAU and property math per interval, with breakdown and compare.

Semantics follow PostHog (reference/analytics.md §2.1): ``dau`` / ``unique_users`` = distinct persons per interval;
``wau`` / ``mau`` = for every day D, distinct persons active on the calendar days D-6..D (D-29..D for MAU). This is a
deliberate, documented simplification of PostHog's timestamp-level window (which excludes an event at exactly
D-6 00:00:00 and includes one at exactly D+1 00:00:00). Property math casts the property to a number (missing -> 0).
Every interval of the range is present in the output (zero-filled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import numpy as np

from northstar.analytics.queries.engine import SqlEngine, literal, property_text
from northstar.analytics.queries.filters import DateRange, EventMatcher, event_ids
from northstar.analytics.queries.periods import Interval, as_datetime, buckets, microseconds
from northstar.analytics.queries.person_scan import PERIOD_CODES, distinct_persons_per_period, order_by_person

TrendsMath = Literal[
    "total",
    "unique_users",
    "dau",
    "wau",
    "mau",
    "sum",
    "avg",
    "min",
    "max",
    "median",
    "p75",
    "p90",
    "p95",
    "p99",
]
PROPERTY_MATHS = {"sum", "avg", "min", "max", "median", "p75", "p90", "p95", "p99"}
ROLLING_DAYS = {"wau": 7, "mau": 30}
_QUANTILES = {"median": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99}


@dataclass(frozen=True)
class TrendsQuery:
    """One series: which events, which math, interval, range, optional breakdown and comparison."""

    matcher: EventMatcher
    date_range: DateRange
    math: TrendsMath = "total"
    math_property: str | None = None
    interval: Interval = "day"
    breakdown: str | None = None
    compare: bool = False

    def validate(self) -> None:
        """Reject combinations that cannot be computed, with a clear message."""
        if self.date_range.start is None or self.date_range.end is None:
            raise ValueError("trends need a closed date range")
        if self.math in PROPERTY_MATHS and not self.math_property:
            raise ValueError(f"math {self.math!r} needs a property")
        if self.math in ROLLING_DAYS and self.interval != "day":
            raise ValueError(f"{self.math} is a daily rolling count: use interval 'day'")


@dataclass(frozen=True)
class TrendPoint:
    """One interval's value."""

    date: datetime
    value: float


@dataclass(frozen=True)
class TrendSeries:
    """A series of points, labelled by breakdown value and whether it is the comparison period."""

    label: str | None
    points: list[TrendPoint]
    compare: Literal["current", "previous"] = "current"
    extra: dict[str, str] = field(default_factory=dict)


def _aggregate(query: TrendsQuery) -> str:
    if query.math == "total":
        return "count(*)"
    if query.math in {"unique_users", "dau"}:
        return "count(DISTINCT person_id)"
    value = f"coalesce(TRY_CAST({property_text(query.math_property or '')} AS DOUBLE), 0)"
    if query.math in _QUANTILES:
        return f"quantile_cont({value}, {_QUANTILES[query.math]})"
    return f"{query.math}({value})"


def trends_sql(query: TrendsQuery, date_range: DateRange, ids: Mapping[str, int] | None = None) -> str:
    """Portable SQL returning (bucket, breakdown, value) rows for ``date_range``."""
    breakdown = property_text(query.breakdown) if query.breakdown else "CAST(NULL AS VARCHAR)"
    condition = query.matcher.condition(ids)
    if query.math in ROLLING_DAYS:
        days = ROLLING_DAYS[query.math]
        assert date_range.start is not None
        widened = DateRange(date_range.start - timedelta(days=days - 1), date_range.end).condition()
        offsets = ", ".join(f"({k})" for k in range(days))
        return (
            "WITH active AS (SELECT DISTINCT person_id, CAST(timestamp AS DATE) AS day, "
            f"{breakdown} AS breakdown FROM events WHERE {condition} AND {widened}), "
            f"offsets AS (SELECT * FROM (VALUES {offsets}) AS o(k)) "
            "SELECT CAST(day + k AS TIMESTAMP) AS bucket, breakdown, count(DISTINCT person_id) AS value "
            "FROM active CROSS JOIN offsets "
            f"WHERE day + k >= CAST({literal(date_range.start.date().isoformat())} AS DATE) "
            f"AND CAST(day + k AS TIMESTAMP) < {literal(date_range.end)} GROUP BY 1, 2"
        )
    return (
        f"SELECT date_trunc('{query.interval}', timestamp) AS bucket, {breakdown} AS breakdown, "
        f"{_aggregate(query)} AS value FROM events WHERE {condition} AND {date_range.condition()} GROUP BY 1, 2"
    )


def run_trends(engine: SqlEngine, query: TrendsQuery) -> list[TrendSeries]:
    """Compute the series (one per breakdown value; with ``compare``, each also for the previous period)."""
    query.validate()
    assert query.date_range.start is not None and query.date_range.end is not None
    series = _series_for(engine, query, query.date_range, "current")
    if query.compare:
        length = query.date_range.end - query.date_range.start
        previous = DateRange(query.date_range.start - length, query.date_range.start)
        series += _series_for(engine, query, previous, "previous")
    return series


def _distinct_persons(
    engine: SqlEngine,
    query: TrendsQuery,
    date_range: DateRange,
    first: datetime,
    interval: Interval,
    n_buckets: int,
    ids: Mapping[str, int],
) -> np.ndarray:
    """Distinct persons per interval from (person, timestamp) rows in person order: one pass, no hash table, the
    interval of each row computed on the way (the SQL selects plain columns only)."""
    data = engine.columns(
        f"SELECT person_id, timestamp FROM events WHERE {query.matcher.condition(ids)} AND {date_range.condition()}"
    )
    persons = np.asarray(data["person_id"], dtype=np.int64)
    timestamps = np.asarray(data["timestamp"], dtype=np.int64)
    persons, timestamps = order_by_person(persons, timestamps)
    return distinct_persons_per_period(
        persons, timestamps, np.int64(microseconds(first)), PERIOD_CODES[interval], n_buckets
    )


def _whole_days(date_range: DateRange) -> bool:
    return all(
        moment is not None and moment == moment.replace(hour=0, minute=0, second=0, microsecond=0)
        for moment in (date_range.start, date_range.end)
    )


def _daily_persons(
    engine: SqlEngine,
    query: TrendsQuery,
    date_range: DateRange,
    first: datetime,
    n_days: int,
    ids: Mapping[str, int],
) -> np.ndarray:
    """Daily distinct persons of a named event from the store's ``event_days`` pre-aggregate (one row per event,
    day and person): a count of rows per day instead of a distinct count over the events."""
    assert date_range.start is not None and date_range.end is not None
    event_id = int(ids.get(query.matcher.event or "", -1))
    rows = engine.rows(
        f"SELECT day, count(*) AS persons FROM event_days WHERE event_id = {event_id} "
        f"AND day >= CAST({literal(date_range.start.date().isoformat())} AS DATE) "
        f"AND day < CAST({literal(date_range.end.date().isoformat())} AS DATE) GROUP BY day"
    )
    counts = np.zeros(n_days, dtype=np.int64)
    for day, persons in rows:
        index = (as_datetime(day) - first).days
        if 0 <= index < n_days:
            counts[index] = int(persons)
    return counts


def _series_for(
    engine: SqlEngine, query: TrendsQuery, date_range: DateRange, compare: Literal["current", "previous"]
) -> list[TrendSeries]:
    assert date_range.start is not None and date_range.end is not None
    interval: Interval = "day" if query.math in ROLLING_DAYS else query.interval
    slots = buckets(date_range.start, date_range.end, interval)
    values: dict[str | None, dict[datetime, float]] = {}
    ids = event_ids(engine, [query.matcher])
    if query.math in {"dau", "unique_users"} and query.breakdown is None and slots:
        if interval == "day" and query.matcher.by_name_only and _whole_days(date_range):
            counts = _daily_persons(engine, query, date_range, slots[0], len(slots), ids)
        else:
            counts = _distinct_persons(engine, query, date_range, slots[0], interval, len(slots), ids)
        values[None] = {slot: float(count) for slot, count in zip(slots, counts, strict=True)}
    else:
        for bucket, label, value in engine.rows(trends_sql(query, date_range, ids)):
            key = None if label is None else str(label)
            values.setdefault(key, {})[as_datetime(bucket)] = float(value or 0)
    if not values and query.breakdown is None:
        values[None] = {}
    labels = sorted(values, key=lambda label: (-sum(values[label].values()), label or ""))
    return [
        TrendSeries(
            label=label,
            points=[TrendPoint(date=slot, value=values[label].get(slot, 0.0)) for slot in slots],
            compare=compare,
        )
        for label in labels
    ]
