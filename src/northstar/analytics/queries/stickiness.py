"""Stickiness runner: how many persons were active on exactly (or at least) x intervals of the range, for every x.

As in PostHog: an actor's count is the number of distinct intervals in the range with at least ``min_events``
matching events; the output is zero-filled for x = 1 .. number of intervals in the range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher, event_ids
from northstar.analytics.queries.periods import Interval, buckets


@dataclass(frozen=True)
class StickinessQuery:
    """Which events, the range, the interval, the per-interval minimum and whether counts are cumulative."""

    matcher: EventMatcher
    date_range: DateRange
    interval: Interval = "day"
    min_events: int = 1
    cumulative: bool = False


def stickiness_sql(query: StickinessQuery, ids: Mapping[str, int] | None = None) -> str:
    """Portable SQL returning (intervals active, persons) rows."""
    return (
        "SELECT active, count(*) AS persons FROM ("
        "SELECT person_id, count(*) AS active FROM ("
        f"SELECT person_id, date_trunc('{query.interval}', timestamp) AS bucket FROM events "
        f"WHERE {query.matcher.condition(ids)} AND {query.date_range.condition()} "
        f"GROUP BY person_id, date_trunc('{query.interval}', timestamp) HAVING count(*) >= {int(query.min_events)}"
        ") AS per_interval GROUP BY person_id) AS per_person GROUP BY active"
    )


def run_stickiness(engine: SqlEngine, query: StickinessQuery) -> list[tuple[int, int]]:
    """``[(x, persons)]`` for x = 1 .. number of intervals in the range."""
    if query.date_range.start is None or query.date_range.end is None:
        raise ValueError("stickiness needs a closed date range")
    total = len(buckets(query.date_range.start, query.date_range.end, query.interval))
    counts = {
        int(active): int(persons)
        for active, persons in engine.rows(stickiness_sql(query, event_ids(engine, [query.matcher])))
    }
    exact = [(x, counts.get(x, 0)) for x in range(1, total + 1)]
    if not query.cumulative:
        return exact
    running, cumulative = 0, []
    for x, persons in reversed(exact):
        running += persons
        cumulative.append((x, running))
    return list(reversed(cumulative))
