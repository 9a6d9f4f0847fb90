"""The roadmap-scheduling problem (an RCPSP): work items, teams with capacity per period, precedences, dates.

Also the serial schedule-generation scheme (SGS): place items one by one, in a priority order, at the earliest
period where predecessors are done and every team has room. With rank as the priority it is what Jira Plans'
auto-scheduler does; Northstar uses it for a first solution, for the horizon and as the baseline in benchmarks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from northstar.decisions.solve.common import PlanningInputError, SolverSettings

Objective = Literal["weighted_completion", "lateness", "makespan"]


@dataclass(frozen=True)
class WorkItem:
    """An initiative or epic: how long it runs (periods), what it takes from each team per period while running."""

    id: str
    duration: int | None
    demand: Mapping[str, int] = field(default_factory=dict)
    predecessors: Sequence[str] = ()
    release: int = 0
    deadline: int | None = None
    due: int | None = None
    weight: float = 1.0
    fixed_start: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class ScheduleProblem:
    """Teams map to a capacity per period (a list, whose last value continues) or one constant capacity."""

    items: Sequence[WorkItem]
    teams: Mapping[str, Sequence[int] | int]
    objective: Objective = "weighted_completion"
    horizon: int | None = None
    settings: SolverSettings = field(default_factory=SolverSettings)

    def capacity(self, team: str, periods: int) -> np.ndarray:
        """The capacity of ``team`` for periods 0..periods-1 (the last given value continues)."""
        given = self.teams[team]
        values = [int(given)] if isinstance(given, int | float) else [int(v) for v in given]
        if len(values) >= periods:
            return np.array(values[:periods], dtype=np.int64)
        return np.array(values + [values[-1]] * (periods - len(values)), dtype=np.int64)

    def validate(self) -> None:
        """Raise :class:`PlanningInputError` with every problem found, naming any dependency cycle."""
        problems: list[str] = []
        ids = {item.id for item in self.items}
        if len(ids) != len(self.items):
            problems.append("work item ids are not unique")
        for team, given in self.teams.items():
            values = [given] if isinstance(given, int | float) else list(given)
            if not values:
                problems.append(f"team {team!r} has no capacity")
            elif any(v is None or not math.isfinite(v) for v in values):
                problems.append(f"team {team!r} has a missing capacity")
            elif any(v < 0 for v in values):
                problems.append(f"team {team!r} has a negative capacity")
        for item in self.items:
            if item.duration is None:
                problems.append(f"{item.id!r} has no estimate")
            elif item.duration < 0:
                problems.append(f"{item.id!r} has a negative duration {item.duration}")
            for team, amount in item.demand.items():
                if team not in self.teams:
                    problems.append(f"{item.id!r} needs team {team!r}, which has no capacity")
                elif amount is None or amount < 0:
                    problems.append(f"{item.id!r} has a missing or negative demand on team {team!r}")
                elif amount > max(self._capacities(team), default=0):
                    problems.append(f"{item.id!r} needs {amount} of team {team!r}, more than it ever has")
            for predecessor in item.predecessors:
                if predecessor not in ids:
                    problems.append(f"{item.id!r} depends on unknown item {predecessor!r}")
            if item.release < 0:
                problems.append(f"{item.id!r} has a negative release period")
            if (
                item.deadline is not None
                and item.duration is not None
                and item.deadline < item.release + item.duration
            ):
                problems.append(f"{item.id!r} cannot end by its deadline {item.deadline}")
        cycle = find_cycle(self.items)
        if cycle:
            problems.append("dependency cycle: " + " → ".join(cycle))
        if not problems:
            problems += self._fixed_overloads()
        if problems:
            raise PlanningInputError(problems)

    def _fixed_overloads(self) -> list[str]:
        """Work already started (fixed starts) that alone needs more of a team than it has."""
        fixed = [item for item in self.items if item.fixed_start is not None and item.duration]
        if not fixed:
            return []
        end = max(int(item.fixed_start or 0) + int(item.duration or 0) for item in fixed)
        problems = []
        for team in self.teams:
            capacity = self.capacity(team, end)
            load = np.zeros(end, dtype=np.int64)
            for item in fixed:
                start = int(item.fixed_start or 0)
                load[start : start + int(item.duration or 0)] += int(item.demand.get(team, 0))
            over = np.flatnonzero(load > capacity)
            if over.size:
                period = int(over[0])
                names = [
                    item.id
                    for item in fixed
                    if item.demand.get(team)
                    and int(item.fixed_start or 0)
                    <= period
                    < int(item.fixed_start or 0) + int(item.duration or 0)
                ]
                problems.append(
                    f"work already started on team {team!r} needs {int(load[period])} in period {period} but the team "
                    f"has {int(capacity[period])}: {', '.join(names)}"
                )
        return problems

    def _capacities(self, team: str) -> list[float]:
        given = self.teams[team]
        return (
            [float(given)] if isinstance(given, int | float) else [float(v) for v in given if v is not None]
        )


def find_cycle(items: Sequence[WorkItem]) -> list[str]:
    """The first dependency cycle found, as ids with the first repeated at the end; [] when there is none."""
    predecessors = {item.id: [p for p in item.predecessors] for item in items}
    state: dict[str, int] = {}
    for root in predecessors:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, position = stack.pop()
            if position == 0:
                state[node] = 1
                path.append(node)
            children = [p for p in predecessors.get(node, []) if p in predecessors]
            if position < len(children):
                stack.append((node, position + 1))
                child = children[position]
                if state.get(child) == 1:
                    cycle = [*path[path.index(child) :], child]
                    return list(reversed(cycle))
                if not state.get(child):
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()
    return []


def topological_order(items: Sequence[WorkItem]) -> list[int]:
    """Indices in an order where every item comes after its predecessors (ties by input order)."""
    index = {item.id: i for i, item in enumerate(items)}
    pending = [len(item.predecessors) for item in items]
    successors: list[list[int]] = [[] for _ in items]
    for i, item in enumerate(items):
        for p in item.predecessors:
            successors[index[p]].append(i)
    ready = [i for i, count in enumerate(pending) if count == 0]
    order: list[int] = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        for j in successors[i]:
            pending[j] -= 1
            if pending[j] == 0:
                ready.append(j)
    return order


def earliest_and_tails(problem: ScheduleProblem) -> tuple[list[int], list[int]]:
    """Critical-path earliest starts (from releases) and tails (longest path from each start to the end)."""
    items = problem.items
    index = {item.id: i for i, item in enumerate(items)}
    order = topological_order(items)
    durations = [int(item.duration or 0) for item in items]
    earliest = [item.release for item in items]
    for i in order:
        for p in items[i].predecessors:
            earliest[i] = max(earliest[i], earliest[index[p]] + durations[index[p]])
    tails = list(durations)
    for i in reversed(order):
        for p in items[i].predecessors:
            tails[index[p]] = max(tails[index[p]], durations[index[p]] + tails[i])
    return earliest, tails


def serial_schedule(problem: ScheduleProblem, priority: Sequence[float]) -> list[int]:
    """Serial SGS: repeatedly take the eligible item with the lowest priority number, start it as early as it fits.

    Fixed starts are placed first. Returns the start period of every item.
    """
    items = problem.items
    index = {item.id: i for i, item in enumerate(items)}
    durations = [int(item.duration or 0) for item in items]
    horizon = max(item.release for item in items) + sum(durations) + 1
    horizon += max((item.fixed_start or 0) for item in items)
    horizon += max((len(v) for v in problem.teams.values() if not isinstance(v, int | float)), default=0)
    teams = list(problem.teams)
    free = {team: problem.capacity(team, horizon).copy() for team in teams}
    starts = [-1] * len(items)

    def place(i: int, start: int) -> None:
        starts[i] = start
        for team, amount in items[i].demand.items():
            free[team][start : start + durations[i]] -= amount

    for i, item in enumerate(items):
        if item.fixed_start is not None:
            place(i, item.fixed_start)
    remaining_preds = [sum(1 for p in item.predecessors) for item in items]
    successors: list[list[int]] = [[] for _ in items]
    for i, item in enumerate(items):
        for p in item.predecessors:
            successors[index[p]].append(i)
    for i in range(len(items)):
        if starts[i] >= 0:
            for j in successors[i]:
                remaining_preds[j] -= 1
    eligible = {i for i in range(len(items)) if remaining_preds[i] == 0 and starts[i] < 0}
    while eligible:
        i = min(eligible, key=lambda k: (priority[k], k))
        eligible.remove(i)
        item = items[i]
        start = max([item.release, *(starts[index[p]] + durations[index[p]] for p in item.predecessors)])
        needs = [(free[team], amount) for team, amount in item.demand.items() if amount > 0]
        if durations[i] > 0 and needs:
            start = _first_fit(needs, start, durations[i], horizon, item.id)
        place(i, start)
        for j in successors[i]:
            remaining_preds[j] -= 1
            if remaining_preds[j] == 0 and starts[j] < 0:
                eligible.add(j)
    return starts


def _first_fit(
    needs: list[tuple[np.ndarray, int]], start: int, duration: int, horizon: int, item_id: str
) -> int:
    """The first period ≥ start from which every team has room for ``duration`` periods in a row."""
    short = np.zeros(horizon, dtype=bool)
    for row, amount in needs:
        short |= row < amount
    shortages = np.concatenate(([0], np.cumsum(short)))
    windows = shortages[duration:] - shortages[: horizon - duration + 1]
    fits = np.flatnonzero(windows[start:] == 0)
    if fits.size == 0:
        raise PlanningInputError([f"{item_id!r} never fits into its teams' capacity"])
    return start + int(fits[0])


def justified_schedule(problem: ScheduleProblem, starts: Sequence[int], passes: int = 6) -> list[int]:
    """Forward-backward improvement of a schedule's makespan (double justification).

    Each pass shifts every item as late as it can go in the order of their end times (a backward serial schedule
    on the mirrored problem), then as early as it can go in the order of the new starts. The makespan never grows;
    in the RCPSP literature this pass is among the most effective improvements of list schedules. It applies only
    to constant capacity with no release dates, deadlines or fixed starts (otherwise ``starts`` is returned).
    """
    items = problem.items
    if any(not isinstance(given, int | float) and len(set(given)) > 1 for given in problem.teams.values()):
        return list(starts)
    if any(item.release or item.deadline is not None or item.fixed_start is not None for item in items):
        return list(starts)
    durations = [int(item.duration or 0) for item in items]
    successors: dict[str, list[str]] = {item.id: [] for item in items}
    for item in items:
        for predecessor in item.predecessors:
            successors[predecessor].append(item.id)
    mirrored = ScheduleProblem(
        [WorkItem(item.id, item.duration, item.demand, successors[item.id]) for item in items],
        {
            team: (given if isinstance(given, int | float) else int(given[0]))
            for team, given in problem.teams.items()
        },
    )
    best = list(starts)
    best_end = max((s + d for s, d in zip(best, durations, strict=True)), default=0)
    for _ in range(passes):
        ends = [s + d for s, d in zip(best, durations, strict=True)]
        backward = serial_schedule(mirrored, [-float(end) for end in ends])
        span = max((s + d for s, d in zip(backward, durations, strict=True)), default=0)
        late_starts = [span - s - d for s, d in zip(backward, durations, strict=True)]
        forward = serial_schedule(problem, [float(s) for s in late_starts])
        end = max((s + d for s, d in zip(forward, durations, strict=True)), default=0)
        if end >= best_end:
            break
        best, best_end = forward, end
    return best


def conflict_cliques(problem: ScheduleProblem, limit: int = 40) -> list[list[int]]:
    """Groups of items of which no two can ever run at the same time, as redundant no-overlap constraints.

    Two items conflict when together they need more of some team than it ever has, or when one must finish before
    the other starts (directly or through a chain). A single team's cumulative sees only its own conflicts; a group
    that mixes conflicts on several teams and precedences gives the solver a much stronger lower bound (the sum of
    the group's durations) on tightly resourced plans. Maximal groups are grown greedily from each item, longest
    items first; at most ``limit`` groups of three or more are returned.
    """
    items = problem.items
    n = len(items)
    durations = [int(item.duration or 0) for item in items]
    peak = {team: max(problem._capacities(team), default=0.0) for team in problem.teams}
    index = {item.id: i for i, item in enumerate(items)}
    order = topological_order(items)
    before = [0] * n  # bit masks: the items that must finish before item i starts
    for i in order:
        for predecessor in items[i].predecessors:
            p = index[predecessor]
            before[i] |= before[p] | (1 << p)
    conflicts = [0] * n
    for i in range(n):
        for j in range(i + 1, n):
            clash = (before[i] >> j) & 1 or (before[j] >> i) & 1
            if not clash:
                for team, amount in items[i].demand.items():
                    if amount + items[j].demand.get(team, 0) > peak.get(team, 0.0):
                        clash = 1
                        break
            if clash:
                conflicts[i] |= 1 << j
                conflicts[j] |= 1 << i
    runnable = [i for i in range(n) if durations[i] > 0]
    by_length = sorted(runnable, key=lambda i: (-durations[i], i))
    found: dict[int, list[int]] = {}
    for seed in by_length:
        members, mask, candidates = [seed], 1 << seed, conflicts[seed]
        for j in by_length:
            if (candidates >> j) & 1:
                members.append(j)
                mask |= 1 << j
                candidates &= conflicts[j]
        if len(members) >= 3:
            found.setdefault(mask, sorted(members))
    cliques = sorted(found.values(), key=lambda c: -sum(durations[i] for i in c))
    return cliques[:limit]


def antichain_bound(problem: ScheduleProblem, max_sets: int = 2_000) -> int:
    """A lower bound on the makespan from the sets of items that may run at the same time (0 when not computed).

    At every moment the running items form a set with no precedence between them that fits every team's peak
    capacity. Covering each item's duration with such sets, as a linear program (min Σ y_S with Σ_{S ∋ i} y_S ≥ d_i,
    the bound of Mingozzi, Maniezzo, Ricciardelli & Bianco, 1998), gives a bound that is far stronger than the
    critical path on tightly resourced plans, where few items fit together. The sets are enumerated; past
    ``max_sets`` (loose capacity, where the bound is weak anyway) no bound is computed.
    """
    from scipy.optimize import linprog

    items = problem.items
    jobs = [i for i, item in enumerate(items) if (item.duration or 0) > 0]
    if not jobs:
        return 0
    index = {item.id: i for i, item in enumerate(items)}
    teams = list(problem.teams)
    peak = [max(problem._capacities(team), default=0.0) for team in teams]
    demand = [[float(item.demand.get(team, 0)) for team in teams] for item in items]
    before = [0] * len(items)
    for i in topological_order(items):
        for predecessor in items[i].predecessors:
            p = index[predecessor]
            before[i] |= before[p] | (1 << p)
    together = {i: 0 for i in jobs}
    for a in jobs:
        for b in jobs:
            unrelated = a != b and not (before[a] >> b) & 1 and not (before[b] >> a) & 1
            if unrelated and all(x + y <= c for x, y, c in zip(demand[a], demand[b], peak, strict=True)):
                together[a] |= 1 << b
    sets: list[list[int]] = []
    stack: list[tuple[list[int], list[float], int]] = [([i], list(demand[i]), together[i]) for i in jobs]
    while stack:
        members, load, candidates = stack.pop()
        sets.append(members)
        if len(sets) > max_sets:
            return 0
        for j in jobs:
            if j > members[-1] and (candidates >> j) & 1:
                grown = [x + y for x, y in zip(load, demand[j], strict=True)]
                if all(x <= c for x, c in zip(grown, peak, strict=True)):
                    stack.append(([*members, j], grown, candidates & together[j]))
    position = {i: k for k, i in enumerate(jobs)}
    cover = np.zeros((len(jobs), len(sets)))
    for column, members in enumerate(sets):
        for i in members:
            cover[position[i], column] = 1.0
    durations = np.array([float(items[i].duration or 0) for i in jobs])
    outcome = linprog(np.ones(len(sets)), A_ub=-cover, b_ub=-durations, bounds=(0, None), method="highs")
    if outcome.status != 0:
        return 0
    return math.ceil(float(outcome.fun) - 1e-6)
