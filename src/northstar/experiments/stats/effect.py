"""The treatment effect and its standard error (delta method), shared by both engines."""

from __future__ import annotations

import math

import numpy as np

from northstar.experiments.stats.results import Difference, EffectMoments, Reason
from northstar.experiments.stats.statistics import (
    Proportion,
    RegressionAdjusted,
    RegressionAdjustedRatio,
    SampleMean,
    Statistic,
    variance_of_ratio,
)


def _kind(statistic: Statistic) -> type:
    # A proportion and a sample mean are interchangeable scalars; the other kinds must match.
    if isinstance(statistic, Proportion | SampleMean):
        return SampleMean
    return type(statistic)


def _relative_cuped_variance(a: RegressionAdjusted, b: RegressionAdjusted) -> float:
    """Variance of the CUPED relative lift, differentiating through the unadjusted baseline mean."""
    base = a.unadjusted_mean
    if b.n == 0 or a.n == 0 or base == 0:
        return 0.0
    theta = a.theta or 0.0
    treatment = (b.post.variance + theta**2 * b.pre.variance - 2 * theta * b.covariance) / (b.n * base**2)
    scale = -b.post.mean / a.post.mean
    control = (a.post.variance * scale**2 + 2 * theta * a.covariance * scale + theta**2 * a.pre.variance) / (
        a.n * base**2
    )
    return treatment + control


def _relative_cuped_ratio_variance(a: RegressionAdjustedRatio, b: RegressionAdjustedRatio) -> float:
    """Variance of the CUPED relative lift of a ratio, differentiating through the unadjusted baseline."""
    base = abs(a.unadjusted_mean)
    numerator, denominator = a.numerator.mean, a.denominator.mean
    if base == 0 or denominator == 0:
        return 0.0
    lift = b.mean - a.mean
    gradient_a = a.gradient()
    control = np.array(
        [
            -(base + lift) / denominator / base**2,
            numerator * (base + lift) / denominator**2 / base**2,
            -gradient_a[2] / base,
            -gradient_a[3] / base,
        ]
    )
    treatment = b.gradient() / base
    return float(
        control @ a.covariance_matrix @ control / a.n + treatment @ b.covariance_matrix @ treatment / b.n
    )


def effect_variance(a: Statistic, b: Statistic, difference: Difference) -> float:
    """Variance of the estimated effect: ``var_a/n_a + var_b/n_b`` or its delta-method relative form."""
    if difference == "relative":
        if isinstance(a, RegressionAdjusted) and isinstance(b, RegressionAdjusted):
            return _relative_cuped_variance(a, b)
        if isinstance(a, RegressionAdjustedRatio) and isinstance(b, RegressionAdjustedRatio):
            return _relative_cuped_ratio_variance(a, b)
        return variance_of_ratio(b.mean, b.variance / b.n, a.mean, a.variance / a.n, 0.0)
    return b.variance / b.n + a.variance / a.n


def effect_moments(a: Statistic, b: Statistic, difference: Difference = "relative") -> EffectMoments:
    """Effect of B against A, ``(μB − μA)/|μA|`` (relative) or ``μB − μA`` (absolute), with its se.

    CUPED arms must already carry their pooled slope (see ``with_pooled_theta``).
    """
    if _kind(a) is not _kind(b):
        return EffectMoments(0.0, 0.0, Reason.MIXED_STATISTICS)
    if a.n <= 1 or b.n <= 1:
        return EffectMoments(0.0, 0.0, Reason.NO_UNITS)
    if a.variance <= 0 or b.variance <= 0:
        return EffectMoments(0.0, 0.0, Reason.ZERO_NEGATIVE_VARIANCE)
    if difference == "relative" and (a.mean == 0 or a.unadjusted_mean == 0):
        return EffectMoments(0.0, 0.0, Reason.BASELINE_ZERO)
    variance = effect_variance(a, b, difference)
    if not variance > 0 or not math.isfinite(variance):
        return EffectMoments(0.0, 0.0, Reason.ZERO_NEGATIVE_VARIANCE)
    estimate = b.mean - a.mean
    if difference == "relative":
        estimate /= abs(a.unadjusted_mean)
    return EffectMoments(estimate, math.sqrt(variance))


def welch_degrees_of_freedom(a: Statistic, b: Statistic) -> float:
    """Welch–Satterthwaite degrees of freedom from the per-arm variances."""
    va, vb = a.variance / a.n, b.variance / b.n
    denominator = va**2 / (a.n - 1) + vb**2 / (b.n - 1)
    return (va + vb) ** 2 / denominator if denominator > 0 else 1.0
