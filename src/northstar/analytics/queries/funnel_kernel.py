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
    first_position = 2 * n_steps - 1 if step_mask else n_steps - 1  # no step matched: exclusions only
    last_position = 0 if exclusion_mask else n_steps  # no exclusion matched: steps only
    for position in range(first_position, last_position - 1, -1):
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
def _scratch(
    n_steps: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The per-thread state of the ordered funnel: entered levels (set, start, excluded, step times, step rows),
    the best path (step, excluded, start) and its step times."""
    return (
        np.zeros(n_steps + 1, dtype=np.bool_), np.zeros(n_steps + 1, dtype=np.int64),
        np.zeros(n_steps + 1, dtype=np.bool_), np.zeros((n_steps + 1, n_steps), dtype=np.int64),
        np.full((n_steps + 1, n_steps), -1, dtype=np.int64), np.zeros(3, dtype=np.int64),
        np.zeros(n_steps, dtype=np.int64),
    )  # fmt: skip


@njit(cache=True)
def _ordered_person(
    start: int,
    end: int,
    timestamps: np.ndarray,
    steps: np.ndarray,
    exclusions: np.ndarray,
    n_steps: int,
    window: np.int64,
    strict: bool,
    entered_set: np.ndarray,
    entered_start: np.ndarray,
    entered_excluded: np.ndarray,
    entered_times: np.ndarray,
    entered_rows: np.ndarray,
    best: np.ndarray,
    best_times: np.ndarray,
    pair_rows: np.ndarray,
) -> tuple[int, np.ndarray]:
    """Run the ordered / strict funnel over rows ``start .. end - 1`` (one group, sorted by time); return the
    0-based step reached (-1 = none or excluded) and the pair buffer (grown if it had to be). The best path's step
    times are left in ``best_times``."""
    entered_set[:] = False
    entered_excluded[:] = False
    entered_rows[:, :] = -1
    best[:] = 0
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
        return NO_STEP, pair_rows
    return int(best[0] - 1), pair_rows


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
    entered_set, entered_start, entered_excluded, entered_times, entered_rows, best, best_times = _scratch(
        n_steps
    )
    pair_rows = np.zeros(0, dtype=np.int64)
    for group in range(first_group, last_group):
        step, pair_rows = _ordered_person(
            bounds[group], bounds[group + 1], timestamps, steps, exclusions, n_steps, window, strict,
            entered_set, entered_start, entered_excluded, entered_times, entered_rows, best, best_times, pair_rows,
        )  # fmt: skip
        reached[group] = step
        for k in range(step + 1):
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


# --- the same funnel read straight from sorted runs ---------------------------------------------------------------
#
# A store clustered by (event, person, time) returns one run sorted by (person, time) per event. Instead of sorting
# the rows into one person order first (a permutation and a copy of every column), each part of the person range
# walks the runs side by side: it takes the lowest person at the run heads, merges that person's few rows from every
# run by time into a small buffer (earlier runs first on equal times, like a stable sort), computes the step and
# exclusion masks of those rows from their event numbers, and runs the funnel on the buffer.


@njit(cache=True)
def _lowest_head(persons: np.ndarray, heads: np.ndarray, highs: np.ndarray) -> int:
    """The run whose head row has the lowest person (the first such run), or -1 when every run is exhausted."""
    chosen = -1
    for run in range(len(heads)):
        if heads[run] < highs[run] and (chosen == -1 or persons[heads[run]] < persons[heads[chosen]]):
            chosen = run
    return chosen


@njit(cache=True)
def _funnel_part(
    persons: np.ndarray,
    timestamps: np.ndarray,
    event_ids: np.ndarray,
    flags: np.ndarray,
    lookup: np.ndarray,
    exclusion_bits: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    at: int,
    n_steps: int,
    window: np.int64,
    strict: bool,
    group_persons: np.ndarray,
    reached: np.ndarray,
    converted_times: np.ndarray,
) -> tuple[int, int]:
    """One part of :func:`ordered_funnel_runs`: groups are written from ``at`` on in ``group_persons`` and
    ``reached``, the step times of persons reaching step 2 or further from ``at`` on in ``converted_times`` (a part
    has at most as many of either as it has rows). Returns (groups, converted persons) written."""
    runs = len(lows)
    heads = lows.copy()
    ends = np.empty(runs, dtype=np.int64)
    capacity = 64
    buffer_times = np.empty(capacity, dtype=np.int64)
    buffer_steps = np.empty(capacity, dtype=np.int64)
    buffer_exclusions = np.empty(capacity, dtype=np.int64)
    step_bits = (np.int64(1) << n_steps) - 1
    exclusion_mask = ((np.int64(1) << len(exclusion_bits)) - 1) << n_steps
    has_flags = len(flags) > 0
    entered_set, entered_start, entered_excluded, entered_times, entered_rows, best, best_times = _scratch(
        n_steps
    )
    pair_rows = np.zeros(0, dtype=np.int64)
    groups = 0
    converted = 0
    while True:
        chosen = _lowest_head(persons, heads, highs)
        if chosen == -1:
            return groups, converted
        person = persons[heads[chosen]]
        size = 0
        combined = np.int64(0)
        sources = 0
        source = 0
        for run in range(runs):
            end = heads[run]
            while end < highs[run] and persons[end] == person:
                mask = lookup[event_ids[end]]
                if has_flags:
                    mask |= flags[end]
                combined |= mask
                end += 1
            ends[run] = end
            if end > heads[run]:
                size += end - heads[run]
                sources += 1
                source = run
        group_persons[at + groups] = person
        if not (combined & exclusion_mask) and (not (combined & 1) or (combined & step_bits) == 1):
            # no exclusion, and no first step (nothing can start) or only first steps (nothing can follow)
            reached[at + groups] = 0 if combined & 1 else NO_STEP
            groups += 1
            for run in range(runs):
                heads[run] = ends[run]
            continue
        if size > capacity:
            capacity = max(size, 2 * capacity)
            buffer_times = np.empty(capacity, dtype=np.int64)
            buffer_steps = np.empty(capacity, dtype=np.int64)
            buffer_exclusions = np.empty(capacity, dtype=np.int64)
        for position in range(size):
            if sources > 1:  # merge the person's rows of several runs by time (earlier runs first on ties)
                source = -1
                for run in range(runs):
                    if heads[run] < ends[run] and (
                        source == -1 or timestamps[heads[run]] < timestamps[heads[source]]
                    ):
                        source = run
            row = heads[source]
            heads[source] += 1
            mask = lookup[event_ids[row]]
            if has_flags:
                mask |= flags[row]
            excluded = np.int64(0)
            if mask & exclusion_mask:
                for index in range(len(exclusion_bits)):
                    if (mask >> (n_steps + index)) & 1:
                        excluded |= exclusion_bits[index]
            buffer_times[position] = timestamps[row]
            buffer_steps[position] = mask & step_bits
            buffer_exclusions[position] = excluded
        first = 0
        if not (combined & exclusion_mask):
            # without exclusions, rows before the first step 1 (and its equal-time rows) cannot change anything
            while not buffer_steps[first] & 1:
                first += 1
            while first > 0 and buffer_times[first - 1] == buffer_times[first]:
                first -= 1
        step, pair_rows = _ordered_person(
            first, size, buffer_times, buffer_steps, buffer_exclusions, n_steps, window, strict,
            entered_set, entered_start, entered_excluded, entered_times, entered_rows, best, best_times, pair_rows,
        )  # fmt: skip
        reached[at + groups] = step
        groups += 1
        if step >= 1:
            for k in range(n_steps):
                converted_times[at + converted, k] = best_times[k] if k <= step else 0
            converted += 1


@njit(cache=True, parallel=True)
def _funnel_parts(
    persons: np.ndarray,
    timestamps: np.ndarray,
    event_ids: np.ndarray,
    flags: np.ndarray,
    lookup: np.ndarray,
    exclusion_bits: np.ndarray,
    cuts: np.ndarray,
    row_offsets: np.ndarray,
    n_steps: int,
    window: np.int64,
    strict: bool,
    group_persons: np.ndarray,
    reached: np.ndarray,
    converted_times: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    parts = cuts.shape[1] - 1
    groups = np.zeros(parts, dtype=np.int64)
    converted = np.zeros(parts, dtype=np.int64)
    for part in prange(parts):
        groups[part], converted[part] = _funnel_part(
            persons, timestamps, event_ids, flags, lookup, exclusion_bits, cuts[:, part].copy(),
            cuts[:, part + 1].copy(), row_offsets[part], n_steps, window, strict, group_persons, reached,
            converted_times,
        )  # fmt: skip
    return groups, converted


@njit(cache=True)
def _compact(values: np.ndarray, offsets: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The slices ``values[offsets[p] : offsets[p] + sizes[p]]`` one after the other."""
    out = np.empty((sizes.sum(),) + values.shape[1:], dtype=values.dtype)  # noqa: RUF005 - numba-friendly
    position = 0
    for part in range(len(sizes)):
        out[position : position + sizes[part]] = values[offsets[part] : offsets[part] + sizes[part]]
        position += sizes[part]
    return out


def ordered_funnel_runs(
    persons: np.ndarray,
    timestamps: np.ndarray,
    event_ids: np.ndarray,
    flags: np.ndarray,
    lookup: np.ndarray,
    exclusion_bits: np.ndarray,
    cuts: np.ndarray,
    n_steps: int,
    window: np.int64,
    strict: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ordered / strict funnel over rows that come as runs sorted by (person, time).

    ``cuts[r, p]`` is where part ``p`` of the person range starts in run ``r`` (see :func:`person_scan.run_cuts`).
    A row's matcher mask is ``lookup[event_id] | flags[row]`` (``flags`` may be empty): bits ``0 .. n_steps-1`` are
    the steps, bit ``n_steps + x`` exclusion ``x``, which covers the transitions ``exclusion_bits[x]``. Returns the
    persons (ascending), the 0-based step each reached (-1 = none or excluded) and, for the persons reaching step 2
    or further (in the same order), the step times of their best path."""
    sizes = (cuts[:, 1:] - cuts[:, :-1]).sum(axis=0)
    row_offsets = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(sizes)[:-1])).astype(np.int64)
    capacity = len(persons)
    # sized for the worst case (a group per row) but never touched beyond what is written: np.empty costs nothing
    group_persons = np.empty(capacity, dtype=np.int64)
    reached = np.empty(capacity, dtype=np.int8)
    converted_times = np.empty((capacity, n_steps), dtype=np.int64)
    groups, converted = _funnel_parts(
        persons, timestamps, event_ids, flags, lookup, exclusion_bits, cuts, row_offsets, n_steps, window, strict,
        group_persons, reached, converted_times,
    )  # fmt: skip
    return (
        _compact(group_persons, row_offsets, groups),
        _compact(reached, row_offsets, groups),
        _compact(converted_times, row_offsets, converted),
    )


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


@njit(cache=True)
def step_durations(
    reached: np.ndarray, converted_times: np.ndarray, n_steps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Persons reaching each step (cumulative) and, per step k >= 1, the times from step k-1 to k of those persons
    (in group order): ``durations[offsets[k]:offsets[k + 1]]``. ``converted_times`` holds the step times of the
    groups reaching step 2 or further, in group order."""
    counts = np.zeros(n_steps, dtype=np.int64)
    for group in range(len(reached)):
        for k in range(reached[group] + 1):
            counts[k] += 1
    offsets = np.zeros(n_steps + 1, dtype=np.int64)
    for k in range(n_steps):
        offsets[k + 1] = offsets[k] + (counts[k] if k > 0 else 0)
    durations = np.empty(offsets[n_steps], dtype=np.int64)
    positions = offsets[:n_steps].copy()
    row = 0
    for group in range(len(reached)):
        if reached[group] < 1:
            continue
        for k in range(1, reached[group] + 1):
            durations[positions[k]] = converted_times[row, k] - converted_times[row, k - 1]
            positions[k] += 1
        row += 1
    return counts, offsets, durations
