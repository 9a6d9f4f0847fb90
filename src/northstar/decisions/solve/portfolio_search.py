"""A primal heuristic for portfolio selection: a steady-state genetic search with a dual-guided repair.

CP-SAT proves optimality quickly on small portfolios, but on large, tightly packed ones (hundreds of ideas against a few
budgets) its single search thread improves slowly. This search finds strong selections fast; CP-SAT then starts from
the best one (as a hint) and keeps the bound honest. The method follows the published design of Chu & Beasley (1998)
for the multidimensional knapsack: uniform crossover, a two-bit mutation, and a repair that drops the ideas with the
lowest value per dual-priced unit of resource until every rule holds, then adds the best ones that still fit; children
that duplicate a member are discarded, a new child replaces the weakest member.

It works on the integer rows that CP-SAT sees (``Σ a_i x_i ≤ b``, any sign), so every selection it returns is feasible
for the exact model. Rows with negative coefficients (dependencies, must-haves, mix rules) are repaired by dropping an
idea with a positive coefficient in a broken row; must-haves are fixed in, forced-out ideas fixed out.

The kernels are compiled with numba and release the GIL: one island per worker runs on its own thread, and the best
member migrates between islands after every round. Random numbers come from a xorshift generator per island, so a run
is repeatable for a given seed and number of rounds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numba import njit

POPULATION = 100
ROUND_CHILDREN = 4000  # children per island between time checks and migrations
RESTART_ROUNDS = 40  # rounds without a better member before an island restarts around the best selection


@dataclass(frozen=True)
class PackingModel:
    """Integer rows in compressed-column form, the ideas' integer values and which ideas are fixed in (1) or out (-1)."""

    values: np.ndarray  # int64 (n)
    limits: np.ndarray  # int64 (m)
    col_ptr: np.ndarray  # int64 (n + 1)
    col_row: np.ndarray  # int64 (nnz)
    col_val: np.ndarray  # int64 (nnz)
    fixed: np.ndarray  # int8 (n)
    order: np.ndarray  # int64 (n): ideas by value per dual-priced unit of resource, best first

    @property
    def size(self) -> int:
        return int(self.values.shape[0])


def packing_model(
    n: int,
    rows: Sequence[tuple[dict[int, int], int]],
    values: Sequence[int],
    fixed: Sequence[int],
    utility: Sequence[float],
) -> PackingModel:
    """Build the compressed model from integer rows ``(coefficients, limit)``; ``utility`` orders the repair."""
    columns: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for r, (coefficients, _limit) in enumerate(rows):
        for i, coefficient in coefficients.items():
            if coefficient:
                columns[i].append((r, int(coefficient)))
    col_ptr = np.zeros(n + 1, dtype=np.int64)
    for i, entries in enumerate(columns):
        col_ptr[i + 1] = col_ptr[i] + len(entries)
    col_row = np.array([r for entries in columns for r, _ in entries], dtype=np.int64)
    col_val = np.array([c for entries in columns for _, c in entries], dtype=np.int64)
    limits = np.array([limit for _, limit in rows], dtype=np.int64)
    order = np.argsort(-np.asarray(utility, dtype=np.float64), kind="stable").astype(np.int64)
    return PackingModel(
        values=np.asarray(values, dtype=np.int64),
        limits=limits,
        col_ptr=col_ptr,
        col_row=col_row,
        col_val=col_val,
        fixed=np.asarray(fixed, dtype=np.int8),
        order=order,
    )


@njit(cache=True, inline="always")
def _next(state: np.ndarray) -> np.uint64:
    """xorshift64*: the next 64 random bits of one island's generator."""
    x = state[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    state[0] = x
    return x * np.uint64(2685821657736338717)


@njit(cache=True, inline="always")
def _below(state: np.ndarray, bound: int) -> int:
    return int((_next(state) >> np.uint64(11)) % np.uint64(bound))


@njit(cache=True, inline="always")
def _flip(j, on, x, loads, limits, col_ptr, col_row, col_val) -> int:  # type: ignore[no-untyped-def]
    """Set idea ``j`` to ``on``, keeping row loads and the count of broken rows current; returns the count change."""
    sign = 1 if on else -1
    x[j] = on
    change = 0
    for k in range(col_ptr[j], col_ptr[j + 1]):
        r = col_row[k]
        was = loads[r] > limits[r]
        loads[r] += sign * col_val[k]
        now = loads[r] > limits[r]
        if now and not was:
            change += 1
        elif was and not now:
            change -= 1
    return change


@njit(cache=True)
def _repair(x, loads, broken, values, limits, col_ptr, col_row, col_val, fixed, order):  # type: ignore[no-untyped-def]
    """Drop the weakest ideas that load a broken row until all rows hold, then add the best ideas that fit.

    Returns (feasible, number of broken rows left).
    """
    n = x.shape[0]
    t = n - 1
    while broken > 0 and t >= 0:
        j = order[t]
        t -= 1
        if not x[j] or fixed[j] == 1:
            continue
        loads_broken_row = False
        for k in range(col_ptr[j], col_ptr[j + 1]):
            r = col_row[k]
            if col_val[k] > 0 and loads[r] > limits[r]:
                loads_broken_row = True
                break
        if loads_broken_row:
            broken += _flip(j, False, x, loads, limits, col_ptr, col_row, col_val)
    if broken > 0:
        return False, broken
    for t in range(n):
        j = order[t]
        if x[j] or fixed[j] == -1 or values[j] <= 0:
            continue
        fits = True
        for k in range(col_ptr[j], col_ptr[j + 1]):
            if loads[col_row[k]] + col_val[k] > limits[col_row[k]]:
                fits = False
                break
        if fits:
            _flip(j, True, x, loads, limits, col_ptr, col_row, col_val)
    return True, 0


@njit(cache=True)
def _evaluate(x, values, keys):  # type: ignore[no-untyped-def]
    total = 0
    code = 0
    for j in range(x.shape[0]):
        if x[j]:
            total += values[j]
            code ^= keys[j]
    return total, code


@njit(cache=True)
def _count_broken(loads, limits):  # type: ignore[no-untyped-def]
    broken = 0
    for r in range(limits.shape[0]):
        if loads[r] > limits[r]:
            broken += 1
    return broken


@njit(cache=True)
def _loads_of(x, m, col_ptr, col_row, col_val):  # type: ignore[no-untyped-def]
    loads = np.zeros(m, np.int64)
    for j in range(x.shape[0]):
        if x[j]:
            for k in range(col_ptr[j], col_ptr[j + 1]):
                loads[col_row[k]] += col_val[k]
    return loads


INFEASIBLE = -(1 << 62)


@njit(cache=True, nogil=True)
def seed_population(
    pop, fit, codes, loads, seeds, values, limits, col_ptr, col_row, col_val, fixed, order, keys, rng
):  # type: ignore[no-untyped-def]
    """Fill the population: the given seed selections first, then random selections completed by the repair."""
    size, n = pop.shape
    m = limits.shape[0]
    for p in range(size):
        x = pop[p]
        x[:] = False
        if p < seeds.shape[0]:
            x[:] = seeds[p]
        else:
            for j in range(n):
                if fixed[j] == 1:
                    x[j] = True
            load = _loads_of(x, m, col_ptr, col_row, col_val)
            for _ in range(n):
                j = _below(rng, n)
                if x[j] or fixed[j] == -1 or values[j] <= 0:
                    continue
                fits = True
                for k in range(col_ptr[j], col_ptr[j + 1]):
                    if load[col_row[k]] + col_val[k] > limits[col_row[k]]:
                        fits = False
                        break
                if fits:
                    x[j] = True
                    for k in range(col_ptr[j], col_ptr[j + 1]):
                        load[col_row[k]] += col_val[k]
        for j in range(n):
            if fixed[j] == 1:
                x[j] = True
            elif fixed[j] == -1:
                x[j] = False
        loads[p] = _loads_of(x, m, col_ptr, col_row, col_val)
        ok, _ = _repair(
            x,
            loads[p],
            _count_broken(loads[p], limits),
            values,
            limits,
            col_ptr,
            col_row,
            col_val,
            fixed,
            order,
        )
        total, code = _evaluate(x, values, keys)
        fit[p] = total if ok else INFEASIBLE
        codes[p] = code


@njit(cache=True, nogil=True)
def evolve(
    pop, fit, codes, loads, children, values, limits, col_ptr, col_row, col_val, fixed, order, keys, rng
):  # type: ignore[no-untyped-def]
    """Make ``children`` non-duplicate children (or give up after three times as many tries); returns how many."""
    size, n = pop.shape
    child = np.zeros(n, np.bool_)
    child_loads = np.zeros(limits.shape[0], np.int64)
    made = 0
    tries = 0
    while made < children and tries < 3 * children:
        tries += 1
        a, b = _below(rng, size), _below(rng, size)
        first = a if fit[a] >= fit[b] else b
        a, b = _below(rng, size), _below(rng, size)
        second = a if fit[a] >= fit[b] else b
        if fit[first] == INFEASIBLE:
            continue
        child[:] = pop[first]
        child_loads[:] = loads[first]
        broken = 0
        bits = np.uint64(0)
        left = 0
        for j in range(n):
            if pop[first, j] != pop[second, j]:
                if left == 0:
                    bits = _next(rng)
                    left = 64
                if bits & np.uint64(1):
                    broken += _flip(j, pop[second, j], child, child_loads, limits, col_ptr, col_row, col_val)
                bits >>= np.uint64(1)
                left -= 1
        for _ in range(2):
            j = _below(rng, n)
            if fixed[j] == 0:
                broken += _flip(j, not child[j], child, child_loads, limits, col_ptr, col_row, col_val)
        ok, _ = _repair(child, child_loads, broken, values, limits, col_ptr, col_row, col_val, fixed, order)
        if not ok:
            continue
        total, code = _evaluate(child, values, keys)
        duplicate = False
        for p in range(size):
            if codes[p] == code and fit[p] == total:
                duplicate = True
                break
        if duplicate:
            continue
        made += 1
        worst = 0
        for p in range(1, size):
            if fit[p] < fit[worst]:
                worst = p
        pop[worst] = child
        loads[worst] = child_loads
        fit[worst] = total
        codes[worst] = code
    return made


@njit(cache=True, inline="always")
def _fits(j, loads, limits, col_ptr, col_row, col_val):  # type: ignore[no-untyped-def]
    for k in range(col_ptr[j], col_ptr[j + 1]):
        if loads[col_row[k]] + col_val[k] > limits[col_row[k]]:
            return False
    return True


@njit(cache=True)
def _swap_one_for_one(x, loads, values, limits, col_ptr, col_row, col_val, fixed, order):  # type: ignore[no-untyped-def]
    """Swap funded ideas for the most valuable unfunded idea that fits in their place; returns the gain."""
    n = x.shape[0]
    gain = 0
    for a in range(n - 1, -1, -1):
        i = order[a]
        if not x[i] or fixed[i] == 1:
            continue
        _flip(i, False, x, loads, limits, col_ptr, col_row, col_val)
        best_j = -1
        if _count_broken(loads, limits) == 0:
            for b in range(n):
                j = order[b]
                if x[j] or j == i or fixed[j] == -1 or values[j] <= values[i]:
                    continue
                if best_j >= 0 and values[j] <= values[best_j]:
                    continue
                if _fits(j, loads, limits, col_ptr, col_row, col_val):
                    best_j = j
        if best_j >= 0:
            _flip(best_j, True, x, loads, limits, col_ptr, col_row, col_val)
            gain += values[best_j] - values[i]
        else:
            _flip(i, True, x, loads, limits, col_ptr, col_row, col_val)
    return gain


@njit(cache=True)
def _swap_one_for_two(x, loads, values, limits, col_ptr, col_row, col_val, fixed, order):  # type: ignore[no-untyped-def]
    """Replace one funded idea by two unfunded ones worth more together (first improvement); returns the gain."""
    n = x.shape[0]
    for a in range(n - 1, -1, -1):
        i = order[a]
        if not x[i] or fixed[i] == 1:
            continue
        _flip(i, False, x, loads, limits, col_ptr, col_row, col_val)
        if _count_broken(loads, limits) == 0:
            for b in range(n):
                first = order[b]
                if x[first] or first == i or fixed[first] == -1 or values[first] <= 0:
                    continue
                if not _fits(first, loads, limits, col_ptr, col_row, col_val):
                    continue
                _flip(first, True, x, loads, limits, col_ptr, col_row, col_val)
                for c in range(b + 1, n):
                    second = order[c]
                    if x[second] or second == i or fixed[second] == -1:
                        continue
                    if values[first] + values[second] <= values[i]:
                        continue
                    if _fits(second, loads, limits, col_ptr, col_row, col_val):
                        _flip(second, True, x, loads, limits, col_ptr, col_row, col_val)
                        return values[first] + values[second] - values[i]
                _flip(first, False, x, loads, limits, col_ptr, col_row, col_val)
        _flip(i, True, x, loads, limits, col_ptr, col_row, col_val)
    return 0


@njit(cache=True, nogil=True)
def improve(x, values, limits, col_ptr, col_row, col_val, fixed, order):  # type: ignore[no-untyped-def]
    """Local search on one selection: swap a funded idea for a better unfunded one, or for two unfunded ones worth
    more, while every row holds, then add whatever still fits; repeat until nothing helps. Returns the gain (the
    selection is changed in place)."""
    n = x.shape[0]
    loads = _loads_of(x, limits.shape[0], col_ptr, col_row, col_val)
    before = 0
    for j in range(n):
        if x[j]:
            before += values[j]
    while True:
        gained = _swap_one_for_one(x, loads, values, limits, col_ptr, col_row, col_val, fixed, order)
        if gained == 0:
            gained = _swap_one_for_two(x, loads, values, limits, col_ptr, col_row, col_val, fixed, order)
        if gained == 0:
            break
    _repair(x, loads, 0, values, limits, col_ptr, col_row, col_val, fixed, order)
    after = 0
    for j in range(n):
        if x[j]:
            after += values[j]
    return after - before


class _Island:
    def __init__(self, model: PackingModel, seeds: np.ndarray, seed: int, keys: np.ndarray) -> None:
        n, m = model.size, model.limits.shape[0]
        self.model = model
        self.keys = keys
        mask = (1 << 64) - 1
        start = (0x9E3779B97F4A7C15 ^ ((seed * 0x100000001B3 + 1) & mask)) & mask
        self.rng = np.array([start or 1], dtype=np.uint64)
        self.pop = np.zeros((POPULATION, n), dtype=np.bool_)
        self.fit = np.zeros(POPULATION, dtype=np.int64)
        self.codes = np.zeros(POPULATION, dtype=np.int64)
        self.loads = np.zeros((POPULATION, m), dtype=np.int64)
        self.restart(seeds)

    def restart(self, seeds: np.ndarray) -> None:
        """A fresh population around ``seeds`` (the random stream goes on, so restarts differ)."""
        k = self.model
        seed_population(
            self.pop, self.fit, self.codes, self.loads, seeds, k.values, k.limits, k.col_ptr, k.col_row,
            k.col_val, k.fixed, k.order, self.keys, self.rng,
        )  # fmt: skip
        self.record = int(self.fit.max())
        self.stale = 0

    def run(self, children: int) -> int:
        k = self.model
        made = evolve(
            self.pop, self.fit, self.codes, self.loads, children, k.values, k.limits, k.col_ptr, k.col_row,
            k.col_val, k.fixed, k.order, self.keys, self.rng,
        )  # fmt: skip
        return int(made)

    def best(self) -> tuple[int, np.ndarray]:
        p = int(np.argmax(self.fit))
        return int(self.fit[p]), self.pop[p].copy()

    def receive(self, value: int, selection: np.ndarray, code: int) -> None:
        """Take in a migrant in place of the weakest member, unless it is already here or breaks one of our rows."""
        if np.any((self.codes == code) & (self.fit == value)):
            return
        k = self.model
        loads = _loads_of(selection, k.limits.shape[0], k.col_ptr, k.col_row, k.col_val)
        if np.any(loads > k.limits):
            return
        worst = int(np.argmin(self.fit))
        self.pop[worst], self.fit[worst], self.codes[worst], self.loads[worst] = selection, value, code, loads


@dataclass(frozen=True)
class SearchOutcome:
    value: int  # scaled integer value; INFEASIBLE when no feasible selection was found
    selection: np.ndarray
    children: int
    rounds: int
    elite: list[np.ndarray] = field(default_factory=list)  # the best distinct members, best first


def search(
    model: PackingModel,
    seeds: Sequence[Sequence[bool]],
    seconds: float,
    islands: int = 1,
    seed: int = 7,
    max_children: int = 20_000_000,
    elite_size: int = 20,
    stall_rounds: int | None = None,
    island_models: Sequence[PackingModel] = (),
) -> SearchOutcome:
    """Evolve ``islands`` populations in parallel for up to ``seconds`` (checked between rounds).

    Island k searches ``island_models[k]`` when given (the same ideas and values, possibly with extra rows that
    steer it elsewhere, e.g. a cap on the number of ideas), else ``model``. Stops early after ``max_children``
    children in total or when the best value has not improved for ``stall_rounds`` rounds. The result is the best
    selection found that is feasible for ``model`` (a seed when nothing beats it).
    """
    started = time.perf_counter()
    n = model.size
    generator = np.random.default_rng(seed)
    keys = generator.integers(1, 2**62, size=n, dtype=np.int64)
    seed_array = np.array([list(s) for s in seeds], dtype=np.bool_).reshape(len(seeds), n)
    populations = [
        _Island(island_models[k] if k < len(island_models) else model, seed_array, seed + 1000 * k, keys)
        for k in range(max(1, islands))
    ]
    made = 0
    rounds = 0
    best_value, best_selection = max((isl.best() for isl in populations), key=lambda pair: pair[0])
    stale = 0
    with ThreadPoolExecutor(max_workers=len(populations)) as pool:
        while made < max_children and time.perf_counter() - started < seconds:
            made += sum(pool.map(lambda isl: isl.run(ROUND_CHILDREN), populations))
            rounds += 1
            for isl in populations:  # an island that stopped improving starts again around the best so far
                top = int(isl.fit.max())
                isl.stale = 0 if top > isl.record else isl.stale + 1
                isl.record = max(isl.record, top)
                if isl.stale >= RESTART_ROUNDS and best_value != INFEASIBLE:
                    isl.restart(best_selection[None, :])
            value, selection = max((isl.best() for isl in populations), key=lambda pair: pair[0])
            if value != INFEASIBLE:
                k = model
                value += int(
                    improve(selection, k.values, k.limits, k.col_ptr, k.col_row, k.col_val, k.fixed, k.order)
                )
            if value > best_value:
                best_value, best_selection, stale = value, selection, 0
            else:
                stale += 1
            if len(populations) > 1 or value > populations[0].best()[0]:
                code = int(np.bitwise_xor.reduce(keys[selection])) if selection.any() else 0
                for isl in populations:
                    isl.receive(value, selection, code)
            if stall_rounds is not None and stale >= stall_rounds:
                break
    members: dict[int, tuple[int, np.ndarray]] = {}
    for isl in populations:
        for p in np.argsort(-isl.fit, kind="stable")[:elite_size]:
            if isl.fit[p] != INFEASIBLE:
                members.setdefault(int(isl.codes[p]), (int(isl.fit[p]), isl.pop[p].copy()))
    elite = [selection for _, selection in sorted(members.values(), key=lambda pair: -pair[0])][:elite_size]
    return SearchOutcome(int(best_value), best_selection, made, rounds, [best_selection, *elite])
