"""Funnel runner: PostHog's published vectors, window/exclusion/mode edge cases, breakdowns, time to convert,
dropped-off persons, and a property test of the kernel against a brute-force definition of the ordered funnel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.analytics.queries.engine import SqlEngine
from northstar.analytics.queries.filters import EventMatcher
from northstar.analytics.queries.funnel_kernel import ordered_funnel
from northstar.analytics.queries.funnels import FunnelExclusion, FunnelQuery, FunnelStep, run_funnel
from northstar.analytics.store import EventStore
from tests.analytics.conftest import build_store

MakeEngine = Callable[[EventStore], SqlEngine]
T0 = datetime(2021, 5, 1)


def steps(*names: str) -> list[FunnelStep]:
    return [FunnelStep(name, EventMatcher(name)) for name in names]


def counts(make: MakeEngine, rows: list, query: FunnelQuery) -> list[int]:
    result = run_funnel(make(build_store(rows)), query)
    return [step.count for step in result.total.steps]


def test_exclusion_removes_persons_inside_window_even_without_conversion(engine_for: MakeEngine) -> None:
    rows = [
        ("p1", "user signed up", T0 + timedelta(hours=1)),
        ("p1", "paid", T0 + timedelta(hours=2)),
        ("p2", "user signed up", T0 + timedelta(hours=3)),
        ("p2", "x", T0 + timedelta(hours=3, minutes=30)),
        ("p2", "paid", T0 + timedelta(hours=4)),
        ("p3", "user signed up", T0 + timedelta(hours=5)),
        ("p3", "x", T0 + timedelta(hours=6)),
        ("p4", "user signed up", T0 + timedelta(hours=7)),
        ("p4", "x", T0 + timedelta(days=1, hours=8)),
    ]
    query = FunnelQuery(
        steps=steps("user signed up", "paid"),
        window_seconds=86400,
        exclusions=[FunnelExclusion(EventMatcher("x"), 0, 1)],
    )
    assert counts(engine_for, rows, query) == [2, 1]


def _five_step_rows() -> list:
    names = ["signup", "$pageview", "insight viewed", "invite teammate", "pageview2"]
    rows = []
    for person, excluded_at in (("person1", 1), ("person2", 3), ("person3", 1), ("person4", None)):
        moment = T0
        for index, name in enumerate(names):
            rows.append((person, name, moment))
            moment += timedelta(minutes=10)
            if excluded_at == index + 1 and person != "person3":
                rows.append((person, "x" if index == 0 else "y", moment - timedelta(minutes=5)))
            if person == "person3" and index == 2:
                rows.append((person, "y", moment - timedelta(minutes=5)))
    return rows


def test_multiple_exclusions_between_steps_keep_only_the_clean_person(engine_for: MakeEngine) -> None:
    names = ["signup", "$pageview", "insight viewed", "invite teammate", "pageview2"]
    query = FunnelQuery(
        steps=steps(*names),
        exclusions=[FunnelExclusion(EventMatcher("x"), 0, 1), FunnelExclusion(EventMatcher("y"), 2, 3)],
    )
    assert counts(engine_for, _five_step_rows(), query) == [1, 1, 1, 1, 1]


def test_exclusion_spanning_the_whole_funnel_also_keeps_only_the_clean_person(engine_for: MakeEngine) -> None:
    names = ["signup", "$pageview", "insight viewed", "invite teammate", "pageview2"]
    query = FunnelQuery(
        steps=steps(*names),
        exclusions=[FunnelExclusion(EventMatcher("x"), 0, 4), FunnelExclusion(EventMatcher("y"), 0, 4)],
    )
    assert counts(engine_for, _five_step_rows(), query) == [1, 1, 1, 1, 1]


def test_exclusion_defined_by_event_and_property_only_removes_matching_person(engine_for: MakeEngine) -> None:
    rows = [
        ("p1", "user signed up", T0),
        ("p1", "sign up", T0 + timedelta(minutes=1), {"key": "other"}),
        ("p1", "paid", T0 + timedelta(minutes=2)),
        ("p2", "user signed up", T0),
        ("p2", "sign up", T0 + timedelta(minutes=1), {"key": "val"}),
        ("p2", "paid", T0 + timedelta(minutes=2)),
        ("p3", "user signed up", T0),
        ("p3", "paid", T0 + timedelta(days=3)),
    ]
    query = FunnelQuery(
        steps=steps("user signed up", "paid"),
        exclusions=[FunnelExclusion(EventMatcher("sign up", {"key": "val"}), 0, 1)],
    )
    assert counts(engine_for, rows, query) == [2, 2]


def test_window_is_inclusive_at_its_boundary(engine_for: MakeEngine) -> None:
    query = FunnelQuery(steps=steps("A", "B"), window_seconds=100)
    assert counts(engine_for, [("u", "A", T0), ("u", "B", T0 + timedelta(seconds=100))], query) == [1, 1]
    assert counts(engine_for, [("u", "A", T0), ("u", "B", T0 + timedelta(seconds=101))], query) == [1, 0]


def test_latest_start_is_used_and_its_time_to_convert_reported(engine_for: MakeEngine) -> None:
    rows = [("u", "A", T0), ("u", "A", T0 + timedelta(seconds=150)), ("u", "B", T0 + timedelta(seconds=200))]
    result = run_funnel(engine_for(build_store(rows)), FunnelQuery(steps=steps("A", "B"), window_seconds=100))
    assert [s.count for s in result.total.steps] == [1, 1]
    assert result.total.steps[1].average_seconds == 50.0


def test_strict_mode_breaks_on_any_intervening_event(engine_for: MakeEngine) -> None:
    rows = [("u", "A", T0), ("u", "X", T0 + timedelta(seconds=1)), ("u", "B", T0 + timedelta(seconds=2))]
    assert counts(engine_for, rows, FunnelQuery(steps=steps("A", "B"), mode="strict")) == [1, 0]
    assert counts(engine_for, rows, FunnelQuery(steps=steps("A", "B"), mode="ordered")) == [1, 1]


def test_one_event_matching_three_steps_reaches_only_the_first(engine_for: MakeEngine) -> None:
    query = FunnelQuery(steps=[FunnelStep(f"s{i}", EventMatcher("A")) for i in range(3)])
    assert counts(engine_for, [("u", "A", T0)], query) == [1, 0, 0]


def test_steps_at_the_same_timestamp_convert_with_zero_time_excluded_from_average(
    engine_for: MakeEngine,
) -> None:
    rows = [("u", "B", T0), ("u", "A", T0), ("v", "A", T0), ("v", "B", T0 + timedelta(seconds=30))]
    result = run_funnel(engine_for(build_store(rows)), FunnelQuery(steps=steps("A", "B")))
    assert [s.count for s in result.total.steps] == [2, 2]
    assert result.total.steps[1].average_seconds == 30.0


def test_unordered_funnel_accepts_steps_in_any_order_within_window(engine_for: MakeEngine) -> None:
    rows = [("u", "C", T0), ("u", "A", T0 + timedelta(seconds=5)), ("u", "B", T0 + timedelta(seconds=9))]
    rows += [("v", "B", T0), ("v", "A", T0 + timedelta(days=30))]
    query = FunnelQuery(steps=steps("A", "B", "C"), mode="unordered")
    assert counts(engine_for, rows, query) == [2, 1, 1]
    assert counts(engine_for, rows, FunnelQuery(steps=steps("A", "B", "C"))) == [2, 1, 0]


def test_dropped_off_persons_are_those_stopping_after_a_step(engine_for: MakeEngine) -> None:
    rows = [("a", "A", T0), ("a", "B", T0 + timedelta(minutes=1)), ("b", "A", T0), ("c", "A", T0)]
    store = build_store(rows)
    result = run_funnel(engine_for(store), FunnelQuery(steps=steps("A", "B")))
    dropped = result.total.persons_dropped_after(0)
    assert dropped == sorted(store.person_id_of(d) for d in ("b", "c"))
    assert result.total.persons_reaching(1) == [store.person_id_of("a")]


def test_breakdown_first_touch_puts_each_person_in_one_bucket(engine_for: MakeEngine) -> None:
    rows = [
        ("a", "A", T0, {"plan": "pro"}),
        ("a", "B", T0 + timedelta(minutes=1), {"plan": "free"}),
        ("b", "A", T0, {"plan": "free"}),
    ]
    result = run_funnel(engine_for(build_store(rows)), FunnelQuery(steps=steps("A", "B"), breakdown="plan"))
    by_value = {s.breakdown_value: [step.count for step in s.steps] for s in result.series}
    assert by_value == {"pro": [1, 1], "free": [1, 0]}


def test_breakdown_all_events_uses_only_events_carrying_each_value(engine_for: MakeEngine) -> None:
    rows = [
        ("a", "A", T0, {"plan": "pro"}),
        ("a", "B", T0 + timedelta(minutes=1), {"plan": "free"}),
        ("a", "A", T0 + timedelta(minutes=2), {"plan": "free"}),
    ]
    query = FunnelQuery(steps=steps("A", "B"), breakdown="plan", attribution="all_events")
    result = run_funnel(engine_for(build_store(rows)), query)
    by_value = {s.breakdown_value: [step.count for step in s.steps] for s in result.series}
    assert by_value == {"pro": [1, 0], "free": [1, 0]}


def test_median_time_to_convert_is_over_persons(engine_for: MakeEngine) -> None:
    rows = []
    for index, seconds in enumerate((10, 20, 60)):
        rows += [(f"p{index}", "A", T0), (f"p{index}", "B", T0 + timedelta(seconds=seconds))]
    result = run_funnel(engine_for(build_store(rows)), FunnelQuery(steps=steps("A", "B")))
    assert result.total.steps[1].median_seconds == 20.0
    assert result.total.steps[1].average_seconds == 30.0


def _brute_force_depth(times: list[int], names: list[int], n_steps: int, window: int) -> int:
    """Max over step-1 events of the greedy chain depth (earliest next step, never reusing an event)."""
    best = 0
    order = sorted(range(len(times)), key=lambda i: (times[i], names[i]))
    for start in order:
        if names[start] != 0:
            continue
        depth, last_time, last_position = 1, times[start], order.index(start)
        for step in range(1, n_steps):
            found = None
            for position in range(len(order)):
                i = order[position]
                if names[i] != step or times[i] < last_time or i == start:
                    continue
                if times[i] == last_time and position < last_position and names[order[last_position]] > step:
                    continue
                found = position
                break
            if found is None or times[order[found]] - times[start] > window:
                break
            depth, last_time, last_position = depth + 1, times[order[found]], found
        best = max(best, depth)
    return best - 1


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 2)), min_size=1, max_size=12),
    st.integers(1, 30),
)
def test_ordered_kernel_matches_greedy_definition(events: list[tuple[int, int]], window: int) -> None:
    distinct = sorted(set(events))
    times = [t for t, _ in distinct]
    names = [n for _, n in distinct]
    stamps = np.array(times, dtype=np.int64)
    masks = np.array([1 << n for n in names], dtype=np.int64)
    reached, _ = ordered_funnel(
        np.array([0, len(times)], dtype=np.int64), stamps, masks, np.zeros(len(times), dtype=np.int64), 3,
        np.int64(window), False,
    )  # fmt: skip
    assert int(reached[0]) == _brute_force_depth(times, names, 3, window)
