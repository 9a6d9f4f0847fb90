"""Portfolio selection: tiny hand-solved instances for every rule, explanations and bad input."""

from __future__ import annotations

import pytest

from northstar.decisions.solve.common import PlanningInputError, SolverSettings
from northstar.decisions.solve.portfolio import MixRule, PortfolioIdea, PortfolioProblem, lp_relaxation, solve
from northstar.decisions.solve.portfolio_model import greedy_selection, ratio_order

FAST = SolverSettings(time_limit_seconds=5, workers=1, seed=1)


def knapsack() -> PortfolioProblem:
    # Best by value (a) blocks b + c, which together are worth more: optimum is {b, c} = 13.
    ideas = [
        PortfolioIdea("a", value=10, cost=5),
        PortfolioIdea("b", value=7, cost=3),
        PortfolioIdea("c", value=6, cost=3),
    ]
    return PortfolioProblem(ideas=ideas, budget=6, settings=FAST)


def test_budget_only_picks_the_best_combination_not_the_best_single_idea() -> None:
    result = solve(knapsack())
    assert result.status == "optimal"
    assert sorted(result.selected) == ["b", "c"]
    assert result.value == 13
    assert result.gap == 0


def test_greedy_by_value_is_worse_than_the_optimum_on_the_hand_instance() -> None:
    problem = knapsack()
    by_value = sorted(range(3), key=lambda i: -problem.ideas[i].value)
    chosen = greedy_selection(problem, by_value)
    assert [idea.id for idea, on in zip(problem.ideas, chosen, strict=True) if on] == ["a"]


def test_team_capacity_is_respected_per_period() -> None:
    ideas = [
        PortfolioIdea("x", value=5, effort={"web": [2, 0]}),
        PortfolioIdea("y", value=4, effort={"web": [2, 0]}),
        PortfolioIdea("z", value=3, effort={"web": [0, 3]}),
    ]
    result = solve(PortfolioProblem(ideas=ideas, capacity={"web": [3, 3]}, settings=FAST))
    assert sorted(result.selected) == ["x", "z"]
    assert any(b.name == "capacity of web in period 1" for b in result.binding)


def test_dependency_pulls_in_its_prerequisite_or_drops_the_dependent() -> None:
    ideas = [
        PortfolioIdea("platform", value=1, cost=4),
        PortfolioIdea("feature", value=10, cost=4),
        PortfolioIdea("other", value=6, cost=4),
    ]
    problem = PortfolioProblem(ideas=ideas, budget=8, dependencies=[("feature", "platform")], settings=FAST)
    result = solve(problem)
    assert sorted(result.selected) == ["feature", "platform"]
    assert result.value == 11


def test_mutual_exclusion_keeps_only_one_of_the_pair() -> None:
    ideas = [PortfolioIdea("a", value=5), PortfolioIdea("b", value=4), PortfolioIdea("c", value=1)]
    result = solve(PortfolioProblem(ideas=ideas, exclusions=[("a", "b")], settings=FAST))
    assert sorted(result.selected) == ["a", "c"]
    reason = next(r for r in result.left_out if r.idea_id == "b")
    assert "excludes a" in reason.summary


def test_must_have_is_funded_even_when_it_lowers_value() -> None:
    problem = knapsack()
    ideas = [*problem.ideas[:2], PortfolioIdea("c", value=6, cost=3, must_have=True)]
    ideas[0] = PortfolioIdea("a", value=10, cost=3)
    result = solve(PortfolioProblem(ideas=ideas, budget=6, settings=FAST))
    assert "c" in result.selected
    assert sorted(result.selected) == ["a", "c"]


def test_minimum_share_of_a_category_changes_the_choice() -> None:
    ideas = [
        PortfolioIdea("growth1", value=10, cost=5, category="growth"),
        PortfolioIdea("growth2", value=9, cost=5, category="growth"),
        PortfolioIdea("debt", value=2, cost=5, category="tech debt"),
    ]
    rule = MixRule("tech debt", min_share=0.3, measure="cost")
    result = solve(PortfolioProblem(ideas=ideas, budget=10, mix_rules=[rule], settings=FAST))
    assert sorted(result.selected) == ["debt", "growth1"]


def test_maximum_share_by_count_caps_a_category() -> None:
    ideas = [PortfolioIdea(f"g{k}", value=5, category="growth") for k in range(3)]
    ideas.append(PortfolioIdea("other", value=1, category="other"))
    rule = MixRule("growth", max_share=0.5, measure="count")
    result = solve(PortfolioProblem(ideas=ideas, mix_rules=[rule], settings=FAST))
    assert sum(1 for i in result.selected if i.startswith("g")) == 1
    assert "other" in result.selected


def test_infeasible_input_names_the_conflicting_rules() -> None:
    ideas = [PortfolioIdea("big", value=5, cost=10, must_have=True), PortfolioIdea("small", value=1, cost=1)]
    result = solve(PortfolioProblem(ideas=ideas, budget=5, settings=FAST))
    assert result.status == "infeasible"
    assert sorted(result.conflicts) == ["big is a must-have", "budget"]
    assert "budget" in result.message


def test_marginal_value_of_budget_matches_a_hand_resolve() -> None:
    problem = knapsack()
    problem = PortfolioProblem(ideas=problem.ideas, budget=6, budget_increment=2, settings=FAST)
    result = solve(problem)
    budget = next(m for m in result.marginal_values if m.name == "budget")
    # With 8: a + b = 17, four more than 13.
    assert budget.integer_gain == pytest.approx(4)
    assert budget.lp_dual > 0


def test_left_out_idea_reports_what_it_would_displace() -> None:
    result = solve(knapsack())
    reason = next(r for r in result.left_out if r.idea_id == "a")
    assert reason.value_loss == pytest.approx(3)
    assert sorted(reason.displaces) == ["b", "c"]
    assert any("budget" in blocked for blocked in reason.blocked_by)


def test_lp_relaxation_bounds_the_integer_optimum() -> None:
    value, _duals = lp_relaxation(knapsack())
    assert value >= solve(knapsack()).value - 1e-9
    # b (7 per 3) fills half the budget; the other half buys c whole or 3/5 of a: 13 either way.
    assert value == pytest.approx(13)


def test_ratio_order_puts_best_value_per_resource_first() -> None:
    assert ratio_order(knapsack())[0] == 1


@pytest.mark.parametrize(
    ("ideas", "capacity", "message"),
    [
        ([PortfolioIdea("a", 1), PortfolioIdea("a", 2)], {}, "more than once"),
        ([PortfolioIdea("a", 1, effort={"web": [1]})], {}, "no capacity"),
        ([PortfolioIdea("a", 1)], {"web": [-1]}, "must be ≥ 0"),
        ([PortfolioIdea("a", 1, cost=-3)], {}, "negative cost"),
        ([PortfolioIdea("a", float("nan"))], {}, "missing value"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(ideas, capacity, message) -> None:
    with pytest.raises(PlanningInputError, match=message):
        solve(PortfolioProblem(ideas=ideas, capacity=capacity, settings=FAST))


def test_unknown_idea_in_a_dependency_is_rejected() -> None:
    problem = PortfolioProblem(ideas=[PortfolioIdea("a", 1)], dependencies=[("a", "ghost")], settings=FAST)
    with pytest.raises(PlanningInputError, match="ghost"):
        solve(problem)


def test_fractional_costs_are_handled_exactly() -> None:
    ideas = [PortfolioIdea("a", value=1.5, cost=0.3), PortfolioIdea("b", value=1.25, cost=0.7)]
    result = solve(PortfolioProblem(ideas=ideas, budget=1.0, settings=FAST))
    assert sorted(result.selected) == ["a", "b"]
    assert result.value == pytest.approx(2.75)


def test_scenario_forcing_an_idea_in_changes_the_selection_and_the_comparison_shows_it() -> None:
    from northstar.decisions.solve.scenario import ScenarioChange, apply, compare

    base = knapsack()
    forced = apply(base, ScenarioChange(force_in=["a"]))
    assert base.ideas[0].must_have is False
    before, after = solve(base), solve(forced)
    diff = compare("base", before, "with a", after)
    assert diff.only_in_b == ["a"]
    assert diff.value_change == pytest.approx(-3)


def test_scenario_with_unknown_idea_or_team_is_rejected() -> None:
    from northstar.decisions.solve.scenario import ScenarioChange, apply

    with pytest.raises(PlanningInputError, match="unknown idea 'zzz'"):
        apply(knapsack(), ScenarioChange(force_out=["zzz"]))
    with pytest.raises(PlanningInputError, match="unknown team"):
        apply(knapsack(), ScenarioChange(capacity_factor={"ghost": 2}))


@pytest.mark.slow
def test_large_portfolio_reaches_the_milp_optimum() -> None:
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    rng = np.random.default_rng(5)
    n = 64
    costs = rng.integers(10, 60, n)
    effort = rng.integers(1, 20, n)
    values = rng.integers(10, 100, n).astype(float)  # uncorrelated, so the MILP reference is quick
    ideas = [
        PortfolioIdea(f"i{k}", value=float(values[k]), cost=float(costs[k]), effort={"t": [float(effort[k])]})
        for k in range(n)
    ]
    budget, capacity = float(costs.sum() // 3), float(effort.sum() // 3)
    result = solve(PortfolioProblem(ideas, budget, {"t": [capacity]}, settings=FAST, explain=False))
    reference = milp(
        -values,
        constraints=LinearConstraint(np.vstack([costs, effort]), ub=[budget, capacity]),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
    )
    assert result.value == pytest.approx(-reference.fun)


def test_capacity_carried_over_lets_late_work_use_early_capacity() -> None:
    # Two quarters of 3 each. "early" (effort 2) is due in Q1, "late" (effort 4) in Q2: 4 > 3 fits only because the
    # unused Q1 capacity carries over (2 + 4 ≤ 6). "rush" (effort 4, due Q1) never fits.
    ideas = [
        PortfolioIdea("early", value=3, effort={"web": [2, 0]}),
        PortfolioIdea("late", value=5, effort={"web": [0, 4]}),
        PortfolioIdea("rush", value=9, effort={"web": [4, 0]}),
    ]
    problem = PortfolioProblem(
        ideas, capacity={"web": [3, 3]}, capacity_carries_over=True, period_names=["Q1", "Q2"], settings=FAST
    )
    result = solve(problem)
    assert sorted(result.selected) == ["early", "late"]
    assert result.usage == {
        "capacity of web through Q1": (2.0, 3.0),
        "capacity of web through Q2": (6.0, 6.0),
    }
    rush = next(r for r in result.left_out if r.idea_id == "rush")
    assert any("through Q1" in blocked for blocked in rush.blocked_by)


def test_without_carry_over_each_period_stands_alone() -> None:
    ideas = [
        PortfolioIdea("late", value=5, effort={"web": [0, 4]}),
        PortfolioIdea("x", value=1, effort={"web": [1, 0]}),
    ]
    problem = PortfolioProblem(ideas, capacity={"web": [3, 3]}, period_names=["Q1", "Q2"], settings=FAST)
    assert solve(problem).selected == ["x"]
    carried = PortfolioProblem(
        ideas, capacity={"web": [3, 3]}, capacity_carries_over=True, period_names=["Q1", "Q2"], settings=FAST
    )
    assert sorted(solve(carried).selected) == ["late", "x"]
