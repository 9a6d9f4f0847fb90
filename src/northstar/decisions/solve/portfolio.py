"""Optimal portfolio selection with OR-Tools CP-SAT, and the explanations a Head of Product needs around it.

``solve(problem)`` returns the funded ideas, the solver's bound and proven gap, the binding constraints, the marginal
value of one more unit of budget and of each team's capacity (exact integer re-solve and LP dual), why each idea was
left out, and — for infeasible input — a small set of rules that conflict.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.sat.python import cp_model
from scipy.optimize import linprog

from northstar.decisions.solve.common import SolverSettings, integer_scale, relative_gap, status_name
from northstar.decisions.solve.portfolio_model import (
    MixRule,
    PortfolioIdea,
    PortfolioProblem,
    Row,
    build_rows,
    greedy_selection,
    ratio_order,
    resource_row,
)

__all__ = [
    "BindingConstraint",
    "LeftOutReason",
    "MarginalValue",
    "MixRule",
    "PortfolioIdea",
    "PortfolioProblem",
    "PortfolioResult",
    "lp_relaxation",
    "solve",
]

Progress = Callable[[str, float], None]
CORE_MIN_IDEAS = 60  # from this size on, a core problem seeds the search
CORE_TIME_SHARE = 0.7  # of the time limit spent on the core problem (tuned on mknapcb: 0.3 matched fewer)
CORE_WIDTH_SHARE = 0.1  # of the ideas left free in the core problem (at least CORE_MIN_IDEAS // 2)


@dataclass(frozen=True)
class BindingConstraint:
    """A budget or capacity row with (almost) no room left: no left-out idea fits in what remains."""

    name: str
    used: float
    limit: float


@dataclass(frozen=True)
class MarginalValue:
    """What one more ``increment`` of a budget or capacity row is worth.

    ``integer_gain`` comes from re-solving with the larger limit (None when not re-solved); ``lp_dual`` is the
    shadow price of the LP relaxation per unit.
    """

    name: str
    increment: float
    integer_gain: float | None
    lp_dual: float


@dataclass(frozen=True)
class LeftOutReason:
    """Why an idea is not funded: the rules that block it and, if forced in, what it would displace."""

    idea_id: str
    summary: str
    blocked_by: list[str] = field(default_factory=list)
    displaces: list[str] = field(default_factory=list)
    value_loss: float | None = None


@dataclass(frozen=True)
class PortfolioResult:
    status: str
    selected: list[str] = field(default_factory=list)
    value: float = 0.0
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    binding: list[BindingConstraint] = field(default_factory=list)
    usage: dict[str, tuple[float, float]] = field(default_factory=dict)
    marginal_values: list[MarginalValue] = field(default_factory=list)
    left_out: list[LeftOutReason] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    message: str = ""


@dataclass
class _Solved:
    status: str
    chosen: list[bool]
    objective_scaled: float
    bound_scaled: float


def _value_scale(problem: PortfolioProblem) -> int:
    return integer_scale([idea.value for idea in problem.ideas], max_digits=3)


def _solve_rows(
    problem: PortfolioProblem,
    rows: Sequence[Row],
    settings: SolverSettings,
    hint: Sequence[bool] | None = None,
    force_in: int | None = None,
) -> _Solved:
    scale = _value_scale(problem)
    model = cp_model.CpModel()
    choose = [model.new_bool_var(f"x{i}") for i in range(len(problem.ideas))]
    for row in rows:
        model.add(sum(c * choose[i] for i, c in row.integer_coefficients.items()) <= row.integer_limit)
    if force_in is not None:
        model.add(choose[force_in] == 1)
    objective = sum(round(idea.value * scale) * choose[i] for i, idea in enumerate(problem.ideas))
    model.maximize(objective)
    if hint is not None:
        for var, value in zip(choose, hint, strict=True):
            model.add_hint(var, bool(value))
    solver = cp_model.CpSolver()
    settings.apply(solver)
    code = solver.solve(model)
    name = status_name(code)
    if name not in ("optimal", "feasible"):
        return _Solved(name, [False] * len(choose), 0.0, 0.0)
    chosen = [bool(solver.value(var)) for var in choose]
    return _Solved(name, chosen, solver.objective_value, solver.best_objective_bound)


def lp_relaxation(
    problem: PortfolioProblem, rows: Sequence[Row] | None = None
) -> tuple[float, dict[str, float]]:
    """The LP-relaxation optimum (an upper bound on value) and each row's dual value per unit (HiGHS)."""
    rows = list(rows) if rows is not None else build_rows(problem)
    n = len(problem.ideas)
    values = np.array([idea.value for idea in problem.ideas])
    if not rows:
        return float(np.clip(values, 0, None).sum()), {}
    matrix, limits = _lp_matrix(problem, rows)
    outcome = linprog(-values, A_ub=matrix, b_ub=limits, bounds=[(0, 1)] * n, method="highs")
    if outcome.status != 0:
        return float("nan"), {}
    duals = {row.name: float(-m) for row, m in zip(rows, outcome.ineqlin.marginals, strict=True)}
    return float(-outcome.fun), duals


def _lp_matrix(problem: PortfolioProblem, rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    matrix = np.zeros((len(rows), len(problem.ideas)))
    for r, row in enumerate(rows):
        for i, coef in row.coefficients.items():
            matrix[r, i] = coef
    return matrix, np.array([row.limit for row in rows])


def _core_selection(
    problem: PortfolioProblem, rows: Sequence[Row], settings: SolverSettings
) -> _Solved | None:
    """A strong first selection from a core problem: ideas the LP clearly funds are fixed in, the clear losers out.

    Ideas are ranked by value per unit of dual-priced resource; only a window around the LP's fractional ideas stays
    free, so CP-SAT solves the small core problem quickly. The result only seeds the full search (as a hint).
    """
    n = len(problem.ideas)
    if n < CORE_MIN_IDEAS:
        return None
    _, duals = lp_relaxation(problem, rows)
    if not duals:
        return None
    priced = np.zeros(n)
    for row in rows:
        if row.is_resource:
            for i, coef in row.coefficients.items():
                priced[i] += max(duals.get(row.name, 0.0), 0.0) * coef
    values = np.array([idea.value for idea in problem.ideas])
    efficiency = np.where(priced > 1e-12, values / np.maximum(priced, 1e-12), np.inf)
    ranked = np.argsort(-efficiency, kind="stable")
    split = int(np.searchsorted(-efficiency[ranked], -1.0))  # ideas with efficiency ≥ 1 are the LP's picks
    width = max(CORE_MIN_IDEAS // 2, int(n * CORE_WIDTH_SHARE))
    low, high = max(0, split - width // 2), min(n, split + width // 2)
    fixed_rows = [*rows]
    for position, i in enumerate(ranked):
        if position < low:
            fixed_rows.append(Row(f"core in {i}", "must_have", {int(i): -1.0}, -1.0, {int(i): -1}, -1))
        elif position >= high:
            fixed_rows.append(Row(f"core out {i}", "forced_out", {int(i): 1.0}, 0.0, {int(i): 1}, 0))
    core = _solve_rows(problem, fixed_rows, settings)
    return core if core.status in ("optimal", "feasible") else None


def _explain_infeasible(problem: PortfolioProblem, rows: Sequence[Row]) -> list[str]:
    """A small set of rules that cannot all hold, from CP-SAT's assumption core, then shrunk by deletion."""
    model = cp_model.CpModel()
    choose = [model.new_bool_var(f"x{i}") for i in range(len(problem.ideas))]
    switches = [model.new_bool_var(f"rule{r}") for r in range(len(rows))]
    for row, switch in zip(rows, switches, strict=True):
        expr = sum(c * choose[i] for i, c in row.integer_coefficients.items())
        model.add(expr <= row.integer_limit).only_enforce_if(switch)
    model.add_assumptions(switches)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(1.0, problem.settings.time_limit_seconds)
    if solver.solve(model) != cp_model.INFEASIBLE:
        return []
    core = list(solver.sufficient_assumptions_for_infeasibility())
    core_rows = [r for r in range(len(rows)) if switches[r].index in core]
    if len(core_rows) <= 30:
        quick = replace(problem.settings, time_limit_seconds=1.0, workers=1)
        for r in list(core_rows):
            trial = [rows[k] for k in core_rows if k != r]
            if _solve_rows(problem, trial, quick).status == "infeasible":
                core_rows.remove(r)
    return [rows[r].name for r in core_rows]


def _binding_rows(
    problem: PortfolioProblem, rows: Sequence[Row], chosen: Sequence[bool]
) -> list[BindingConstraint]:
    binding: list[BindingConstraint] = []
    for row in rows:
        if not row.is_resource:
            continue
        used = row.usage(chosen)
        slack = row.limit - used
        needs = [c for i, c in row.coefficients.items() if not chosen[i] and c > 0]
        if slack <= 1e-9 or (needs and slack < min(needs)):
            binding.append(BindingConstraint(row.name, used, row.limit))
    return binding


def _marginal_values(
    problem: PortfolioProblem, rows: list[Row], base: _Solved, duals: dict[str, float]
) -> list[MarginalValue]:
    scale = _value_scale(problem)
    quick = replace(problem.settings, time_limit_seconds=min(2.0, problem.settings.time_limit_seconds))
    marginals: list[MarginalValue] = []
    resolves = 0
    for r, row in enumerate(rows):
        if not row.is_resource:
            continue
        if row.kind == "budget":
            increment = problem.budget_increment or max(1.0, round(0.05 * row.limit))
        else:
            increment = problem.capacity_increment
        gain: float | None = None
        if resolves < problem.max_marginal_resolves:
            resolves += 1
            widened = rows.copy()
            widened[r] = Row(row.name, row.kind, row.coefficients, row.limit + increment, {}, 0, row.key)
            widened[r] = _rescaled(widened[r])
            again = _solve_rows(problem, widened, quick, hint=base.chosen)
            if again.status in ("optimal", "feasible"):
                gain = max(0.0, (again.objective_scaled - base.objective_scaled) / scale)
        marginals.append(MarginalValue(row.name, increment, gain, duals.get(row.name, 0.0)))
    return marginals


def _rescaled(row: Row) -> Row:
    return resource_row(row.name, row.kind, row.coefficients, row.limit, row.key)


def _left_out_reasons(problem: PortfolioProblem, rows: list[Row], base: _Solved) -> list[LeftOutReason]:
    ids = [idea.id for idea in problem.ideas]
    chosen = base.chosen
    scale = _value_scale(problem)
    quick = replace(problem.settings, time_limit_seconds=min(1.0, problem.settings.time_limit_seconds))
    left_out = [i for i in range(len(ids)) if not chosen[i]]
    left_out.sort(key=lambda i: -problem.ideas[i].value)
    reasons: list[LeftOutReason] = []
    for rank, i in enumerate(left_out):
        idea = problem.ideas[i]
        blocked: list[str] = []
        for row in rows:
            coef = row.coefficients.get(i, 0.0)
            if row.kind == "forced_out" and coef > 0:
                blocked.append("forced out of this scenario")
            elif row.kind == "exclusion" and coef > 0:
                partner = next(j for j in row.coefficients if j != i)
                if chosen[partner]:
                    blocked.append(f"excludes {ids[partner]}, which is funded")
            elif row.kind == "dependency" and coef > 0:
                prerequisite = next(j for j in row.coefficients if j != i)
                if not chosen[prerequisite]:
                    blocked.append(f"needs {ids[prerequisite]}, which is not funded")
            elif row.is_resource and coef > 0:
                room = row.limit - row.usage(chosen)
                if coef > room + 1e-9:
                    blocked.append(f"{row.name}: needs {coef:g}, only {max(room, 0.0):g} left")
        if idea.value <= 0:
            reasons.append(LeftOutReason(idea.id, "adds no value", blocked, [], None))
            continue
        displaces: list[str] = []
        loss: float | None = None
        summary = "; ".join(blocked) if blocked else "left out by the optimizer"
        if rank < problem.max_left_out_resolves and not idea.forced_out:
            forced = _solve_rows(problem, rows, quick, hint=chosen, force_in=i)
            if forced.status == "infeasible":
                summary = "cannot be funded without breaking a rule: " + (summary or "see conflicts")
            elif forced.status in ("optimal", "feasible"):
                displaces = [ids[j] for j in range(len(ids)) if chosen[j] and not forced.chosen[j]]
                loss = max(0.0, (base.objective_scaled - forced.objective_scaled) / scale)
                if displaces:
                    summary += f"; funding it would displace {', '.join(displaces)} (value −{loss:g})"
        reasons.append(LeftOutReason(idea.id, summary, blocked, displaces, loss))
    return reasons


def solve(problem: PortfolioProblem, progress: Progress | None = None) -> PortfolioResult:
    """Choose the ideas that maximize total value under every rule of ``problem``, and explain the choice."""
    started = time.perf_counter()
    report = progress or (lambda _stage, _fraction: None)
    problem.validate()
    rows = build_rows(problem)
    report("solving", 0.0)
    hint = greedy_selection(problem, ratio_order(problem))
    core_settings = replace(
        problem.settings, time_limit_seconds=CORE_TIME_SHARE * problem.settings.time_limit_seconds
    )
    core = _core_selection(problem, rows, core_settings)
    if core is not None:
        left = problem.settings.time_limit_seconds - (time.perf_counter() - started)
        rest = replace(
            problem.settings, time_limit_seconds=max(0.1 * problem.settings.time_limit_seconds, left)
        )
        base = _solve_rows(problem, rows, rest, hint=core.chosen)
        if base.status not in ("optimal", "feasible") or base.objective_scaled < core.objective_scaled:
            base = _Solved("feasible", core.chosen, core.objective_scaled, base.bound_scaled)
    else:
        base = _solve_rows(problem, rows, problem.settings, hint=hint)
    if base.status == "infeasible":
        report("explaining", 0.5)
        conflicts = _explain_infeasible(problem, rows)
        message = "No selection satisfies every rule. These rules conflict: " + "; ".join(conflicts)
        report("done", 1.0)
        return PortfolioResult(
            "infeasible", conflicts=conflicts, message=message, seconds=time.perf_counter() - started
        )
    if base.status not in ("optimal", "feasible"):
        return PortfolioResult(
            base.status,
            message="The solver found no selection within the time limit.",
            seconds=time.perf_counter() - started,
        )
    scale = _value_scale(problem)
    selected = [idea.id for idea, on in zip(problem.ideas, base.chosen, strict=True) if on]
    value = sum(idea.value for idea, on in zip(problem.ideas, base.chosen, strict=True) if on)
    bound = base.bound_scaled / scale
    usage = {row.name: (row.usage(base.chosen), row.limit) for row in rows if row.is_resource}
    result = PortfolioResult(
        status=base.status,
        selected=selected,
        value=value,
        bound=bound,
        gap=relative_gap(base.objective_scaled / scale, bound),
        binding=_binding_rows(problem, rows, base.chosen),
        usage=usage,
    )
    if problem.explain:
        report("marginal values", 0.4)
        _, duals = lp_relaxation(problem, rows)
        marginals = _marginal_values(problem, rows, base, duals)
        report("explaining left-out ideas", 0.7)
        left_out = _left_out_reasons(problem, rows, base)
        result = replace(result, marginal_values=marginals, left_out=left_out)
    report("done", 1.0)
    return replace(result, seconds=time.perf_counter() - started)
