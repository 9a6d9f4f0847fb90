"""Cost-benefit of an idea: cash flows per period, NPV, ROI, payback (plain and discounted), IRR and a tornado.

Conventions: period 0 is now and is not discounted; NPV = Σ CF_t / (1 + r)^t; ROI = (total benefit − total cost) /
total cost, undiscounted (``discounted_roi`` uses present values); payback interpolates inside the period where the
cumulative cash flow turns non-negative; IRR is the rate where NPV = 0, found by bracketing and bisection, and is
reported only when the flows change sign once (otherwise it may not be unique).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace

from northstar.decisions.solve.common import PlanningInputError

#: below −99 % a period's discount factor (1 + r)^-t overflows for long horizons; no real plan discounts so
MIN_DISCOUNT_RATE = -0.99


def lowest_discount_rate(periods: int) -> float:
    """The most negative rate whose discount factors stay representable over ``periods`` (≥ −99 %)."""
    return max(MIN_DISCOUNT_RATE, 10 ** (-250 / max(periods, 1)) - 1)


@dataclass(frozen=True)
class CashFlowProblem:
    """One idea's money over ``periods`` periods (0..periods-1).

    The one-off cost is paid in period 0. Benefits start in ``benefit_start`` and ramp linearly to the full
    ``benefit_per_period`` over ``ramp_periods`` periods (0 = full at once). ``discount_rate`` is per period.
    """

    periods: int
    discount_rate: float
    one_off_cost: float = 0.0
    recurring_cost: float = 0.0
    benefit_per_period: float = 0.0
    benefit_start: int = 1
    ramp_periods: int = 0

    def validate(self) -> None:
        problems = []
        if self.periods < 1:
            problems.append("there must be at least one period")
        lowest = lowest_discount_rate(self.periods)
        if not math.isfinite(self.discount_rate) or self.discount_rate < lowest:
            problems.append(
                f"the discount rate must be at least {lowest:.1%} over {self.periods} periods, got {self.discount_rate}"
            )
        for name in ("one_off_cost", "recurring_cost", "benefit_per_period"):
            value = getattr(self, name)
            if value is None or not math.isfinite(value) or value < 0:
                problems.append(f"{name.replace('_', ' ')} must be a non-negative number, got {value}")
        if self.benefit_start < 0 or self.ramp_periods < 0:
            problems.append("benefit start and ramp must not be negative")
        if problems:
            raise PlanningInputError(problems)

    def costs(self) -> list[float]:
        return [(self.one_off_cost if t == 0 else 0.0) + self.recurring_cost for t in range(self.periods)]

    def benefits(self) -> list[float]:
        flows = []
        for t in range(self.periods):
            if t < self.benefit_start:
                flows.append(0.0)
            elif self.ramp_periods == 0:
                flows.append(self.benefit_per_period)
            else:
                share = min(1.0, (t - self.benefit_start + 1) / self.ramp_periods)
                flows.append(self.benefit_per_period * share)
        return flows


def npv(flows: list[float], rate: float) -> float:
    """Net present value of ``flows`` (period 0 first) at ``rate`` per period."""
    total, factor = 0.0, 1.0
    for flow in flows:  # (1 + rate)^t built by multiplication: it grows to inf (term 0) instead of raising
        total += flow / factor
        factor *= 1 + rate
    return total


def payback(flows: list[float]) -> float | None:
    """Periods until the cumulative flow turns non-negative, interpolated inside the period; None if never."""
    cumulative = 0.0
    for t, flow in enumerate(flows):
        previous = cumulative
        cumulative += flow
        if cumulative >= 0:
            return 0.0 if t == 0 else (t - 1) + (-previous) / flow
    return None


def irr(flows: list[float], low: float | None = None, high: float = 10.0) -> float | None:
    """The internal rate of return, when the flows change sign exactly once (so it is unique); else None.

    The search starts at the most negative rate whose discount factors stay representable over the flows.
    """
    low = lowest_discount_rate(len(flows)) if low is None else low
    signs = [flow > 0 for flow in flows if flow != 0]
    if len(signs) < 2 or sum(1 for a, b in itertools.pairwise(signs) if a != b) != 1:
        return None
    f_low, f_high = npv(flows, low), npv(flows, high)
    if f_low * f_high > 0:
        return None
    for _ in range(200):
        middle = (low + high) / 2
        f_middle = npv(flows, middle)
        if abs(f_middle) < 1e-10 or high - low < 1e-12:
            return middle
        if (f_middle > 0) == (f_low > 0):
            low, f_low = middle, f_middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class CashFlowResult:
    flows: list[float]
    costs: list[float]
    benefits: list[float]
    npv: float
    roi: float | None
    discounted_roi: float | None
    payback: float | None
    discounted_payback: float | None
    irr: float | None
    arithmetic: str


def solve(problem: CashFlowProblem) -> CashFlowResult:
    """All the cost-benefit figures for one idea."""
    problem.validate()
    costs, benefits = problem.costs(), problem.benefits()
    flows = [b - c for b, c in zip(benefits, costs, strict=True)]
    rate = problem.discount_rate
    discount = [1 / (1 + rate) ** t for t in range(problem.periods)]
    present = [flow * d for flow, d in zip(flows, discount, strict=True)]
    total_cost, total_benefit = sum(costs), sum(benefits)
    pv_cost = sum(c * d for c, d in zip(costs, discount, strict=True))
    pv_benefit = sum(b * d for b, d in zip(benefits, discount, strict=True))
    value = sum(present)
    terms = " + ".join(f"{flow:g}/{1 + rate:g}^{t}" for t, flow in enumerate(flows[:4]))
    arithmetic = f"NPV = {terms}{' + …' if len(flows) > 4 else ''} = {value:,.2f}"
    return CashFlowResult(
        flows=flows,
        costs=costs,
        benefits=benefits,
        npv=value,
        roi=None if total_cost == 0 else (total_benefit - total_cost) / total_cost,
        discounted_roi=None if pv_cost == 0 else (pv_benefit - pv_cost) / pv_cost,
        payback=payback(flows),
        discounted_payback=payback(present),
        irr=irr(flows),
        arithmetic=arithmetic,
    )


SENSITIVE_ASSUMPTIONS = (
    "discount_rate",
    "one_off_cost",
    "recurring_cost",
    "benefit_per_period",
    "ramp_periods",
)


@dataclass(frozen=True)
class TornadoBar:
    """NPV when one assumption moves to its low and high value, the others held at base."""

    assumption: str
    low_value: float
    high_value: float
    npv_at_low: float
    npv_at_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_at_high - self.npv_at_low)


@dataclass(frozen=True)
class Tornado:
    base_npv: float
    bars: list[TornadoBar] = field(default_factory=list)


def tornado(
    problem: CashFlowProblem, change: float = 0.2, ranges: dict[str, tuple[float, float]] | None = None
) -> Tornado:
    """Vary each assumption by ±``change`` (or over the given ``ranges``), widest NPV swing first."""
    problem.validate()
    base = solve(problem).npv
    bars = []
    for name in SENSITIVE_ASSUMPTIONS:
        current = float(getattr(problem, name))
        low, high = (ranges or {}).get(name, (current * (1 - change), current * (1 + change)))
        if name == "ramp_periods":
            low, high = max(0, math.floor(low)), math.ceil(high)
        if name == "discount_rate":  # keep the swing inside the rates the model accepts
            lowest = lowest_discount_rate(problem.periods)
            low, high = max(low, lowest), max(high, lowest)
        if low == high:
            continue
        results = []
        for value in (low, high):
            changed = replace(problem, **{name: int(value) if name == "ramp_periods" else value})  # type: ignore[arg-type]
            results.append(solve(changed).npv)
        bars.append(TornadoBar(name, low, high, results[0], results[1]))
    bars.sort(key=lambda bar: -bar.swing)
    return Tornado(base, bars)
