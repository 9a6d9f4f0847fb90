"""The pace signal of a key result: is it where a straight line from baseline to target says it should be by now?

Pure functions, no I/O. An objective's period ("2026-Q4", "2026-H2", "2026") gives its first and last day; the
expected value by a day moves linearly from the baseline on the first day to the target on the last. A key result
whose progress is at least 90 % of the expected progress is *on track*, at least 60 % *behind*, below that *at risk*;
it is *done* once the target is reached and *not started* before the period begins. Decreasing targets (churn from
5 % down to 3 %) work the same way: progress is measured along the way from baseline to target.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

ON_TRACK_SHARE = 0.9
"""A key result at or above this share of its expected progress is on track."""
BEHIND_SHARE = 0.6
"""At or above this share (and below on track) it is behind; below it, at risk."""

_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*-?\s*([QH])([1-4]))?\s*$", re.IGNORECASE)


class Pace(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    DONE = "done"
    NO_PERIOD = "no_period"


PACE_WORDS: dict[Pace, str] = {
    Pace.NOT_STARTED: "Not started",
    Pace.ON_TRACK: "On track",
    Pace.BEHIND: "Behind",
    Pace.AT_RISK: "At risk",
    Pace.DONE: "Done",
    Pace.NO_PERIOD: "No period set",
}


@dataclass(frozen=True)
class Period:
    """The first and last day (both included) of an objective's period."""

    label: str
    starts_on: dt.date
    ends_on: dt.date

    def elapsed_share(self, today: dt.date) -> float:
        """Share of the period gone by the end of ``today``, in [0, 1]."""
        days = (self.ends_on - self.starts_on).days + 1
        gone = (today - self.starts_on).days + 1
        return max(0.0, min(1.0, gone / days))


def parse_period(label: str | None) -> Period | None:
    """A period from its label: ``2026-Q4`` (a quarter), ``2026-H2`` (a half-year), ``2026`` (a year); else None."""
    match = _PERIOD.match(label or "")
    if match is None:
        return None
    year = int(match.group(1))
    kind, number = (match.group(2) or "").upper(), int(match.group(3) or 0)
    if kind == "Q":
        first_month, months = 3 * (number - 1) + 1, 3
    elif kind == "H":
        if number > 2:
            return None
        first_month, months = 6 * (number - 1) + 1, 6
    else:
        first_month, months = 1, 12
    starts_on = dt.date(year, first_month, 1)
    after = first_month + months
    next_start = dt.date(year + 1, 1, 1) if after > 12 else dt.date(year, after, 1)
    return Period(label.strip() if label else "", starts_on, next_start - dt.timedelta(days=1))


def progress(baseline: float, target: float, current: float) -> float:
    """How far ``current`` has moved from ``baseline`` towards ``target``, clamped to [0, 1]."""
    span = target - baseline
    if span == 0:
        return 1.0 if current == target else 0.0
    return max(0.0, min(1.0, (current - baseline) / span))


@dataclass(frozen=True)
class PaceResult:
    """The signal with the numbers behind it, so a page can say why."""

    pace: Pace
    progress: float
    """Share of the way from baseline to target, in [0, 1]."""
    expected_progress: float | None
    """Share of the way it should have come by now (the elapsed share of the period); None without a period."""
    expected_value: float | None
    """The value a straight line from baseline to target gives for today."""

    @property
    def words(self) -> str:
        return PACE_WORDS[self.pace]

    @property
    def ratio(self) -> float | None:
        """Progress as a share of the expected progress (1 = exactly on the line)."""
        if not self.expected_progress:
            return None
        return self.progress / self.expected_progress


def key_result_pace(
    baseline: float, target: float, current: float, period: Period | None, today: dt.date
) -> PaceResult:
    """The pace signal of one key result on ``today`` (see the module's docstring for the rule)."""
    done_so_far = progress(baseline, target, current)
    if period is None:
        pace = Pace.DONE if done_so_far >= 1.0 else Pace.NO_PERIOD
        return PaceResult(pace, done_so_far, None, None)
    expected = period.elapsed_share(today) if today >= period.starts_on else 0.0
    expected_value = baseline + expected * (target - baseline)
    if done_so_far >= 1.0:
        pace = Pace.DONE
    elif today < period.starts_on:
        pace = Pace.NOT_STARTED
    elif done_so_far >= ON_TRACK_SHARE * expected:
        pace = Pace.ON_TRACK
    elif done_so_far >= BEHIND_SHARE * expected:
        pace = Pace.BEHIND
    else:
        pace = Pace.AT_RISK
    return PaceResult(pace, done_so_far, expected, expected_value)
