"""Retention runner: PostHog's day and month vectors, week cohorts (Monday or Sunday start), first-time cohorts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import EventMatcher
from northstar.analytics.queries.retention import RetentionQuery, run_retention
from northstar.analytics.store import EventStore
from tests.analytics.conftest import build_store

MakeEngine = Callable[[EventStore], SqlEngine]
PAGEVIEW = EventMatcher("$pageview")


def day(offset: int, hour: int = 5, month: int = 0) -> datetime:
    return datetime(2020, 6 + month, 10 + offset, hour)


def two_person_store(rows: list[tuple[str, datetime]]) -> EventStore:
    store = build_store([(distinct_id, "$pageview", moment) for distinct_id, moment in rows])
    if store.person_id_of("alias1") is not None:
        store.merge_distinct_ids("person1", "alias1")
    return store


def test_day_interval_matches_posthog_vector(engine_for: MakeEngine) -> None:
    store = two_person_store(
        [
            ("person1", day(0)), ("person1", day(1)), ("person1", day(2)), ("person1", day(5)),
            ("alias1", day(5, 9)), ("person1", day(6)),
            ("person2", day(1)), ("person2", day(2)), ("person2", day(3)), ("person2", day(6)),
        ]
    )  # fmt: skip
    query = RetentionQuery(start=PAGEVIEW, returning=PAGEVIEW, date_to=day(10, hour=6), period="day")
    cohorts = run_retention(engine_for(store), query)
    assert cohorts[0].start == datetime(2020, 6, 10)
    assert [c.values for c in cohorts] == [
        [1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0],
        [2, 2, 1, 0, 1, 2, 0, 0, 0, 0],
        [2, 1, 0, 1, 2, 0, 0, 0, 0],
        [1, 0, 0, 1, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0],
        [2, 0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0],
        [0, 0],
        [0],
    ]


def test_month_interval_matches_posthog_vector(engine_for: MakeEngine) -> None:
    store = two_person_store(
        [
            ("person1", day(0, month=-5)), ("person2", day(0, month=-5)),
            ("person1", day(0, month=-4)), ("person2", day(0, month=-4)),
            ("person1", day(0, month=-3)), ("person2", day(0, month=-3)),
            ("person1", day(0, month=-1)), ("person1", day(0, month=0)), ("person2", day(0, month=0)),
            ("person2", day(0, month=1)), ("person1", day(0, month=3)), ("person2", day(0, month=5)),
        ]
    )  # fmt: skip
    query = RetentionQuery(
        start=PAGEVIEW, returning=PAGEVIEW, date_to=day(15, hour=0, month=5), period="month"
    )
    cohorts = run_retention(engine_for(store), query)
    assert [c.start.month for c in cohorts] == list(range(1, 12))
    assert [c.values for c in cohorts] == [
        [2, 2, 2, 0, 1, 2, 1, 0, 1, 0, 1],
        [2, 2, 0, 1, 2, 1, 0, 1, 0, 1],
        [2, 0, 1, 2, 1, 0, 1, 0, 1],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 0, 0, 1, 0, 0],
        [2, 1, 0, 1, 0, 1],
        [1, 0, 0, 0, 1],
        [0, 0, 0, 0],
        [1, 0, 0],
        [0, 0],
        [1],
    ]


def test_week_cohorts_start_on_monday_or_sunday_with_the_same_counts(engine_for: MakeEngine) -> None:
    # 2020-06-08 is a Monday; the events sit on Wednesdays, so both week conventions group them alike.
    rows = [("a", datetime(2020, 6, 10)), ("a", datetime(2020, 6, 17)), ("b", datetime(2020, 6, 17))]
    store = two_person_store(rows)
    monday = RetentionQuery(PAGEVIEW, PAGEVIEW, date_to=datetime(2020, 6, 24), period="week", intervals=3)
    sunday = RetentionQuery(
        PAGEVIEW,
        PAGEVIEW,
        date_to=datetime(2020, 6, 24),
        period="week",
        intervals=3,
        week_starts_on_sunday=True,
    )
    engine = engine_for(store)
    by_monday, by_sunday = run_retention(engine, monday), run_retention(engine, sunday)
    assert [c.values for c in by_monday] == [[1, 1, 0], [2, 0], [0]]
    assert [c.values for c in by_sunday] == [c.values for c in by_monday]
    assert by_monday[0].start == datetime(2020, 6, 8)
    assert by_sunday[0].start == datetime(2020, 6, 7)


def test_first_time_retention_puts_each_person_in_one_cohort_only(engine_for: MakeEngine) -> None:
    rows = [("a", day(0)), ("a", day(1)), ("a", day(2)), ("b", day(1)), ("b", day(3))]
    store = two_person_store(rows)
    recurring = RetentionQuery(PAGEVIEW, PAGEVIEW, date_to=day(3), intervals=4)
    first = RetentionQuery(PAGEVIEW, PAGEVIEW, date_to=day(3), intervals=4, retention_type="first_time")
    engine = engine_for(store)
    assert [c.values for c in run_retention(engine, recurring)] == [[1, 1, 1, 0], [2, 1, 1], [1, 0], [1]]
    assert [c.values for c in run_retention(engine, first)] == [[1, 1, 1, 0], [1, 0, 1], [0, 0], [0]]


def test_first_time_ignores_persons_whose_first_start_precedes_the_range(engine_for: MakeEngine) -> None:
    rows = [("a", day(0, month=-1)), ("a", day(1)), ("a", day(2))]
    first = RetentionQuery(PAGEVIEW, PAGEVIEW, date_to=day(3), intervals=4, retention_type="first_time")
    assert all(sum(c.values) == 0 for c in run_retention(engine_for(two_person_store(rows)), first))


def test_different_start_and_return_events(engine_for: MakeEngine) -> None:
    store = build_store(
        [("a", "signup", day(0)), ("a", "buy", day(2)), ("b", "signup", day(0)), ("b", "buy", day(0))]
    )
    query = RetentionQuery(EventMatcher("signup"), EventMatcher("buy"), date_to=day(2), intervals=3)
    assert [c.values for c in run_retention(engine_for(store), query)] == [[2, 0, 1], [0, 0], [0]]
