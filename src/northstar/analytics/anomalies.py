"""Anomalies in a daily metric series, respecting the weekly cycle (pure engine, NumPy only).

Product metrics breathe weekly: a Saturday at half of Wednesday's level is normal, the same value on
a Wednesday is not. For every day we fit, on the preceding weeks only, a robust model

    value ≈ level + slope·day + weekday effect

by iteratively reweighted least squares with Tukey's bisquare weights (so past outliers barely pull
the fit), predict the day, and score its residual against the day-level noise (estimated robustly
from week-over-week differences of the history) widened by the fit's own uncertainty. A day whose
score exceeds the threshold is an anomaly: a spike above the band or a drop below it. Flagged days are then left out of the history of later days, so one incident does not
hide the next or raise a false alarm a week later on the same weekday. A change that persists
(``persist_days`` flagged days in a row, same direction) is a level shift, not an incident: those days
return to the history and the model gains a step at the shift, so alerts stop once the new level is
learnt instead of firing forever.

``transform="log"`` models multiplicative seasonality (weekends at −40 % rather than −400 users),
which suits growing counts and needs non-negative values; ``"auto"`` (the default) uses it whenever
no value is negative, and the additive model otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

Transform = Literal["auto", "none", "log"]
Direction = Literal["spike", "drop"]

MAD_TO_SD = 1.4826
BISQUARE_TUNING = 4.685
IRLS_STEPS = 8
TRIMMED_SD_TO_SD = 0.6616  # sd of a normal sample with 10 % trimmed from each tail, in σ


@dataclass(frozen=True)
class DayAssessment:
    """One day: what was seen, what the weekly model expected, and whether it stands out."""

    day: date
    value: float | None
    expected: float | None
    lower: float | None
    upper: float | None
    score: float | None
    is_anomaly: bool = False
    direction: Direction | None = None


@dataclass(frozen=True)
class AnomalyReport:
    """Every day of the series assessed; ``reason`` is set when nothing could be assessed."""

    days: tuple[DayAssessment, ...]
    threshold: float
    reason: str | None = None

    @property
    def anomalies(self) -> tuple[DayAssessment, ...]:
        return tuple(d for d in self.days if d.is_anomaly)


@dataclass(frozen=True)
class _Fit:
    prediction: float
    spread: float


def _design(offsets: np.ndarray, weekdays: np.ndarray, shift_offset: float | None = None) -> np.ndarray:
    """Columns: intercept, slope (in weeks), six weekday indicators (Monday is the reference) and,
    after a level shift, a step that is 1 from the shift on."""
    columns = [np.ones(len(offsets)), offsets / 7.0]
    columns += [(weekdays == k).astype(float) for k in range(1, 7)]
    if shift_offset is not None:
        columns.append((offsets >= shift_offset).astype(float))
    return np.column_stack(columns)


def _weighted_solve(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares through the (small) normal equations; returns coefficients and the inverse."""
    gram = x.T @ (x * weights[:, None])
    try:
        inverse = np.linalg.inv(gram)
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(gram)
    return inverse @ (x.T @ (weights * y)), inverse


def _robust_fit(x: np.ndarray, y: np.ndarray, target: np.ndarray, noise: float) -> _Fit | None:
    """Bisquare M-estimate with a known noise scale; the prediction at ``target`` and its spread.

    Holding the scale fixed (rather than re-estimating it from the fit's own residuals) keeps a short
    history from being fitted "too well" and turning ordinary noise into alarms.
    """
    weights = np.ones(len(y))
    coefficients, inverse = _weighted_solve(x, y, weights)
    for _ in range(IRLS_STEPS):
        u = (y - x @ coefficients) / (BISQUARE_TUNING * noise)
        new_weights = np.where(np.abs(u) < 1, (1 - u**2) ** 2, 0.0)
        if new_weights.sum() < x.shape[1]:
            return None
        if float(np.max(np.abs(new_weights - weights))) < 1e-4:
            break
        weights = new_weights
        coefficients, inverse = _weighted_solve(x, y, weights)
    # A prediction carries the noise of the day and the uncertainty of the fit (h, the leverage).
    leverage = max(float(target @ inverse @ target), 0.0)
    return _Fit(prediction=float(target @ coefficients), spread=noise * math.sqrt(1 + leverage))


def _seasonal_noise(series: np.ndarray, index: np.ndarray) -> float:
    """Day-level noise from week-over-week differences of the history (robust, model-free).

    ``y[t] − y[t−7]`` cancels the weekday effect; centring removes the trend; a robust spread of what
    is left, divided by √2 (each difference holds two days' noise), estimates one day's noise.
    """
    present = np.zeros(len(series), dtype=bool)
    present[index] = True
    later = index[(index >= 7) & present[np.maximum(index - 7, 0)]]
    if len(later) < 7:
        return 0.0
    differences = np.sort(series[later] - series[later - 7])
    centred = np.abs(differences - np.median(differences))
    by_mad = MAD_TO_SD * float(np.median(centred))
    # The MAD alone collapses when more than half of a short history happens to be very regular;
    # the 10 %-trimmed standard deviation does not, and still ignores a few incidents. Take the larger.
    cut = len(differences) // 10
    kept = differences[cut : len(differences) - cut]
    by_trimmed = float(np.std(kept, ddof=1)) / TRIMMED_SD_TO_SD if len(kept) > 1 else 0.0
    return max(by_mad, by_trimmed) / math.sqrt(2)


def _daily_grid(days: Sequence[date], values: Sequence[float]) -> tuple[list[date], np.ndarray]:
    if len(days) != len(values):
        raise ValueError(f"got {len(days)} dates but {len(values)} values")
    seen: dict[date, float] = {}
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        if day in seen:
            raise ValueError(f"date {day.isoformat()} appears twice (position {i})")
        if value is None or not math.isfinite(float(value)):
            raise ValueError(f"value on {day.isoformat()} is not a finite number: {value!r}")
        seen[day] = float(value)
    if not seen:
        return [], np.array([])
    first, last = min(seen), max(seen)
    grid = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    return grid, np.array([seen.get(d, np.nan) for d in grid])


def _spread_floor(history: np.ndarray) -> float:
    # A perfectly regular history has zero residual spread; keep a floor (1 % of the history's own
    # spread, so it does not depend on units or origin) so that tiny wobbles are not alarms.
    typical = float(np.median(np.abs(history - np.median(history)))) if history.size else 0.0
    return max(1e-12, 0.01 * typical)


def detect_anomalies(
    days: Sequence[date],
    values: Sequence[float],
    *,
    threshold: float = 4.0,
    window_days: int = 56,
    min_history_days: int = 28,
    transform: Transform = "auto",
    persist_days: int = 7,
) -> AnomalyReport:
    """Assess every day of a daily series against a robust weekly model of the days before it.

    ``days`` need not be contiguous or sorted; missing days are neither assessed nor used. Days with
    fewer than ``min_history_days`` usable days of history before them are reported unassessed.
    Raises ``ValueError`` for duplicate dates, non-finite values, or negative values with ``log``.
    """
    if threshold <= 0 or window_days < 14 or min_history_days < 14 or min_history_days > window_days:
        raise ValueError("need threshold > 0 and 14 <= min_history_days <= window_days")
    if persist_days < 2:
        raise ValueError("persist_days must be at least 2")
    grid, raw = _daily_grid(days, values)
    negative = bool(np.any(raw[~np.isnan(raw)] < 0))
    if transform == "auto":
        transform = "none" if negative else "log"
    if transform == "log":
        if negative:
            raise ValueError("transform='log' needs non-negative values")
        series = np.log1p(raw)
    else:
        series = raw.copy()
    weekdays = np.array([d.weekday() for d in grid])
    usable = ~np.isnan(series)
    assessments: list[DayAssessment] = []
    shift_start: int | None = None
    run: list[int] = []  # consecutive flagged days in one direction, for level-shift detection
    for t, day in enumerate(grid):
        if np.isnan(raw[t]):
            assessments.append(DayAssessment(day, None, None, None, None, None))
            continue
        start = max(0, t - window_days)
        index = np.arange(start, t)[usable[start:t]]
        if len(index) < min_history_days or len(np.unique(weekdays[index])) < 7:
            assessments.append(DayAssessment(day, float(raw[t]), None, None, None, None))
            continue
        shift = None if shift_start is None or shift_start <= start else float(shift_start - t)
        x = _design((index - t).astype(float), weekdays[index], shift)
        target = _design(np.array([0.0]), weekdays[t : t + 1], shift)[0]
        # The noise comes from every observed day (MAD shrugs off a few incidents); excluding flagged
        # days here would bias it low and let one alarm breed the next.
        observed = np.arange(start, t)[~np.isnan(series[start:t])]
        noise = max(_seasonal_noise(series, observed), _spread_floor(series[index]))
        fit = _robust_fit(x, series[index], target, noise)
        if fit is None:
            assessments.append(DayAssessment(day, float(raw[t]), None, None, None, None))
            continue
        spread = fit.spread
        score = (series[t] - fit.prediction) / spread
        low, high = fit.prediction - threshold * spread, fit.prediction + threshold * spread
        expected = fit.prediction
        if transform == "log":
            expected, low, high = (float(np.expm1(v)) for v in (expected, low, high))
        flagged = abs(score) > threshold
        if flagged:
            usable[t] = False  # keep the incident out of later days' history
            same_way = run and (score > 0) == (assessments[run[-1]].direction == "spike") and run[-1] == t - 1
            run = [*run, t] if same_way else [t]
            if len(run) >= persist_days:
                shift_start, usable[run] = run[0], True
                run = []
        else:
            run = []
        assessments.append(
            DayAssessment(
                day=day,
                value=float(raw[t]),
                expected=float(expected),
                lower=float(low),
                upper=float(high),
                score=float(score),
                is_anomaly=bool(flagged),
                direction=("spike" if score > 0 else "drop") if flagged else None,
            )
        )
    reason = None
    if not any(a.score is not None for a in assessments):
        reason = f"not enough history: need {min_history_days} days covering every weekday before a day"
    return AnomalyReport(days=tuple(assessments), threshold=threshold, reason=reason)
