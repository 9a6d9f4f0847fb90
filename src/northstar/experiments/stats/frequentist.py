"""Frequentist tests of B against A: Welch t (fixed horizon) and always-valid sequential intervals.

Fixed horizon (Student t through ``scipy.special``'s ufuncs, which ``scipy.stats.t`` wraps at a much
higher call cost): ``t = estimate/se`` with Welch–Satterthwaite degrees of freedom on the per-arm variances;
interval ``estimate ± t_{1−α/2, dof}·se``. Sequential: the mixture boundary of Waudby-Smith et al. (2023),
valid however often the results are looked at, tuned by the sample size it is expected to reach.
"""

from __future__ import annotations

import math

from scipy import special

from northstar.experiments.stats.effect import effect_moments, welch_degrees_of_freedom
from northstar.experiments.stats.results import (
    Alternative,
    Difference,
    EffectMoments,
    FrequentistResult,
    Reason,
    SequentialSettings,
)
from northstar.experiments.stats.statistics import Statistic, with_pooled_theta

# gbstats searches the one-sided sequential p-value in this range (its ends when the root lies outside).
ONE_SIDED_P_MIN = 1e-5
ONE_SIDED_P_MAX = 0.4999
BOUND_TOLERANCE = 1e-6
BISECTION_STEPS = 100


def sequential_rho(alpha: float, tuning: float, two_sided: bool = True) -> float:
    """Mixture parameter ρ that makes the boundary tightest at ``tuning`` units."""
    level = alpha if two_sided else 2 * alpha
    log_term = -2 * math.log(level)
    return math.sqrt((log_term + math.log(log_term + 1)) / tuning)


def sequential_halfwidth(variance: float, n: int, alpha: float, rho: float, two_sided: bool = True) -> float:
    """Half-width of the always-valid interval; ``variance`` is ``se²·n`` and n counts both arms."""
    spread = n * rho**2 + 1
    if two_sided:
        return math.sqrt(variance * 2 * spread * math.log(math.sqrt(spread) / alpha) / (n * rho) ** 2)
    return math.sqrt(variance * 2 * spread / (n * rho) ** 2 * math.log(1 + math.sqrt(spread) / (2 * alpha)))


def sequential_p_value(moments: EffectMoments, n: int, rho: float) -> float:
    """Always-valid two-sided p-value ``min(1, 1/e)`` from the mixture e-value (computed in log space)."""
    st2 = moments.estimate**2 * n / moments.standard_error**2
    spread = n * rho**2 + 1
    log_e = rho**2 * st2 / (2 * spread) - 0.5 * math.log(spread)
    return 1.0 if log_e <= 0 else math.exp(-log_e)


def _default(reason: Reason) -> FrequentistResult:
    return FrequentistResult(expected=0.0, ci=(0.0, 0.0), p_value=1.0, standard_error=0.0, reason=reason)


def _fixed_horizon(
    moments: EffectMoments, dof: float, alpha: float, alternative: Alternative
) -> FrequentistResult:
    estimate, se = moments.estimate, moments.standard_error
    statistic = estimate / se
    if alternative == "two-sided":
        width = float(special.stdtrit(dof, 1 - alpha / 2)) * se
        p = 2 * float(special.stdtr(dof, -abs(statistic)))
        ci = (estimate - width, estimate + width)
    else:
        width = float(special.stdtrit(dof, 1 - alpha)) * se
        if alternative == "greater":
            p, ci = float(special.stdtr(dof, -statistic)), (estimate - width, math.inf)
        else:
            p, ci = float(special.stdtr(dof, statistic)), (-math.inf, estimate + width)
    return FrequentistResult(expected=estimate, ci=ci, p_value=p, standard_error=se)


def _one_sided_sequential_p(
    moments: EffectMoments, n: int, rho: float, alternative: Alternative
) -> float | None:
    """Smallest alpha at which the one-sided always-valid bound excludes 0, by bisection on alpha.

    The search stops as soon as the bound is within ``BOUND_TOLERANCE`` of 0, exactly like gbstats, so
    the p-values agree with GrowthBook's to the decimals its tests print (an exact root differs in the
    fourth decimal because the bound moves slowly with alpha). ``None`` if the search does not converge.
    """
    variance = moments.standard_error**2 * n
    sign = 1.0 if alternative == "greater" else -1.0

    def margin(alpha: float) -> float:
        # How far the interval's finite end lies beyond 0 in the direction of the alternative.
        return sign * moments.estimate - sequential_halfwidth(variance, n, alpha, rho, two_sided=False)

    low, high = ONE_SIDED_P_MIN, ONE_SIDED_P_MAX
    if margin(low) > 0:
        return low
    if margin(high) < 0:
        return high
    alpha = (low + high) / 2
    for _ in range(BISECTION_STEPS):
        gap = margin(alpha)
        if gap < 0:
            low = alpha
        else:
            high = alpha
        alpha = (low + high) / 2
        if abs(gap) < BOUND_TOLERANCE:
            return alpha
    return None


def _sequential(
    moments: EffectMoments, n: int, alpha: float, alternative: Alternative, settings: SequentialSettings
) -> FrequentistResult:
    two_sided = alternative == "two-sided"
    if not two_sided and alpha >= 0.5:
        return _default(Reason.ALPHA_TOO_LARGE)
    rho = settings.rho if settings.rho is not None else sequential_rho(alpha, settings.tuning, two_sided)
    estimate, se = moments.estimate, moments.standard_error
    width = sequential_halfwidth(se**2 * n, n, alpha, rho, two_sided)
    if two_sided:
        return FrequentistResult(
            expected=estimate,
            ci=(estimate - width, estimate + width),
            p_value=sequential_p_value(moments, n, rho),
            standard_error=se,
        )
    ci = (estimate - width, math.inf) if alternative == "greater" else (-math.inf, estimate + width)
    p = _one_sided_sequential_p(moments, n, rho, alternative)
    reason = Reason.P_VALUE_NOT_CONVERGED if p is None else None
    return FrequentistResult(expected=estimate, ci=ci, p_value=p, standard_error=se, reason=reason)


def t_test(
    a: Statistic,
    b: Statistic,
    *,
    difference: Difference = "relative",
    alpha: float = 0.05,
    alternative: Alternative = "two-sided",
    sequential: SequentialSettings | None = None,
) -> FrequentistResult:
    """Test B against A; returns a result with a ``reason`` instead of raising when it cannot be computed.

    CUPED arms (``RegressionAdjusted``) get their pooled slope here.
    """
    try:
        a, b = with_pooled_theta(a, b)
        moments = effect_moments(a, b, difference)
        if moments.reason is not None:
            return _default(moments.reason)
        if sequential is not None:
            result = _sequential(moments, a.n + b.n, alpha, alternative, sequential)
        else:
            result = _fixed_horizon(moments, welch_degrees_of_freedom(a, b), alpha, alternative)
    except (OverflowError, ZeroDivisionError, ValueError):
        return _default(Reason.OUT_OF_RANGE)
    if not (math.isfinite(result.expected) and math.isfinite(result.standard_error)) or any(
        math.isnan(x) for x in (*result.ci, result.p_value if result.p_value is not None else 0.0)
    ):
        return _default(Reason.OUT_OF_RANGE)
    return result
