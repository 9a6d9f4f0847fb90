"""Compiled single-pass helpers over events ordered by (person, time), the shape the store keeps on disk.

The event store is clustered by (event_id, person_id, timestamp), so a filtered scan reads only the row groups of the
wanted events and returns one sorted run per event: these helpers verify the order in one pass, merge a few sorted
runs, and fully sort only when neither holds (as on PostgreSQL); then they aggregate per person without hash tables — counting distinct persons per interval, building retention cohorts, finding the
person boundaries for the funnel kernel.
"""

from __future__ import annotations

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


@njit(cache=True)
def merge_runs(persons: np.ndarray, keys: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The permutation that sorts rows by (person, key), merging already-sorted runs pairwise (stable)."""
    n = len(persons)
    source = np.arange(n)
    target = np.empty(n, dtype=np.int64)
    bounds = starts.copy()
    while len(bounds) > 2:
        runs = len(bounds) - 1
        merged = np.empty((runs + 1) // 2 + 1, dtype=np.int64)
        m = 0
        for r in range(0, runs, 2):
            low, middle = bounds[r], bounds[r + 1]
            high = bounds[r + 2] if r + 1 < runs else middle
            a, b, out = low, middle, low
            while a < middle and b < high:
                ia, ib = source[a], source[b]
                if persons[ib] < persons[ia] or (persons[ib] == persons[ia] and keys[ib] < keys[ia]):
                    target[out] = ib
                    b += 1
                else:
                    target[out] = ia
                    a += 1
                out += 1
            while a < middle:
                target[out] = source[a]
                a += 1
                out += 1
            while b < high:
                target[out] = source[b]
                b += 1
                out += 1
            merged[m] = low
            m += 1
        merged[m] = n
        bounds = merged[: m + 1]
        source, target = target, source
    return source


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
    starts = ordered_runs(persons, keys)
    if len(starts) - 1 <= MAX_MERGED_RUNS:
        order = merge_runs(persons, keys, starts)
    else:
        order = np.lexsort((keys, persons))
    return tuple(_reorder(array, order) for array in (persons, keys, *others))


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


@njit(cache=True)
def distinct_persons_per_bucket(persons: np.ndarray, buckets: np.ndarray, n_buckets: int) -> np.ndarray:
    """For rows ordered by (person, bucket): how many distinct persons each bucket has."""
    counts = np.zeros(n_buckets, dtype=np.int64)
    for i in range(len(persons)):
        if i == 0 or persons[i] != persons[i - 1] or buckets[i] != buckets[i - 1]:
            bucket = buckets[i]
            if 0 <= bucket < n_buckets:
                counts[bucket] += 1
    return counts


@njit(cache=True)
def recurring_retention(
    persons: np.ndarray, periods: np.ndarray, starts: np.ndarray, returns: np.ndarray, n: int
) -> np.ndarray:
    """Retention matrix for rows ordered by (person, period): cell [c, 0] = cohort c size, [c, k] = returned at c+k."""
    matrix = np.zeros((n, n), dtype=np.int64)
    start_mask = np.zeros(n, dtype=np.bool_)
    return_mask = np.zeros(n, dtype=np.bool_)
    i = 0
    while i < len(persons):
        j = i
        start_mask[:] = False
        return_mask[:] = False
        while j < len(persons) and persons[j] == persons[i]:
            period = periods[j]
            if 0 <= period < n:
                if starts[j]:
                    start_mask[period] = True
                if returns[j]:
                    return_mask[period] = True
            j += 1
        for c in range(n):
            if start_mask[c]:
                matrix[c, 0] += 1
                for k in range(1, n - c):
                    if return_mask[c + k]:
                        matrix[c, k] += 1
        i = j
    return matrix
