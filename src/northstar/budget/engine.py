"""Budget arithmetic, pure: periods, exact money in minor units (cents), plan against actual, run-rate forecast.

Money is an ``int`` of minor units everywhere; a share or a rate is a ``Fraction`` until it is rounded (half up,
away from zero) to whole cents at the end. Nothing here reads a database or a clock: ``today`` is passed in.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

CATEGORIES: tuple[str, ...] = ("people", "contractors", "tools", "research", "marketing", "other")
#: the alert fires when the forecast is more than this share over plan, unless the workspace chose another
DEFAULT_THRESHOLD_PERCENT = 10

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONEY = re.compile(r"^-?\d+(\.\d+)?$")
#: symbols written before an amount; other currencies are written as their code: "CHF 1,200"
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


class PeriodError(ValueError):
    """A period label that is neither a month (2026-11) nor a quarter (2026-Q4)."""


@dataclass(frozen=True)
class Period:
    """A month (``2026-11``) or a quarter (``2026-Q4``)."""

    label: str
    starts_on: dt.date
    ends_on: dt.date

    @property
    def months(self) -> list[str]:
        """The month labels this period covers, in order."""
        labels, year, month = [], self.starts_on.year, self.starts_on.month
        while (year, month) <= (self.ends_on.year, self.ends_on.month):
            labels.append(f"{year}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return labels

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.label


def parse_period(label: str) -> Period:
    """A period from its label; raises ``PeriodError`` with the words to show the person."""
    text = (label or "").strip().upper()
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        last = calendar.monthrange(year, month)[1]
        return Period(f"{year}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last))
    if match := _QUARTER.match(text):
        year, quarter = int(match.group(1)), int(match.group(2))
        first = 3 * (quarter - 1) + 1
        last = calendar.monthrange(year, first + 2)[1]
        return Period(f"{year}-Q{quarter}", dt.date(year, first, 1), dt.date(year, first + 2, last))
    raise PeriodError("write a month like 2026-11 or a quarter like 2026-Q4")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def month_of(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def round_half_up(value: Fraction) -> int:
    """Whole minor units, halves away from zero (how accountants round)."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    return sign * (whole + (1 if 2 * rest >= magnitude.denominator else 0))


def parse_amount(text: str) -> int:
    """Minor units from an amount as finance writes it: "1,234.56", "$1 234", "1234.5" → 123456, 123400, 123450.

    Raises ``ValueError`` with the reason: not a number, more than two decimals, or negative.
    """
    cleaned = (text or "").strip().replace(",", "").replace(" ", "").replace("\u00a0", "").replace("_", "")
    cleaned = cleaned.lstrip("$€£¥").removeprefix("USD").removeprefix("EUR").removeprefix("GBP")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    if not _MONEY.match(cleaned):
        raise ValueError(
            f"{text.strip()!r} is not an amount; write it like 1234.56" if text.strip() else "is empty"
        )
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"{text!r} is not an amount")
    if value < 0:
        raise ValueError(f"must not be negative (was {text.strip()}); enter refunds as their own line")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"has more than two decimals ({text.strip()})")
    return int(value * 100)


def format_money(cents: int | None, currency: str = "USD", signed: bool = False) -> str:
    """An exact amount for people: $1,234,567.89 · −$120.00 · +$4,000.00 (``signed``) · CHF 1,200.00."""
    if cents is None:
        return "—"
    sign = "−" if cents < 0 else ("+" if signed and cents > 0 else "")
    whole, rest = divmod(abs(cents), 100)
    number = f"{whole:,}.{rest:02d}"
    symbol = SYMBOLS.get(currency.upper())
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency.upper()} {number}"


def spread_over_months(amount: int, period: Period) -> dict[str, int]:
    """A plan amount per month of its period: a quarter splits into three, the last month takes the leftover cents."""
    months = period.months
    share, leftover = divmod(amount, len(months))
    spread = {month: share for month in months}
    spread[months[-1]] += leftover
    return spread


@dataclass(frozen=True)
class PlanAmount:
    team: str
    category: str
    period: str
    amount: int


@dataclass(frozen=True)
class SpendAmount:
    team: str
    category: str
    spent_on: dt.date
    amount: int


@dataclass
class Variance:
    """Plan against actual for one team and category (or a total) over one period, as of a day."""

    team: str
    category: str
    planned: int
    actual: int
    forecast: int
    burn_rate_monthly: int
    alert: bool
    #: why there is no forecast beyond the actual spend ("not started", "closed"), else ""
    note: str = ""
    #: signed spend (contracts, purchase orders) due after today and by the period's end, inside ``forecast``
    committed: int = 0

    @property
    def variance(self) -> int:
        """Actual minus plan: more than 0 is over plan."""
        return self.actual - self.planned

    @property
    def forecast_variance(self) -> int:
        return self.forecast - self.planned

    @property
    def forecast_percent(self) -> Fraction | None:
        """Forecast over (or under) plan as a share of plan; None without a plan."""
        return Fraction(self.forecast - self.planned, self.planned) if self.planned else None


@dataclass
class PlanVsActual:
    period: Period
    today: dt.date
    threshold_percent: int
    elapsed_days: int
    rows: list[Variance] = field(default_factory=list)
    teams: list[Variance] = field(default_factory=list)
    total: Variance | None = None
    #: (team, month) → (planned, actual) for the chart
    monthly: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)

    @property
    def alerts(self) -> list[Variance]:
        return [row for row in self.teams + self.rows if row.alert]


def elapsed_days(period: Period, today: dt.date) -> int:
    """Days of the period up to and including ``today`` (0 before it starts, all of them after it ends)."""
    if today < period.starts_on:
        return 0
    return (min(today, period.ends_on) - period.starts_on).days + 1


def forecast(actual: int, period: Period, today: dt.date) -> tuple[int, int, str]:
    """(forecast to the period's end at the run rate so far, burn rate per month, note).

    Run rate: what was spent per elapsed day, carried over the days left. A period not started yet forecasts its
    actual spend (usually none); a closed one forecasts what was spent.
    """
    done = elapsed_days(period, today)
    months = len(period.months)
    if done == 0:
        return actual, 0, "not started"
    burn = round_half_up(Fraction(actual * period.days, done * months))
    if done >= period.days:
        return actual, burn, "closed"
    return round_half_up(Fraction(actual * period.days, done)), burn, ""


def overspends(planned: int, forecast_amount: int, threshold_percent: int) -> bool:
    """True when the forecast exceeds plan by more than ``threshold_percent`` (any spend without a plan does)."""
    if planned <= 0:
        return forecast_amount > 0
    return Fraction(forecast_amount - planned, planned) * 100 > threshold_percent


def _variance(
    team: str,
    category: str,
    planned: int,
    actual: int,
    period: Period,
    today: dt.date,
    threshold: int,
    committed: int = 0,
) -> Variance:
    run_rate, burn, note = forecast(actual, period, today)
    projected = run_rate + committed
    alert = overspends(planned, projected, threshold)
    return Variance(team, category, planned, actual, projected, burn, alert, note, committed)


def still_committed(item: SpendAmount, period: Period, today: dt.date) -> bool:
    """A commitment counts in the forecast when it falls due after ``today`` and by the end of ``period``.

    One due on or before today is taken to be invoiced, so it is in the actual spend (and the run rate) already.
    """
    return max(today, period.starts_on - dt.timedelta(days=1)) < item.spent_on <= period.ends_on


def plan_vs_actual(
    period: Period,
    plan: Iterable[PlanAmount],
    spend: Iterable[SpendAmount],
    today: dt.date,
    threshold_percent: int = DEFAULT_THRESHOLD_PERCENT,
    committed: Iterable[SpendAmount] = (),
) -> PlanVsActual:
    """Variance per team and category, per team and in total, for ``period`` as of ``today``.

    The forecast is the run rate carried to the period's end plus ``committed`` spend still to come (each
    commitment dated by when it falls due; see ``still_committed``).

    Plan lines count by month (a quarter's line spread over its months), so a month report reads a third of a
    quarter's plan and a quarter report reads its months' lines. Actual spend counts up to ``today`` only.
    """
    months = set(period.months)
    planned: dict[tuple[str, str], int] = {}
    actual: dict[tuple[str, str], int] = {}
    monthly: dict[tuple[str, str], list[int]] = {}
    for line in plan:
        for month, cents in spread_over_months(line.amount, parse_period(line.period)).items():
            if month in months:
                planned[(line.team, line.category)] = planned.get((line.team, line.category), 0) + cents
                monthly.setdefault((line.team, month), [0, 0])[0] += cents
    for item in spend:
        if period.starts_on <= item.spent_on <= min(period.ends_on, today):
            actual[(item.team, item.category)] = actual.get((item.team, item.category), 0) + item.amount
            monthly.setdefault((item.team, month_of(item.spent_on)), [0, 0])[1] += item.amount
    due: dict[tuple[str, str], int] = {}
    for item in committed:
        if still_committed(item, period, today):
            due[(item.team, item.category)] = due.get((item.team, item.category), 0) + item.amount
    keys = sorted(
        set(planned) | set(actual) | set(due),
        key=lambda k: (k[0].lower(), CATEGORIES.index(k[1]) if k[1] in CATEGORIES else 99),
    )
    result = PlanVsActual(period, today, threshold_percent, elapsed_days(period, today))
    for team, category in keys:
        result.rows.append(
            _variance(
                team,
                category,
                planned.get((team, category), 0),
                actual.get((team, category), 0),
                period,
                today,
                threshold_percent,
                due.get((team, category), 0),
            )
        )
    for team in sorted({k[0] for k in keys}, key=str.lower):
        p = sum(v for k, v in planned.items() if k[0] == team)
        a = sum(v for k, v in actual.items() if k[0] == team)
        c = sum(v for k, v in due.items() if k[0] == team)
        result.teams.append(_variance(team, "", p, a, period, today, threshold_percent, c))
    result.total = _variance(
        "",
        "",
        sum(planned.values()),
        sum(actual.values()),
        period,
        today,
        threshold_percent,
        sum(due.values()),
    )
    result.monthly = {key: (value[0], value[1]) for key, value in sorted(monthly.items())}
    return result


# --- people cost --------------------------------------------------------------------------------------------

RATE_UNITS = ("person_month", "person_day")
#: working days in a year (52 weeks of five days): a monthly rate is a twelfth of a year of them
WORKING_DAYS_PER_YEAR = 260


@dataclass(frozen=True)
class CostRate:
    """What one person of a team costs: ``amount`` cents per person-month or per person-day."""

    unit: str
    amount: int

    @property
    def per_day(self) -> Fraction:
        """Cents per working day: a day rate as it is, a month rate × 12 / 260."""
        if self.unit == "person_day":
            return Fraction(self.amount)
        return Fraction(self.amount * 12, WORKING_DAYS_PER_YEAR)


@dataclass(frozen=True)
class ScheduledWork:
    """An initiative in a plan's schedule: ``people`` of ``team`` from week ``start`` up to (not including) ``end``."""

    idea: str
    team: str
    start: int
    end: int
    people: int


@dataclass(frozen=True)
class PeopleCost:
    team: str
    idea: str
    month: str
    person_days: int
    amount: int


def people_cost(
    work: Iterable[ScheduledWork],
    rates: dict[str, CostRate],
    week_zero: dt.date,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> list[PeopleCost]:
    """People cost per team, initiative and month: each working day (Monday to Friday) the schedule gives an
    initiative costs its people × the team's day rate. Only days from ``starts_on`` to ``ends_on`` (inclusive)
    count; a team without a rate costs nothing here (the caller says which teams lack one). Cents are rounded
    once per team, initiative and month, half away from zero."""
    days: dict[tuple[str, str, str], int] = {}
    for item in work:
        if item.team not in rates or item.people <= 0 or item.end <= item.start:
            continue
        first = week_zero + dt.timedelta(weeks=item.start)
        last = week_zero + dt.timedelta(weeks=item.end) - dt.timedelta(days=1)
        if starts_on:
            first = max(first, starts_on)
        if ends_on:
            last = min(last, ends_on)
        day = first
        while day <= last:
            if day.weekday() < 5:
                key = (item.team, item.idea, month_of(day))
                days[key] = days.get(key, 0) + item.people
            day += dt.timedelta(days=1)
    return [
        PeopleCost(team, idea, month, count, round_half_up(rates[team].per_day * count))
        for (team, idea, month), count in sorted(days.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1]))
    ]


# --- realized return and how far estimates were off ---------------------------------------------------------


def realized_roi(benefit: int | None, actual_cost: int) -> Fraction | None:
    """(benefit − cost) / cost over the first year: the benefit is a year's (ARR or measured), the cost all spent.

    None without a benefit or without cost (a return on nothing spent is not a number).
    """
    if benefit is None or actual_cost <= 0:
        return None
    return Fraction(benefit - actual_cost, actual_cost)


@dataclass(frozen=True)
class EstimateOutcome:
    """One finished initiative: its team, estimated and actual effort (person-weeks) and cost (cents)."""

    idea: str
    team: str
    estimated_effort: float | None
    actual_effort: float | None
    planned_cost: int
    actual_cost: int


@dataclass(frozen=True)
class RatioSummary:
    """Actual ÷ estimated over past initiatives: the ratios, their median and 10th/90th percentiles, and the mean
    absolute error in percent (how far estimates were off, in either direction)."""

    ratios: tuple[float, ...]
    median: float | None
    p10: float | None
    p90: float | None
    mean_absolute_error_percent: float | None

    @property
    def count(self) -> int:
        return len(self.ratios)


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (NumPy's default ``linear`` method)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize_ratios(ratios: Iterable[float]) -> RatioSummary:
    values = [float(r) for r in ratios if r > 0]
    if not values:
        return RatioSummary((), None, None, None, None)
    error = sum(abs(r - 1) for r in values) / len(values) * 100
    return RatioSummary(
        tuple(values),
        _percentile(values, 0.5),
        _percentile(values, 0.1),
        _percentile(values, 0.9),
        round(error, 1),
    )


@dataclass(frozen=True)
class EstimateHistory:
    """Per team (and all teams together) how actual effort and cost compared with their estimates."""

    effort: dict[str, RatioSummary]
    cost: dict[str, RatioSummary]
    all_effort: RatioSummary
    all_cost: RatioSummary
    #: a team needs this many finished initiatives before its own ratios are used; else all teams' are
    minimum: int = 2

    def effort_ratios(self, team: str) -> tuple[float, ...]:
        own = self.effort.get(team)
        if own is not None and own.count >= self.minimum:
            return own.ratios
        return self.all_effort.ratios

    def multiplier(self, team: str, rng: Any, size: int) -> Any:
        """``size`` factors drawn with replacement from the team's past effort ratios (a bootstrap of its
        empirical distribution), for the decisions forecast's ``duration_multiplier``; 1.0 without history."""
        ratios = self.effort_ratios(team)
        if not ratios:
            return rng.uniform(1.0, 1.0, size)
        return rng.choice(list(ratios), size=size, replace=True)


def estimate_history(outcomes: Iterable[EstimateOutcome], minimum: int = 2) -> EstimateHistory:
    """Effort ratio (actual ÷ estimated person-weeks) and cost ratio (actual ÷ planned cents) per team."""
    effort: dict[str, list[float]] = {}
    cost: dict[str, list[float]] = {}
    for item in outcomes:
        if (
            item.estimated_effort
            and item.actual_effort
            and item.estimated_effort > 0
            and item.actual_effort > 0
        ):
            effort.setdefault(item.team, []).append(item.actual_effort / item.estimated_effort)
        if item.planned_cost > 0 and item.actual_cost > 0:
            cost.setdefault(item.team, []).append(item.actual_cost / item.planned_cost)
    return EstimateHistory(
        {team: summarize_ratios(v) for team, v in sorted(effort.items())},
        {team: summarize_ratios(v) for team, v in sorted(cost.items())},
        summarize_ratios(r for v in effort.values() for r in v),
        summarize_ratios(r for v in cost.values() for r in v),
        minimum,
    )


# --- burn-up ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BurnUpPoint:
    day: dt.date
    plan: int
    actual: int | None
    forecast: int | None
    low: int | None
    high: int | None


def burn_up(
    period: Period,
    monthly: dict[str, tuple[int, int]],
    today: dt.date,
    forecast_total: int,
    committed: int,
) -> list[BurnUpPoint]:
    """Cumulative plan and actual at each month's end, and from today the forecast with a band.

    ``monthly`` is month → (planned, actual) over all teams. The band spreads the run-rate part of the forecast
    (forecast − actual − committed) by the slowest and fastest monthly spend so far against their mean (±10 %
    with fewer than two finished months), so it is as wide as the spending has been uneven.
    """
    done = elapsed_days(period, today)
    actual_so_far = sum(a for month, (_p, a) in monthly.items() if month in period.months)
    finished = [
        monthly.get(m, (0, 0))[1]
        for m in period.months
        if parse_period(m).ends_on < min(today, period.ends_on + dt.timedelta(days=1))
    ]
    mean = Fraction(sum(finished), len(finished)) if finished else Fraction(0)
    if len(finished) >= 2 and mean > 0:
        low_factor, high_factor = Fraction(min(finished)) / mean, Fraction(max(finished)) / mean
    else:
        low_factor, high_factor = Fraction(9, 10), Fraction(11, 10)
    rest = forecast_total - actual_so_far - committed
    points = [BurnUpPoint(period.starts_on - dt.timedelta(days=1), 0, 0 if done else None, None, None, None)]
    plan_total = actual_total = 0
    for month in period.months:
        span = parse_period(month)
        planned, actual = monthly.get(month, (0, 0))
        plan_total += planned
        actual_total += actual
        started = span.starts_on <= today
        if started and span.ends_on >= today and done < period.days:
            points.append(
                BurnUpPoint(
                    today,
                    plan_total
                    - planned
                    + round_half_up(Fraction(planned * (today - span.starts_on).days + planned, span.days)),
                    actual_total,
                    actual_total,
                    actual_total,
                    actual_total,
                )
            )
        on_end = span.ends_on
        future = on_end > today
        if future and done < period.days:
            share = Fraction((on_end - today).days, max(1, (period.ends_on - today).days))
            base = actual_so_far + committed * share
            points.append(
                BurnUpPoint(
                    on_end,
                    plan_total,
                    None,
                    round_half_up(base + rest * share),
                    round_half_up(base + rest * share * low_factor),
                    round_half_up(base + rest * share * high_factor),
                )
            )
        else:
            points.append(
                BurnUpPoint(on_end, plan_total, actual_total if started else None, None, None, None)
            )
    return points
