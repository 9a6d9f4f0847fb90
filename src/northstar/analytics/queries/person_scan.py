"""Compiled single-pass helpers over events ordered by (person, time), the shape the store keeps on disk.

The event store is clustered by (event_id, person_id, timestamp), so a filtered scan reads only the row groups of the
wanted events and returns one sorted run per event: these helpers verify the order in one pass, merge a few sorted
runs in parallel, and fully sort only when neither holds (as on PostgreSQL); then they aggregate per person without
hash tables, computing calendar periods from raw microsecond timestamps on the fly (the SQL only selects plain
columns): distinct persons per interval, retention cohorts, the person boundaries for the funnel kernel.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange


@njit(cache=True)
def is_ordered(persons: np.ndarray, keys: np.ndarray) -> bool:
    """Whether rows are sorted by (person, key)."""
    for i in range(1, len(persons)):
        if persons[i] < persons[i - 1] or (persons[i] == persons[i - 1] and keys[i] < keys[i - 1]):
            return False
    return True


MAX_MERGED_RUNS = 512


@njit(cache=True)
def ordered_runs(persons: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Start offsets of the maximal runs already sorted by (person, key), plus the total length."""
    count = 1
    for i in range(1, len(persons)):
        if persons[i] < persons[i - 1] or (persons[i] == persons[i - 1] and keys[i] < keys[i - 1]):
            count += 1
    starts = np.empty(count + 1, dtype=np.int64)
    starts[0] = 0
    position = 1
    for i in range(1, len(persons)):
        if persons[i] < persons[i - 1] or (persons[i] == persons[i - 1] and keys[i] < keys[i - 1]):
            starts[position] = i
            position += 1
    starts[count] = len(persons)
    return starts


@njit(cache=True, inline="always")
def _before(persons: np.ndarray, keys: np.ndarray, a: np.int64, b: np.int64) -> bool:
    """Whether row ``a`` sorts before row ``b`` by (person, key, row number): the row number keeps merges stable."""
    if persons[a] != persons[b]:
        return bool(persons[a] < persons[b])
    if keys[a] != keys[b]:
        return bool(keys[a] < keys[b])
    return bool(a < b)


@njit(cache=True)
def _merge_part(
    persons: np.ndarray, keys: np.ndarray, lows: np.ndarray, highs: np.ndarray, out: np.ndarray, at: int
) -> None:
    """K-way merge of the sorted slices ``[lows[r], highs[r])`` into ``out[at:]`` with a binary heap of run heads."""
    runs = len(lows)
    heads = lows.copy()
    heap = np.empty(runs, dtype=np.int64)
    size = 0
    for r in range(runs):
        if heads[r] < highs[r]:
            heap[size] = r
            size += 1
            child = size - 1
            while child > 0:  # sift up
                parent = (child - 1) // 2
                if _before(persons, keys, heads[heap[child]], heads[heap[parent]]):
                    heap[child], heap[parent] = heap[parent], heap[child]
                    child = parent
                else:
                    break
    position = at
    while size > 0:
        top = heap[0]
        out[position] = heads[top]
        position += 1
        heads[top] += 1
        if heads[top] >= highs[top]:
            size -= 1
            heap[0] = heap[size]
        parent = 0
        while True:  # sift down
            left = 2 * parent + 1
            if left >= size:
                break
            smallest = left
            right = left + 1
            if right < size and _before(persons, keys, heads[heap[right]], heads[heap[left]]):
                smallest = right
            if _before(persons, keys, heads[heap[smallest]], heads[heap[parent]]):
                heap[parent], heap[smallest] = heap[smallest], heap[parent]
                parent = smallest
            else:
                break


@njit(cache=True, parallel=True)
def _merge_parts(persons: np.ndarray, keys: np.ndarray, cuts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Merge every person range (``cuts[:, p]`` .. ``cuts[:, p + 1]`` in each run) on all cores."""
    out = np.empty(len(persons), dtype=np.int64)
    for part in prange(cuts.shape[1] - 1):
        _merge_part(persons, keys, cuts[:, part].copy(), cuts[:, part + 1].copy(), out, offsets[part])
    return out


def run_cuts(persons: np.ndarray, starts: np.ndarray, parts_per_thread: int = 8) -> np.ndarray:
    """Cut the person range into parts at sampled person values: ``cuts[r, p]`` is the first row of part ``p`` in
    run ``r`` (runs sorted by person), ``cuts[r, -1]`` the run's end. A person's rows all fall in one part.

    A few parts per thread are enough (each thread takes a block of consecutive parts), and few parts keep the
    outputs the parts write into few places of memory."""
    n = len(persons)
    runs = len(starts) - 1
    parts = max(1, min(parts_per_thread * numba.get_num_threads(), n // 65536))
    sample = np.sort(persons[:: max(1, n // (parts * 16))])
    splitters = np.unique(sample[np.linspace(0, len(sample) - 1, parts + 1).astype(np.int64)[1:-1]])
    cuts = np.empty((runs, len(splitters) + 2), dtype=np.int64)
    for run in range(runs):
        low, high = int(starts[run]), int(starts[run + 1])
        cuts[run, 0] = low
        cuts[run, 1:-1] = low + np.searchsorted(persons[low:high], splitters, side="left")
        cuts[run, -1] = high
    return cuts


def merge_runs(persons: np.ndarray, keys: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The permutation that sorts rows by (person, key), merging already-sorted runs (stable).

    The person range is cut into parts (:func:`run_cuts`); every part is a k-way merge of one slice per run,
    independent of the others, so the parts run in parallel."""
    cuts = run_cuts(persons, starts)
    sizes = (cuts[:, 1:] - cuts[:, :-1]).sum(axis=0)
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    return _merge_parts(persons, keys, cuts, offsets)


@njit(cache=True, parallel=True)
def _take(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """``values[order]`` on all cores."""
    out = np.empty(len(order), dtype=values.dtype)
    for i in prange(len(order)):
        out[i] = values[order[i]]
    return out


def _reorder(array: np.ndarray, order: np.ndarray) -> np.ndarray:
    if array.dtype == object or array.ndim != 1:
        return array[order]
    if len(array) and not array.any():  # all zeros (e.g. no exclusions): nothing to move
        return array
    return _take(array, order)


def order_by_person(persons: np.ndarray, keys: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays reordered by (person, key): untouched when already in order, merged when they come as a few
    sorted runs (a store clustered by event, then person), fully sorted otherwise."""
    if len(persons) < 2 or is_ordered(persons, keys):
        return (persons, keys, *others)
    order = person_order(persons, keys, ordered_runs(persons, keys))
    return tuple(_reorder(array, order) for array in (persons, keys, *others))


SHORT_RUN = 256


def person_order(persons: np.ndarray, keys: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The stable permutation sorting rows by (person, key), given the starts of the already-sorted runs.

    A few runs are merged. Many runs (rows appended since the last compaction come in arrival order) are split in
    the long runs, kept, and the rest, sorted on its own as one more run; then everything is merged."""
    runs = len(starts) - 1
    if runs <= MAX_MERGED_RUNS:
        return merge_runs(persons, keys, starts)
    lengths = np.diff(starts)
    long_runs = np.flatnonzero(lengths >= max(SHORT_RUN, len(persons) // MAX_MERGED_RUNS))
    if len(long_runs) >= MAX_MERGED_RUNS or lengths[long_runs].sum() < len(persons) // 2:
        return np.lexsort((keys, persons))
    is_long = np.zeros(len(persons), dtype=np.bool_)
    for run in long_runs:
        is_long[starts[run] : starts[run + 1]] = True
    rest = np.flatnonzero(~is_long)
    rest = rest[np.lexsort((keys[rest], persons[rest]))]
    first = np.concatenate([np.flatnonzero(is_long), rest])
    new_starts = np.concatenate([[0], np.cumsum(lengths[long_runs]), [len(persons)]]).astype(np.int64)
    second = merge_runs(_take(persons, first), _take(keys, first), new_starts)
    return _take(first, second)


@njit(cache=True)
def person_bounds(persons: np.ndarray) -> np.ndarray:
    """Start offsets of each person's rows, plus the total length at the end."""
    count = 1 if len(persons) else 0
    for i in range(1, len(persons)):
        if persons[i] != persons[i - 1]:
            count += 1
    bounds = np.empty(count + 1, dtype=np.int64)
    if len(persons) == 0:
        bounds[0] = 0
        return bounds
    bounds[0] = 0
    position = 1
    for i in range(1, len(persons)):
        if persons[i] != persons[i - 1]:
            bounds[position] = i
            position += 1
    bounds[count] = len(persons)
    return bounds


# --- calendar periods of microsecond timestamps (naive UTC), counted from a period start -----------------------

HOUR_PERIOD, DAY_PERIOD, WEEK_PERIOD, MONTH_PERIOD = 0, 1, 2, 3
PERIOD_CODES = {"hour": HOUR_PERIOD, "day": DAY_PERIOD, "week": WEEK_PERIOD, "month": MONTH_PERIOD}
_HOUR_US = 3_600_000_000
_DAY_US = 24 * _HOUR_US


@njit(cache=True, inline="always")
def _month_number(timestamp: np.int64) -> np.int64:
    """year * 12 + month - 1 of a microsecond timestamp (the proleptic Gregorian civil date of its day)."""
    days = timestamp // _DAY_US + 719468  # days since 0000-03-01
    era = days // 146097
    day_of_era = days - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153  # 0 = March
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    year = year_of_era + era * 400 + (1 if month <= 2 else 0)
    return year * 12 + month - 1


@njit(cache=True, inline="always")
def period_of(timestamp: np.int64, first: np.int64, code: int) -> np.int64:
    """The 0-based period of ``timestamp`` counted from the period starting at ``first`` (both microseconds)."""
    if code == HOUR_PERIOD:
        return (timestamp - first) // _HOUR_US
    if code == DAY_PERIOD:
        return (timestamp - first) // _DAY_US
    if code == WEEK_PERIOD:
        return (timestamp - first) // (7 * _DAY_US)
    return _month_number(timestamp) - _month_number(first)


@njit(cache=True, inline="always")
def _month_start(month_number: np.int64) -> np.int64:
    """Microseconds at the start of month ``year * 12 + month - 1`` (inverse of :func:`_month_number`)."""
    year = month_number // 12
    month = month_number - year * 12 + 1
    year -= 1 if month <= 2 else 0
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return (era * 146097 + day_of_era - 719468) * _DAY_US


@njit(cache=True, inline="always")
def period_span(period: np.int64, first: np.int64, code: int) -> tuple[np.int64, np.int64]:
    """The [start, end) microseconds of period number ``period`` counted from the period starting at ``first``."""
    if code == MONTH_PERIOD:
        number = _month_number(first) + period
        return _month_start(number), _month_start(number + 1)
    length = np.int64(_HOUR_US if code == HOUR_PERIOD else _DAY_US if code == DAY_PERIOD else 7 * _DAY_US)
    start = first + period * length
    return start, start + length


@njit(cache=True)
def distinct_persons_per_period(
    persons: np.ndarray, timestamps: np.ndarray, first: np.int64, code: int, n_periods: int
) -> np.ndarray:
    """For rows ordered by (person, time): how many distinct persons each period has."""
    counts = np.zeros(n_periods, dtype=np.int64)
    previous_person = np.int64(0)
    previous_period = np.int64(-1)
    # an empty span to start with: the first row computes its period
    period, low, high = np.int64(0), np.int64(1), np.int64(0)
    for i in range(len(persons)):
        if not low <= timestamps[i] < high:  # times rise within a person: the period rarely changes
            period = period_of(timestamps[i], first, code)
            low, high = period_span(period, first, code)
        if i == 0 or persons[i] != previous_person or period != previous_period:
            if 0 <= period < n_periods:
                counts[period] += 1
            previous_person = persons[i]
            previous_period = period
    return counts


@njit(cache=True)
def _retention_rows(
    persons: np.ndarray,
    timestamps: np.ndarray,
    event_ids: np.ndarray,
    flags: np.ndarray,
    lookup: np.ndarray,
    low: int,
    high: int,
    first: np.int64,
    code: int,
    n: int,
    matrix: np.ndarray,
) -> bool:
    """Add rows ``low .. high - 1`` (whole persons) to ``matrix``; False as soon as the rows are out of order."""
    start_mask = np.zeros(n, dtype=np.bool_)
    return_mask = np.zeros(n, dtype=np.bool_)
    has_flags = len(flags) > 0
    has_events = len(event_ids) > 0  # without event numbers every row has the mask lookup[0]
    period, period_low, period_high = np.int64(0), np.int64(1), np.int64(0)
    i = low
    while i < high:
        j = i
        start_mask[:] = False
        return_mask[:] = False
        any_start = False
        while j < high and persons[j] == persons[i]:
            if j > i and timestamps[j] < timestamps[j - 1]:
                return False
            if not period_low <= timestamps[j] < period_high:  # times rise within a person
                period = period_of(timestamps[j], first, code)
                period_low, period_high = period_span(period, first, code)
            if 0 <= period < n:
                mask = lookup[event_ids[j]] if has_events else lookup[0]
                if has_flags:
                    mask |= flags[j]
                if mask & 1:
                    start_mask[period] = True
                    any_start = True
                if mask & 2:
                    return_mask[period] = True
            j += 1
        if j < high and persons[j] < persons[i]:
            return False
        if any_start:
            for c in range(n):
                if start_mask[c]:
                    matrix[c, 0] += 1
                    for k in range(1, n - c):
                        if return_mask[c + k]:
                            matrix[c, k] += 1
        i = j
    return True


@njit(cache=True, parallel=True)
def _retention_parts(
    persons: np.ndarray,
    timestamps: np.ndarray,
    event_ids: np.ndarray,
    flags: np.ndarray,
    lookup: np.ndarray,
    bounds: np.ndarray,
    first: np.int64,
    code: int,
    n: int,
) -> tuple[np.ndarray, bool]:
    parts = len(bounds) - 1
    matrices = np.zeros((parts, n, n), dtype=np.int64)
    ordered = np.ones(parts, dtype=np.bool_)
    for part in prange(parts):
        ordered[part] = _retention_rows(
            persons, timestamps, event_ids, flags, lookup, bounds[part], bounds[part + 1], first, code, n,
            matrices[part],
        )  # fmt: skip
    for part in range(1, parts):  # whole persons per part, unless a part straddles an out-of-order boundary
        if persons[bounds[part]] <= persons[bounds[part] - 1]:
            ordered[part] = False
    return matrices.sum(axis=0), bool(ordered.all())


def person_parts(persons: np.ndarray, parts: int) -> np.ndarray:
    """About ``parts`` row ranges of rows ordered by person, each holding whole persons (boundaries move forward
    to the next change of person)."""
    n = len(persons)
    bounds = [0]
    for part in range(1, parts):
        at = max(bounds[-1], part * n // parts)
        if 0 < at < n:
            at += int(np.searchsorted(persons[at:], persons[at - 1], side="right"))
        bounds.append(min(at, n))
    bounds.append(n)
    return np.unique(np.asarray(bounds, dtype=np.int64))


def recurring_retention(
    persons: np.ndarray,
    timestamps: np.ndarray,
    event_ids: np.ndarray,
    flags: np.ndarray,
    lookup: np.ndarray,
    first: np.int64,
    code: int,
    n: int,
) -> np.ndarray:
    """Retention matrix: cell [c, 0] = size of cohort c, [c, k] = persons of cohort c who returned in period c + k.

    A row's mask is ``lookup[event_id] | flags[row]`` (bit 0 = start event, bit 1 = return event; ``flags`` may be
    empty; with no ``event_ids`` at all every row has the mask ``lookup[0]``). Rows already ordered by (person, time) are counted in one parallel pass that checks the order on the way;
    otherwise they are put in order first."""
    if len(persons) == 0:
        return np.zeros((n, n), dtype=np.int64)
    parts = max(1, min(8 * numba.get_num_threads(), len(persons) // 65536))
    stride = max(1, len(persons) // 4096)
    if np.all(persons[:-1:stride] <= persons[1::stride]):  # a cheap sample: rows look ordered by person
        matrix, ordered = _retention_parts(
            persons, timestamps, event_ids, flags, lookup, person_parts(persons, parts), first, code, n
        )
        if ordered:
            return matrix
    present = [column for column in (event_ids, flags) if len(column)]
    persons, timestamps, *moved = order_by_person(persons, timestamps, *present)
    if len(event_ids):
        event_ids = moved.pop(0)
    if len(flags):
        flags = moved.pop(0)
    matrix, _ = _retention_parts(
        persons, timestamps, event_ids, flags, lookup, person_parts(persons, parts), first, code, n
    )
    return matrix
