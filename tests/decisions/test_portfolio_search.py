"""The genetic portfolio search and reduced-cost fixing: tiny hand-solved instances and brute-force checks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from northstar.decisions.solve import portfolio, portfolio_search
from northstar.decisions.solve.common import SolverSettings
from northstar.decisions.solve.portfolio import PortfolioIdea, PortfolioProblem
from northstar.decisions.solve.portfolio_model import build_rows


def _model(problem: PortfolioProblem, fixed: list[int] | None = None) -> portfolio_search.PackingModel:
    rows = build_rows(problem)
    relaxation = portfolio._relaxation(problem, rows)
    utility = portfolio._utility(problem, rows, relaxation)
    n = len(problem.ideas)
    return portfolio_search.packing_model(
        n,
        [(row.integer_coefficients, row.integer_limit) for row in rows],
        [round(idea.value) for idea in problem.ideas],
        fixed or [0] * n,
        utility.tolist(),
    )


def _chosen(problem: PortfolioProblem, selection: np.ndarray) -> list[str]:
    return sorted(idea.id for idea, on in zip(problem.ideas, selection, strict=True) if on)


def test_search_finds_the_pair_that_beats_the_best_single_idea() -> None:
    # Budget 6: a (10, cost 5) is the best idea alone, b + c (7 + 6, cost 3 + 3) is the optimum 13.
    ideas = [PortfolioIdea("a", 10, cost=5), PortfolioIdea("b", 7, cost=3), PortfolioIdea("c", 6, cost=3)]
    problem = PortfolioProblem(ideas, budget=6)
    outcome = portfolio_search.search(_model(problem), [], seconds=0.5, max_children=2000)
    assert outcome.value == 13
    assert _chosen(problem, outcome.selection) == ["b", "c"]


def test_repair_keeps_dependencies_and_must_haves() -> None:
    # "feature" (10) needs "platform" (1); "other" (6) is a must-have; budget for two of the three only.
    ideas = [
        PortfolioIdea("platform", 1, cost=4),
        PortfolioIdea("feature", 10, cost=4),
        PortfolioIdea("other", 6, cost=4, must_have=True),
    ]
    problem = PortfolioProblem(ideas, budget=8, dependencies=[("feature", "platform")])
    seed = [False, True, True]  # feature without its platform: broken, the repair must fix it
    outcome = portfolio_search.search(_model(problem, [0, 0, 1]), [seed], seconds=0.3, max_children=500)
    assert _chosen(problem, outcome.selection) == ["other", "platform"] or outcome.value == 7
    assert outcome.selection[2]  # the must-have stays in
    assert not (outcome.selection[1] and not outcome.selection[0])


def test_local_improvement_swaps_a_funded_idea_for_a_better_one() -> None:
    ideas = [PortfolioIdea("small", 3, cost=4), PortfolioIdea("big", 5, cost=4)]
    problem = PortfolioProblem(ideas, budget=4)
    model = _model(problem)
    selection = np.array([True, False])
    gain = portfolio_search.improve(
        selection,
        model.values,
        model.limits,
        model.col_ptr,
        model.col_row,
        model.col_val,
        model.fixed,
        model.order,
    )
    assert gain == 2
    assert selection.tolist() == [False, True]


def test_the_same_seed_and_budget_give_the_same_population() -> None:
    rng = np.random.default_rng(11)
    ideas = [
        PortfolioIdea(f"i{k}", float(rng.integers(10, 100)), effort={"t": [float(rng.integers(1, 30))]})
        for k in range(40)
    ]
    problem = PortfolioProblem(ideas, capacity={"t": [200.0]})
    model = _model(problem)
    keys = np.random.default_rng(1).integers(1, 2**62, size=40, dtype=np.int64)
    first = portfolio_search._Island(model, np.zeros((0, 40), dtype=bool), 5, keys)
    second = portfolio_search._Island(model, np.zeros((0, 40), dtype=bool), 5, keys)
    first.run(3000)
    second.run(3000)
    assert np.array_equal(first.pop, second.pop)
    assert first.best()[0] == second.best()[0]


def _brute_force(values: np.ndarray, weights: np.ndarray, limits: np.ndarray) -> float:
    best = 0.0
    for bits in itertools.product([0, 1], repeat=len(values)):
        x = np.array(bits)
        if np.all(weights @ x <= limits):
            best = max(best, float(values @ x))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_reduced_cost_fixing_never_cuts_off_the_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 12, 3
    weights = rng.integers(1, 40, size=(m, n))
    values = weights.sum(axis=0) + rng.integers(0, 30, size=n)  # correlated, as in the OR-Library sets
    limits = (0.5 * weights.sum(axis=1)).astype(int)
    ideas = [
        PortfolioIdea(f"i{j}", float(values[j]), effort={f"r{i}": [float(weights[i, j])] for i in range(m)})
        for j in range(n)
    ]
    problem = PortfolioProblem(ideas, capacity={f"r{i}": [float(limits[i])] for i in range(m)})
    optimum = _brute_force(values.astype(float), weights, limits)
    relaxation = portfolio._relaxation(problem, build_rows(problem))
    assert relaxation.bound >= optimum - 1e-6
    fixings = portfolio._reduced_cost_fixings(relaxation, optimum - 1)  # an incumbent just below the optimum
    optimal_selections = [
        bits
        for bits in itertools.product([0, 1], repeat=n)
        if np.all(weights @ np.array(bits) <= limits) and float(values @ np.array(bits)) == optimum
    ]
    assert any(all(bool(bits[i]) == on for i, on in fixings.items()) for bits in optimal_selections)


def test_the_genetic_phase_and_the_final_proof_agree_with_brute_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    n, m = 14, 3
    weights = rng.integers(1, 40, size=(m, n))
    values = weights.sum(axis=0) + rng.integers(0, 30, size=n)
    limits = (0.5 * weights.sum(axis=1)).astype(int)
    ideas = [
        PortfolioIdea(f"i{j}", float(values[j]), effort={f"r{i}": [float(weights[i, j])] for i in range(m)})
        for j in range(n)
    ]
    settings = SolverSettings(time_limit_seconds=2.0, workers=1, seed=3)
    problem = PortfolioProblem(
        ideas, capacity={f"r{i}": [float(limits[i])] for i in range(m)}, settings=settings, explain=False
    )
    seen: list[str] = []
    monkeypatch.setattr(portfolio, "PROBE_MAX_SECONDS", 0.0005)  # skip the exact probe: force every phase
    result = portfolio.solve(problem, lambda stage, _fraction: seen.append(stage))
    optimum = _brute_force(values.astype(float), weights, limits)
    assert "searching" in seen and "proving" in seen
    assert result.value == optimum
    assert result.bound is not None and result.bound >= optimum
    assert result.status == "optimal" and result.gap == 0
