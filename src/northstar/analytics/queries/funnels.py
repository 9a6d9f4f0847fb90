"""Funnel runner: ordered, strict and unordered funnels with a conversion window, exclusions and breakdowns.

SQL (portable, see :mod:`engine`) selects the events that matter with their event number (and a 0/1 column per
step filtered on properties); a lookup table turns those into the bit masks of the steps and exclusions each row
matches, and the per-person sequence logic runs in :mod:`funnel_kernel`, the way PostHog runs it in a UDF. Ordered
and strict funnels walk the store's sorted runs (one per event) directly; unordered funnels and breakdowns sort the
rows by person first. Step counts are cumulative (persons who reached at least that step); time to convert per step
is averaged over the persons who reached it, ignoring zero-second conversions, as PostHog does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from northstar.analytics.queries.engine import SqlEngine, property_text
from northstar.analytics.queries.filters import DateRange, EventMatcher, MatchColumns, event_ids
from northstar.analytics.queries.funnel_kernel import (
    ordered_funnel,
    ordered_funnel_runs,
    step_durations,
    unordered_funnel,
)
from northstar.analytics.queries.person_scan import order_by_person, ordered_runs, person_bounds, run_cuts

FunnelMode = Literal["ordered", "strict", "unordered"]
Attribution = Literal["first_touch", "last_touch", "all_events"]
MICROSECONDS = 1_000_000
MAX_STEPS = 30
MAX_EXCLUSIONS = 30
MAX_WALKED_RUNS = 16  # beyond this many sorted runs, sorting the rows first is cheaper


@dataclass(frozen=True)
class FunnelStep:
    """One funnel step: a display name and the events that complete it."""

    name: str
    matcher: EventMatcher


@dataclass(frozen=True)
class FunnelExclusion:
    """Persons doing ``matcher`` between step ``from_step`` and ``to_step`` (0-based) leave the funnel."""

    matcher: EventMatcher
    from_step: int = 0
    to_step: int = 1


@dataclass(frozen=True)
class FunnelQuery:
    """What to compute: steps, window (seconds), mode, exclusions, date range and an optional breakdown property."""

    steps: Sequence[FunnelStep]
    window_seconds: int = 14 * 24 * 3600
    mode: FunnelMode = "ordered"
    exclusions: Sequence[FunnelExclusion] = ()
    date_range: DateRange = field(default_factory=DateRange)
    breakdown: str | None = None
    attribution: Attribution = "first_touch"

    def validate(self) -> None:
        """Reject funnels that cannot be computed, with a clear message."""
        if not 1 <= len(self.steps) <= MAX_STEPS:
            raise ValueError(f"a funnel needs 1 to {MAX_STEPS} steps, got {len(self.steps)}")
        if len(self.exclusions) > MAX_EXCLUSIONS:
            raise ValueError(
                f"a funnel takes at most {MAX_EXCLUSIONS} exclusions, got {len(self.exclusions)}"
            )
        if self.window_seconds <= 0:
            raise ValueError("the conversion window must be positive")
        for exclusion in self.exclusions:
            if not 0 <= exclusion.from_step < exclusion.to_step < len(self.steps):
                raise ValueError(
                    f"exclusion {exclusion.matcher.event!r} must span two steps in order, "
                    f"got {exclusion.from_step} -> {exclusion.to_step}"
                )


@dataclass(frozen=True)
class FunnelStepResult:
    """One step of the result: persons reaching it and time to convert from the previous step (seconds)."""

    name: str
    count: int
    average_seconds: float | None
    median_seconds: float | None
    conversion_rate: float
    conversion_from_previous: float


@dataclass(frozen=True)
class FunnelSeries:
    """The funnel for one breakdown value (``None`` when there is no breakdown)."""

    breakdown_value: str | None
    steps: list[FunnelStepResult]
    person_ids: np.ndarray
    reached: np.ndarray

    def persons_reaching(self, step: int) -> list[int]:
        """Persons who reached ``step`` (0-based) or further."""
        return sorted(int(p) for p in self.person_ids[self.reached >= step])

    def persons_dropped_after(self, step: int) -> list[int]:
        """Persons who reached ``step`` (0-based) but not the next one."""
        return sorted(int(p) for p in self.person_ids[self.reached == step])


@dataclass(frozen=True)
class FunnelResult:
    """A funnel, one series per breakdown value."""

    series: list[FunnelSeries]

    @property
    def total(self) -> FunnelSeries:
        """The first (or only) series."""
        return self.series[0]


def _exclusion_bits(exclusion: FunnelExclusion) -> int:
    """Bits of the 1-based transitions an exclusion covers (bit k-1 = between step k-1 and step k)."""
    bits = 0
    for step in range(exclusion.from_step + 2, exclusion.to_step + 2):
        bits |= 1 << (step - 1)
    return bits


def _match_columns(query: FunnelQuery, ids: Mapping[str, int]) -> MatchColumns:
    """Steps first (bits 0 .. n-1), then exclusions."""
    return MatchColumns([s.matcher for s in query.steps] + [e.matcher for e in query.exclusions], ids)


def funnel_events_sql(query: FunnelQuery, ids: Mapping[str, int]) -> str:
    """The portable SQL listing the rows the funnel needs: (person, timestamp, event number[, property flags]
    [, breakdown]) for every event matching a step or an exclusion (every event, for strict funnels)."""
    columns = _match_columns(query, ids)
    any_match = "TRUE" if query.mode == "strict" else columns.any_sql()
    breakdown = f", {property_text(query.breakdown)} AS breakdown" if query.breakdown else ""
    return (
        f"SELECT person_id, timestamp{columns.select_sql()}{breakdown} "
        f"FROM events WHERE {query.date_range.condition()} AND {any_match}"
    )


def funnel_masks(
    query: FunnelQuery, ids: Mapping[str, int], data: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the bit mask of the steps it matches (bit k-1 = step k) and of the step transitions it excludes."""
    masks = _match_columns(query, ids).masks(data)
    n_steps = len(query.steps)
    steps = (masks & ((1 << n_steps) - 1)).astype(np.int32)
    exclusions = np.zeros(len(masks), dtype=np.int32)
    if query.mode != "unordered":
        for index, exclusion in enumerate(query.exclusions):
            hit = ((masks >> (n_steps + index)) & 1).astype(np.bool_)
            exclusions[hit] |= np.int32(_exclusion_bits(exclusion))
    return steps, exclusions


def run_funnel(engine: SqlEngine, query: FunnelQuery) -> FunnelResult:
    """Compute the funnel on ``engine``."""
    query.validate()
    ids = event_ids(engine, [s.matcher for s in query.steps] + [e.matcher for e in query.exclusions])
    data = engine.columns(funnel_events_sql(query, ids))
    persons = np.asarray(data["person_id"], dtype=np.int64)
    timestamps = np.asarray(data["timestamp"], dtype=np.int64)
    if query.breakdown is None and query.mode != "unordered":
        series = _ordered_series_from_runs(query, ids, data, persons, timestamps)
        if series is not None:
            return FunnelResult(series=[series])
    steps, exclusions = funnel_masks(query, ids, data)
    if query.breakdown is None:
        persons, timestamps, steps, exclusions = order_by_person(persons, timestamps, steps, exclusions)
        series = _funnel_series(query, None, persons, timestamps, steps, exclusions)
        return FunnelResult(series=[series])
    values = np.array([None if v is None else str(v) for v in data["breakdown"]], dtype=object)
    return FunnelResult(series=_breakdown_series(query, persons, timestamps, steps, exclusions, values))


def _ordered_series_from_runs(
    query: FunnelQuery,
    ids: Mapping[str, int],
    data: Mapping[str, np.ndarray],
    persons: np.ndarray,
    timestamps: np.ndarray,
) -> FunnelSeries | None:
    """The ordered / strict funnel computed straight from the runs the store returns (one per event, each sorted by
    person and time), without sorting the rows first; ``None`` when the rows come in too many runs for that."""
    starts = ordered_runs(persons, timestamps)
    if len(starts) - 1 > MAX_WALKED_RUNS:
        return None
    columns = _match_columns(query, ids)
    event_numbers = np.asarray(data["event_id"])
    lookup = columns.lookup(int(event_numbers.max()) if len(event_numbers) else 0)
    exclusion_bits = np.array([_exclusion_bits(e) for e in query.exclusions], dtype=np.int64)
    person_ids, reached, times = ordered_funnel_runs(
        persons, timestamps, event_numbers, columns.flags(data), lookup, exclusion_bits,
        run_cuts(persons, starts), len(query.steps), np.int64(query.window_seconds * MICROSECONDS),
        query.mode == "strict",
    )  # fmt: skip
    return FunnelSeries(
        breakdown_value=None,
        steps=summarise_steps(query, reached, times),
        person_ids=person_ids,
        reached=reached,
    )


def _funnel_series(
    query: FunnelQuery,
    label: str | None,
    persons: np.ndarray,
    timestamps: np.ndarray,
    steps: np.ndarray,
    exclusions: np.ndarray,
) -> FunnelSeries:
    bounds = person_bounds(persons)
    n_steps = len(query.steps)
    window = np.int64(query.window_seconds * MICROSECONDS)
    if query.mode == "unordered":
        reached, times = unordered_funnel(bounds, timestamps, steps, n_steps, window)
    else:
        reached, times = ordered_funnel(
            bounds, timestamps, steps, exclusions, n_steps, window, query.mode == "strict"
        )
    person_ids = persons[bounds[:-1]]
    return FunnelSeries(
        breakdown_value=label,
        steps=summarise_steps(query, reached, times[reached >= 1]),
        person_ids=person_ids,
        reached=reached,
    )


def summarise_steps(
    query: FunnelQuery, reached: np.ndarray, converted_times: np.ndarray
) -> list[FunnelStepResult]:
    """Cumulative counts, conversion rates and time to convert (zero-second conversions excluded);
    ``converted_times`` are the step times of the persons reaching step 2 or further, in person order."""
    counts, offsets, durations = step_durations(reached, converted_times, len(query.steps))
    results: list[FunnelStepResult] = []
    first = int(np.count_nonzero(reached >= 0))
    previous = first
    for index, step in enumerate(query.steps):
        count = int(counts[index])
        average = median = None
        if index > 0:
            seconds = durations[offsets[index] : offsets[index + 1]] / MICROSECONDS
            seconds = seconds[seconds > 0]
            if len(seconds):
                average, median = float(np.mean(seconds)), float(np.median(seconds))
        results.append(
            FunnelStepResult(
                name=step.name,
                count=count,
                average_seconds=average,
                median_seconds=median,
                conversion_rate=count / first if first else 0.0,
                conversion_from_previous=count / previous if previous else 0.0,
            )
        )
        previous = count
    return results


def _breakdown_series(
    query: FunnelQuery,
    persons: np.ndarray,
    timestamps: np.ndarray,
    steps: np.ndarray,
    exclusions: np.ndarray,
    values: np.ndarray,
) -> list[FunnelSeries]:
    order = np.lexsort((timestamps, persons))
    persons, timestamps, steps, exclusions, values = (
        persons[order], timestamps[order], steps[order], exclusions[order], values[order],
    )  # fmt: skip
    if query.attribution == "all_events":
        labels = values
    else:
        labels = _touch_labels(persons, steps, values, last=query.attribution == "last_touch")
    keys = np.array(["\x00" if label is None else str(label) for label in labels], dtype=object)
    series = []
    for key in sorted(set(keys.tolist())):
        rows = keys == key
        label = None if key == "\x00" else key
        series.append(
            _funnel_series(query, label, persons[rows], timestamps[rows], steps[rows], exclusions[rows])
        )
    series.sort(key=lambda s: (-s.steps[0].count, s.breakdown_value or ""))
    return series


def _touch_labels(persons: np.ndarray, steps: np.ndarray, values: np.ndarray, last: bool) -> np.ndarray:
    """Each row labelled with its person's first (or last) non-null breakdown value on a step event."""
    chosen: dict[int, object] = {}
    indices = range(len(persons) - 1, -1, -1) if not last else range(len(persons))
    for i in indices:
        if steps[i] and values[i] is not None:
            chosen[int(persons[i])] = values[i]
    return np.array([chosen.get(int(p)) for p in persons], dtype=object)
