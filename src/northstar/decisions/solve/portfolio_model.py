"""The portfolio-selection problem: ideas, budget, team capacity, dependencies, exclusions and mix rules.

Every rule becomes one named linear row ``Σ a_i x_i ≤ b`` over the 0/1 choice variables x_i, so the same rows feed
CP-SAT (integer coefficients), the LP relaxation (float coefficients, for dual values) and the explanations (slack,
binding rows, infeasibility cores).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from northstar.decisions.solve.common import PlanningInputError, SolverSettings, as_fraction, integer_scale

RowKind = Literal["budget", "capacity", "dependency", "exclusion", "must_have", "forced_out", "mix"]
MixMeasure = Literal["cost", "count", "value", "effort"]


@dataclass(frozen=True)
class PortfolioIdea:
    """One candidate: its value (NPV, cost of delay or an undivided score), cost and effort per team per period."""

    id: str
    value: float
    cost: float = 0.0
    effort: Mapping[str, Sequence[float]] = field(default_factory=dict)
    category: str | None = None
    must_have: bool = False
    forced_out: bool = False
    title: str | None = None

    def effort_in(self, team: str, period: int) -> float:
        """Effort this idea needs from ``team`` in ``period`` (0 when not given)."""
        per_period = self.effort.get(team, ())
        return float(per_period[period]) if period < len(per_period) else 0.0

    def total_effort(self) -> float:
        return float(sum(sum(values) for values in self.effort.values()))


@dataclass(frozen=True)
class MixRule:
    """A strategic-mix rule: the share of ``category`` in the selection, measured by cost, count, value or effort."""

    category: str
    min_share: float | None = None
    max_share: float | None = None
    measure: MixMeasure = "cost"


@dataclass(frozen=True)
class PortfolioProblem:
    """Choose ideas to fund. ``dependencies`` are (idea, needs) pairs; ``exclusions`` are pairs that cannot both go.

    ``capacity`` gives each team's capacity per period. By default each period is its own row: an idea's effort in
    period p must fit that period's capacity. With ``capacity_carries_over`` the rows are cumulative: an idea's effort
    listed in period p is work due by the end of p, and capacity left unused in a period carries over to the next, so
    the row "through period p" holds all work due by then against all capacity up to then (for work that can move
    between periods, this is exactly what a deadline-feasible plan needs). ``period_names`` label the periods.
    """

    ideas: Sequence[PortfolioIdea]
    budget: float | None = None
    capacity: Mapping[str, Sequence[float]] = field(default_factory=dict)
    dependencies: Sequence[tuple[str, str]] = ()
    exclusions: Sequence[tuple[str, str]] = ()
    mix_rules: Sequence[MixRule] = ()
    settings: SolverSettings = field(default_factory=SolverSettings)
    explain: bool = True
    budget_increment: float | None = None
    capacity_increment: float = 1.0
    max_marginal_resolves: int = 40
    max_left_out_resolves: int = 40
    capacity_carries_over: bool = False
    period_names: Sequence[str] = ()
    #: how explanations write amounts: "$" before budget and value amounts, a unit after capacity amounts
    currency: str = ""
    value_currency: bool = False
    effort_unit: str = ""

    def validate(self) -> None:
        """Raise :class:`PlanningInputError` listing every problem in the input."""
        problems: list[str] = []
        ids = [idea.id for idea in self.ideas]
        seen: set[str] = set()
        for idea_id in ids:
            if idea_id in seen:
                problems.append(f"idea id {idea_id!r} appears more than once")
            seen.add(idea_id)
        if not self.ideas:
            problems.append("there are no ideas to choose from")
        if self.budget is not None and (not math.isfinite(self.budget) or self.budget < 0):
            problems.append(f"budget must be a non-negative number, got {self.budget}")
        for team, values in self.capacity.items():
            for period, amount in enumerate(values):
                if amount is None or not math.isfinite(amount) or amount < 0:
                    problems.append(f"capacity of team {team!r} in period {period} must be ≥ 0, got {amount}")
        for idea in self.ideas:
            for label, number in (("value", idea.value), ("cost", idea.cost)):
                if number is None or not math.isfinite(number):
                    problems.append(f"idea {idea.id!r} has a missing {label}")
            if idea.cost is not None and idea.cost < 0:
                problems.append(f"idea {idea.id!r} has a negative cost {idea.cost}")
            if idea.must_have and idea.forced_out:
                problems.append(f"idea {idea.id!r} is both a must-have and forced out")
            for team, per_period in idea.effort.items():
                if team not in self.capacity:
                    problems.append(f"idea {idea.id!r} needs team {team!r}, which has no capacity")
                    continue
                if len(per_period) > len(self.capacity[team]):
                    problems.append(
                        f"idea {idea.id!r} has effort for {len(per_period)} periods but team {team!r} "
                        f"has capacity for {len(self.capacity[team])}"
                    )
                if any(value is None or not math.isfinite(value) or value < 0 for value in per_period):
                    problems.append(f"idea {idea.id!r} has a missing or negative effort for team {team!r}")
        for label, pairs in (("dependency", self.dependencies), ("exclusion", self.exclusions)):
            for first, second in pairs:
                for idea_id in (first, second):
                    if idea_id not in seen:
                        problems.append(f"{label} ({first!r}, {second!r}) names unknown idea {idea_id!r}")
                if first == second:
                    problems.append(f"{label} ({first!r}, {second!r}) names the same idea twice")
        for rule in self.mix_rules:
            for share in (rule.min_share, rule.max_share):
                if share is not None and not 0 <= share <= 1:
                    problems.append(f"mix rule for {rule.category!r} has a share {share} outside [0, 1]")
            if rule.min_share is None and rule.max_share is None:
                problems.append(f"mix rule for {rule.category!r} has neither a minimum nor a maximum share")
        if problems:
            raise PlanningInputError(problems)


@dataclass(frozen=True)
class Row:
    """One linear rule Σ coefficients[i]·x_i ≤ limit, with integer twins for CP-SAT."""

    name: str
    kind: RowKind
    coefficients: dict[int, float]
    limit: float
    integer_coefficients: dict[int, int]
    integer_limit: int
    key: tuple[str, ...] = ()

    @property
    def is_resource(self) -> bool:
        return self.kind in ("budget", "capacity")

    def usage(self, chosen: Sequence[bool]) -> float:
        return sum(coef for index, coef in self.coefficients.items() if chosen[index])


def resource_row(
    name: str, kind: RowKind, coefs: dict[int, float], limit: float, key: tuple[str, ...]
) -> Row:
    scale = integer_scale([*coefs.values(), limit])
    int_coefs = {i: math.ceil(c * scale - 1e-9) for i, c in coefs.items() if c != 0}
    return Row(name, kind, coefs, limit, int_coefs, math.floor(limit * scale + 1e-9), key)


def _logic_row(name: str, kind: RowKind, coefs: dict[int, int], limit: int, key: tuple[str, ...]) -> Row:
    return Row(name, kind, {i: float(c) for i, c in coefs.items()}, float(limit), dict(coefs), limit, key)


def _measure(idea: PortfolioIdea, measure: MixMeasure) -> float:
    if measure == "cost":
        return idea.cost
    if measure == "value":
        return idea.value
    if measure == "effort":
        return idea.total_effort()
    return 1.0


def _mix_rows(problem: PortfolioProblem) -> list[Row]:
    rows: list[Row] = []
    for rule in problem.mix_rules:
        amounts = [_measure(idea, rule.measure) for idea in problem.ideas]
        scale = integer_scale(amounts)
        scaled = [round(a * scale) for a in amounts]
        in_category = [idea.category == rule.category for idea in problem.ideas]
        for bound_name, share in (("at least", rule.min_share), ("at most", rule.max_share)):
            if share is None:
                continue
            fraction = as_fraction(share)
            p, q = fraction.numerator, fraction.denominator
            int_coefs: dict[int, int] = {}
            for i, amount in enumerate(scaled):
                member = q * amount if in_category[i] else 0
                coef = p * amount - member if bound_name == "at least" else member - p * amount
                if coef:
                    int_coefs[i] = coef
            name = f"{rule.category} {bound_name} {share:.0%} of {rule.measure}"
            float_coefs = {i: c / (q * scale) for i, c in int_coefs.items()}
            rows.append(Row(name, "mix", float_coefs, 0.0, int_coefs, 0, ("mix", rule.category, bound_name)))
    return rows


def _period_name(problem: PortfolioProblem, period: int) -> str:
    if period < len(problem.period_names):
        return str(problem.period_names[period])
    return f"period {period + 1}"


def _capacity_rows(problem: PortfolioProblem, team: str, per_period: Sequence[float]) -> list[Row]:
    rows: list[Row] = []
    due: dict[int, float] = {}
    available = 0.0
    for period, amount in enumerate(per_period):
        effort = {i: idea.effort_in(team, period) for i, idea in enumerate(problem.ideas)}
        effort = {i: c for i, c in effort.items() if c}
        if not problem.capacity_carries_over:
            if effort:
                name = f"capacity of {team} in {_period_name(problem, period)}"
                rows.append(
                    resource_row(name, "capacity", effort, float(amount), ("capacity", team, str(period)))
                )
            continue
        available += float(amount)
        for i, c in effort.items():
            due[i] = due.get(i, 0.0) + c
        if effort:  # with no new work due, this row is implied by the previous one
            name = f"capacity of {team} through {_period_name(problem, period)}"
            key = ("capacity", team, str(period))
            rows.append(resource_row(name, "capacity", dict(due), available, key))
    return rows


def build_rows(problem: PortfolioProblem) -> list[Row]:
    """Every rule of ``problem`` as a named linear row over the idea indices."""
    index = {idea.id: i for i, idea in enumerate(problem.ideas)}
    rows: list[Row] = []
    if problem.budget is not None:
        costs = {i: idea.cost for i, idea in enumerate(problem.ideas) if idea.cost}
        rows.append(resource_row("budget", "budget", costs, problem.budget, ("budget",)))
    for team, per_period in problem.capacity.items():
        rows.extend(_capacity_rows(problem, team, per_period))
    for idea_id, needs in problem.dependencies:
        link: dict[int, int] = {index[idea_id]: 1, index[needs]: -1}
        rows.append(
            _logic_row(f"{idea_id} needs {needs}", "dependency", link, 0, ("dependency", idea_id, needs))
        )
    for first, second in problem.exclusions:
        pair: dict[int, int] = {index[first]: 1, index[second]: 1}
        name = f"{first} excludes {second}"
        rows.append(_logic_row(name, "exclusion", pair, 1, ("exclusion", first, second)))
    for i, idea in enumerate(problem.ideas):
        if idea.must_have:
            rows.append(
                _logic_row(f"{idea.id} is a must-have", "must_have", {i: -1}, -1, ("must_have", idea.id))
            )
        if idea.forced_out:
            rows.append(
                _logic_row(f"{idea.id} is forced out", "forced_out", {i: 1}, 0, ("forced_out", idea.id))
            )
    rows.extend(_mix_rows(problem))
    return rows


def greedy_selection(problem: PortfolioProblem, order: Sequence[int]) -> list[bool]:
    """Fund ideas one by one in ``order`` while they fit: what score-and-sort tools do.

    Must-haves go first; an idea is skipped when it breaks a budget or capacity row, when a prerequisite is not
    already funded or when an excluded partner is. Mix rules are ignored, as the peers ignore them.
    """
    rows = [row for row in build_rows(problem) if row.is_resource]
    used = [0.0] * len(rows)
    chosen = [False] * len(problem.ideas)
    index = {idea.id: i for i, idea in enumerate(problem.ideas)}
    needs: dict[int, list[int]] = {}
    for idea_id, prerequisite in problem.dependencies:
        needs.setdefault(index[idea_id], []).append(index[prerequisite])
    partners: dict[int, list[int]] = {}
    for first, second in problem.exclusions:
        partners.setdefault(index[first], []).append(index[second])
        partners.setdefault(index[second], []).append(index[first])
    must = [i for i, idea in enumerate(problem.ideas) if idea.must_have]
    for i in [*must, *(i for i in order if i not in set(must))]:
        idea = problem.ideas[i]
        if chosen[i] or idea.forced_out:
            continue
        if any(not chosen[j] for j in needs.get(i, [])) or any(chosen[j] for j in partners.get(i, [])):
            continue
        extra = [row.coefficients.get(i, 0.0) for row in rows]
        if all(used[r] + extra[r] <= rows[r].limit + 1e-9 for r in range(len(rows))):
            chosen[i] = True
            used = [used[r] + extra[r] for r in range(len(rows))]
    return chosen


def ratio_order(problem: PortfolioProblem) -> list[int]:
    """Ideas by value per unit of normalized resource use, best first (the classic greedy ratio)."""
    rows = [row for row in build_rows(problem) if row.is_resource]

    def weight(i: int) -> float:
        return sum(row.coefficients.get(i, 0.0) / max(row.limit, 1e-9) for row in rows)

    return sorted(range(len(problem.ideas)), key=lambda i: -problem.ideas[i].value / max(weight(i), 1e-12))
