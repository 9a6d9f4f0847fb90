"""Optimal portfolio selection with OR-Tools CP-SAT, and the explanations a Head of Product needs around it.

``solve(problem)`` returns the funded ideas, the solver's bound and proven gap, the binding constraints, the marginal
value of one more unit of budget and of each team's capacity (exact integer re-solve and LP dual), why each idea was
left out, and — for infeasible input — a small set of rules that conflict.

How the time limit is spent: CP-SAT alone first (small portfolios are proven optimal there); when it is not done, a
genetic search (``portfolio_search``) looks for better selections, then CP-SAT starts again from the best one. Both
later phases drop the ideas whose LP reduced cost exceeds the distance between the LP bound and the best value
known (reduced-cost fixing: flipping such an idea cannot beat that value), so the bound stays a proof.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from northstar.decisions.solve import portfolio_search
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
PROBE_SHARE = 0.05  # of the time limit for CP-SAT alone (at most PROBE_MAX_SECONDS)
PROBE_MAX_SECONDS = 2.0
FINAL_SHARE = 0.1  # of the time limit kept for CP-SAT after the genetic search
MIN_SEARCH_SECONDS = 0.2
SEARCH_STAGES = (
    0.2,
    0.25,
    0.34,
    1.0,
)  # share of the search time left that each stage of the genetic search gets


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
    from ortools.sat.python import cp_model

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
    from scipy.optimize import linprog

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


@dataclass(frozen=True)
class _Relaxation:
    """The LP relaxation: its optimum (an upper bound) and each idea's reduced value d_i = v_i − y·A_i."""

    bound: float
    reduced: np.ndarray | None = None
    prices: np.ndarray | None = None  # the dual value of each row


def _relaxation(problem: PortfolioProblem, rows: Sequence[Row]) -> _Relaxation:
    from scipy.optimize import linprog

    values = np.array([idea.value for idea in problem.ideas], dtype=float)
    if not rows:
        return _Relaxation(float(np.clip(values, 0, None).sum()), values.copy(), np.zeros(0))
    matrix, limits = _lp_matrix(problem, rows)
    outcome = linprog(-values, A_ub=matrix, b_ub=limits, bounds=[(0, 1)] * len(values), method="highs")
    if outcome.status != 0:
        return _Relaxation(float("inf"))
    prices = -np.asarray(outcome.ineqlin.marginals, dtype=float)
    return _Relaxation(float(-outcome.fun), values - prices @ matrix, prices)


def _reduced_cost_fixings(relaxation: _Relaxation, incumbent: float) -> dict[int, bool]:
    """Ideas whose choice is settled for any selection worth more than ``incumbent``.

    For every feasible selection x, value(x) ≤ LP − Σ |d_i| over the ideas where x differs from the sign of d_i,
    so an idea with |d_i| ≥ LP − incumbent must follow that sign in anything better than the incumbent.
    """
    if relaxation.reduced is None or not np.isfinite(relaxation.bound):
        return {}
    room = relaxation.bound - incumbent + 1e-6 * max(1.0, abs(relaxation.bound))
    return {int(i): bool(d > 0) for i, d in enumerate(relaxation.reduced) if abs(d) > room}


def _fixing_rows(fixings: dict[int, bool]) -> list[Row]:
    rows = []
    for i, on in fixings.items():
        if on:
            rows.append(Row(f"fixed in {i}", "must_have", {i: -1.0}, -1.0, {i: -1}, -1))
        else:
            rows.append(Row(f"fixed out {i}", "forced_out", {i: 1.0}, 0.0, {i: 1}, 0))
    return rows


def _exact_value(problem: PortfolioProblem, chosen: Sequence[bool]) -> float:
    return float(sum(idea.value for idea, on in zip(problem.ideas, chosen, strict=True) if on))


def _utility(problem: PortfolioProblem, rows: Sequence[Row], relaxation: _Relaxation) -> np.ndarray:
    """Value per dual-priced unit of budget and capacity (Chu & Beasley's pseudo-utility); ideas that use no priced
    resource come first, by value."""
    n = len(problem.ideas)
    prices = relaxation.prices if relaxation.prices is not None else np.zeros(len(rows))
    priced = np.zeros(n)
    for r, row in enumerate(rows):
        if row.is_resource and prices[r] > 1e-12:
            for i, coef in row.coefficients.items():
                priced[i] += prices[r] * max(coef, 0.0)
    if relaxation.prices is None:  # no dual values: fall back to normalized resource use
        for row in rows:
            if row.is_resource and row.limit > 0:
                for i, coef in row.coefficients.items():
                    priced[i] += max(coef, 0.0) / row.limit
    values = np.array([idea.value for idea in problem.ideas], dtype=float)
    top = float(np.abs(values).max(initial=0.0)) + 1.0
    return np.where(priced > 1e-12, values / np.maximum(priced, 1e-12), 1e15 * top + values)


def _genetic_search(
    problem: PortfolioProblem,
    rows: Sequence[Row],
    relaxation: _Relaxation,
    best: _Solved | None,
    seeds: list[list[bool]],
    seconds: float,
) -> _Solved | None:
    """The best selection of the genetic search within ``seconds`` (None when it finds no feasible one).

    The search runs in stages: before each, the ideas settled by reduced-cost fixing against the best value so far
    are taken out, so later stages search a smaller problem; the best members carry over as seeds.
    """
    deadline = time.perf_counter() + seconds
    scale = _value_scale(problem)
    utility = _utility(problem, rows, relaxation)
    values = [round(idea.value * scale) for idea in problem.ideas]
    pool = [list(selection) for selection in seeds]
    for stage, share in enumerate(SEARCH_STAGES):
        left = deadline - time.perf_counter()
        if left < MIN_SEARCH_SECONDS / 2:
            break
        incumbent = _exact_value(problem, best.chosen) if best else None
        fixings = _reduced_cost_fixings(relaxation, incumbent) if incumbent is not None else {}
        reduced = _reduced_model(problem, rows, fixings, values, utility)
        if reduced is None:
            break
        model, free, base = reduced
        steer = (
            problem.settings.workers > 1 and stage % 2 == 1
        )  # every other stage, one island tries fewer ideas
        steered = _fewer_ideas_model(problem, rows, fixings, values, best) if steer else None
        outcome = portfolio_search.search(
            model,
            [[selection[i] for i in free] for selection in pool],
            left * share,
            islands=problem.settings.workers,
            seed=problem.settings.seed + stage,
            island_models=[model, steered] if steered is not None else (),
        )
        if outcome.value == portfolio_search.INFEASIBLE:
            continue
        pool = []
        for member in outcome.elite:
            full = list(base)
            for position, i in enumerate(free):
                full[i] = bool(member[position])
            pool.append(full)
        found = pool[0]
        value = float(sum(v for v, on in zip(values, found, strict=True) if on))
        if best is None or value > best.objective_scaled:
            best = _Solved("feasible", found, value, float("inf"))
    return best


def _fewer_ideas_model(
    problem: PortfolioProblem,
    rows: Sequence[Row],
    fixings: dict[int, bool],
    values: list[int],
    best: _Solved | None,
) -> portfolio_search.PackingModel | None:
    """The reduced model with at most one idea fewer than the best selection, for the second island.

    Good selections of tightly packed portfolios come in a narrow range of sizes, and a search tends to stay at the
    size it found first: capping the count sends one island to the next size down (Vasquez & Hao's observation on
    the multidimensional knapsack). None when the LP says fewer ideas cannot beat the best value.
    """
    if best is None:
        return None
    count = sum(best.chosen)
    cap = Row("at most as many ideas", "capacity", {i: 1.0 for i in range(len(problem.ideas))}, count - 1.0,
              {i: 1 for i in range(len(problem.ideas))}, count - 1)  # fmt: skip
    capped = [*rows, cap]
    relaxation = _relaxation(problem, capped)
    if relaxation.bound <= _exact_value(problem, best.chosen) + 1e-6 * max(1.0, abs(relaxation.bound)):
        return None
    reduced = _reduced_model(problem, capped, fixings, values, _utility(problem, capped, relaxation))
    return reduced[0] if reduced is not None else None


def _reduced_model(
    problem: PortfolioProblem,
    rows: Sequence[Row],
    fixings: dict[int, bool],
    values: list[int],
    utility: np.ndarray,
) -> tuple[portfolio_search.PackingModel, list[int], list[bool]] | None:
    """The packing model over the ideas not settled (must-haves, forced out, reduced-cost fixings).

    Returns the model, the free ideas' indices and the full selection of the settled ideas; None when the settled
    ideas alone already break a rule.
    """
    settled: dict[int, bool] = dict(fixings)
    for i, idea in enumerate(problem.ideas):
        if idea.must_have:
            settled[i] = True
        elif idea.forced_out:
            settled[i] = False
    free = [i for i in range(len(problem.ideas)) if i not in settled]
    position = {i: k for k, i in enumerate(free)}
    reduced_rows: list[tuple[dict[int, int], int]] = []
    for row in rows:
        limit = row.integer_limit - sum(
            c for i, c in row.integer_coefficients.items() if settled.get(i) is True
        )
        coefficients = {position[i]: c for i, c in row.integer_coefficients.items() if i in position}
        if coefficients:
            reduced_rows.append((coefficients, limit))
        elif limit < 0:
            return None
    if not free:
        return None
    model = portfolio_search.packing_model(
        len(free), reduced_rows, [values[i] for i in free], [0] * len(free), [float(utility[i]) for i in free]
    )
    base = [settled.get(i, False) for i in range(len(problem.ideas))]
    return model, free, base


def _feasible(rows: Sequence[Row], chosen: Sequence[bool]) -> bool:
    return all(
        sum(c for i, c in row.integer_coefficients.items() if chosen[i]) <= row.integer_limit for row in rows
    )


def _explain_infeasible(problem: PortfolioProblem, rows: Sequence[Row]) -> list[str]:
    """A small set of rules that cannot all hold, from CP-SAT's assumption core, then shrunk by deletion."""
    from ortools.sat.python import cp_model

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


def _amount(problem: PortfolioProblem, row: Row, amount: float) -> str:
    """An amount of a budget or capacity row as explanations write it: $120,000 or 12.5 person-weeks."""
    if row.kind == "budget":
        return f"{problem.currency}{amount:,.0f}"
    text = f"{amount:,.1f}".removesuffix(".0")
    return f"{text} {problem.effort_unit}".rstrip()


def _left_out_reasons(problem: PortfolioProblem, rows: list[Row], base: _Solved) -> list[LeftOutReason]:
    ids = [idea.id for idea in problem.ideas]
    names = [idea.title or idea.id for idea in problem.ideas]
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
                    blocked.append(f"excludes {names[partner]}, which is funded")
            elif row.kind == "dependency" and coef > 0:
                prerequisite = next(j for j in row.coefficients if j != i)
                if not chosen[prerequisite]:
                    blocked.append(f"needs {names[prerequisite]}, which is not funded")
            elif row.is_resource and coef > 0:
                room = row.limit - row.usage(chosen)
                if coef > room + 1e-9:
                    need, left = _amount(problem, row, coef), _amount(problem, row, max(room, 0.0))
                    blocked.append(f"{row.name}: needs {need}, only {left} left")
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
                    lost = f"{problem.currency if problem.value_currency else ''}{loss:,.0f}"
                    displaced = ", ".join(
                        names[j] for j in range(len(ids)) if chosen[j] and not forced.chosen[j]
                    )
                    summary += f"; funding it would displace {displaced} (value −{lost})"
        reasons.append(LeftOutReason(idea.id, summary, blocked, displaces, loss))
    return reasons


def _optimize(problem: PortfolioProblem, rows: Sequence[Row], report: Progress) -> _Solved:
    """The best selection within the time limit and a proven bound (see the module docstring for the phases)."""
    started = time.perf_counter()
    settings = problem.settings
    limit = settings.time_limit_seconds
    scale = _value_scale(problem)
    greedy = greedy_selection(problem, ratio_order(problem))
    hint = greedy if _feasible(rows, greedy) else None
    probe_seconds = min(PROBE_MAX_SECONDS, PROBE_SHARE * limit)
    probe = _solve_rows(problem, rows, replace(settings, time_limit_seconds=probe_seconds), hint=hint)
    if probe.status in ("optimal", "infeasible", "invalid"):
        return probe
    report("searching", 0.1)
    relaxation = _relaxation(problem, rows)
    bounds = [relaxation.bound * scale]
    best = probe if probe.status == "feasible" else None
    if best is not None:
        bounds.append(probe.bound_scaled)
    seeds = [selection for selection in (best.chosen if best else None, hint) if selection is not None]
    search_seconds = limit * (1 - FINAL_SHARE) - (time.perf_counter() - started)
    if search_seconds >= MIN_SEARCH_SECONDS:
        best = _genetic_search(problem, rows, relaxation, best, seeds, search_seconds)
    report("proving", 0.8)
    incumbent = _exact_value(problem, best.chosen) if best else None
    fixings = _reduced_cost_fixings(relaxation, incumbent) if incumbent is not None else {}
    remaining = max(0.05 * limit, limit - (time.perf_counter() - started))
    final = _solve_rows(
        problem,
        [*rows, *_fixing_rows(fixings)],
        replace(settings, time_limit_seconds=remaining),
        hint=best.chosen if best else None,
    )
    if final.status in ("optimal", "feasible") and (
        best is None or final.objective_scaled > best.objective_scaled
    ):
        best = final
    if best is None:
        status = "infeasible" if final.status == "infeasible" and not fixings else final.status
        return _Solved(status, final.chosen, 0.0, 0.0)
    # The fixings only exclude selections worth at most the incumbent, so the final bound holds up to it.
    floor = incumbent * scale if incumbent is not None else -np.inf
    if final.status == "optimal":
        bounds.append(max(final.objective_scaled, floor))
    elif final.status == "infeasible":
        bounds.append(floor)
    elif final.status == "feasible":
        bounds.append(max(final.bound_scaled, floor))
    bound = max(min(bounds), best.objective_scaled)
    if _integral(problem, scale):
        bound = max(float(np.floor(bound + 1e-6)), best.objective_scaled)
    status = "optimal" if bound <= best.objective_scaled + 1e-9 else "feasible"
    return _Solved(status, best.chosen, best.objective_scaled, bound)


def _integral(problem: PortfolioProblem, scale: int) -> bool:
    """Whether every value is a whole number of 1/scale units (then a bound can be rounded down)."""
    return all(abs(idea.value * scale - round(idea.value * scale)) < 1e-9 for idea in problem.ideas)


def solve(problem: PortfolioProblem, progress: Progress | None = None) -> PortfolioResult:
    """Choose the ideas that maximize total value under every rule of ``problem``, and explain the choice."""
    started = time.perf_counter()
    report = progress or (lambda _stage, _fraction: None)
    problem.validate()
    rows = build_rows(problem)
    report("solving", 0.0)
    base = _optimize(problem, rows, report)
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
    value = _exact_value(problem, base.chosen)
    bound = max(base.bound_scaled / scale, value)
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
