"""Trends, stickiness and lifecycle runners on both engines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import DateRange, EventMatcher
from northstar.analytics.queries.lifecycle import LifecycleQuery, run_lifecycle
from northstar.analytics.queries.stickiness import StickinessQuery, run_stickiness
from northstar.analytics.queries.trends import TrendsQuery, run_trends
from northstar.analytics.store import EventStore
from tests.analytics.conftest import build_store

MakeEngine = Callable[[EventStore], SqlEngine]
D = datetime(2024, 1, 1)
VIEW = EventMatcher("view")


def at(days: int, hours: int = 12) -> datetime:
    return D + timedelta(days=days, hours=hours)


def values(series) -> list[float]:  # type: ignore[no-untyped-def]
    return [point.value for point in series.points]


@pytest.fixture
def activity() -> EventStore:
    return build_store(
        [
            ("a", "view", at(0), {"amount": 10, "plan": "pro"}),
            ("a", "view", at(0, 13), {"amount": 20, "plan": "pro"}),
            ("b", "view", at(0), {"amount": 30, "plan": "free"}),
            ("a", "view", at(2), {"amount": 5, "plan": "pro"}),
            ("c", "view", at(9), {"plan": "free"}),
            ("b", "other", at(1)),
        ]
    )


def test_total_and_daily_active_users_are_zero_filled(engine_for: MakeEngine, activity: EventStore) -> None:
    engine = engine_for(activity)
    span = DateRange(D, D + timedelta(days=4))
    total = run_trends(engine, TrendsQuery(VIEW, span, math="total"))
    dau = run_trends(engine, TrendsQuery(VIEW, span, math="dau"))
    assert [p.date for p in total[0].points] == [D + timedelta(days=k) for k in range(4)]
    assert values(total[0]) == [3, 0, 1, 0]
    assert values(dau[0]) == [2, 0, 1, 0]


def test_weekly_active_users_count_the_last_seven_calendar_days(
    engine_for: MakeEngine, activity: EventStore
) -> None:
    span = DateRange(D + timedelta(days=6), D + timedelta(days=10))
    wau = run_trends(engine_for(activity), TrendsQuery(VIEW, span, math="wau"))
    # day 6 sees a, b (days 0..6); days 7 and 8 see a (active on day 2); day 9 sees only c (a's day 2 is out).
    assert values(wau[0]) == [2, 1, 1, 1]


def test_property_math_sum_average_and_median(engine_for: MakeEngine, activity: EventStore) -> None:
    engine = engine_for(activity)
    span = DateRange(D, D + timedelta(days=1))
    for math, expected in (("sum", 60.0), ("avg", 20.0), ("median", 20.0), ("max", 30.0), ("p90", 28.0)):
        series = run_trends(engine, TrendsQuery(VIEW, span, math=math, math_property="amount"))  # type: ignore[arg-type]
        assert values(series[0]) == pytest.approx([expected])


def test_breakdown_splits_series_by_property_value(engine_for: MakeEngine, activity: EventStore) -> None:
    span = DateRange(D, D + timedelta(days=3))
    series = run_trends(engine_for(activity), TrendsQuery(VIEW, span, breakdown="plan"))
    assert {s.label: values(s) for s in series} == {"pro": [2, 0, 1], "free": [1, 0, 0]}


def test_compare_adds_the_previous_period(engine_for: MakeEngine, activity: EventStore) -> None:
    span = DateRange(D + timedelta(days=8), D + timedelta(days=10))
    series = run_trends(engine_for(activity), TrendsQuery(VIEW, span, compare=True))
    assert [(s.compare, values(s)) for s in series] == [("current", [0, 1]), ("previous", [0, 0])]


def test_weekly_interval_groups_by_monday(engine_for: MakeEngine, activity: EventStore) -> None:
    span = DateRange(D, D + timedelta(days=14))
    series = run_trends(engine_for(activity), TrendsQuery(VIEW, span, interval="week"))
    assert [p.date for p in series[0].points] == [D, D + timedelta(days=7)]
    assert values(series[0]) == [4, 1]


def test_stickiness_counts_persons_by_number_of_active_days(
    engine_for: MakeEngine, activity: EventStore
) -> None:
    query = StickinessQuery(VIEW, DateRange(D, D + timedelta(days=10)))
    result = run_stickiness(engine_for(activity), query)
    assert len(result) == 10
    assert result[:3] == [(1, 2), (2, 1), (3, 0)]
    cumulative = run_stickiness(
        engine_for(activity), StickinessQuery(VIEW, query.date_range, cumulative=True)
    )
    assert cumulative[:3] == [(1, 3), (2, 1), (3, 0)]


def test_lifecycle_statuses_follow_creation_and_previous_activity(engine_for: MakeEngine) -> None:
    store = build_store(
        [
            ("a", "view", at(0)), ("a", "view", at(1)), ("a", "view", at(3)),
            ("b", "signup", at(-5)), ("b", "view", at(1)),
        ]
    )  # fmt: skip
    result = run_lifecycle(engine_for(store), LifecycleQuery(VIEW, DateRange(D, D + timedelta(days=5))))
    assert [n for _, n in result["new"]] == [1, 0, 0, 0, 0]
    assert [n for _, n in result["returning"]] == [0, 1, 0, 0, 0]
    assert [n for _, n in result["resurrecting"]] == [0, 1, 0, 1, 0]
    assert [n for _, n in result["dormant"]] == [0, 0, -2, 0, -1]
