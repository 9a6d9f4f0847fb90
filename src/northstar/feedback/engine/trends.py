"""Weekly counts per theme and a test that flags rising and falling themes.

Test: the **Cochran–Armitage test for trend in proportions**. For each week w (scored 0, 1, 2, …) we know the
theme's items x_w among all feedback items n_w. Under "no trend" the theme's share is constant; the statistic

    z = Σ t_w (x_w − n_w p̂) / sqrt(p̂ (1 − p̂) (Σ n_w t_w² − (Σ n_w t_w)² / N)),   p̂ = Σ x_w / N,

is approximately standard normal. A theme is **rising** when z > 0 and the two-sided p-value < ``ALPHA`` (0.01),
**falling** when z < 0 and p < 0.01, and **stable** otherwise; themes with fewer than ``MIN_ITEMS`` items (10) or
fewer than 3 weeks of data are **too little data**. Testing the share rather than the raw count keeps a week with
more feedback overall from making every theme look like it is rising.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

ALPHA = 0.01
MIN_ITEMS = 10
MIN_WEEKS = 3


@dataclass(frozen=True)
class TrendResult:
    direction: str  # "rising" | "falling" | "stable" | "too little data"
    z: float | None
    p_value: float | None
    weekly_counts: list[int]


def week_start(moment: date | datetime) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def weekly_counts(dates: Sequence[date | datetime], weeks: Sequence[date]) -> list[int]:
    """Items per week (weeks given as Monday dates, ascending); dates outside the weeks are ignored."""
    index = {w: i for i, w in enumerate(weeks)}
    counts = [0] * len(weeks)
    for moment in dates:
        position = index.get(week_start(moment))
        if position is not None:
            counts[position] += 1
    return counts


def week_range(first: date, last: date) -> list[date]:
    start, end = week_start(first), week_start(last)
    weeks = []
    while start <= end:
        weeks.append(start)
        start += timedelta(days=7)
    return weeks


def cochran_armitage(theme_counts: Sequence[int], total_counts: Sequence[int]) -> tuple[float, float]:
    """(z, two-sided p) of the linear trend in theme_counts / total_counts across equally spaced weeks."""
    if len(theme_counts) != len(total_counts):
        raise ValueError("theme and total counts must cover the same weeks")
    if any(x < 0 or x > n for x, n in zip(theme_counts, total_counts, strict=True)):
        raise ValueError("each week's theme count must be between 0 and that week's total")
    total = sum(total_counts)
    hits = sum(theme_counts)
    if total == 0 or hits in (0, total):
        return 0.0, 1.0
    share = hits / total
    scores = range(len(total_counts))
    numerator = sum(t * (x - n * share) for t, x, n in zip(scores, theme_counts, total_counts, strict=True))
    weighted = sum(n * t for t, n in zip(scores, total_counts, strict=True))
    spread = sum(n * t * t for t, n in zip(scores, total_counts, strict=True)) - weighted * weighted / total
    variance = share * (1 - share) * spread
    if variance <= 0:
        return 0.0, 1.0
    z = numerator / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2))


def trend(theme_counts: Sequence[int], total_counts: Sequence[int], alpha: float = ALPHA) -> TrendResult:
    weeks_with_data = sum(1 for n in total_counts if n > 0)
    if sum(theme_counts) < MIN_ITEMS or weeks_with_data < MIN_WEEKS:
        return TrendResult("too little data", None, None, list(theme_counts))
    z, p = cochran_armitage(theme_counts, total_counts)
    direction = "stable"
    if p < alpha:
        direction = "rising" if z > 0 else "falling"
    return TrendResult(direction, round(z, 4), p, list(theme_counts))
