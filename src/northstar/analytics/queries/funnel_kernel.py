"""The per-person funnel algorithm, compiled with Numba (the engine behind the funnel runner).

This follows the step semantics documented for PostHog's funnel UDF (reference/analytics.md §2.2.2), re-implemented
over flat NumPy arrays: rows sorted by (group, timestamp); ``steps`` is a bit mask of the 1-based steps a row matches
(bit k-1 = step k); ``exclusions`` a bit mask of the step transitions it excludes (bit k-1 = "between step k-1 and
step k"). A group is a person (or a person within one breakdown value).

Ordered / strict: ``entered[k]`` is the most recent-start partial path that reached step k (``entered[0]`` is the
virtual "before step 1" level, reset to the current timestamp for every timestamp group). An event advances at most
one step (steps are tried from the highest down), within ``window`` of the path's first step (inclusive). Exclusions
taint the path they interrupt; a person whose best path is tainted is dropped (-1). Different events at the same
timestamp are flattened to (event, step) pairs, sorted by step, so A and B at equal timestamps convert with zero time.
Strict mode clears every level the current event does not match. The best path is the first path to reach the highest
step (a clean path replaces a tainted one at the same step).

Unordered: per step keep the events inside the window, an event matching several steps goes to the step whose latest
event is oldest; the number of non-empty steps is the depth reached. Exclusions are ignored (as in the reference).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

NO_STEP = -1


@njit(cache=True, inline="always")
def _process_ordered_event(
    row: np.int64,
    timestamp: np.int64,
    step_mask: np.int64,
    exclusion_mask: np.int64,
    multi: bool,
    strict: bool,
    n_steps: int,
    window: np.int64,
    entered_set: np.ndarray,
    entered_start: np.ndarray,
    entered_excluded: np.ndarray,
    entered_times: np.ndarray,
    entered_rows: np.ndarray,
    best: np.ndarray,
    best_times: np.ndarray,
) -> None:
    # best = [step, excluded, start]
    for position in range(2 * n_steps - 1, -1, -1):
        # positions n..2n-1 are the positive steps (highest first); 0..n-1 are exclusions (k = 1..n ascending)
        if position >= n_steps:
            step = position - n_steps + 1
            if not (step_mask >> (step - 1)) & 1:
                continue
            exclusion = False
        else:
            step = n_steps - position
            if not (exclusion_mask >> (step - 1)) & 1:
                continue
            exclusion = True
        previous = step - 1
        if not entered_set[previous]:
            continue
        previous_start = entered_start[previous]
        if timestamp - previous_start > window:
            continue
        if entered_set[step] and entered_start[step] == previous_start:
            continue
        if exclusion:
            if not entered_excluded[previous]:
                entered_excluded[previous] = True
                if best[0] == previous and timestamp - best[2] <= window:
                    best[1] = 1
            continue
        if multi:
            used = False
            for i in range(previous):
                if entered_rows[previous, i] == row:
                    used = True
            if used:
                continue
        tainted = entered_excluded[previous]
        if not tainted:
            entered_set[step] = True
            entered_start[step] = previous_start
            entered_excluded[step] = False
            for i in range(previous):
                entered_times[step, i] = entered_times[previous, i]
                entered_rows[step, i] = entered_rows[previous, i]
            entered_times[step, previous] = timestamp
            entered_rows[step, previous] = row
        if step > best[0] or (step == best[0] and best[1] == 1):
            best[0] = step
            best[1] = 1 if tainted else 0
            best[2] = previous_start
            for i in range(previous):
                best_times[i] = entered_times[previous, i]
            best_times[previous] = timestamp
    if strict and not multi:
        for step in range(1, n_steps + 1):
            if not (step_mask >> (step - 1)) & 1:
                entered_set[step] = False
                entered_excluded[step] = False


@njit(cache=True)
def _ordered_groups(
    first_group: int,
    last_group: int,
    bounds: np.ndarray,
    timestamps: np.ndarray,
    steps: np.ndarray,
    exclusions: np.ndarray,
    n_steps: int,
    window: np.int64,
    strict: bool,
    reached: np.ndarray,
    times: np.ndarray,
) -> None:
    """Run the ordered / strict funnel for groups ``first_group .. last_group - 1`` (own scratch space)."""
    _ordered_groups_in(
        first_group, last_group, bounds, timestamps, steps, exclusions, n_steps, window, strict, reached, times,
        np.zeros(n_steps + 1, dtype=np.bool_), np.zeros(n_steps + 1, dtype=np.int64),
        np.zeros(n_steps + 1, dtype=np.bool_), np.zeros((n_steps + 1, n_steps), dtype=np.int64),
        np.full((n_steps + 1, n_steps), -1, dtype=np.int64), np.zeros(3, dtype=np.int64),
        np.zeros(n_steps, dtype=np.int64),
    )  # fmt: skip


@njit(cache=True)
def _ordered_groups_in(
    first_group: int,
    last_group: int,
    bounds: np.ndarray,
    timestamps: np.ndarray,
    steps: np.ndarray,
    exclusions: np.ndarray,
    n_steps: int,
    window: np.int64,
    strict: bool,
    reached: np.ndarray,
    times: np.ndarray,
    entered_set: np.ndarray,
    entered_start: np.ndarray,
    entered_excluded: np.ndarray,
    entered_times: np.ndarray,
    entered_rows: np.ndarray,
    best: np.ndarray,
    best_times: np.ndarray,
) -> None:
    """The per-group loop of :func:`_ordered_groups`, on caller-provided scratch arrays (no allocation)."""
    pair_rows = np.zeros(0, dtype=np.int64)
    for group in range(first_group, last_group):
        entered_set[:] = False
        entered_excluded[:] = False
        entered_rows[:, :] = -1
        best[:] = 0
        start = bounds[group]
        end = bounds[group + 1]
        i = start
        while i < end:
            j = i + 1
            while j < end and timestamps[j] == timestamps[i]:
                j += 1
            entered_set[0] = True
            entered_start[0] = timestamps[i]
            entered_excluded[0] = False
            all_equal = True
            for r in range(i + 1, j):
                if steps[r] != steps[i] or exclusions[r] != exclusions[i]:
                    all_equal = False
            if all_equal:
                for r in range(i, j):
                    _process_ordered_event(
                        np.int64(r), timestamps[r], np.int64(steps[r]), np.int64(exclusions[r]), False, strict,
                        n_steps, window, entered_set, entered_start, entered_excluded, entered_times, entered_rows,
                        best, best_times,
                    )  # fmt: skip
            else:
                count = 0
                for r in range(i, j):
                    for k in range(n_steps):
                        if (steps[r] >> k) & 1:
                            count += 1
                if len(pair_rows) < 2 * count:
                    pair_rows = np.zeros(2 * count, dtype=np.int64)
                n = 0
                for k in range(n_steps):
                    for r in range(i, j):
                        if (steps[r] >> k) & 1:
                            pair_rows[2 * n] = r
                            pair_rows[2 * n + 1] = k
                            n += 1
                for p in range(n):
                    r = pair_rows[2 * p]
                    single = np.int64(1) << pair_rows[2 * p + 1]
                    _process_ordered_event(
                        np.int64(r), timestamps[r], single, np.int64(0), True, strict, n_steps, window,
                        entered_set, entered_start, entered_excluded, entered_times, entered_rows, best, best_times,
                    )  # fmt: skip
            if entered_set[n_steps]:
                break
            i = j
        if best[1] == 1:
            reached[group] = NO_STEP
        else:
            reached[group] = best[0] - 1
            for k in range(best[0]):
                times[group, k] = best_times[k]


@njit(cache=True, parallel=True)
def ordered_funnel(
    bounds: np.ndarray,
    timestamps: np.ndarray,
    steps: np.ndarray,
    exclusions: np.ndarray,
    n_steps: int,
    window: np.int64,
    strict: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the 0-based step reached (-1 = none or excluded) and the timestamps of the best path's steps.

    Groups are independent, so they are processed in parallel chunks (one scratch space per chunk)."""
    n_groups = len(bounds) - 1
    reached = np.full(n_groups, NO_STEP, dtype=np.int8)
    times = np.zeros((n_groups, n_steps), dtype=np.int64)
    chunks = min(n_groups, 256)
    for chunk in prange(chunks):
        first = chunk * n_groups // chunks
        last = (chunk + 1) * n_groups // chunks
        _ordered_groups(
            first, last, bounds, timestamps, steps, exclusions, n_steps, window, strict, reached, times
        )
    return reached, times


@njit(cache=True)
def unordered_funnel(
    bounds: np.ndarray,
    timestamps: np.ndarray,
    steps: np.ndarray,
    n_steps: int,
    window: np.int64,
) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the number of steps done in any order within the window (0-based, -1 = none) and their times."""
    n_groups = len(bounds) - 1
    reached = np.full(n_groups, NO_STEP, dtype=np.int8)
    times = np.zeros((n_groups, n_steps), dtype=np.int64)
    longest = 1
    for group in range(n_groups):
        longest = max(longest, bounds[group + 1] - bounds[group])
    queue = np.zeros((n_steps, 2 * longest + 1), dtype=np.int64)
    heads = np.zeros(n_steps, dtype=np.int64)
    tails = np.zeros(n_steps, dtype=np.int64)
    fronts = np.zeros(n_steps, dtype=np.int64)
    for group in range(n_groups):
        heads[:] = 0
        tails[:] = 0
        best = 0
        start = bounds[group]
        end = bounds[group + 1]
        i = start
        while i < end:
            j = i + 1
            while j < end and timestamps[j] == timestamps[i]:
                j += 1
            has_exclusion_only = False
            for r in range(i, j):
                if steps[r] == 0:
                    has_exclusion_only = True
            passes = 2 if (has_exclusion_only and j - i > 1) else 1
            for _ in range(passes):
                for r in range(i, j):
                    if steps[r] == 0:
                        continue
                    now = timestamps[r]
                    chosen = -1
                    chosen_latest = np.int64(0)
                    for k in range(n_steps):
                        if (steps[r] >> k) & 1:
                            latest = queue[k, tails[k] - 1] if tails[k] > heads[k] else np.int64(-(2**62))
                            if chosen == -1 or latest < chosen_latest:
                                chosen = k
                                chosen_latest = latest
                    queue[chosen, tails[chosen]] = now
                    tails[chosen] += 1
                    completed = 0
                    for k in range(n_steps):
                        while tails[k] > heads[k] and now - queue[k, heads[k]] > window:
                            heads[k] += 1
                        if tails[k] > heads[k]:
                            completed += 1
                    if completed > best:
                        best = completed
                        n = 0
                        for k in range(n_steps):
                            if tails[k] > heads[k]:
                                fronts[n] = queue[k, heads[k]]
                                n += 1
                        ordered = np.sort(fronts[:n])
                        for k in range(n):
                            times[group, k] = ordered[k]
            i = j
        reached[group] = best - 1
    return reached, times
