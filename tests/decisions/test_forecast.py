"""Monte Carlo forecasts: exact cases, distribution facts, and the P85 calibration check."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from northstar.decisions.solve.common import PlanningInputError
from northstar.decisions.solve.forecast import (
    ForecastItem,
    ForecastProblem,
    ThreePointEstimate,
    ThroughputEstimate,
    solve,
)


def fixed(days: float) -> ThreePointEstimate:
    return ThreePointEstimate(days, days, days)


def test_certain_estimates_give_the_deterministic_schedule() -> None:
    items = [
        ForecastItem("a", fixed(3), {"team": 1}),
        ForecastItem("b", fixed(2), {"team": 1}),
        ForecastItem("c", fixed(4), {"other": 1}, predecessors=["a"]),
    ]
    result = solve(ForecastProblem(items, {"team": 1, "other": 1}, simulations=50)).by_id()
    assert result["a"].percentiles["P50"] == 3
    assert result["b"].percentiles["P95"] == 5
    assert result["c"].percentiles["P85"] == 7


def test_parallel_capacity_units_let_items_overlap() -> None:
    items = [ForecastItem(f"w{k}", fixed(2), {"team": 1}) for k in range(4)]
    result = solve(ForecastProblem(items, {"team": 2}, simulations=10))
    assert result.finish.percentiles["P50"] == 4


def test_pert_mean_matches_the_textbook_formula() -> None:
    estimate = ThreePointEstimate(2, 4, 12, "pert")
    samples = estimate.sample(np.random.default_rng(3), 200_000)
    assert samples.mean() == pytest.approx((2 + 4 * 4 + 12) / 6, rel=0.01)


def test_lognormal_low_and_high_are_the_5th_and_95th_percentiles() -> None:
    samples = ThreePointEstimate(2, 4, 10, "lognormal").sample(np.random.default_rng(4), 200_000)
    assert np.percentile(samples, 5) == pytest.approx(2, rel=0.02)
    assert np.percentile(samples, 95) == pytest.approx(10, rel=0.02)


def test_triangular_samples_stay_inside_low_and_high() -> None:
    samples = ThreePointEstimate(1, 2, 6, "triangular").sample(np.random.default_rng(5), 10_000)
    assert samples.min() >= 1
    assert samples.max() <= 6


def test_constant_throughput_finishes_after_count_over_rate_periods() -> None:
    item = ForecastItem("epic", ThroughputEstimate(10, 10, history=[2, 2, 2]))
    result = solve(ForecastProblem([item], {}, simulations=100))
    assert result.items[0].percentiles["P50"] == 5


def test_throughput_sampling_counts_zero_weeks() -> None:
    item = ForecastItem("epic", ThroughputEstimate(6, 6, history=[0, 2]))
    result = solve(ForecastProblem([item], {}, simulations=5000, seed=1))
    # Each week finishes 2 with probability 1/2: 3 productive weeks take 6 weeks on average.
    assert result.items[0].mean == pytest.approx(6, rel=0.05)


def test_deadline_probability_rises_with_a_later_deadline() -> None:
    estimate = ThreePointEstimate(2, 5, 12)
    early = solve(ForecastProblem([ForecastItem("x", estimate, deadline=5)], {}, simulations=4000))
    late = solve(ForecastProblem([ForecastItem("x", estimate, deadline=8)], {}, simulations=4000))
    assert early.items[0].deadline_probability < late.items[0].deadline_probability


def test_milestone_is_done_when_its_last_item_is() -> None:
    items = [ForecastItem("a", fixed(2)), ForecastItem("b", fixed(5))]
    result = solve(ForecastProblem(items, {}, simulations=10, milestones={"launch": ["a", "b"]}))
    assert result.milestones[0].percentiles["P50"] == 5


def test_dates_are_reported_from_a_start_date() -> None:
    import datetime

    problem = ForecastProblem(
        [ForecastItem("a", fixed(2))], {}, simulations=5, start_date=datetime.date(2026, 1, 5)
    )
    assert solve(problem).items[0].dates["P50"] == "2026-01-19"


@pytest.mark.parametrize(
    ("item", "teams", "message"),
    [
        (ForecastItem("x", ThreePointEstimate(5, 3, 9)), {}, "low ≤ likely ≤ high"),
        (ForecastItem("x", ThreePointEstimate(0, 3, 9, "lognormal")), {}, "low > 0"),
        (ForecastItem("x", fixed(1), {"t": 3}), {"t": 2}, "which has 2"),
        (ForecastItem("x", ThroughputEstimate(1, 3, history=[0, 0])), {}, "no finished items"),
    ],
)
def test_bad_forecast_input_is_rejected(item, teams, message) -> None:
    with pytest.raises(PlanningInputError, match=message):
        solve(ForecastProblem([item], teams, simulations=10))


def _reference_end(
    durations: dict[str, float], order: list[str], demand: dict[str, int], preds, units: int
) -> float:
    """A plain-Python serial schedule of one world, written independently of the vectorized engine."""
    free = [0.0] * units
    ends: dict[str, float] = {}
    for name in order:
        start = max([0.0, *(ends[p] for p in preds.get(name, []))])
        free.sort()
        need = demand[name]
        start = max(start, free[need - 1])
        ends[name] = start + durations[name]
        for k in range(need):
            free[k] = ends[name]
    return max(ends.values())


def test_p85_dates_are_met_85_percent_of_the_time_when_the_assumptions_hold() -> None:
    specs = {
        "a": (2, 4, 9, "pert"),
        "b": (1, 3, 6, "triangular"),
        "c": (2, 3, 8, "lognormal"),
        "d": (3, 5, 10, "pert"),
        "e": (1, 2, 5, "triangular"),
    }
    demand = {"a": 1, "b": 1, "c": 2, "d": 1, "e": 1}
    preds = {"c": ["a"], "e": ["b", "d"]}
    items = [
        ForecastItem(name, ThreePointEstimate(lo, ml, hi, dist), {"team": demand[name]}, preds.get(name, []))
        for name, (lo, ml, hi, dist) in specs.items()
    ]
    forecast = solve(ForecastProblem(items, {"team": 2}, simulations=20_000, seed=11))
    p85 = forecast.finish.percentiles["P85"]

    # "True" worlds: durations drawn with scipy.stats from the assumed distributions, timed by the reference.
    rng = np.random.default_rng(2024)
    trials = 3000
    draws: dict[str, np.ndarray] = {}
    for name, (lo, ml, hi, dist) in specs.items():
        if dist == "triangular":
            draws[name] = stats.triang((ml - lo) / (hi - lo), loc=lo, scale=hi - lo).rvs(
                trials, random_state=rng
            )
        elif dist == "pert":
            a, b = 1 + 4 * (ml - lo) / (hi - lo), 1 + 4 * (hi - ml) / (hi - lo)
            draws[name] = stats.beta(a, b, loc=lo, scale=hi - lo).rvs(trials, random_state=rng)
        else:
            sigma = (np.log(hi) - np.log(lo)) / (2 * stats.norm.ppf(0.95))
            draws[name] = stats.lognorm(sigma, scale=np.sqrt(lo * hi)).rvs(trials, random_state=rng)
    order = list(specs)
    met = [
        _reference_end({n: draws[n][k] for n in order}, order, demand, preds, 2) <= p85 for k in range(trials)
    ]
    assert np.mean(met) == pytest.approx(0.85, abs=0.03)


def test_a_holiday_week_pushes_work_that_would_overlap_it() -> None:
    # One person in weeks 0 and 2, nobody in week 1 (a holiday). A 1.5-week item cannot run through week 1, so it
    # starts in week 2; a 1-week item fits before the holiday.
    long = solve(
        ForecastProblem([ForecastItem("a", fixed(1.5), {"team": 1})], {"team": [1, 0, 1]}, simulations=5)
    )
    short = solve(
        ForecastProblem([ForecastItem("b", fixed(1), {"team": 1})], {"team": [1, 0, 1]}, simulations=5)
    )
    assert long.items[0].percentiles["P50"] == 3.5
    assert short.items[0].percentiles["P50"] == 1


def test_hiring_adds_parallel_capacity_from_its_week() -> None:
    # One person until week 4, two from then on: of three 2-week items, two run in parallel from week 4.
    items = [ForecastItem(f"w{k}", fixed(2), {"team": 1}) for k in range(3)]
    result = solve(ForecastProblem(items, {"team": [1, 1, 1, 1, 2]}, simulations=5)).by_id()
    assert [result[f"w{k}"].percentiles["P50"] for k in range(3)] == [2, 4, 6]
    more = [*items, ForecastItem("w3", fixed(2), {"team": 1})]
    hired = solve(ForecastProblem(more, {"team": [1, 1, 1, 1, 2]}, simulations=5)).by_id()
    assert hired["w3"].percentiles["P50"] == 6  # beside w2, on the new hire


def test_per_period_kernel_equals_the_vectorized_engine_when_capacity_is_constant() -> None:
    from northstar.decisions.solve.forecast import _simulate_ends_per_period, sample_durations, simulate_ends

    rng = np.random.default_rng(8)
    items = []
    for k in range(40):
        preds = (
            [f"i{j}" for j in rng.choice(k, size=min(k, 2), replace=False)]
            if k > 3 and rng.random() < 0.4
            else []
        )
        demand = {f"t{k % 3}": int(rng.integers(1, 3))}
        items.append(ForecastItem(f"i{k}", ThreePointEstimate(1, 2, 6), demand, predecessors=preds))
    problem = ForecastProblem(items, {"t0": 2, "t1": 3, "t2": 2}, simulations=300)
    durations = sample_durations(problem, np.random.default_rng(1))
    assert np.array_equal(simulate_ends(problem, durations), _simulate_ends_per_period(problem, durations))


def test_work_that_cannot_finish_before_capacity_runs_out_is_reported() -> None:
    item = ForecastItem("x", fixed(3), {"team": 1})
    with pytest.raises(PlanningInputError, match="cannot finish within the capacity"):
        solve(ForecastProblem([item], {"team": [1, 1, 0]}, simulations=5))


def test_an_optional_duration_multiplier_scales_each_teams_sampled_durations() -> None:
    items = [ForecastItem("a", fixed(3), {"slow": 1}), ForecastItem("b", fixed(4), {"fast": 1})]
    teams = {"slow": 1, "fast": 1}

    def multiplier(team: str, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, 2.0 if team == "slow" else 1.0)

    plain = solve(ForecastProblem(items, teams, simulations=20)).by_id()
    scaled = solve(ForecastProblem(items, teams, simulations=20, duration_multiplier=multiplier)).by_id()
    assert (plain["a"].percentiles["P50"], scaled["a"].percentiles["P50"]) == (3, 6)
    assert scaled["b"].percentiles["P50"] == plain["b"].percentiles["P50"] == 4
