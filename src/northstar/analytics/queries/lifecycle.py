"""Lifecycle runner: new, returning, resurrecting and dormant persons per interval (PostHog semantics, §2.5).

Events are read from one interval before the range to one after it. For a person's sorted active intervals, the
"previous" of the first one is the interval of the person's creation: ``new`` when they are equal, ``returning`` when
the previous active interval is the one just before, ``resurrecting`` otherwise. ``dormant`` is counted one interval
after an active interval that is not followed by activity, and reported as a negative number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from northstar.analytics.queries.engine import SqlEngine, literal
from northstar.analytics.queries.filters import DateRange, EventMatcher, event_ids
from northstar.analytics.queries.periods import Interval, as_datetime, buckets, shift, sql_interval, truncate

STATUSES = ("new", "returning", "resurrecting", "dormant")


@dataclass(frozen=True)
class LifecycleQuery:
    """Which events, the range and the interval."""

    matcher: EventMatcher
    date_range: DateRange
    interval: Interval = "day"


def lifecycle_sql(query: LifecycleQuery, ids: Mapping[str, int] | None = None) -> str:
    """Portable SQL returning (interval, status, persons) rows inside the range."""
    start, end = query.date_range.start, query.date_range.end
    assert start is not None and end is not None
    start = truncate(start, query.interval)
    wide = DateRange(shift(start, query.interval, -1), shift(end, query.interval, 1)).condition()
    step = sql_interval(query.interval)
    trunc = f"date_trunc('{query.interval}', timestamp)"
    return (
        f"WITH activity AS (SELECT DISTINCT person_id, {trunc} AS period FROM events "
        f"WHERE {query.matcher.condition(ids)} AND {wide}), "
        "ordered AS (SELECT a.person_id, a.period, "
        "lag(a.period) OVER (PARTITION BY a.person_id ORDER BY a.period) AS previous, "
        "lead(a.period) OVER (PARTITION BY a.person_id ORDER BY a.period) AS next, "
        f"date_trunc('{query.interval}', p.created_at) AS created "
        "FROM activity a JOIN persons p ON p.id = a.person_id), "
        "statuses AS ("
        "SELECT person_id, period, CASE "
        "WHEN previous IS NULL AND period = created THEN 'new' "
        f"WHEN previous IS NOT NULL AND previous = period - {step} THEN 'returning' "
        "ELSE 'resurrecting' END AS status FROM ordered "
        f"UNION ALL SELECT person_id, period + {step} AS period, 'dormant' AS status FROM ordered "
        f"WHERE next IS NULL OR next <> period + {step}) "
        "SELECT period, status, count(DISTINCT person_id) AS persons FROM statuses "
        f"WHERE period >= {literal(start)} AND period < {literal(end)} GROUP BY period, status"
    )


def run_lifecycle(engine: SqlEngine, query: LifecycleQuery) -> dict[str, list[tuple[datetime, int]]]:
    """Per status, ``[(interval start, persons)]`` for every interval (dormant counts are negative)."""
    start, end = query.date_range.start, query.date_range.end
    if start is None or end is None:
        raise ValueError("lifecycle needs a closed date range")
    counts = {
        (as_datetime(period), str(status)): int(n)
        for period, status, n in engine.rows(lifecycle_sql(query, event_ids(engine, [query.matcher])))
    }
    slots = buckets(start, end, query.interval)
    return {
        status: [(slot, (-1 if status == "dormant" else 1) * counts.get((slot, status), 0)) for slot in slots]
        for status in STATUSES
    }
