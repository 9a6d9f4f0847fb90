"""Experiment design before it runs (pure): people per variant and days needed to detect an effect.

* **Proportion** metrics use the two-proportion formula of Evan Miller's sample-size calculator (two-sided z-test;
  the null spread is the baseline's, the alternative's is the two rates'):
  ``n = (z(1-α/2)·√(2p(1-p)) + z(power)·√(p(1-p) + q(1-q)))² / δ²`` with ``q = p + δ``.
* **Mean** metrics use the normal approximation for two means with a common standard deviation σ:
  ``n = 2·(z(1-α/2) + z(power))²·σ² / δ²``.

``δ`` is the minimum detectable effect, given absolute or relative to the baseline. Each variant is compared with
the baseline at the same α (no multiple-comparison correction, as GrowthBook's default), so every variant needs
``n`` people and the experiment ``n × variants``; the duration divides that by the people entering per day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy.stats import norm

DesignMetric = Literal["proportion", "mean"]


@dataclass(frozen=True)
class DesignInput:
    metric_type: DesignMetric
    baseline: float
    mde: float
    mde_relative: bool = True
    standard_deviation: float | None = None
    alpha: float = 0.05
    power: float = 0.8
    variants: int = 2
    daily_traffic: float | None = None


@dataclass(frozen=True)
class Design:
    """The plan, or the reason there is none (``per_variant`` is then ``None``)."""

    per_variant: int | None
    total: int | None
    days: int | None
    effect: float
    treatment: float
    reason: str | None = None


def _refuse(data: DesignInput, reason: str, effect: float = math.nan) -> Design:
    return Design(None, None, None, effect, data.baseline + effect if effect == effect else math.nan, reason)


def proportion_sample_size(baseline: float, effect: float, alpha: float, power: float) -> float:
    """People per variant (not rounded) to detect ``baseline`` → ``baseline + effect``, Evan Miller's formula."""
    z_alpha, z_power = norm.ppf(1 - alpha / 2), norm.ppf(power)
    treated = baseline + effect
    spread_null = math.sqrt(2 * baseline * (1 - baseline))
    spread_alternative = math.sqrt(baseline * (1 - baseline) + treated * (1 - treated))
    return float((z_alpha * spread_null + z_power * spread_alternative) ** 2 / effect**2)


def mean_sample_size(standard_deviation: float, effect: float, alpha: float, power: float) -> float:
    """People per variant (not rounded) to detect a difference ``effect`` in means with spread σ."""
    z_alpha, z_power = norm.ppf(1 - alpha / 2), norm.ppf(power)
    return float(2 * (z_alpha + z_power) ** 2 * standard_deviation**2 / effect**2)


def achieved_power(data: DesignInput, per_variant: int) -> float:
    """The chance that a two-sided test at α with ``per_variant`` people per arm detects the planned effect."""
    effect = data.mde * data.baseline if data.mde_relative else data.mde
    z_alpha = norm.ppf(1 - data.alpha / 2)
    if data.metric_type == "proportion":
        p, q = data.baseline, data.baseline + effect
        null = math.sqrt(2 * p * (1 - p) / per_variant)
        alternative = math.sqrt((p * (1 - p) + q * (1 - q)) / per_variant)
    else:
        assert data.standard_deviation is not None
        null = alternative = data.standard_deviation * math.sqrt(2 / per_variant)
    return float(norm.cdf((abs(effect) - z_alpha * null) / alternative))


def plan(data: DesignInput) -> Design:
    """People per variant, in all, and days for the experiment to detect its minimum effect."""
    if not (0 < data.alpha < 1) or not (0 < data.power < 1):
        return _refuse(data, "α and power must be between 0 and 1")
    if data.variants < 2:
        return _refuse(data, "an experiment needs at least two variants")
    effect = data.mde * data.baseline if data.mde_relative else data.mde
    if effect == 0 or not math.isfinite(effect):
        return _refuse(data, "the minimum detectable effect must not be zero", 0.0)
    if data.metric_type == "proportion":
        if not (0 < data.baseline < 1):
            return _refuse(data, "a baseline rate must be between 0 % and 100 %", effect)
        if not (0 < data.baseline + effect < 1):
            return _refuse(
                data, f"the baseline plus the effect ({(data.baseline + effect):.1%}) is not a rate", effect
            )
        raw = proportion_sample_size(data.baseline, effect, data.alpha, data.power)
    else:
        if data.standard_deviation is None or data.standard_deviation <= 0:
            return _refuse(data, "a mean metric needs its standard deviation (more than 0)", effect)
        raw = mean_sample_size(data.standard_deviation, effect, data.alpha, data.power)
    per_variant = math.ceil(raw - 1e-9)
    total = per_variant * data.variants
    days = None
    if data.daily_traffic is not None:
        if data.daily_traffic <= 0:
            return _refuse(data, "the people entering per day must be more than 0", effect)
        days = math.ceil(total / data.daily_traffic)
    return Design(per_variant, total, days, effect, data.baseline + effect)
