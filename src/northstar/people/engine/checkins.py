"""1:1 check-ins as plain data: cadence, what is due or overdue, action items carried forward, pulse trend.

A manager–report pair has a cadence (weekly, every two weeks, monthly). The next meeting is due one
cadence after the last one held; it is *overdue* once a grace period (two days) has passed. Open action
items of the last meeting are carried to the next agenda until someone closes them. The team-health pulse
is a 1–5 answer per person per meeting, summarised per ISO week.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 28}
GRACE = timedelta(days=2)
PULSE_MIN, PULSE_MAX = 1, 5


@dataclass(frozen=True)
class ActionItem:
    text: str
    owner_id: str
    done: bool = False
    raised_on: date | None = None


@dataclass(frozen=True)
class CheckInStatus:
    next_due: date
    overdue: bool
    days_overdue: int


def cadence_days(cadence: str) -> int:
    if cadence not in CADENCE_DAYS:
        raise ValueError(f"Unknown cadence '{cadence}'; use one of {', '.join(CADENCE_DAYS)}.")
    return CADENCE_DAYS[cadence]


def check_in_status(cadence: str, last_held: date | None, started_on: date, today: date) -> CheckInStatus:
    """When the next 1:1 is due and whether it is overdue (no meeting yet: due one cadence after start)."""
    due = (last_held or started_on) + timedelta(days=cadence_days(cadence))
    late = (today - due).days
    return CheckInStatus(next_due=due, overdue=today > due + GRACE, days_overdue=max(late, 0))


def carry_forward(previous_items: Iterable[ActionItem]) -> list[ActionItem]:
    """The open items of the previous meeting, in their order, for the next agenda."""
    return [item for item in previous_items if not item.done]


def regular_share(meeting_dates: Iterable[date], cadence: str, today: date, weeks: int = 8) -> float:
    """Share of cadence periods in the last ``weeks`` weeks that contained at least one 1:1."""
    days = cadence_days(cadence)
    start = today - timedelta(weeks=weeks)
    periods = max((today - start).days // days, 1)
    held = {(d - start).days // days for d in meeting_dates if start < d <= today}
    return min(len({p for p in held if p < periods}), periods) / periods


@dataclass(frozen=True)
class PulsePoint:
    week: str  # ISO year-week, e.g. "2026-W07"
    mean: float
    answers: int


def pulse_trend(answers: Iterable[tuple[date, int]], min_answers: int = 3) -> list[PulsePoint]:
    """Weekly mean of pulse answers; weeks with fewer than ``min_answers`` answers are left out so that a
    single person's mood cannot be read off the chart."""
    weeks: dict[str, list[int]] = {}
    for day, value in answers:
        if not PULSE_MIN <= value <= PULSE_MAX:
            raise ValueError(f"A pulse answer must be between {PULSE_MIN} and {PULSE_MAX}, got {value}.")
        year, week, _ = day.isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", []).append(value)
    return [
        PulsePoint(week, round(sum(v) / len(v), 3), len(v))
        for week, v in sorted(weeks.items())
        if len(v) >= min_answers
    ]
