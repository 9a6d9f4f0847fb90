"""Pure assembly of reports: periods, the roadmap from a plan's forecast, slipped dates, risks and trends.

No I/O: the service gathers plain values from the other modules' services and hands them here; what comes back
is the data a report stores as its snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from northstar.budget.engine import Period, PeriodError, format_money, parse_period, quarter_of
from northstar.reports.schemas import (
    BudgetSummary,
    MetricTrend,
    ObjectiveLine,
    Risk,
    RoadmapLine,
    SlipLine,
)

__all__ = ["Period", "PeriodError", "format_money", "parse_period", "quarter_of"]

#: a key result whose latest check-in is less confident than this is a risk
LOW_CONFIDENCE = 0.5
#: a funded idea whose chance of meeting its deadline is below this is a risk
LOW_DEADLINE_PROBABILITY = 0.5
#: the weekday (0 = Monday) from which this week's brief is due
BRIEF_WEEKDAY = 0


def quarter(label: str) -> Period:
    """A quarter like 2026-Q3 (case and spaces forgiven); months are refused: board reports are quarterly."""
    period = parse_period(label)
    if not period.is_quarter:
        raise PeriodError("a board report covers a quarter; write it like 2026-Q3")
    return period


def previous_quarter(today: dt.date) -> str:
    """The last quarter that has ended by ``today``."""
    start = parse_period(quarter_of(today)).starts_on
    return quarter_of(start - dt.timedelta(days=1))


@dataclass(frozen=True)
class Week:
    label: str
    starts_on: dt.date
    ends_on: dt.date


def iso_week(day: dt.date) -> Week:
    """The ISO week (Monday to Sunday) that contains ``day``, labelled like 2026-W50."""
    year, number, weekday = day.isocalendar()
    monday = day - dt.timedelta(days=weekday - 1)
    return Week(f"{year}-W{number:02d}", monday, monday + dt.timedelta(days=6))


def brief_due(existing_periods: Iterable[str], today: dt.date) -> bool:
    """A brief is due once a week: from ``BRIEF_WEEKDAY`` on, when no brief exists for today's ISO week."""
    if today.weekday() < BRIEF_WEEKDAY:
        return False
    return iso_week(today).label not in set(existing_periods)


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def forecast_dates(forecast: Mapping[str, Any] | None) -> dict[str, dt.date]:
    """{idea id: P85 date} of a plan's stored forecast (empty without one)."""
    found: dict[str, dt.date] = {}
    for item in (forecast or {}).get("items", []) or []:
        day = _date((item.get("dates") or {}).get("P85"))
        if day is not None:
            found[str(item.get("id"))] = day
    return found


def roadmap(
    ideas: Sequence[tuple[int, str, str, str]],
    schedule: Mapping[str, Any] | None,
    forecast: Mapping[str, Any] | None,
) -> list[RoadmapLine]:
    """Planned and in-progress ideas (id, title, status, team) with the plan's start and P50/P85 dates.

    The schedule counts weeks from the forecast's start date; ideas the plan does not fund have no dates and
    come last. Ordered by expected start, then title.
    """
    start = _date((forecast or {}).get("start_date"))
    starts: dict[str, int] = {
        str(item.get("id")): int(item.get("start", 0)) for item in (schedule or {}).get("items", []) or []
    }
    predicted = {str(item.get("id")): item for item in (forecast or {}).get("items", []) or []}
    lines = []
    for idea_id, title, status, team in ideas:
        key = str(idea_id)
        item = predicted.get(key, {})
        dates = item.get("dates") or {}
        lines.append(
            RoadmapLine(
                idea_id=idea_id,
                title=title,
                status=status,
                team=team,
                starts_on=start + dt.timedelta(weeks=starts[key]) if start and key in starts else None,
                p50=_date(dates.get("P50")),
                p85=_date(dates.get("P85")),
                deadline=_date(item.get("deadline")) if isinstance(item.get("deadline"), str) else None,
                deadline_probability=item.get("deadline_probability"),
            )
        )
    far = dt.date.max
    return sorted(lines, key=lambda line: (line.starts_on or line.p85 or far, line.title.lower()))


def slips(
    previous: Mapping[str, dt.date], current: Mapping[str, dt.date], titles: Mapping[str, str]
) -> list[SlipLine]:
    """Ideas whose P85 date moved later since ``previous`` (latest first by how far they moved)."""
    moved = []
    for key, now in current.items():
        was = previous.get(key)
        if was is not None and now > was and key in titles:
            moved.append(
                SlipLine(idea_id=int(key), title=titles[key], was=was, now=now, days=(now - was).days)
            )
    return sorted(moved, key=lambda slip: (-(slip.days or 0), slip.title.lower()))


def risks(
    objectives: Sequence[ObjectiveLine],
    budget: BudgetSummary | None,
    roadmap_lines: Sequence[RoadmapLine],
    slipped: Sequence[SlipLine] = (),
) -> list[Risk]:
    """What a board should worry about: key results at risk or behind or held with low confidence, teams forecast
    to overspend, funded ideas unlikely to meet their deadline and dates that slipped."""
    found: list[Risk] = []
    for objective in objectives:
        for kr in objective.key_results:
            low = kr.confidence is not None and kr.confidence < LOW_CONFIDENCE
            if kr.pace in ("at_risk", "behind") or low:
                why = [kr.pace.replace("_", " ")] if kr.pace in ("at_risk", "behind") else []
                if low and kr.confidence is not None:
                    why.append(f"confidence {kr.confidence:.0%}")
                found.append(
                    Risk(
                        kind="key_result",
                        title=kr.title,
                        detail=f"{objective.title}: {_value(kr.current, kr.unit)} of {_value(kr.target, kr.unit)}"
                        f" ({', '.join(why)})",
                    )
                )
    if budget is not None:
        for team in budget.teams:
            if team.alert:
                over = team.forecast_cents - team.planned_cents
                found.append(
                    Risk(
                        kind="overspend",
                        title=f"{team.team} is forecast to overspend",
                        detail=f"forecast {format_money(team.forecast_cents, budget.currency)} against a plan of "
                        f"{format_money(team.planned_cents, budget.currency)} "
                        f"({format_money(over, budget.currency, signed=True)})",
                    )
                )
    for line in roadmap_lines:
        chance = line.deadline_probability
        if line.deadline and chance is not None and chance < LOW_DEADLINE_PROBABILITY:
            found.append(
                Risk(
                    kind="slipped",
                    title=line.title,
                    detail=f"{chance:.0%} chance of meeting its deadline {line.deadline.isoformat()}",
                )
            )
    for slip in slipped:
        found.append(
            Risk(
                kind="slipped",
                title=slip.title,
                detail=f"85 % date moved from {slip.was} to {slip.now} ({slip.days} days later)",
            )
        )
    return found


def _value(value: float, unit: str) -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip() if unit not in ("%",) else f"{text} %"


def metric_trend(name: str, unit: str, points: Sequence[tuple[dt.date, float]]) -> MetricTrend:
    """A metric's values over the period with the change from the first to the last point."""
    ordered = sorted(points)
    change = None
    if len(ordered) >= 2 and ordered[0][1]:
        change = round((ordered[-1][1] - ordered[0][1]) / abs(ordered[0][1]), 4)
    return MetricTrend(name=name, unit=unit, points=list(ordered), change=change)


def month_ends(period: Period, as_of: dt.date) -> list[dt.date]:
    """The day before the period and the last day of each of its months, up to ``as_of``."""
    days = [period.starts_on - dt.timedelta(days=1)]
    for month in period.months:
        month_period = parse_period(month)
        if month_period.starts_on > as_of:
            break
        days.append(min(month_period.ends_on, as_of))
    return days
