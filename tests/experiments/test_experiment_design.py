"""Sample size and duration: Evan Miller's calculator's numbers, the textbook two-means number, and the achieved
power of the planned size checked against the normal distribution (scipy) at n and n - 1."""

from __future__ import annotations

import math

import pytest

from northstar.experiments.stats.design import DesignInput, achieved_power, plan, proportion_sample_size


@pytest.mark.parametrize(
    ("baseline", "effect", "published"),
    [(0.20, 0.05, 1030), (0.10, 0.02, 3623)],  # his calculator's default, and 10 % with a 20 % relative lift
)
def test_the_proportion_formula_gives_evan_millers_calculator_numbers(
    baseline: float, effect: float, published: int
) -> None:
    raw = proportion_sample_size(baseline, effect, 0.05, 0.8)
    assert round(raw) == published  # his page rounds to the nearest person
    assert plan(DesignInput("proportion", baseline, effect, mde_relative=False)).per_variant == math.ceil(raw)


def test_a_relative_effect_and_daily_traffic_give_the_days() -> None:
    design = plan(DesignInput("proportion", 0.10, 0.20, variants=3, daily_traffic=500))
    assert design.effect == pytest.approx(0.02) and design.treatment == pytest.approx(0.12)
    assert design.per_variant == 3623 and design.total == 3 * 3623
    assert design.days == 22  # 10,869 people at 500 a day


def test_two_means_with_half_a_standard_deviation_need_63_per_group() -> None:
    # the normal-approximation textbook value for d = 0.5, α = 0.05 two-sided, 80 % power
    assert (
        plan(DesignInput("mean", 40.0, 20.0, mde_relative=False, standard_deviation=40.0)).per_variant == 63
    )


@pytest.mark.parametrize(
    "data",
    [
        DesignInput("proportion", 0.31, 0.05),
        DesignInput("proportion", 0.02, 0.5, alpha=0.01, power=0.9),
        DesignInput("proportion", 0.6, -0.1),
        DesignInput("mean", 12.0, 0.03, standard_deviation=30.0, power=0.95),
    ],
)
def test_the_planned_size_is_the_smallest_that_reaches_the_power(data: DesignInput) -> None:
    design = plan(data)
    assert design.per_variant is not None
    assert achieved_power(data, design.per_variant) >= data.power - 1e-9
    if data.metric_type == "mean":
        assert achieved_power(data, design.per_variant - 1) < data.power


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (DesignInput("proportion", 0.9, 0.2), "is not a rate"),
        (DesignInput("proportion", 1.5, 0.1), "between 0 % and 100 %"),
        (DesignInput("mean", 10, 0.1), "standard deviation"),
        (DesignInput("proportion", 0.1, 0.0), "must not be zero"),
        (DesignInput("proportion", 0.1, 0.1, daily_traffic=0), "more than 0"),
    ],
)
def test_impossible_plans_say_why(data: DesignInput, words: str) -> None:
    design = plan(data)
    assert design.per_variant is None and design.reason and words in design.reason
