"""Scenarios: copy a portfolio plan, change its assumptions, and compare two solved scenarios side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from northstar.decisions.solve.common import PlanningInputError
from northstar.decisions.solve.portfolio import PortfolioProblem, PortfolioResult


@dataclass(frozen=True)
class ScenarioChange:
    """What-if edits: a new budget, capacity per team (scaled or replaced), new teams, ideas forced in or out."""

    budget: float | None = None
    capacity_factor: Mapping[str, float] = field(default_factory=dict)
    capacity: Mapping[str, Sequence[float]] = field(default_factory=dict)
    force_in: Sequence[str] = ()
    force_out: Sequence[str] = ()


def apply(problem: PortfolioProblem, change: ScenarioChange) -> PortfolioProblem:
    """A new problem with ``change`` applied; the original is left as it was."""
    known = {idea.id for idea in problem.ideas}
    unknown = [idea_id for idea_id in [*change.force_in, *change.force_out] if idea_id not in known]
    clash = set(change.force_in) & set(change.force_out)
    problems = [f"scenario names unknown idea {idea_id!r}" for idea_id in unknown]
    problems += [f"idea {idea_id!r} is forced both in and out" for idea_id in sorted(clash)]
    problems += [
        f"scenario scales unknown team {team!r}"
        for team in change.capacity_factor
        if team not in problem.capacity
    ]
    problems += [
        f"team {team!r} cannot be scaled by a negative factor"
        for team, f in change.capacity_factor.items()
        if f < 0
    ]
    if problems:
        raise PlanningInputError(problems)
    capacity = {team: list(values) for team, values in problem.capacity.items()}
    for team, factor in change.capacity_factor.items():
        capacity[team] = [value * factor for value in capacity[team]]
    for team, values in change.capacity.items():
        capacity[team] = list(values)
    ideas = [
        replace(
            idea,
            must_have=idea.must_have or idea.id in change.force_in,
            forced_out=(idea.forced_out or idea.id in change.force_out) and idea.id not in change.force_in,
        )
        for idea in problem.ideas
    ]
    budget = change.budget if change.budget is not None else problem.budget
    return replace(problem, ideas=ideas, capacity=capacity, budget=budget)


@dataclass(frozen=True)
class Comparison:
    """Two solved scenarios side by side: value, ideas only in each, and use of every budget or capacity row."""

    name_a: str
    name_b: str
    value_a: float
    value_b: float
    only_in_a: list[str]
    only_in_b: list[str]
    in_both: list[str]
    usage: dict[str, dict[str, tuple[float, float] | None]]

    @property
    def value_change(self) -> float:
        return self.value_b - self.value_a


def compare(name_a: str, a: PortfolioResult, name_b: str, b: PortfolioResult) -> Comparison:
    """Compare two results (e.g. the base plan and a what-if)."""
    selected_a, selected_b = set(a.selected), set(b.selected)
    rows = sorted(set(a.usage) | set(b.usage))
    usage = {row: {name_a: a.usage.get(row), name_b: b.usage.get(row)} for row in rows}
    return Comparison(
        name_a,
        name_b,
        a.value,
        b.value,
        sorted(selected_a - selected_b),
        sorted(selected_b - selected_a),
        sorted(selected_a & selected_b),
        usage,
    )
