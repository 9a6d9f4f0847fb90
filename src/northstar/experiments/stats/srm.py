"""Sample-ratio mismatch: did traffic split the way the experiment said it would?

A tiny p-value (GrowthBook warns below 0.001) means assignment or tracking is broken and every other
number of the experiment is suspect.
"""

from __future__ import annotations

from collections.abc import Sequence


def srm_p_value(users: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """Pearson χ² p-value of observed users per arm against the expected split (``k − 1`` dof).

    ``weights`` default to an equal split; arms with weight ≤ 0 add nothing to the statistic; no users
    at all gives 1.
    """
    from scipy.stats import chi2

    if weights is None:
        weights = [1.0] * len(users)
    if len(weights) != len(users):
        raise ValueError("users and weights must have the same length")
    total = float(sum(users))
    if total <= 0 or len(users) < 2:
        return 1.0
    total_weight = float(sum(w for w in weights if w > 0))
    statistic = 0.0
    for observed, weight in zip(users, weights, strict=True):
        if weight <= 0:
            continue
        expected = weight / total_weight * total
        statistic += (observed - expected) ** 2 / expected
    return float(chi2.sf(statistic, len(users) - 1))
