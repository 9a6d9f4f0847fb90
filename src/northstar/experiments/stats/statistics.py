"""Sufficient statistics for one arm of an experiment.

Every analysis in this package starts from per-arm sums (count, sum, sum of squares and, where needed,
sums of cross products), the same "query row" shape GrowthBook's gbstats consumes. Sums add across
dimensions or days, so the warehouse does the heavy lifting and the statistics stay tiny.

All classes are frozen. Their ``mean`` is what the effect is computed on; ``unadjusted_mean`` is the
plain mean used to scale a relative lift (they differ only for CUPED). ``variance`` is the per-unit
variance, so the variance of the arm's mean is ``variance / n``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SampleMean:
    """A numeric metric per unit: n units, the sum of their values and the sum of squared values."""

    n: int
    sum: float
    sum_squares: float

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n else 0.0

    @property
    def unadjusted_mean(self) -> float:
        return self.mean

    @property
    def variance(self) -> float:
        """Unbiased sample variance ``(Σx² − (Σx)²/n)/(n−1)``; 0 for fewer than two units."""
        if self.n <= 1:
            return 0.0
        return (self.sum_squares - self.sum**2 / self.n) / (self.n - 1)


@dataclass(frozen=True)
class Proportion:
    """A 0/1 metric per unit: n units of which ``sum`` converted. Variance is ``p(1−p)``."""

    n: int
    sum: float

    @property
    def sum_squares(self) -> float:
        return self.sum

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n else 0.0

    @property
    def unadjusted_mean(self) -> float:
        return self.mean

    @property
    def variance(self) -> float:
        p = self.mean
        return p * (1.0 - p)


BaseStatistic = SampleMean | Proportion


def covariance(n: int, first: BaseStatistic, second: BaseStatistic, sum_of_products: float) -> float:
    """Per-unit covariance of two metrics measured on the same n units.

    Two proportions use the population form (matching ``p(1−p)``), anything else the unbiased form.
    """
    if n <= 1:
        return 0.0
    if isinstance(first, Proportion) and isinstance(second, Proportion):
        return sum_of_products / n - first.sum * second.sum / n**2
    return (sum_of_products - first.sum * second.sum / n) / (n - 1)


@dataclass(frozen=True)
class Ratio:
    """A ratio metric ``Σnumerator / Σdenominator`` over n units (e.g. revenue per session).

    The per-unit variance comes from the delta method:
    ``var_m/μd² + var_d·μm²/μd⁴ − 2·cov·μm/μd³``.
    """

    n: int
    numerator: BaseStatistic
    denominator: BaseStatistic
    sum_of_products: float

    @property
    def mean(self) -> float:
        return self.numerator.sum / self.denominator.sum if self.denominator.sum else 0.0

    @property
    def unadjusted_mean(self) -> float:
        return self.mean

    @property
    def covariance(self) -> float:
        return covariance(self.n, self.numerator, self.denominator, self.sum_of_products)

    @property
    def variance(self) -> float:
        mean_d = self.denominator.mean
        if mean_d == 0 or self.n <= 1:
            return 0.0
        return variance_of_ratio(
            self.numerator.mean, self.numerator.variance, mean_d, self.denominator.variance, self.covariance
        )


def variance_of_ratio(mean_m: float, var_m: float, mean_d: float, var_d: float, cov_m_d: float) -> float:
    """Delta-method variance of M/D from the moments of M and D."""
    return var_m / mean_d**2 + var_d * mean_m**2 / mean_d**4 - 2 * cov_m_d * mean_m / mean_d**3


@dataclass(frozen=True)
class RegressionAdjusted:
    """CUPED: a metric (``post``) adjusted by a pre-experiment covariate (``pre``) on the same units.

    ``theta`` is the regression slope, pooled over both arms by :func:`pooled_theta`; ``None`` means
    "not set yet" and behaves as 0 (no adjustment).
    """

    n: int
    post: BaseStatistic
    pre: BaseStatistic
    sum_of_products: float
    theta: float | None = None

    @property
    def _theta(self) -> float:
        return self.theta or 0.0

    @property
    def mean(self) -> float:
        return self.post.mean - self._theta * self.pre.mean

    @property
    def unadjusted_mean(self) -> float:
        return self.post.mean

    @property
    def covariance(self) -> float:
        return covariance(self.n, self.post, self.pre, self.sum_of_products)

    @property
    def variance(self) -> float:
        if self.n <= 1:
            return 0.0
        theta = self._theta
        return self.post.variance + theta**2 * self.pre.variance - 2 * theta * self.covariance


@dataclass(frozen=True)
class RegressionAdjustedRatio:
    """CUPED for a ratio metric: the post-period ratio ``Σm/Σd`` adjusted by the pre-period ratio.

    Moments of the four per-unit quantities (numerator and denominator, post and pre) and their six
    cross products give the 4×4 covariance matrix; the variance of the adjusted ratio follows by the
    delta method with gradient ``(1/μd, −μm/μd², −θ/μd′, θ·μm′/μd′²)``.
    """

    n: int
    numerator: BaseStatistic
    denominator: BaseStatistic
    numerator_pre: BaseStatistic
    denominator_pre: BaseStatistic
    numerator_numerator_pre: float
    denominator_denominator_pre: float
    numerator_pre_denominator_pre: float
    numerator_denominator: float
    numerator_denominator_pre: float
    numerator_pre_denominator: float
    theta: float | None = None

    @property
    def mean_post(self) -> float:
        return self.numerator.sum / self.denominator.sum if self.denominator.sum else 0.0

    @property
    def mean_pre(self) -> float:
        return self.numerator_pre.sum / self.denominator_pre.sum if self.denominator_pre.sum else 0.0

    @property
    def mean(self) -> float:
        if not self.denominator.sum or not self.denominator_pre.sum:
            return 0.0
        return self.mean_post - (self.theta or 0.0) * self.mean_pre

    @property
    def unadjusted_mean(self) -> float:
        return self.mean_post

    @property
    def means(self) -> np.ndarray:
        """Per-unit means of (numerator, denominator, numerator pre, denominator pre)."""
        return np.array([s.mean for s in self._parts])

    @property
    def _parts(self) -> tuple[BaseStatistic, BaseStatistic, BaseStatistic, BaseStatistic]:
        return (self.numerator, self.denominator, self.numerator_pre, self.denominator_pre)

    @property
    def covariance_matrix(self) -> np.ndarray:
        """Per-unit covariance of (numerator, denominator, numerator pre, denominator pre)."""
        m, d, mp, dp = self._parts
        pairs = {
            (0, 1): (m, d, self.numerator_denominator),
            (0, 2): (m, mp, self.numerator_numerator_pre),
            (0, 3): (m, dp, self.numerator_denominator_pre),
            (1, 2): (d, mp, self.numerator_pre_denominator),
            (1, 3): (d, dp, self.denominator_denominator_pre),
            (2, 3): (mp, dp, self.numerator_pre_denominator_pre),
        }
        matrix = np.diag([part.variance for part in self._parts])
        for (i, j), (first, second, products) in pairs.items():
            matrix[i, j] = matrix[j, i] = covariance(self.n, first, second, products)
        return matrix

    def gradient(self, theta: float | None = None) -> np.ndarray:
        """Delta-method gradient of the adjusted ratio with respect to the four means."""
        theta = (self.theta or 0.0) if theta is None else theta
        m, d, mp, dp = self.means
        if d == 0 or dp == 0:
            return np.zeros(4)
        return np.array([1 / d, -m / d**2, -theta / dp, theta * mp / dp**2])

    @property
    def variance(self) -> float:
        gradient = self.gradient()
        return float(gradient @ self.covariance_matrix @ gradient)


Statistic = SampleMean | Proportion | Ratio | RegressionAdjusted | RegressionAdjustedRatio


def _joint(first: BaseStatistic, second: BaseStatistic) -> BaseStatistic:
    n = first.n + second.n
    if isinstance(first, Proportion) and isinstance(second, Proportion):
        return Proportion(n=n, sum=first.sum + second.sum)
    return SampleMean(n=n, sum=first.sum + second.sum, sum_squares=first.sum_squares + second.sum_squares)


def pooled_theta(a: RegressionAdjusted, b: RegressionAdjusted) -> float:
    """CUPED slope ``cov(post, pre)/var(pre)`` on both arms pooled; 0 when either pooled variance is 0."""
    post = _joint(a.post, b.post)
    pre = _joint(a.pre, b.pre)
    if pre.variance == 0 or post.variance == 0:
        return 0.0
    return covariance(post.n, post, pre, a.sum_of_products + b.sum_of_products) / pre.variance


def pooled_ratio_theta(a: RegressionAdjustedRatio, b: RegressionAdjustedRatio) -> float:
    """CUPED slope for ratios: ``cov(post ratio, pre ratio)/var(pre ratio)`` summed over both arms."""
    covariance_sum, variance_sum = 0.0, 0.0
    for arm in (a, b):
        gradient = arm.gradient(theta=1.0)
        matrix = arm.covariance_matrix
        pre = -gradient[2:4]  # gradient of the pre-period ratio itself
        covariance_sum += float(pre @ matrix[2:4, 0:2] @ gradient[0:2])
        variance_sum += float(pre @ matrix[2:4, 2:4] @ pre)
    return covariance_sum / variance_sum if variance_sum else 0.0


def _plain_ratio(arm: RegressionAdjustedRatio) -> Ratio:
    return Ratio(arm.n, arm.numerator, arm.denominator, arm.numerator_denominator)


def with_pooled_theta(a: Statistic, b: Statistic) -> tuple[Statistic, Statistic]:
    """Set the pooled CUPED slope on both arms; fall back to the unadjusted metric when it is 0."""
    if isinstance(a, RegressionAdjustedRatio) and isinstance(b, RegressionAdjustedRatio):
        theta = pooled_ratio_theta(a, b)
        if abs(theta) < 1e-8:
            return _plain_ratio(a), _plain_ratio(b)
        return dataclasses.replace(a, theta=theta), dataclasses.replace(b, theta=theta)
    if not (isinstance(a, RegressionAdjusted) and isinstance(b, RegressionAdjusted)):
        return a, b
    theta = pooled_theta(a, b)
    if theta == 0:
        return a.post, b.post
    return dataclasses.replace(a, theta=theta), dataclasses.replace(b, theta=theta)
