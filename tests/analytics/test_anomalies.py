"""Anomaly detection on daily series with weekly seasonality (pure engine)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.analytics.anomalies import detect_anomalies

START = date(2026, 1, 5)  # a Monday
WEEKLY = np.array([1.0, 1.05, 1.02, 1.0, 0.95, 0.55, 0.5])  # Monday..Sunday


def seasonal_series(
    days: int, seed: int, noise: float = 0.03, growth: float = 0.002
) -> tuple[list[date], np.ndarray]:
    rng = np.random.default_rng(seed)
    dates = [START + timedelta(days=k) for k in range(days)]
    level = 1000 * (1 + growth * np.arange(days)) * WEEKLY[[d.weekday() for d in dates]]
    return dates, level * (1 + rng.normal(0, noise, days))


def flagged(dates: list[date], values: np.ndarray, **options: object) -> dict[date, str | None]:
    report = detect_anomalies(dates, list(values), **options)  # type: ignore[arg-type]
    return {a.day: a.direction for a in report.anomalies}


@pytest.mark.parametrize("seed", range(8))
def test_clean_growing_weekly_series_raises_no_alarm(seed: int) -> None:
    dates, values = seasonal_series(140, seed)
    assert flagged(dates, values) == {}


def test_weekend_dip_is_normal_but_the_same_value_on_a_wednesday_is_a_drop() -> None:
    dates, values = seasonal_series(100, seed=1)
    wednesday = next(k for k in range(70, 100) if dates[k].weekday() == 2)
    saturday_level = float(np.median(values[[k for k in range(60, 70) if dates[k].weekday() == 5]]))
    values[wednesday] = saturday_level
    assert flagged(dates, values) == {dates[wednesday]: "drop"}
    # A naive z-score on the whole series would not even notice: Saturday levels are common.
    z = (saturday_level - values.mean()) / values.std()
    assert abs(z) < 3


def test_spike_and_drop_are_detected_with_their_direction() -> None:
    dates, values = seasonal_series(120, seed=2)
    values[80] *= 1.3
    values[95] *= 0.75
    assert flagged(dates, values) == {dates[80]: "spike", dates[95]: "drop"}


def test_assessed_day_reports_expected_value_inside_its_band() -> None:
    dates, values = seasonal_series(60, seed=3)
    report = detect_anomalies(dates, list(values))
    last = report.days[-1]
    assert last.expected is not None and last.lower is not None and last.upper is not None
    assert last.lower < last.expected < last.upper
    assert last.value is not None and last.lower <= last.value <= last.upper


def test_past_incident_does_not_cause_an_alarm_on_the_same_weekday_later() -> None:
    dates, values = seasonal_series(130, seed=4)
    values[90] *= 3.0
    assert flagged(dates, values) == {dates[90]: "spike"}


def test_level_shift_alerts_for_persist_days_then_is_learnt() -> None:
    dates, values = seasonal_series(140, seed=5)
    values[100:] *= 1.6
    alerts = flagged(dates, values, persist_days=7)
    assert set(alerts.values()) == {"spike"}
    assert dates[100] in alerts
    assert max(alerts) < dates[100 + 10]


def test_additive_model_handles_negative_values() -> None:
    dates, values = seasonal_series(100, seed=6, growth=0.0)
    shifted = values - 900  # weekends become negative
    shifted[85] += 400
    assert flagged(dates, shifted) == {dates[85]: "spike"}


def test_short_series_is_unassessed_with_a_reason() -> None:
    dates, values = seasonal_series(15, seed=7)
    report = detect_anomalies(dates, list(values))
    assert report.reason is not None and "history" in report.reason
    assert all(d.score is None for d in report.days) and report.anomalies == ()


def test_missing_and_unsorted_days_are_handled() -> None:
    dates, values = seasonal_series(90, seed=8)
    keep = [k for k in range(90) if k not in (40, 41, 70)]
    order = list(reversed(keep))
    report = detect_anomalies([dates[k] for k in order], [float(values[k]) for k in order])
    assert len(report.days) == 90
    assert report.days[40].value is None and report.days[40].score is None
    assert report.days[89].score is not None
    assert report.anomalies == ()


@pytest.mark.parametrize(
    ("dates", "values", "message"),
    [
        ([START, START], [1.0, 2.0], "appears twice"),
        ([START], [float("nan")], "not a finite number"),
        ([START, START + timedelta(days=1)], [1.0], "2 dates but 1 values"),
    ],
)
def test_bad_input_is_a_clear_value_error(dates: list[date], values: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        detect_anomalies(dates, values)


def test_log_transform_refuses_negative_values() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        detect_anomalies([START, START + timedelta(days=1)], [1.0, -1.0], transform="log")


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    scale=st.floats(min_value=0.01, max_value=1000),
    offset=st.floats(min_value=-1e4, max_value=1e4),
)
def test_additive_scores_do_not_depend_on_units_or_origin(seed: int, scale: float, offset: float) -> None:
    dates, values = seasonal_series(50, seed=seed, noise=0.1)
    values[45] *= 1.5
    base = detect_anomalies(dates, list(values), transform="none")
    moved = detect_anomalies(dates, list(values * scale + offset), transform="none")
    for a, b in zip(base.days, moved.days, strict=True):
        if a.score is None:
            assert b.score is None
        else:
            assert b.score == pytest.approx(a.score, rel=1e-6, abs=1e-6)
