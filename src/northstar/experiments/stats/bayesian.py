"""Bayesian comparison of B against A: a Gaussian posterior on the effect.

The likelihood is the effect's normal approximation (estimate, standard error from the delta method);
with a proper Gaussian prior the two combine by precision weighting. Chance to win is ``P(effect > 0)``
(``P(effect < 0)`` for a metric where lower is better); risk is the expected loss of each decision:
``(E[max(effect, 0)], E[max(−effect, 0)])`` for choosing A and choosing B.
"""

from __future__ import annotations

import math

from scipy import special

from northstar.experiments.stats.effect import effect_moments
from northstar.experiments.stats.results import BayesianResult, Difference, GaussianPrior, Reason
from northstar.experiments.stats.statistics import Statistic, with_pooled_theta


def expected_losses(mean: float, sd: float) -> tuple[float, float]:
    """``(E[max(X, 0)], E[max(−X, 0)])`` for ``X ~ N(mean, sd²)``, in closed form.

    These equal ``P(X>0)·E[X | X>0]`` and ``−P(X<0)·E[X | X<0]`` (truncated-normal means) without the
    cancellation those products suffer far in the tails.
    """
    z = mean / sd
    density = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return mean * float(special.ndtr(z)) + sd * density, sd * density - mean * float(special.ndtr(-z))


def _default(reason: Reason) -> BayesianResult:
    return BayesianResult(
        expected=0.0, ci=(0.0, 0.0), chance_to_win=0.5, risk=(0.0, 0.0), standard_deviation=0.0, reason=reason
    )


def bayesian_test(
    a: Statistic,
    b: Statistic,
    *,
    difference: Difference = "relative",
    alpha: float = 0.05,
    prior: GaussianPrior | None = None,
    inverse: bool = False,
) -> BayesianResult:
    """Posterior of the effect of B against A, its credible interval, chance to win and risk.

    ``inverse=True`` is for metrics where lower is better: chance to win becomes ``P(effect < 0)`` and
    the two risks swap.
    """
    prior = prior or GaussianPrior()
    try:
        result = _posterior(a, b, difference, alpha, prior, inverse)
    except (OverflowError, ZeroDivisionError, ValueError):
        return _default(Reason.OUT_OF_RANGE)
    values = (result.expected, *result.ci, result.chance_to_win, *result.risk, result.standard_deviation)
    if result.reason is None and not all(math.isfinite(v) for v in values):
        return _default(Reason.OUT_OF_RANGE)
    return result


def _posterior(
    a: Statistic, b: Statistic, difference: Difference, alpha: float, prior: GaussianPrior, inverse: bool
) -> BayesianResult:
    a, b = with_pooled_theta(a, b)
    moments = effect_moments(a, b, difference)
    if moments.reason is not None:
        return _default(moments.reason)
    data_precision = 1 / moments.standard_error**2
    if prior.proper:
        precision = data_precision + 1 / prior.variance
        mean = (moments.estimate * data_precision + prior.mean / prior.variance) / precision
    else:
        precision, mean = data_precision, moments.estimate
    sd = math.sqrt(1 / precision)
    quantile = float(special.ndtri(1 - alpha / 2))
    win = float(special.ndtr(mean / sd))  # P(effect > 0)
    risk = expected_losses(mean, sd)
    if inverse:
        win, risk = 1 - win, (risk[1], risk[0])
    return BayesianResult(
        expected=mean,
        ci=(mean - quantile * sd, mean + quantile * sd),
        chance_to_win=win,
        risk=risk,
        standard_deviation=sd,
    )
