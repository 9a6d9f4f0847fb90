"""Frozen result types of the experiment statistics engine.

A result that cannot be computed is still a result: its numbers are the uninformative defaults
(estimate 0, interval (0, 0), p-value 1 or chance to win 0.5) and ``reason`` says why, so a report
can show "not enough data" next to the other metrics instead of failing as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Difference = Literal["relative", "absolute"]
Alternative = Literal["two-sided", "greater", "less"]


class Reason(StrEnum):
    """Why a statistic could not be computed (codes compatible in spirit with gbstats' messages)."""

    ZERO_NEGATIVE_VARIANCE = "zero or negative variance in an arm or in the effect"
    BASELINE_ZERO = "the baseline mean is zero, so a relative lift is undefined"
    MIXED_STATISTICS = "both arms must use the same kind of statistic"
    ALPHA_TOO_LARGE = "a sequential one-sided test needs alpha below 0.5"
    P_VALUE_NOT_CONVERGED = "the sequential one-sided p-value search did not converge"
    NO_UNITS = "an arm has fewer than two units"
    OUT_OF_RANGE = "the sums are too large or too small to compute with"


@dataclass(frozen=True)
class EffectMoments:
    """Point estimate and standard error of the treatment effect (B against A)."""

    estimate: float
    standard_error: float
    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class FrequentistResult:
    """A (possibly sequential, possibly one-sided) Welch t-test of B against A."""

    expected: float
    ci: tuple[float, float]
    p_value: float | None
    standard_error: float
    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class BayesianResult:
    """A Gaussian posterior on the effect of B against A.

    ``risk`` is the expected loss ``(of choosing A, of choosing B)`` on the scale of the effect.
    """

    expected: float
    ci: tuple[float, float]
    chance_to_win: float
    risk: tuple[float, float]
    standard_deviation: float
    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class GaussianPrior:
    """A prior on the effect, on the same scale as the difference (relative or absolute).

    ``proper=False`` is the flat (improper) prior: the posterior is then the data's own normal.
    """

    mean: float = 0.0
    variance: float = 1.0
    proper: bool = False


@dataclass(frozen=True)
class SequentialSettings:
    """Always-valid inference (Waudby-Smith et al.); ``tuning`` is the sample size the boundary targets."""

    tuning: float = 5000.0
    rho: float | None = None
