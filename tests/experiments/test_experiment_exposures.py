"""Per-variant summaries from raw events: exposure, ambiguity, post-exposure metrics and CUPED covariates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from northstar.experiments.exposures import MetricFromEvents, summaries_from_events
from northstar.experiments.stats.analysis import AnalysisSettings, analyze

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def frame(rows: list[tuple[str, str, float, dict[str, object]]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "distinct_id": unit,
                "event": name,
                "timestamp": T0 + timedelta(hours=hours),
                "properties": json.dumps(props),
            }
            for unit, name, hours, props in rows
        ]
    )


EXPOSE = "$feature_flag_called"
FLAG = "$feature_flag_response"
EVENTS = frame(
    [
        ("a1", EXPOSE, 0, {FLAG: "control"}),
        ("a1", "purchase", 1, {"amount": 10}),
        ("a1", "purchase", 2, {"amount": 5}),
        ("a1", "purchase", -30, {"amount": 7}),  # before exposure: covariate only
        ("a2", EXPOSE, 0, {FLAG: "control"}),
        ("b1", EXPOSE, 0, {FLAG: "test"}),
        ("b1", EXPOSE, 5, {FLAG: "test"}),  # repeated exposure, same variant: still one unit
        ("b1", "purchase", 6, {"amount": 20}),
        ("b2", EXPOSE, 0, {FLAG: "test"}),
        ("b2", "purchase", -1, {"amount": 99}),  # before exposure: not a conversion
        ("x", EXPOSE, 0, {FLAG: "control"}),
        ("x", EXPOSE, 1, {FLAG: "test"}),  # saw both: left out
        ("x", "purchase", 2, {"amount": 1}),
        ("c", "purchase", 2, {"amount": 1}),  # never exposed
        ("d", EXPOSE, 0, {FLAG: "other"}),  # not a variant of this experiment
    ]
)


def run(metric: MetricFromEvents, covariate_days: int | None = None) -> tuple[list, object]:
    return summaries_from_events(
        EVENTS,
        exposure_event=EXPOSE,
        variant_property=FLAG,
        variants=["control", "test"],
        metric=metric,
        covariate_days=covariate_days,
    )


def test_conversion_counts_units_converting_after_their_first_exposure() -> None:
    summaries, counts = run(MetricFromEvents(type="proportion", event="purchase"))
    control, test = summaries
    assert (control.users, control.main_sum) == (2, 1.0)
    assert (test.users, test.main_sum) == (2, 1.0)
    assert counts.multiple_variants == 1  # type: ignore[attr-defined]


def test_mean_metric_sums_a_property_and_its_squares() -> None:
    summaries, _ = run(MetricFromEvents(type="mean", event="purchase", value_property="amount"))
    control, test = summaries
    assert (control.main_sum, control.main_sum_squares) == (15.0, 225.0)
    assert (test.main_sum, test.main_sum_squares) == (20.0, 400.0)


def test_ratio_metric_reports_denominator_sums_and_cross_products() -> None:
    summaries, _ = run(MetricFromEvents(type="ratio", event="purchase", denominator_event=EXPOSE))
    control, _test = summaries
    assert control.denominator_sum == 2.0  # one exposure each for a1 and a2
    assert control.main_denominator_sum_product == 2.0  # a1: 2 purchases × 1 exposure


def test_covariate_is_the_metric_before_exposure() -> None:
    summaries, _ = run(
        MetricFromEvents(type="mean", event="purchase", value_property="amount"), covariate_days=7
    )
    control, test = summaries
    assert control.covariate_sum == 7.0 and control.main_covariate_sum_product == 15.0 * 7.0
    assert test.covariate_sum == 99.0 and test.main_covariate_sum_product == 0.0


def test_missing_column_and_ratio_without_denominator_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="properties"):
        summaries_from_events(
            EVENTS.drop(columns=["properties"]),
            exposure_event=EXPOSE,
            variant_property=FLAG,
            variants=["control", "test"],
            metric=MetricFromEvents(type="proportion", event="purchase"),
        )
    with pytest.raises(ValueError, match="denominator"):
        run(MetricFromEvents(type="ratio", event="purchase"))


def test_summaries_from_simulated_events_recover_a_planted_lift() -> None:
    rng = np.random.default_rng(11)
    rows = []
    for unit in range(4000):
        variant = "control" if unit % 2 else "test"
        rows.append((f"u{unit}", EXPOSE, 0.0, {FLAG: variant}))
        if rng.random() < (0.10 if variant == "control" else 0.13):
            rows.append((f"u{unit}", "signup", 1.0, {}))
    summaries, _ = summaries_from_events(
        frame(rows),
        exposure_event=EXPOSE,
        variant_property=FLAG,
        variants=["control", "test"],
        metric=MetricFromEvents(type="proportion", event="signup"),
    )
    (comparison,) = analyze(summaries, AnalysisSettings(metric_type="proportion")).comparisons
    assert comparison.ci[0] < 0.3 < comparison.ci[1]
    assert comparison.p_value is not None and comparison.p_value < 0.05


def test_ratio_with_covariate_days_gives_every_ratio_cuped_sum() -> None:
    summaries, _ = run(
        MetricFromEvents(type="ratio", event="purchase", denominator_event=EXPOSE), covariate_days=7
    )
    control, _test = summaries
    assert control.covariate_sum == 1.0  # a1's purchase before exposure
    assert control.denominator_pre_sum == 0.0  # no exposure event before exposure
    assert control.main_pre_denominator_post_sum_product == 1.0  # a1: 1 pre purchase × 1 exposure
