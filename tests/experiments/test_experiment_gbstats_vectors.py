"""Every GrowthBook gbstats test vector of reference/analytics.md §3.3, matched to the printed decimals."""

from __future__ import annotations

import math

import pytest

from northstar.experiments.stats.analysis import AnalysisSettings, VariantSummary, analyze
from northstar.experiments.stats.bayesian import bayesian_test
from northstar.experiments.stats.frequentist import t_test
from northstar.experiments.stats.results import GaussianPrior, SequentialSettings
from northstar.experiments.stats.srm import srm_p_value
from northstar.experiments.stats.statistics import (
    Proportion,
    RegressionAdjusted,
    RegressionAdjustedRatio,
    SampleMean,
    with_pooled_theta,
)


def assert_printed(actual: float | None, printed: str) -> None:
    """``actual`` rounded to as many decimals as ``printed`` shows equals ``printed``."""
    assert actual is not None
    if printed in ("inf", "-inf"):
        assert actual == float(printed)
        return
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    assert round(actual, decimals) == pytest.approx(float(printed), abs=10 ** -(decimals + 3)), (
        actual,
        printed,
    )


A = SampleMean(n=3407, sum=1396.87, sum_squares=52377.9767)
B = SampleMean(n=3461, sum=2422.7, sum_squares=134698.29)
A_3000 = SampleMean(n=3000, sum=1396.87, sum_squares=52377.9767)


@pytest.mark.parametrize(
    ("difference", "expected", "low", "high", "se", "p"),
    [
        ("relative", "0.70732", "-0.03526", "1.44989", "0.37879", "0.06191"),
        ("absolute", "0.29", "0.04538", "0.53462", "0.12478", "0.02016"),
    ],
)
def test_welch_t_test_matches_gbstats(
    difference: str, expected: str, low: str, high: str, se: str, p: str
) -> None:
    result = t_test(A, B, difference=difference)  # type: ignore[arg-type]
    assert result.reason is None
    assert_printed(result.expected, expected)
    assert_printed(result.ci[0], low)
    assert_printed(result.ci[1], high)
    assert_printed(result.standard_error, se)
    assert_printed(result.p_value, p)


def test_binomial_t_test_matches_gbstats() -> None:
    result = t_test(Proportion(n=28, sum=14), Proportion(n=30, sum=16))
    assert_printed(result.expected, "0.06667")
    assert_printed(result.ci[0], "-0.47767")
    assert_printed(result.ci[1], "0.61101")
    assert_printed(result.standard_error, "0.2717")
    assert_printed(result.p_value, "0.80707")


@pytest.mark.parametrize(
    ("alternative", "difference", "expected", "low", "high", "p"),
    [
        ("greater", "relative", "0.50336", "-0.04514", "inf", "0.06558"),
        ("greater", "absolute", "0.23438", "0.02079", "inf", "0.03554"),
        ("less", "relative", None, "-inf", "1.05186", "0.93442"),
        ("less", "absolute", None, "-inf", "0.44796", "0.96446"),
    ],
)
def test_one_sided_t_tests_match_gbstats(
    alternative: str, difference: str, expected: str | None, low: str, high: str, p: str
) -> None:
    result = t_test(A_3000, B, difference=difference, alternative=alternative)  # type: ignore[arg-type]
    if expected is not None:
        assert_printed(result.expected, expected)
    assert_printed(result.ci[0], low)
    assert_printed(result.ci[1], high)
    assert_printed(result.p_value, p)


def test_sequential_two_sided_with_tuning_1000_matches_gbstats() -> None:
    result = t_test(A_3000, B, sequential=SequentialSettings(tuning=1000))
    assert_printed(result.expected, "0.50336")
    assert_printed(result.ci[0], "-0.55844")
    assert_printed(result.ci[1], "1.56516")
    assert_printed(result.p_value, "1")


@pytest.mark.parametrize(
    ("difference", "low", "p"),
    [("relative", "-0.42356", "0.4999"), ("absolute", "-0.12657", "0.46316")],
)
def test_sequential_one_sided_greater_matches_gbstats(difference: str, low: str, p: str) -> None:
    result = t_test(A_3000, B, difference=difference, alternative="greater", sequential=SequentialSettings())  # type: ignore[arg-type]
    assert_printed(result.ci[0], low)
    assert result.ci[1] == math.inf
    assert_printed(result.p_value, p)


def test_sequential_binomial_matches_gbstats() -> None:
    result = t_test(
        Proportion(n=3000, sum=1396), Proportion(n=3461, sum=2422), sequential=SequentialSettings()
    )
    assert_printed(result.expected, "0.50386")
    assert_printed(result.ci[0], "0.40098")
    assert_printed(result.ci[1], "0.60675")
    assert_printed(result.standard_error, "0.03386")
    assert_printed(result.p_value, "0.0")


def test_cuped_sequential_matches_gbstats() -> None:
    a = RegressionAdjusted(
        n=3000,
        post=SampleMean(n=3000, sum=1396.87, sum_squares=52377.9767),
        pre=SampleMean(n=3000, sum=16.87, sum_squares=527.9767),
        sum_of_products=1,
    )
    b = RegressionAdjusted(
        n=3461,
        post=SampleMean(n=3461, sum=2422.7, sum_squares=134698.29),
        pre=SampleMean(n=3461, sum=22.7, sum_squares=1348.29),
        sum_of_products=1,
    )
    adjusted_a, _ = with_pooled_theta(a, b)
    assert isinstance(adjusted_a, RegressionAdjusted)
    assert_printed(adjusted_a.theta, "-0.011403")
    result = t_test(a, b, sequential=SequentialSettings())
    assert_printed(result.expected, "0.50338")
    assert_printed(result.ci[0], "-0.50969")
    assert_printed(result.ci[1], "1.51646")
    assert_printed(result.standard_error, "0.33341")


@pytest.mark.parametrize(
    ("a", "b", "prior", "expected", "low", "high", "sd", "win", "risk_a", "risk_b"),
    [
        (
            Proportion(n=100, sum=49),
            Proportion(n=100, sum=51),
            None,
            "0.04082",
            "-0.24779",
            "0.32943",
            "0.14725",
            "0.60918",
            "0.0814",
            "0.04058",
        ),
        (
            SampleMean(n=10, sum=100, sum_squares=1002.25),
            SampleMean(n=10, sum=105, sum_squares=1111.5),
            None,
            "0.05",
            "-0.02",
            "0.12",
            "0.03572",
            "0.91923",
            "0.05131",
            "0.00131",
        ),
        (
            SampleMean(n=10, sum=100, sum_squares=1002.25),
            SampleMean(n=10, sum=105, sum_squares=1111.5),
            GaussianPrior(mean=0.1, variance=0.1, proper=True),
            "0.05063",
            "-0.01893",
            "0.12019",
            "0.03549",
            "0.92315",
            "0.05186",
            "0.00123",
        ),
    ],
)
def test_bayesian_matches_gbstats(
    a: SampleMean | Proportion,
    b: SampleMean | Proportion,
    prior: GaussianPrior | None,
    expected: str,
    low: str,
    high: str,
    sd: str,
    win: str,
    risk_a: str,
    risk_b: str,
) -> None:
    result = bayesian_test(a, b, prior=prior)
    assert_printed(result.expected, expected)
    assert_printed(result.ci[0], low)
    assert_printed(result.ci[1], high)
    assert_printed(result.standard_deviation, sd)
    assert_printed(result.chance_to_win, win)
    assert_printed(result.risk[0], risk_a)
    assert_printed(result.risk[1], risk_b)


COUNT_ROWS = [
    VariantSummary(variation="zero", users=100, main_sum=270, main_sum_squares=848.79),
    VariantSummary(variation="one", users=120, main_sum=300, main_sum_squares=869),
]
RATIO_ROWS = [
    VariantSummary(
        variation="zero",
        users=100,
        main_sum=270,
        main_sum_squares=848.79,
        denominator_sum=510,
        denominator_sum_squares=810,
        main_denominator_sum_product=-900,
    ),
    VariantSummary(
        variation="one",
        users=120,
        main_sum=300,
        main_sum_squares=869,
        denominator_sum=500,
        denominator_sum_squares=800,
        main_denominator_sum_product=-905,
    ),
]


def test_end_to_end_count_metric_frequentist_matches_gbstats_to_9_decimals() -> None:
    analysis = analyze(COUNT_ROWS, AnalysisSettings(metric_type="mean"))
    assert_printed(analysis.baseline_mean, "2.7")
    (one,) = analysis.comparisons
    assert_printed(one.mean, "2.5")
    assert_printed(one.expected, "-0.074074074")
    assert_printed(one.p_value, "0.145219005")


@pytest.mark.parametrize(
    ("inverse", "win", "risk_b"),
    [(False, 0.071834168, "0.075691131"), (True, 1 - 0.071834168, "0.001617057")],
)
def test_end_to_end_count_metric_bayesian_matches_gbstats_to_9_decimals(
    inverse: bool, win: float, risk_b: str
) -> None:
    analysis = analyze(COUNT_ROWS, AnalysisSettings(metric_type="mean", engine="bayesian", inverse=inverse))
    (one,) = analysis.comparisons
    assert_printed(one.chance_to_win, f"{win:.9f}")
    assert one.risk is not None
    assert_printed(one.risk[1], risk_b)


def test_end_to_end_ratio_metric_matches_gbstats_to_9_decimals() -> None:
    frequentist = analyze(RATIO_ROWS, AnalysisSettings(metric_type="ratio"))
    assert_printed(frequentist.baseline_mean, "0.529411765")
    (one,) = frequentist.comparisons
    assert_printed(one.mean, "0.6")
    assert_printed(one.expected, "0.133333333")
    assert_printed(one.p_value, "0.610663339")
    bayesian = analyze(RATIO_ROWS, AnalysisSettings(metric_type="ratio", engine="bayesian"))
    (one,) = bayesian.comparisons
    assert_printed(one.chance_to_win, "0.694926359")
    assert one.risk is not None
    assert_printed(one.risk[1], "0.050934045")


@pytest.mark.parametrize(
    ("users", "weights", "p"),
    [
        ([5000, 5200], [0.5, 0.5], "0.04767"),
        ([1000, 1100, 1050], None, "0.09246"),
        ([5000, 5000], None, "1.0"),
    ],
)
def test_srm_check_matches_gbstats_formula(users: list[int], weights: list[float] | None, p: str) -> None:
    assert_printed(srm_p_value(users, weights), p)


# Further vectors from gbstats' own test suite (packages/stats/tests/frequentist/test_tests.py, 5 decimals).


def _ratio_cuped_arm(values: tuple[float, ...]) -> RegressionAdjustedRatio:
    m, mm, d, dd, mp, mpp, dp, dpp, m_mp, d_dp, mp_dp, m_d, m_dp, mp_d = values
    return RegressionAdjustedRatio(
        n=100,
        numerator=SampleMean(n=100, sum=m, sum_squares=mm),
        denominator=SampleMean(n=100, sum=d, sum_squares=dd),
        numerator_pre=SampleMean(n=100, sum=mp, sum_squares=mpp),
        denominator_pre=SampleMean(n=100, sum=dp, sum_squares=dpp),
        numerator_numerator_pre=m_mp,
        denominator_denominator_pre=d_dp,
        numerator_pre_denominator_pre=mp_dp,
        numerator_denominator=m_d,
        numerator_denominator_pre=m_dp,
        numerator_pre_denominator=mp_d,
    )


RATIO_CUPED_A = _ratio_cuped_arm(
    (485.112236689623, 2715.484666118136, 679.9093275844917, 4939.424001640236, 192.59138069991536,
     460.076026390857, 290.1398399750233, 920.9461385038898, 1113.6215759318352, 2130.9404074446747,
     634.239482353647, 3602.146836776702, 1559.2878434944676, 1460.3181079276983)
)  # fmt: skip
RATIO_CUPED_B = _ratio_cuped_arm(
    (514.7757826608777, 2994.897482705013, 705.4090874383759, 5291.36604146392, 206.94157227402536,
     514.2903702246757, 302.54389139107326, 994.4506208125663, 1237.0953021125997, 2292.081739775257,
     698.4173425817908, 3918.1561431600717, 1701.0287270040265, 1604.0759503266522)
)  # fmt: skip


def test_cuped_ratio_t_test_matches_gbstats() -> None:
    result = t_test(RATIO_CUPED_A, RATIO_CUPED_B)
    assert_printed(result.expected, "-0.0007")
    assert_printed(result.ci[0], "-0.00841")
    assert_printed(result.ci[1], "0.00700")
    assert_printed(result.standard_error, "0.00391")
    assert_printed(result.p_value, "0.85771")


def test_cuped_ratio_sequential_matches_gbstats() -> None:
    result = t_test(RATIO_CUPED_A, RATIO_CUPED_B, sequential=SequentialSettings())
    assert_printed(result.ci[0], "-0.02063")
    assert_printed(result.ci[1], "0.01923")
    assert_printed(result.p_value, "1.0")


def test_sequential_one_sided_lesser_matches_gbstats() -> None:
    result = t_test(A_3000, B, alternative="less", sequential=SequentialSettings())
    assert result.ci[0] == -math.inf
    assert_printed(result.ci[1], "1.43029")
    assert_printed(result.p_value, "0.4999")
