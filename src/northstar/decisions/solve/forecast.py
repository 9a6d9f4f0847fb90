"""Monte Carlo delivery forecasts over the optimized roadmap: P50/P85/P95 dates and deadline probabilities.

Durations are sampled per item from a three-point estimate (triangular, PERT or log-normal) or, where a team has
history, by throughput sampling (draw a past period's throughput until the item's remaining count is done). Each
simulation then re-times the plan with a serial schedule in the optimizer's order: an item starts when its
predecessors are done and its teams have enough free capacity units. All simulations run at once as NumPy arrays,
so 10,000 runs of a 200-item, 4-team roadmap take about a second.

A team's capacity may change per period (holidays, hiring), given as a list like the scheduler's (the last value
continues). Unit k of a team then exists only in the periods where the capacity is above k, and an item needs its
units for every period it overlaps: the same rule as the blocking intervals in the scheduler's cumulative. That case
runs in a compiled kernel, one world at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
from numba import njit

from northstar.decisions.solve.common import PlanningInputError

Distribution = Literal["triangular", "pert", "lognormal"]
#: (team, random generator, size) → ``size`` factors that scale an item's sampled durations, e.g. drawn from
#: how far a team's past estimates were off (the budget module's ``EstimateHistory.multiplier``)
DurationMultiplier = Callable[[str, np.random.Generator, int], np.ndarray]
Z_95 = 1.6448536269514722  # standard normal 95th percentile: log-normal low/high are its 5th/95th percentiles


@dataclass(frozen=True)
class ThreePointEstimate:
    """Low, most likely and high duration in periods. For log-normal, low and high are the 5th and 95th percentiles."""

    low: float
    likely: float
    high: float
    distribution: Distribution = "pert"

    def problems(self, item_id: str) -> list[str]:
        values = (self.low, self.likely, self.high)
        if any(v is None or not math.isfinite(v) for v in values):
            return [f"{item_id!r} has a missing estimate"]
        if not self.low <= self.likely <= self.high:
            return [f"{item_id!r} needs low ≤ likely ≤ high, got {self.low}, {self.likely}, {self.high}"]
        if self.low < 0:
            return [f"{item_id!r} has a negative estimate"]
        if self.distribution == "lognormal" and self.low <= 0:
            return [f"{item_id!r}: a log-normal estimate needs low > 0"]
        return []

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` durations drawn from this estimate."""
        low, likely, high = float(self.low), float(self.likely), float(self.high)
        if high - low < 1e-12:
            return np.full(size, likely)
        if self.distribution == "triangular":
            return rng.triangular(low, likely, high, size)
        if self.distribution == "pert":
            alpha = 1 + 4 * (likely - low) / (high - low)
            beta = 1 + 4 * (high - likely) / (high - low)
            return low + (high - low) * rng.beta(alpha, beta, size)
        mu = (math.log(low) + math.log(high)) / 2
        sigma = (math.log(high) - math.log(low)) / (2 * Z_95)
        return rng.lognormal(mu, sigma, size)


@dataclass(frozen=True)
class ThroughputEstimate:
    """Remaining work as a count of items (low..high, uniform), done at a rate drawn from past periods' throughput.

    ``split_rate`` (low, high) multiplies the count, for items that grow once started.
    """

    items_low: int
    items_high: int
    history: Sequence[float]
    split_rate: tuple[float, float] = (1.0, 1.0)

    def problems(self, item_id: str) -> list[str]:
        if self.items_low < 0 or self.items_high < self.items_low:
            return [f"{item_id!r} needs 0 ≤ items_low ≤ items_high"]
        if not self.history or any(v < 0 for v in self.history):
            return [f"{item_id!r} has no usable throughput history"]
        if sum(self.history) <= 0:
            return [f"{item_id!r}: the throughput history has no finished items"]
        if not 0 < self.split_rate[0] <= self.split_rate[1]:
            return [f"{item_id!r} needs 0 < split_rate low ≤ high"]
        return []

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Periods until the sampled count is done, per simulation (whole periods)."""
        history = np.asarray(self.history, dtype=float)
        counts = rng.integers(self.items_low, self.items_high + 1, size) * rng.uniform(*self.split_rate, size)
        counts = np.ceil(counts - 1e-9)
        periods = math.ceil(counts.max() / history.mean() * 3) + 10
        done = np.cumsum(rng.choice(history, size=(size, periods)), axis=1)
        reached = done >= counts[:, None]
        finished = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, periods)
        return np.where(counts <= 0, 0, finished).astype(float)


@dataclass(frozen=True)
class ForecastItem:
    id: str
    estimate: ThreePointEstimate | ThroughputEstimate
    demand: Mapping[str, int] = field(default_factory=dict)
    predecessors: Sequence[str] = ()
    release: float = 0.0
    deadline: float | None = None
    fixed_start: float | None = None


@dataclass(frozen=True)
class ForecastProblem:
    """Items in the optimized schedule's order; teams map to their capacity in units (people or slots).

    A team's capacity is one number, or a list per period whose last value continues (as in the scheduler).
    """

    items: Sequence[ForecastItem]
    teams: Mapping[str, int | Sequence[int]]
    simulations: int = 10_000
    seed: int = 7
    percentiles: Sequence[float] = (50, 85, 95)
    milestones: Mapping[str, Sequence[str]] = field(default_factory=dict)
    milestone_deadlines: Mapping[str, float] = field(default_factory=dict)
    start_date: date | None = None
    period_days: int = 7
    #: optional factors per item's first team that scale its sampled durations (see ``DurationMultiplier``)
    duration_multiplier: DurationMultiplier | None = None

    def validate(self) -> None:
        problems: list[str] = []
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            problems.append("item ids are not unique")
        if self.simulations < 1:
            problems.append("simulations must be at least 1")
        for team, given in self.teams.items():
            values = [given] if isinstance(given, int | float) or given is None else list(given)
            if not values or any(v is None or not math.isfinite(v) or v < 0 for v in values):
                problems.append(f"team {team!r} has a missing or negative capacity")
            elif max(values) < 1:
                problems.append(f"team {team!r} needs a capacity of at least 1 unit")
        for item in self.items:
            problems += item.estimate.problems(item.id)
            for team, amount in item.demand.items():
                if team not in self.teams:
                    problems.append(f"{item.id!r} needs unknown team {team!r}")
                elif amount < 0 or amount > self.peak(team):
                    problems.append(
                        f"{item.id!r} needs {amount} of team {team!r}, which has {self.peak(team)}"
                    )
            problems += [
                f"{item.id!r} depends on unknown {p!r}" for p in item.predecessors if p not in set(ids)
            ]
        for name, members in self.milestones.items():
            problems += [f"milestone {name!r} names unknown item {m!r}" for m in members if m not in set(ids)]
        if problems:
            raise PlanningInputError(problems)

    def capacity(self, team: str) -> list[int]:
        """The team's capacity per period (one value when it never changes; the last value continues)."""
        given = self.teams[team]
        values = [given] if isinstance(given, int | float) else list(given)
        return [int(v) for v in values]

    def peak(self, team: str) -> int:
        return max(self.capacity(team), default=0)

    def varying(self) -> bool:
        """Whether some team's capacity changes over time (then the per-period kernel runs)."""
        return any(len(set(self.capacity(team))) > 1 for team in self.teams)


@dataclass(frozen=True)
class DateForecast:
    """Completion percentiles (in periods from the start, and as dates when a start date is given)."""

    id: str
    percentiles: dict[str, float]
    mean: float
    deadline: float | None = None
    deadline_probability: float | None = None
    dates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ForecastResult:
    status: str
    simulations: int
    items: list[DateForecast]
    milestones: list[DateForecast]
    finish: DateForecast
    ends: np.ndarray | None = None

    def by_id(self) -> dict[str, DateForecast]:
        return {item.id: item for item in self.items}


def _priority_order(items: Sequence[ForecastItem]) -> list[int]:
    """Given order, moved only as much as needed so that every item comes after its predecessors."""
    index = {item.id: i for i, item in enumerate(items)}
    waiting = [len(item.predecessors) for item in items]
    successors: list[list[int]] = [[] for _ in items]
    for i, item in enumerate(items):
        for p in item.predecessors:
            successors[index[p]].append(i)
    ready = sorted(i for i, w in enumerate(waiting) if w == 0)
    order: list[int] = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        for j in successors[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
                ready.sort()
    if len(order) != len(items):
        raise PlanningInputError(["the items' dependencies contain a cycle"])
    return order


def sample_durations(problem: ForecastProblem, rng: np.random.Generator) -> np.ndarray:
    """An (items × simulations) matrix of sampled durations (item-major, so each item's row is contiguous)."""
    durations = np.empty((len(problem.items), problem.simulations))
    for i, item in enumerate(problem.items):
        durations[i] = item.estimate.sample(rng, problem.simulations)
    if problem.duration_multiplier is not None:  # drawn after the estimates, so those stay as without it
        for i, item in enumerate(problem.items):
            team = next(iter(item.demand), "")
            durations[i] *= problem.duration_multiplier(team, rng, problem.simulations)
    return durations


def simulate_ends(problem: ForecastProblem, durations: np.ndarray) -> np.ndarray:
    """End times (items × simulations) of the serial schedule in priority order, for every sampled world at once.

    Each team is a set of capacity units with the time each becomes free; an item takes the ``demand`` units that
    free up first, so it starts at max(predecessors' ends, release, the demand-th smallest free time).
    """
    if problem.varying():
        return _simulate_ends_per_period(problem, durations)
    simulations = durations.shape[1]
    index = {item.id: i for i, item in enumerate(problem.items)}
    free = {team: np.zeros((simulations, problem.peak(team))) for team in problem.teams}
    ends = np.zeros_like(durations)
    for i in _priority_order(problem.items):
        item = problem.items[i]
        start = np.full(simulations, float(item.release))
        for p in item.predecessors:
            np.maximum(start, ends[index[p]], out=start)
        used = [(free[team], amount) for team, amount in item.demand.items() if amount > 0]
        for units, amount in used:
            np.maximum(start, units[:, amount - 1], out=start)  # units stay sorted by the time they free up
        if item.fixed_start is not None:
            start[:] = item.fixed_start
        np.add(start, durations[i], out=ends[i])
        for units, amount in used:
            units[:, :amount] = ends[i][:, None]
            units.sort(axis=1)
    return ends


def _simulate_ends_per_period(problem: ForecastProblem, durations: np.ndarray) -> np.ndarray:
    """``simulate_ends`` when a team's capacity changes per period: the compiled kernel, one world at a time."""
    items = problem.items
    teams = list(problem.teams)
    team_index = {team: t for t, team in enumerate(teams)}
    index = {item.id: i for i, item in enumerate(items)}
    periods = max(len(problem.capacity(team)) for team in teams)
    profile = np.array([_padded(problem.capacity(team), periods) for team in teams], dtype=np.int64)
    peaks = profile.max(axis=1)
    unit_ptr = np.concatenate(([0], np.cumsum(peaks))).astype(np.int64)
    next_open, next_blocked = _unit_calendars(profile, peaks)
    pred_ptr, pred_idx = _csr([[index[p] for p in item.predecessors] for item in items])
    use_ptr, use_team = _csr([[team_index[t] for t, a in item.demand.items() if a > 0] for item in items])
    use_amount = np.array([a for item in items for a in item.demand.values() if a > 0], dtype=np.int64)
    fixed = np.array([np.nan if item.fixed_start is None else item.fixed_start for item in items])
    release = np.array([float(item.release) for item in items])
    order = np.array(_priority_order(items), dtype=np.int64)
    ends = np.zeros_like(durations)
    stuck = _per_period_kernel(
        np.ascontiguousarray(durations),
        order,
        release,
        fixed,
        pred_ptr,
        pred_idx,
        use_ptr,
        use_team,
        use_amount,
        unit_ptr,
        next_open,
        next_blocked,
        ends,
    )
    if stuck >= 0:
        item = items[stuck]
        raise PlanningInputError(
            [
                f"{item.id!r} cannot finish within the capacity of team(s) {', '.join(map(repr, item.demand))} in "
                "some simulated runs: the capacity given ends too low; add capacity for later periods"
            ]
        )
    return ends


def _padded(values: list[int], periods: int) -> list[int]:
    return values + [values[-1]] * (periods - len(values))


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    pointer = np.zeros(len(lists) + 1, dtype=np.int64)
    for i, entries in enumerate(lists):
        pointer[i + 1] = pointer[i] + len(entries)
    flat = np.array([x for entries in lists for x in entries], dtype=np.int64)
    return pointer, flat


NEVER = 1 << 40  # "no such period": beyond any horizon


def _unit_calendars(profile: np.ndarray, peaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per capacity unit and period p: the first period ≥ p in which the unit exists, and the first in which it does not.

    Row u of each table is unit k of its team (units of all teams stacked); column ``periods`` stands for every
    period after the last given one, where the last capacity continues.
    """
    teams, periods = profile.shape
    rows = int(peaks.sum())
    next_open = np.full((rows, periods + 1), NEVER, dtype=np.int64)
    next_blocked = np.full((rows, periods + 1), NEVER, dtype=np.int64)
    row = 0
    for t in range(teams):
        for k in range(int(peaks[t])):
            exists = profile[t] > k
            next_open[row, periods] = periods if exists[-1] else NEVER
            next_blocked[row, periods] = NEVER if exists[-1] else periods
            for p in range(periods - 1, -1, -1):
                next_open[row, p] = p if exists[p] else next_open[row, p + 1]
                next_blocked[row, p] = p if not exists[p] else next_blocked[row, p + 1]
            row += 1
    return next_open, next_blocked


@njit(cache=True, inline="always")
def _lookup(table: np.ndarray, unit: int, period: int) -> int:
    last = table.shape[1] - 1
    if period >= last:
        value = table[unit, last]
        return period if value == last else value
    return table[unit, period]


@njit(cache=True)
def _team_fit(free, first, count, amount, at, duration, next_open, next_blocked):  # type: ignore[no-untyped-def]
    """The earliest time ≥ ``at`` when ``amount`` units of one team are free and exist for the whole run."""
    t = at
    while True:
        ready = 0
        following = np.inf
        low = int(np.floor(t + 1e-9))
        high = int(np.ceil(t + duration - 1e-9)) - 1 if duration > 0 else low - 1
        for u in range(first, first + count):
            if free[u] > t + 1e-9:
                following = min(following, free[u])
                continue
            blocked = _lookup(next_blocked, u, low) if high >= low else NEVER
            if blocked > high:
                ready += 1
                continue
            reopen = _lookup(next_open, u, blocked)
            if reopen < NEVER:
                following = min(following, float(reopen))
        if ready >= amount:
            return t
        if following == np.inf:
            return -1.0
        t = following


@njit(cache=True)
def _per_period_kernel(  # type: ignore[no-untyped-def]
    durations,
    order,
    release,
    fixed,
    pred_ptr,
    pred_idx,
    use_ptr,
    use_team,
    use_amount,
    unit_ptr,
    next_open,
    next_blocked,
    ends,
):
    """Serial re-timing of every sampled world with per-period capacity; returns a stuck item's index or -1."""
    items, simulations = durations.shape
    free = np.zeros(unit_ptr[-1])
    for s in range(simulations):
        free[:] = 0.0
        for position in range(items):
            i = order[position]
            duration = durations[i, s]
            start = release[i]
            for k in range(pred_ptr[i], pred_ptr[i + 1]):
                start = max(start, ends[pred_idx[k], s])
            if not np.isnan(fixed[i]):
                start = fixed[i]
            else:
                settled = False
                while not settled:
                    settled = True
                    for k in range(use_ptr[i], use_ptr[i + 1]):
                        team = use_team[k]
                        first, count = unit_ptr[team], unit_ptr[team + 1] - unit_ptr[team]
                        fit = _team_fit(
                            free, first, count, use_amount[k], start, duration, next_open, next_blocked
                        )
                        if fit < 0:
                            return i
                        if fit > start + 1e-9:
                            start = fit
                            settled = False
            end = start + duration
            ends[i, s] = end
            for k in range(use_ptr[i], use_ptr[i + 1]):
                team = use_team[k]
                _take_units(
                    free,
                    unit_ptr[team],
                    unit_ptr[team + 1],
                    use_amount[k],
                    start,
                    duration,
                    end,
                    next_blocked,
                    not np.isnan(fixed[i]),
                )
    return -1


@njit(cache=True)
def _take_units(free, first, last, amount, start, duration, end, next_blocked, forced):  # type: ignore[no-untyped-def]
    """Give the run the ``amount`` usable units that freed up first (ties: the lowest unit)."""
    low = int(np.floor(start + 1e-9))
    high = int(np.ceil(start + duration - 1e-9)) - 1 if duration > 0 else low - 1
    for _ in range(amount):
        pick = -1
        for u in range(first, last):
            if free[u] > start + 1e-9 and not forced:
                continue
            if not forced and high >= low and _lookup(next_blocked, u, low) <= high:
                continue
            if free[u] == np.inf:
                continue
            if pick < 0 or free[u] < free[pick]:
                pick = u
        if pick < 0:
            return
        free[pick] = np.inf
    for u in range(first, last):
        if free[u] == np.inf:
            free[u] = end


def _summary(problem: ForecastProblem, name: str, ends: np.ndarray, deadline: float | None) -> DateForecast:
    values = np.percentile(ends, list(problem.percentiles))
    percentiles = {f"P{p:g}": float(v) for p, v in zip(problem.percentiles, values, strict=True)}
    probability = None if deadline is None else float(np.mean(ends <= deadline + 1e-9))
    dates = {}
    if problem.start_date is not None:
        for label, value in percentiles.items():
            day = problem.start_date + timedelta(days=math.ceil(value * problem.period_days))
            dates[label] = day.isoformat()
    return DateForecast(name, percentiles, float(ends.mean()), deadline, probability, dates)


def solve(problem: ForecastProblem, keep_samples: bool = False) -> ForecastResult:
    """Run the Monte Carlo forecast: percentiles per item, per milestone and for the whole plan."""
    problem.validate()
    rng = np.random.default_rng(problem.seed)
    ends = simulate_ends(problem, sample_durations(problem, rng))
    index = {item.id: i for i, item in enumerate(problem.items)}
    items = [_summary(problem, item.id, ends[i], item.deadline) for i, item in enumerate(problem.items)]
    milestones = []
    for name, members in problem.milestones.items():
        done = ends[[index[m] for m in members]].max(axis=0) if members else np.zeros(problem.simulations)
        milestones.append(_summary(problem, name, done, problem.milestone_deadlines.get(name)))
    finish = _summary(
        problem, "whole plan", ends.max(axis=0) if len(problem.items) else ends.sum(axis=0), None
    )
    return ForecastResult(
        "ok", problem.simulations, items, milestones, finish, ends if keep_samples else None
    )
