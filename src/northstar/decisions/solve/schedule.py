"""Roadmap scheduling with OR-Tools CP-SAT: interval variables, one cumulative per team, precedences, dates.

Objectives: value-weighted completion time (default), weighted lateness against due dates, or makespan. Capacity
that changes over time (holidays, hiring) is modelled by fixed blocking intervals in the team's cumulative. Work
already started keeps its start (``fixed_start``). The serial schedule-generation scheme gives the first solution
and the horizon.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from northstar.decisions.solve.common import PlanningInputError, integer_scale, relative_gap, status_name
from northstar.decisions.solve.schedule_model import (
    ScheduleProblem,
    WorkItem,
    antichain_bound,
    conflict_cliques,
    earliest_and_tails,
    find_cycle,
    justified_schedule,
    serial_schedule,
)

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

__all__ = ["ScheduleProblem", "ScheduleResult", "ScheduledItem", "WorkItem", "find_cycle", "solve"]

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class ScheduledItem:
    id: str
    start: int
    end: int
    late_by: int = 0


@dataclass(frozen=True)
class ScheduleResult:
    """A timeline: start and end period per item, the objective, the solver's bound and the load per team."""

    status: str
    items: list[ScheduledItem] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    makespan: int = 0
    seconds: float = 0.0
    load: dict[str, list[int]] = field(default_factory=dict)
    capacity: dict[str, list[int]] = field(default_factory=dict)
    message: str = ""

    def by_id(self) -> dict[str, ScheduledItem]:
        return {item.id: item for item in self.items}

    def order(self) -> list[str]:
        """Item ids by start period (then end): the sequence the forecast re-times."""
        return [item.id for item in sorted(self.items, key=lambda x: (x.start, x.end, x.id))]

    def board(self, now: int = 0, next_periods: int = 6) -> dict[str, list[str]]:
        """Now (running at ``now``), next (starting within ``next_periods``), later (the rest)."""
        columns: dict[str, list[str]] = {"now": [], "next": [], "later": [], "done": []}
        for item in sorted(self.items, key=lambda x: (x.start, x.id)):
            if item.end <= now and item.end > item.start:
                columns["done"].append(item.id)
            elif item.start <= now:
                columns["now"].append(item.id)
            elif item.start < now + next_periods:
                columns["next"].append(item.id)
            else:
                columns["later"].append(item.id)
        return columns


def _initial_solution(problem: ScheduleProblem, earliest: list[int], tails: list[int]) -> list[int]:
    """The best of a few serial-SGS passes (latest finish, most total successors, input order) by the objective."""
    best: list[int] | None = None
    best_score = float("inf")
    durations = [int(item.duration or 0) for item in problem.items]
    rules: list[list[float]] = [
        [-t for t in tails],
        [e for e in earliest],
        [float(i) for i in range(len(problem.items))],
        [-(item.weight / max(1, d)) for item, d in zip(problem.items, durations, strict=True)],
    ]
    for rule in rules:
        starts = serial_schedule(problem, rule)
        if problem.objective == "makespan":
            starts = justified_schedule(problem, starts)
        score = _score(problem, starts)
        if score < best_score:
            best, best_score = starts, score
    assert best is not None
    return best


def _score(problem: ScheduleProblem, starts: list[int]) -> float:
    ends = [s + int(item.duration or 0) for s, item in zip(starts, problem.items, strict=True)]
    if problem.objective == "makespan":
        return float(max(ends, default=0))
    if problem.objective == "lateness":
        return sum(
            item.weight * max(0, end - item.due)
            for item, end in zip(problem.items, ends, strict=True)
            if item.due
        )
    return sum(item.weight * end for item, end in zip(problem.items, ends, strict=True))


def _add_capacity(
    model: cp_model.CpModel,
    problem: ScheduleProblem,
    team: str,
    intervals: list[cp_model.IntervalVar],
    horizon: int,
    tail: cp_model.IntervalVar | None = None,
) -> None:
    """One cumulative for ``team``; lower capacity in some periods becomes fixed blocking intervals.

    ``tail`` (makespan objective) is the interval [makespan, horizon) using the whole team: it lets the
    cumulative propagator push the makespan bound up directly, which proves optima much sooner.
    """
    members = [(iv, int(item.demand.get(team, 0))) for iv, item in zip(intervals, problem.items, strict=True)]
    members = [(iv, d) for iv, d in members if d > 0]
    if not members:
        return
    capacity = problem.capacity(team, horizon)
    peak = int(capacity.max())
    blocked = peak - capacity
    period = 0
    while period < horizon:
        if blocked[period] == 0:
            period += 1
            continue
        run_end = period
        while run_end < horizon and blocked[run_end] == blocked[period]:
            run_end += 1
        fixed = model.new_fixed_size_interval_var(period, run_end - period, f"{team} unavailable {period}")
        members.append((fixed, int(blocked[period])))
        period = run_end
    if tail is not None and not blocked.any():
        members.append((tail, peak))
    model.add_cumulative([iv for iv, _ in members], [d for _, d in members], peak)


def solve(problem: ScheduleProblem, progress: Progress | None = None) -> ScheduleResult:
    """Schedule every item over periods, minimizing the problem's objective; report bound, gap and team load."""
    from ortools.sat.python import cp_model

    report = progress or (lambda _stage, _fraction: None)
    started = time.perf_counter()
    problem.validate()
    items = problem.items
    index = {item.id: i for i, item in enumerate(items)}
    durations = [int(item.duration or 0) for item in items]
    earliest, tails = earliest_and_tails(problem)
    report("first schedule", 0.05)
    try:
        initial = _initial_solution(problem, earliest, tails)
    except PlanningInputError as error:
        return ScheduleResult("infeasible", message=str(error), seconds=time.perf_counter() - started)
    initial_end = max((s + d for s, d in zip(initial, durations, strict=True)), default=0)
    if problem.horizon is not None:
        horizon = problem.horizon
    elif problem.objective == "makespan":
        horizon = initial_end
    else:
        horizon = initial_end + sum(durations)
    horizon = max(horizon, max((item.deadline or 0) for item in items))

    model = cp_model.CpModel()
    starts, ends, intervals = [], [], []
    for i, item in enumerate(items):
        low = max(earliest[i], item.release)
        high = horizon - tails[i]
        if item.deadline is not None:
            high = min(high, item.deadline - durations[i])
        if item.fixed_start is not None:
            low = high = item.fixed_start
        if high < low:
            return ScheduleResult(
                "infeasible",
                message=f"{item.id!r} cannot fit between period {low} and the horizon or its deadline",
                seconds=time.perf_counter() - started,
            )
        start = model.new_int_var(low, high, f"start {item.id}")
        end = model.new_int_var(low + durations[i], high + durations[i], f"end {item.id}")
        intervals.append(model.new_interval_var(start, durations[i], end, f"run {item.id}"))
        starts.append(start)
        ends.append(end)
    for i, item in enumerate(items):
        for predecessor in item.predecessors:
            model.add(ends[index[predecessor]] <= starts[i])
    scale = integer_scale([item.weight for item in items], max_digits=3)
    weights = [round(item.weight * scale) for item in items]
    tail = None
    if problem.objective == "makespan":
        lowest = max(max(e + t for e, t in zip(earliest, tails, strict=True)), antichain_bound(problem))
        makespan = model.new_int_var(min(lowest, horizon), horizon, "makespan")
        for end in ends:
            model.add(makespan >= end)
        tail = model.new_interval_var(makespan, horizon - makespan, horizon, "after the makespan")
        model.minimize(makespan)
        scale = 1
    for team in problem.teams:
        _add_capacity(model, problem, team, intervals, horizon, tail)
    for clique in conflict_cliques(problem):
        model.add_no_overlap([intervals[i] for i in clique])
    if problem.objective == "makespan":
        pass  # minimized above, before the capacities, so that the tail interval can join them
    elif problem.objective == "lateness":
        late = []
        for i, item in enumerate(items):
            if item.due is None:
                continue
            lateness = model.new_int_var(0, horizon, f"late {item.id}")
            model.add(lateness >= ends[i] - item.due)
            late.append(weights[i] * lateness)
        model.minimize(sum(late))
    else:
        model.minimize(sum(w * e for w, e in zip(weights, ends, strict=True)))
    for var, value in zip(starts, initial, strict=True):
        model.add_hint(var, value)

    report("optimizing", 0.1)
    solver = cp_model.CpSolver()
    problem.settings.apply(solver)
    code = solver.solve(model)
    status = status_name(code)
    seconds = time.perf_counter() - started
    if status not in ("optimal", "feasible"):
        message = (
            "No schedule meets every deadline, fixed start and capacity."
            if status == "infeasible"
            else "The solver found no schedule within the time limit."
        )
        return ScheduleResult(status, message=message, seconds=seconds)
    report("done", 1.0)
    found = [int(solver.value(s)) for s in starts]
    return _result(
        problem, status, found, solver.objective_value / scale, solver.best_objective_bound / scale, seconds
    )


def _result(
    problem: ScheduleProblem, status: str, starts: list[int], objective: float, bound: float, seconds: float
) -> ScheduleResult:
    durations = [int(item.duration or 0) for item in problem.items]
    makespan = max((s + d for s, d in zip(starts, durations, strict=True)), default=0)
    load = {team: np.zeros(max(makespan, 1), dtype=np.int64) for team in problem.teams}
    scheduled = []
    for item, start, duration in zip(problem.items, starts, durations, strict=True):
        for team, amount in item.demand.items():
            load[team][start : start + duration] += amount
        late = max(0, start + duration - item.due) if item.due is not None else 0
        scheduled.append(ScheduledItem(item.id, start, start + duration, late))
    return ScheduleResult(
        status=status,
        items=scheduled,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        makespan=makespan,
        seconds=seconds,
        load={team: values.tolist() for team, values in load.items()},
        capacity={team: problem.capacity(team, max(makespan, 1)).tolist() for team in problem.teams},
    )


def rank_order_schedule(problem: ScheduleProblem, rank: list[str]) -> ScheduleResult:
    """The list schedule peers build: serial SGS in the given rank order, no optimization (a baseline)."""
    problem.validate()
    position = {item_id: k for k, item_id in enumerate(rank)}
    priority = [float(position.get(item.id, len(rank))) for item in problem.items]
    started = time.perf_counter()
    starts = serial_schedule(problem, priority)
    score = _score(problem, starts)
    return _result(problem, "feasible", starts, score, score, time.perf_counter() - started)
