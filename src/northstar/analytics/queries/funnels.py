"""Funnel runner: ordered, strict and unordered funnels with a conversion window, exclusions and breakdowns.

SQL (portable, see :mod:`engine`) selects the events that matter and tags each row with the bit masks of the steps
and exclusions it matches; the per-person sequence logic runs in :mod:`funnel_kernel`, the way PostHog runs it in a
UDF. Step counts are cumulative (persons who reached at least that step); time to convert per step is averaged over
the persons who reached it, ignoring zero-second conversions, as PostHog does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from northstar.analytics.queries.engine import SqlEngine, property_text
from northstar.analytics.queries.filters import DateRange, EventMatcher, event_ids
from northstar.analytics.queries.funnel_kernel import ordered_funnel, unordered_funnel
from northstar.analytics.queries.person_scan import order_by_person, person_bounds

FunnelMode = Literal["ordered", "strict", "unordered"]
Attribution = Literal["first_touch", "last_touch", "all_events"]
MICROSECONDS = 1_000_000
MAX_STEPS = 30


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


def funnel_events_sql(query: FunnelQuery, ids: Mapping[str, int] | None = None) -> str:
    """The portable SQL listing (person, timestamp, step mask, exclusion mask[, breakdown]) rows."""
    step_terms = [
        f"CASE WHEN {step.matcher.condition(ids)} THEN {1 << index} ELSE 0 END"
        for index, step in enumerate(query.steps)
    ]
    exclusion_terms = [
        f"CASE WHEN {exclusion.matcher.condition(ids)} THEN {_exclusion_bits(exclusion)} ELSE 0 END"
        for exclusion in query.exclusions
    ]
    if query.mode == "unordered":
        exclusion_terms = []
    matchers = [step.matcher.condition(ids) for step in query.steps]
    matchers += [exclusion.matcher.condition(ids) for exclusion in query.exclusions]
    any_match = "TRUE" if query.mode == "strict" else "(" + " OR ".join(matchers) + ")"
    breakdown = f", {property_text(query.breakdown)} AS breakdown" if query.breakdown else ""
    exclusions = (
        f", CAST(({' | '.join(exclusion_terms)}) AS INTEGER) AS exclusions" if exclusion_terms else ""
    )
    return (
        f"SELECT person_id, timestamp, CAST(({' | '.join(step_terms)}) AS INTEGER) AS steps{exclusions}{breakdown} "
        f"FROM events WHERE {query.date_range.condition()} AND {any_match}"
    )


def run_funnel(engine: SqlEngine, query: FunnelQuery) -> FunnelResult:
    """Compute the funnel on ``engine``."""
    query.validate()
    ids = event_ids(engine, [s.matcher for s in query.steps] + [e.matcher for e in query.exclusions])
    data = engine.columns(funnel_events_sql(query, ids))
    persons = np.asarray(data["person_id"], dtype=np.int64)
    timestamps = np.asarray(data["timestamp"], dtype=np.int64)
    steps = np.asarray(data["steps"], dtype=np.int32)
    exclusions = np.asarray(data.get("exclusions", np.zeros(len(steps), dtype=np.int32)), dtype=np.int32)
    if query.breakdown is None:
        persons, timestamps, steps, exclusions = order_by_person(persons, timestamps, steps, exclusions)
        series = _funnel_series(query, None, persons, timestamps, steps, exclusions)
        return FunnelResult(series=[series])
    values = np.array([None if v is None else str(v) for v in data["breakdown"]], dtype=object)
    return FunnelResult(series=_breakdown_series(query, persons, timestamps, steps, exclusions, values))


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
        steps=summarise_steps(query, reached, times),
        person_ids=person_ids,
        reached=reached,
    )


def summarise_steps(query: FunnelQuery, reached: np.ndarray, times: np.ndarray) -> list[FunnelStepResult]:
    """Cumulative counts, conversion rates and time to convert (zero-second conversions excluded)."""
    results: list[FunnelStepResult] = []
    first = int(np.count_nonzero(reached >= 0))
    previous = first
    for index, step in enumerate(query.steps):
        reaching = reached >= index
        count = int(np.count_nonzero(reaching))
        average = median = None
        if index > 0:
            seconds = (times[reaching, index] - times[reaching, index - 1]) / MICROSECONDS
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
