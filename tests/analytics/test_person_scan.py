"""The compiled helpers behind the fast query paths: merging sorted runs, the funnel walked straight from runs,
calendar periods of raw timestamps, distinct persons and retention from unsorted input. Each is checked against a
plain reference (a stable sort, the sort-then-kernel path, Python's calendar)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.analytics.queries.funnel_kernel import ordered_funnel, ordered_funnel_runs
from northstar.analytics.queries.periods import microseconds, shift, truncate
from northstar.analytics.queries.person_scan import (
    MAX_MERGED_RUNS,
    PERIOD_CODES,
    distinct_persons_per_period,
    order_by_person,
    ordered_runs,
    period_of,
    period_span,
    person_bounds,
    person_order,
    recurring_retention,
    run_cuts,
)


def _runs(rng: np.random.Generator, runs: int, rows: int, persons: int) -> tuple[np.ndarray, np.ndarray]:
    """``runs`` blocks, each sorted by (person, time), with repeated persons and equal times across blocks."""
    person_parts, time_parts = [], []
    for _ in range(runs):
        p = rng.integers(0, persons, rows)
        t = rng.integers(0, 50, rows) * 1_000_000
        order = np.lexsort((t, p))
        person_parts.append(p[order])
        time_parts.append(t[order])
    return np.concatenate(person_parts).astype(np.int64), np.concatenate(time_parts).astype(np.int64)


@pytest.mark.parametrize(("runs", "rows"), [(1, 500), (5, 300), (40, 20), (MAX_MERGED_RUNS + 50, 3)])
def test_person_order_is_the_stable_sort_by_person_then_time(runs: int, rows: int) -> None:
    persons, times = _runs(np.random.default_rng(runs), runs, rows, 60)
    order = person_order(persons, times, ordered_runs(persons, times))
    expected = np.lexsort((times, persons))
    assert np.array_equal(persons[order], persons[expected])
    assert np.array_equal(times[order], times[expected])
    assert sorted(order.tolist()) == list(range(len(persons)))


def test_person_order_keeps_long_runs_and_sorts_an_unsorted_tail() -> None:
    rng = np.random.default_rng(3)
    persons, times = _runs(rng, 3, 5000, 400)
    tail_persons = rng.integers(0, 400, 3000).astype(np.int64)  # appended since the last compaction
    tail_times = rng.integers(0, 50, 3000).astype(np.int64)
    persons, times = np.concatenate([persons, tail_persons]), np.concatenate([times, tail_times])
    starts = ordered_runs(persons, times)
    assert len(starts) - 1 > MAX_MERGED_RUNS
    order = person_order(persons, times, starts)
    expected = np.lexsort((times, persons))
    assert np.array_equal(persons[order], persons[expected]) and np.array_equal(times[order], times[expected])


def _sorted_funnel(
    persons: np.ndarray,
    times: np.ndarray,
    masks: np.ndarray,
    n_steps: int,
    bits: list[int],
    window: int,
    strict: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference: sort the rows, split the masks, run the per-group kernel."""
    steps = (masks & ((1 << n_steps) - 1)).astype(np.int32)
    exclusions = np.zeros(len(masks), dtype=np.int32)
    for index, covered in enumerate(bits):
        exclusions[((masks >> (n_steps + index)) & 1).astype(bool)] |= covered
    order = np.lexsort((times, persons))  # stable: equal times keep the row order, like the runs' merge
    persons, times, steps, exclusions = persons[order], times[order], steps[order], exclusions[order]
    bounds = person_bounds(persons)
    reached, all_times = ordered_funnel(bounds, times, steps, exclusions, n_steps, np.int64(window), strict)
    return persons[bounds[:-1]], reached, all_times[reached >= 1]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    runs=st.integers(1, 6),
    strict=st.booleans(),
    exclusions=st.sampled_from([[], [1], [2, 12]]),
)
def test_funnel_walked_from_runs_equals_sorting_first(
    seed: int, runs: int, strict: bool, exclusions: list[int]
) -> None:
    rng = np.random.default_rng(seed)
    n_steps = 4
    persons, times = _runs(rng, runs, 40, 12)
    # a row's matcher mask comes from its event number (lookup) plus, for some rows, a property flag
    event_ids = rng.integers(0, 7, len(persons)).astype(np.int32)
    lookup = np.array([1, 2, 4, 8, 1 | 2, 0, 1 << n_steps], dtype=np.int64)
    if len(exclusions) > 1:
        lookup[5] = 1 << (n_steps + 1)
    flags = np.where(rng.random(len(persons)) < 0.1, 4, 0).astype(np.int64)
    masks = lookup[event_ids] | flags
    if not exclusions:
        masks &= (1 << n_steps) - 1
        lookup &= (1 << n_steps) - 1
    window = 20_000_000
    cuts = run_cuts(persons, ordered_runs(persons, times))
    got = ordered_funnel_runs(
        persons, times, event_ids, flags, lookup, np.array(exclusions, dtype=np.int64), cuts, n_steps,
        np.int64(window), strict,
    )  # fmt: skip
    expected = _sorted_funnel(persons, times, masks, n_steps, exclusions, window, strict)
    for got_part, expected_part in zip(got, expected, strict=True):
        assert np.array_equal(got_part, expected_part)


def test_funnel_from_runs_without_property_flags_and_a_single_run() -> None:
    persons = np.array([1, 1, 1, 2, 2, 3], dtype=np.int64)
    times = np.array([0, 5, 9, 1, 2, 4], dtype=np.int64)
    event_ids = np.array([0, 1, 2, 1, 0, 0], dtype=np.int32)
    lookup = np.array([1, 2, 4], dtype=np.int64)
    cuts = run_cuts(persons, ordered_runs(persons, times))
    people, reached, converted = ordered_funnel_runs(
        persons, times, event_ids, np.zeros(0, dtype=np.int64), lookup, np.zeros(0, dtype=np.int64), cuts, 3,
        np.int64(100), False,
    )  # fmt: skip
    assert people.tolist() == [1, 2, 3]
    assert reached.tolist() == [2, 0, 0]  # person 2 did B before A; person 3 only A
    assert converted.tolist() == [[0, 5, 9]]


@pytest.mark.parametrize("interval", ["hour", "day", "week", "month"])
def test_periods_of_raw_timestamps_follow_the_calendar(interval: str) -> None:
    rng = np.random.default_rng(7)
    first = truncate(datetime(1969, 11, 17, 5), interval)  # type: ignore[arg-type]
    code = PERIOD_CODES[interval]
    for offset in rng.integers(0, 900 * 86400, 300):
        moment = first + timedelta(seconds=int(offset), microseconds=int(offset) % 999_983)
        period = int(period_of(np.int64(microseconds(moment)), np.int64(microseconds(first)), code))
        start = shift(first, interval, period)  # type: ignore[arg-type]
        assert start <= moment < shift(start, interval, 1)  # type: ignore[arg-type]
        low, high = period_span(np.int64(period), np.int64(microseconds(first)), code)
        assert (int(low), int(high)) == (microseconds(start), microseconds(shift(start, interval, 1)))  # type: ignore[arg-type]


def test_distinct_persons_and_retention_do_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(11)
    persons = rng.integers(0, 50, 3000).astype(np.int64)
    base = microseconds(datetime(2024, 1, 1))
    times = (base + rng.integers(0, 20 * 86400, 3000) * 1_000_000).astype(np.int64)
    event_ids = rng.integers(0, 3, 3000).astype(np.int32)
    lookup = np.array([1, 2, 3], dtype=np.int64)
    ordered = order_by_person(persons, times, event_ids)
    day = PERIOD_CODES["day"]
    scrambled = recurring_retention(
        persons, times, event_ids, np.zeros(0, np.int64), lookup, np.int64(base), day, 20
    )
    in_order = recurring_retention(*ordered, np.zeros(0, np.int64), lookup, np.int64(base), day, 20)
    assert np.array_equal(scrambled, in_order)
    # cohort sizes are the distinct persons with a start event (mask bit 0: events 0 and 2) per day
    starts = (lookup[event_ids] & 1).astype(bool)
    expected = [len(set(persons[starts & ((times - base) // 86_400_000_000 == d)])) for d in range(20)]
    assert in_order[:, 0].tolist() == expected
    counts = distinct_persons_per_period(ordered[0], ordered[1], np.int64(base), day, 20)
    assert counts.tolist() == [len(set(persons[(times - base) // 86_400_000_000 == d])) for d in range(20)]
