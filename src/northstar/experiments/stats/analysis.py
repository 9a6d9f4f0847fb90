"""Analyse one metric of an experiment from per-variant summaries (gbstats query-row shape).

This is the single entry point the CLI, the service and the benchmarks share: summaries and settings
in, an :class:`ExperimentAnalysis` out, every variant compared against the first (the baseline).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from northstar.experiments.stats.bayesian import bayesian_test
from northstar.experiments.stats.frequentist import t_test
from northstar.experiments.stats.results import (
    Alternative,
    Difference,
    GaussianPrior,
    SequentialSettings,
)
from northstar.experiments.stats.srm import srm_p_value
from northstar.experiments.stats.statistics import (
    BaseStatistic,
    Proportion,
    Ratio,
    RegressionAdjusted,
    RegressionAdjustedRatio,
    SampleMean,
    Statistic,
)

MetricType = Literal["mean", "proportion", "ratio"]
Engine = Literal["frequentist", "bayesian"]


@dataclass(frozen=True)
class VariantSummary:
    """Sufficient statistics of one variant, named like gbstats' query-row columns.

    ``count`` is the number of units the metric sums run over; it defaults to ``users``.
    Ratio metrics also need the ``denominator_*`` sums, CUPED the ``covariate_*`` sums, and CUPED on
    a ratio the pre-period denominator and the cross products of all four quantities.
    """

    variation: str
    users: int
    main_sum: float
    main_sum_squares: float | None = None
    count: int | None = None
    denominator_sum: float | None = None
    denominator_sum_squares: float | None = None
    main_denominator_sum_product: float | None = None
    covariate_sum: float | None = None
    covariate_sum_squares: float | None = None
    main_covariate_sum_product: float | None = None
    denominator_pre_sum: float | None = None
    denominator_pre_sum_squares: float | None = None
    denominator_post_denominator_pre_sum_product: float | None = None
    main_pre_denominator_pre_sum_product: float | None = None
    main_post_denominator_pre_sum_product: float | None = None
    main_pre_denominator_post_sum_product: float | None = None
    weight: float | None = None


@dataclass(frozen=True)
class AnalysisSettings:
    """How to analyse: metric kind, engine, effect scale and the optional refinements."""

    metric_type: MetricType = "mean"
    engine: Engine = "frequentist"
    difference: Difference = "relative"
    alpha: float = 0.05
    sequential: bool = False
    sequential_tuning: float = 5000.0
    cuped: bool = False
    alternative: Alternative = "two-sided"
    inverse: bool = False
    prior: GaussianPrior = field(default_factory=GaussianPrior)


@dataclass(frozen=True)
class VariantComparison:
    """One variant against the baseline; frequentist fields or Bayesian fields are filled, not both."""

    variation: str
    users: int
    mean: float
    expected: float
    ci: tuple[float, float]
    standard_error: float
    p_value: float | None = None
    chance_to_win: float | None = None
    risk: tuple[float, float] | None = None
    reason: str | None = None

    @property
    def significant(self) -> bool:
        """Whether the interval excludes 0 (a decision rule usable by both engines)."""
        return self.reason is None and (self.ci[0] > 0 or self.ci[1] < 0)


@dataclass(frozen=True)
class ExperimentAnalysis:
    """The baseline, the comparison of every other variant with it, and the traffic-split check."""

    baseline: str
    baseline_users: int
    baseline_mean: float
    comparisons: tuple[VariantComparison, ...]
    srm_p_value: float
    settings: AnalysisSettings

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; infinite interval ends (one-sided tests) become ``None``."""
        s = self.settings
        variants = []
        for c in self.comparisons:
            item: dict[str, Any] = {
                "variation": c.variation,
                "users": c.users,
                "mean": _finite(c.mean),
                "expected": _finite(c.expected),
                "ci": [_finite(c.ci[0]), _finite(c.ci[1])],
                "standard_error": _finite(c.standard_error),
            }
            if s.engine == "frequentist":
                item["p_value"] = None if c.p_value is None else _finite(c.p_value)
            else:
                item["chance_to_win"] = _finite(c.chance_to_win or 0.0)
                item["risk"] = [_finite(r) for r in (c.risk or (0.0, 0.0))]
            item["reason"] = c.reason
            variants.append(item)
        return {
            "metric_type": s.metric_type,
            "engine": s.engine,
            "difference": s.difference,
            "sequential": s.sequential,
            "cuped": s.cuped,
            "alpha": s.alpha,
            "baseline": {
                "variation": self.baseline,
                "users": self.baseline_users,
                "mean": self.baseline_mean,
            },
            "variants": variants,
            "srm_p_value": self.srm_p_value,
        }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _required(summary: VariantSummary, name: str) -> float:
    value = getattr(summary, name)
    if value is None:
        raise ValueError(f"variant {summary.variation!r} has no {name}")
    return float(value)


def _base(summary: VariantSummary, component: str, metric_type: MetricType) -> BaseStatistic:
    n = summary.count if summary.count is not None else summary.users
    total = _required(summary, f"{component}_sum")
    if metric_type == "proportion":
        return Proportion(n=n, sum=total)
    return SampleMean(n=n, sum=total, sum_squares=_required(summary, f"{component}_sum_squares"))


def statistic_for(summary: VariantSummary, settings: AnalysisSettings) -> Statistic:
    """Build the engine statistic for one variant; ``ValueError`` names a missing sum."""
    if settings.metric_type == "ratio":
        if settings.cuped:
            return RegressionAdjustedRatio(
                n=summary.users,
                numerator=_base(summary, "main", "mean"),
                denominator=_base(summary, "denominator", "mean"),
                numerator_pre=_base(summary, "covariate", "mean"),
                denominator_pre=_base(summary, "denominator_pre", "mean"),
                numerator_numerator_pre=_required(summary, "main_covariate_sum_product"),
                denominator_denominator_pre=_required(
                    summary, "denominator_post_denominator_pre_sum_product"
                ),
                numerator_pre_denominator_pre=_required(summary, "main_pre_denominator_pre_sum_product"),
                numerator_denominator=_required(summary, "main_denominator_sum_product"),
                numerator_denominator_pre=_required(summary, "main_post_denominator_pre_sum_product"),
                numerator_pre_denominator=_required(summary, "main_pre_denominator_post_sum_product"),
            )
        return Ratio(
            n=summary.users,
            numerator=_base(summary, "main", "mean"),
            denominator=_base(summary, "denominator", "mean"),
            sum_of_products=_required(summary, "main_denominator_sum_product"),
        )
    post = _base(summary, "main", settings.metric_type)
    if not settings.cuped:
        return post
    return RegressionAdjusted(
        n=summary.users,
        post=post,
        pre=_base(summary, "covariate", settings.metric_type),
        sum_of_products=_required(summary, "main_covariate_sum_product"),
    )


def _compare(
    summary: VariantSummary, a: Statistic, b: Statistic, settings: AnalysisSettings
) -> VariantComparison:
    mean = b.unadjusted_mean
    if settings.engine == "bayesian":
        bayes = bayesian_test(
            a,
            b,
            difference=settings.difference,
            alpha=settings.alpha,
            prior=settings.prior,
            inverse=settings.inverse,
        )
        return VariantComparison(
            variation=summary.variation,
            users=summary.users,
            mean=mean,
            expected=bayes.expected,
            ci=bayes.ci,
            standard_error=bayes.standard_deviation,
            chance_to_win=bayes.chance_to_win,
            risk=bayes.risk,
            reason=None if bayes.reason is None else bayes.reason.value,
        )
    sequential = SequentialSettings(tuning=settings.sequential_tuning) if settings.sequential else None
    freq = t_test(
        a,
        b,
        difference=settings.difference,
        alpha=settings.alpha,
        alternative=settings.alternative,
        sequential=sequential,
    )
    return VariantComparison(
        variation=summary.variation,
        users=summary.users,
        mean=mean,
        expected=freq.expected,
        ci=freq.ci,
        standard_error=freq.standard_error,
        p_value=freq.p_value,
        reason=None if freq.reason is None else freq.reason.value,
    )


def analyze(summaries: list[VariantSummary], settings: AnalysisSettings) -> ExperimentAnalysis:
    """Compare every variant with the first one and check the sample ratio.

    Raises ``ValueError`` for malformed input (fewer than two variants, a missing sum); statistics that
    cannot be computed come back as comparisons with a ``reason``.
    """
    if len(summaries) < 2:
        raise ValueError("an experiment needs at least two variants")
    statistics = [statistic_for(s, settings) for s in summaries]
    baseline = summaries[0]
    comparisons = tuple(
        _compare(summary, statistics[0], statistic, settings)
        for summary, statistic in zip(summaries[1:], statistics[1:], strict=True)
    )
    weights = None
    if any(s.weight is not None for s in summaries):
        weights = [s.weight if s.weight is not None else 0.0 for s in summaries]
    return ExperimentAnalysis(
        baseline=baseline.variation,
        baseline_users=baseline.users,
        baseline_mean=statistics[0].unadjusted_mean,
        comparisons=comparisons,
        srm_p_value=srm_p_value([s.users for s in summaries], weights),
        settings=settings,
    )
