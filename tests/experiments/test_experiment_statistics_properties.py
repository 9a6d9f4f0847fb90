"""Properties of the statistics engine that must hold for any data, and its reasons instead of exceptions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from northstar.experiments.stats.bayesian import bayesian_test, expected_losses
from northstar.experiments.stats.effect import effect_moments
from northstar.experiments.stats.frequentist import t_test
from northstar.experiments.stats.results import Reason, SequentialSettings
from northstar.experiments.stats.srm import srm_p_value
from northstar.experiments.stats.statistics import (
    Proportion,
    Ratio,
    RegressionAdjusted,
    RegressionAdjustedRatio,
    SampleMean,
)


@st.composite
def sample_means(draw: st.DrawFn) -> SampleMean:
    """A SampleMean built from a real sample, so its variance is genuinely positive."""
    n = draw(st.integers(min_value=3, max_value=400))
    mean = draw(st.floats(min_value=0.5, max_value=100))
    spread = draw(st.floats(min_value=0.1, max_value=50))
    seed = draw(st.integers(min_value=0, max_value=2**31))
    values = np.random.default_rng(seed).normal(mean, spread, n)
    return SampleMean(n=n, sum=float(values.sum()), sum_squares=float((values**2).sum()))


@settings(max_examples=60, deadline=None)
@given(a=sample_means(), b=sample_means())
def test_absolute_welch_test_agrees_with_scipy_ttest_ind_from_stats(a: SampleMean, b: SampleMean) -> None:
    result = t_test(a, b, difference="absolute")
    reference = scipy_stats.ttest_ind_from_stats(
        b.mean, math.sqrt(b.variance), b.n, a.mean, math.sqrt(a.variance), a.n, equal_var=False
    )
    assert result.p_value == pytest.approx(float(reference.pvalue), rel=1e-7, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(a=sample_means(), b=sample_means())
def test_swapping_arms_negates_the_absolute_effect_and_keeps_the_p_value(
    a: SampleMean, b: SampleMean
) -> None:
    forward = t_test(a, b, difference="absolute")
    backward = t_test(b, a, difference="absolute")
    assert backward.expected == pytest.approx(-forward.expected)
    assert backward.p_value == pytest.approx(forward.p_value)


@settings(max_examples=60, deadline=None)
@given(a=sample_means(), b=sample_means(), tuning=st.floats(min_value=100, max_value=100_000))
def test_sequential_interval_contains_the_normal_fixed_horizon_interval(
    a: SampleMean, b: SampleMean, tuning: float
) -> None:
    # The mixture boundary is at least sqrt(2 ln(1/α)) standard errors wide, which exceeds z_{1−α/2}.
    fixed = t_test(a, b)
    always_valid = t_test(a, b, sequential=SequentialSettings(tuning=tuning))
    assert always_valid.expected == pytest.approx(fixed.expected)
    z_width = float(scipy_stats.norm.ppf(0.975)) * fixed.standard_error
    assert always_valid.ci[0] <= fixed.expected - z_width + 1e-12
    assert always_valid.ci[1] >= fixed.expected + z_width - 1e-12
    assert always_valid.p_value is not None and fixed.p_value is not None
    assert 0 <= fixed.p_value <= 1 and 0 <= always_valid.p_value <= 1


@settings(max_examples=60, deadline=None)
@given(a=sample_means(), b=sample_means())
def test_interval_is_centred_on_the_estimate_and_p_below_alpha_iff_zero_excluded(
    a: SampleMean, b: SampleMean
) -> None:
    result = t_test(a, b)
    assert result.ci[0] <= result.expected <= result.ci[1]
    assert result.expected - result.ci[0] == pytest.approx(result.ci[1] - result.expected)
    excluded = result.ci[0] > 0 or result.ci[1] < 0
    assert result.p_value is not None
    if abs(result.p_value - 0.05) > 1e-9:
        assert excluded == (result.p_value < 0.05)


@settings(max_examples=60, deadline=None)
@given(mean=st.floats(min_value=-5, max_value=5), sd=st.floats(min_value=0.01, max_value=5))
def test_risks_differ_by_the_posterior_mean_and_are_non_negative(mean: float, sd: float) -> None:
    risk_a, risk_b = expected_losses(mean, sd)
    # E[max(X,0)] − E[max(−X,0)] = E[X]
    assert risk_a - risk_b == pytest.approx(mean, abs=1e-9)
    assert risk_a >= -1e-12 and risk_b >= -1e-12


@settings(max_examples=40, deadline=None)
@given(a=sample_means(), b=sample_means())
def test_inverse_metric_swaps_chance_to_win_and_risks(a: SampleMean, b: SampleMean) -> None:
    normal = bayesian_test(a, b)
    inverse = bayesian_test(a, b, inverse=True)
    assert normal.chance_to_win + inverse.chance_to_win == pytest.approx(1.0)
    assert inverse.risk == pytest.approx((normal.risk[1], normal.risk[0]))


@settings(max_examples=40, deadline=None)
@given(a=sample_means(), b=sample_means())
def test_flat_prior_bayesian_shares_estimate_and_standard_error_with_the_t_test(
    a: SampleMean, b: SampleMean
) -> None:
    frequentist = t_test(a, b)
    bayesian = bayesian_test(a, b)
    assert bayesian.expected == pytest.approx(frequentist.expected)
    assert bayesian.standard_deviation == pytest.approx(frequentist.standard_error)


def test_relative_delta_method_standard_error_matches_simulation() -> None:
    rng = np.random.default_rng(7)
    a_values, b_values = rng.exponential(2.0, 5000), rng.exponential(2.3, 5000)
    a = SampleMean(n=5000, sum=float(a_values.sum()), sum_squares=float((a_values**2).sum()))
    b = SampleMean(n=5000, sum=float(b_values.sum()), sum_squares=float((b_values**2).sum()))
    moments = effect_moments(a, b, "relative")
    lifts = [rng.exponential(2.3, 5000).mean() / rng.exponential(2.0, 5000).mean() - 1 for _ in range(2000)]
    assert moments.standard_error == pytest.approx(float(np.std(lifts)), rel=0.08)


def test_cuped_reduces_the_standard_error_when_the_covariate_predicts_the_metric() -> None:
    rng = np.random.default_rng(3)

    def arm(n: int, lift: float) -> RegressionAdjusted:
        pre = rng.normal(10, 3, n)
        post = pre + rng.normal(lift, 1, n)
        return RegressionAdjusted(
            n=n,
            post=SampleMean(n=n, sum=float(post.sum()), sum_squares=float((post**2).sum())),
            pre=SampleMean(n=n, sum=float(pre.sum()), sum_squares=float((pre**2).sum())),
            sum_of_products=float((post * pre).sum()),
        )

    a, b = arm(2000, 0.0), arm(2000, 0.2)
    adjusted = t_test(a, b, difference="absolute")
    plain = t_test(a.post, b.post, difference="absolute")
    assert adjusted.standard_error < plain.standard_error / 2
    assert adjusted.expected == pytest.approx(0.2, abs=0.15)


def test_cuped_with_a_constant_covariate_falls_back_to_the_plain_analysis() -> None:
    post_a, post_b = SampleMean(n=50, sum=100, sum_squares=260), SampleMean(n=60, sum=130, sum_squares=330)
    constant = SampleMean(n=50, sum=50, sum_squares=50)
    a = RegressionAdjusted(n=50, post=post_a, pre=constant, sum_of_products=100)
    b = RegressionAdjusted(
        n=60, post=post_b, pre=SampleMean(n=60, sum=60, sum_squares=60), sum_of_products=130
    )
    assert t_test(a, b) == t_test(post_a, post_b)


def test_zero_variance_arm_gives_a_reason_not_an_exception() -> None:
    result = t_test(Proportion(n=100, sum=0), Proportion(n=100, sum=10))
    assert result.reason is Reason.ZERO_NEGATIVE_VARIANCE
    assert (result.expected, result.ci, result.p_value) == (0.0, (0.0, 0.0), 1.0)
    bayes = bayesian_test(Proportion(n=100, sum=0), Proportion(n=100, sum=10))
    assert bayes.reason is Reason.ZERO_NEGATIVE_VARIANCE and bayes.chance_to_win == 0.5


def test_zero_baseline_mean_blocks_relative_but_not_absolute_lift() -> None:
    a = SampleMean(n=10, sum=0, sum_squares=20)
    b = SampleMean(n=10, sum=5, sum_squares=25)
    assert t_test(a, b).reason is Reason.BASELINE_ZERO
    assert t_test(a, b, difference="absolute").reason is None


def test_empty_arm_gives_a_reason() -> None:
    assert (
        t_test(SampleMean(n=0, sum=0, sum_squares=0), SampleMean(n=5, sum=5, sum_squares=7)).reason
        is Reason.NO_UNITS
    )


def test_mixed_statistic_kinds_give_a_reason() -> None:
    ratio = Ratio(
        n=10,
        numerator=SampleMean(n=10, sum=20, sum_squares=50),
        denominator=SampleMean(n=10, sum=10, sum_squares=12),
        sum_of_products=22,
    )
    assert t_test(SampleMean(n=10, sum=20, sum_squares=50), ratio).reason is Reason.MIXED_STATISTICS


def test_sequential_one_sided_test_refuses_alpha_of_one_half() -> None:
    a, b = SampleMean(n=100, sum=100, sum_squares=300), SampleMean(n=100, sum=120, sum_squares=380)
    result = t_test(a, b, alpha=0.5, alternative="greater", sequential=SequentialSettings())
    assert result.reason is Reason.ALPHA_TOO_LARGE


@settings(max_examples=40, deadline=None)
@given(users=st.lists(st.integers(min_value=0, max_value=100_000), min_size=2, max_size=6))
def test_srm_p_value_is_a_probability_and_one_for_a_perfect_split(users: list[int]) -> None:
    p = srm_p_value(users)
    assert 0.0 <= p <= 1.0
    assert srm_p_value([users[0]] * len(users)) == pytest.approx(1.0)


def test_srm_flags_a_lopsided_split_and_respects_weights() -> None:
    assert srm_p_value([5000, 6000]) < 1e-10
    assert srm_p_value([5000, 6000], [5, 6]) == pytest.approx(1.0)


_any_float = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)
_any_n = st.integers(min_value=0, max_value=10**12)
_any_arm = st.one_of(
    st.builds(SampleMean, _any_n, _any_float, st.floats(min_value=0, max_value=1e300)),
    st.builds(Proportion, _any_n, st.floats(min_value=0, max_value=1e12)),
)


@settings(max_examples=300, deadline=None)
@given(
    a=_any_arm,
    b=_any_arm,
    sequential=st.booleans(),
    alternative=st.sampled_from(["two-sided", "greater", "less"]),
    difference=st.sampled_from(["relative", "absolute"]),
)
def test_any_finite_sums_give_a_result_or_a_reason_never_an_exception(
    a: SampleMean | Proportion,
    b: SampleMean | Proportion,
    sequential: bool,
    alternative: str,
    difference: str,
) -> None:
    result = t_test(
        a,
        b,
        difference=difference,  # type: ignore[arg-type]
        alternative=alternative,  # type: ignore[arg-type]
        sequential=SequentialSettings() if sequential else None,
    )
    if result.reason is None:
        assert math.isfinite(result.expected)
        assert result.p_value is None or 0 <= result.p_value <= 1
        assert not any(math.isnan(x) for x in result.ci)
    posterior = bayesian_test(a, b, difference=difference)  # type: ignore[arg-type]
    if posterior.reason is None:
        assert 0 <= posterior.chance_to_win <= 1
        assert all(math.isfinite(x) for x in posterior.risk)


def _ratio_cuped_arm(rng: np.random.Generator, n: int, lift: float, noise: float) -> RegressionAdjustedRatio:
    sessions_pre = rng.poisson(5, n) + 1.0
    sessions = sessions_pre + rng.poisson(1, n)
    revenue_pre = sessions_pre * rng.gamma(4, 1, n)
    revenue = revenue_pre * (1 + lift) * sessions / sessions_pre + rng.normal(0, noise, n)

    def stat(values: np.ndarray) -> SampleMean:
        return SampleMean(n=n, sum=float(values.sum()), sum_squares=float((values**2).sum()))

    return RegressionAdjustedRatio(
        n=n,
        numerator=stat(revenue),
        denominator=stat(sessions),
        numerator_pre=stat(revenue_pre),
        denominator_pre=stat(sessions_pre),
        numerator_numerator_pre=float((revenue * revenue_pre).sum()),
        denominator_denominator_pre=float((sessions * sessions_pre).sum()),
        numerator_pre_denominator_pre=float((revenue_pre * sessions_pre).sum()),
        numerator_denominator=float((revenue * sessions).sum()),
        numerator_denominator_pre=float((revenue * sessions_pre).sum()),
        numerator_pre_denominator=float((revenue_pre * sessions).sum()),
    )


def test_cuped_on_a_ratio_narrows_the_interval_and_keeps_the_estimate_near_the_plain_one() -> None:
    rng = np.random.default_rng(5)
    a, b = _ratio_cuped_arm(rng, 3000, 0.0, 1.0), _ratio_cuped_arm(rng, 3000, 0.05, 1.0)
    adjusted = t_test(a, b)
    plain = t_test(
        Ratio(a.n, a.numerator, a.denominator, a.numerator_denominator),
        Ratio(b.n, b.numerator, b.denominator, b.numerator_denominator),
    )
    assert adjusted.reason is None and plain.reason is None
    assert adjusted.standard_error < plain.standard_error * 0.7
    assert adjusted.expected == pytest.approx(plain.expected, abs=2 * plain.standard_error)
