"""The budget arithmetic, by hand: periods, exact money in cents, spreading a quarter, variance, run-rate forecast
and the overspend alert."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from northstar.budget import engine
from northstar.budget.engine import PlanAmount, SpendAmount, round_half_up


def test_periods_are_months_or_quarters_with_their_days() -> None:
    q4 = engine.parse_period("2026-q4")
    assert (q4.label, q4.starts_on, q4.ends_on, q4.days) == (
        "2026-Q4",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        92,
    )
    assert q4.months == ["2026-10", "2026-11", "2026-12"]
    feb = engine.parse_period("2028-02")
    assert (feb.ends_on, feb.days, feb.months) == (dt.date(2028, 2, 29), 29, ["2028-02"])
    for bad in ("2026-13", "2026-Q5", "Q4 2026", "", "2026-1"):
        with pytest.raises(engine.PeriodError):
            engine.parse_period(bad)


def test_amounts_are_exact_cents_and_refuse_negative_non_numeric_and_sub_cent() -> None:
    assert engine.parse_amount("1,234.56") == 123456
    assert engine.parse_amount("$25 000") == 2500000
    assert engine.parse_amount("0.1") == 10
    assert engine.parse_amount("19.99") + engine.parse_amount("0.01") == 2000  # no float drift
    with pytest.raises(ValueError, match="negative"):
        engine.parse_amount("-5")
    with pytest.raises(ValueError, match="negative"):
        engine.parse_amount("(120.00)")
    with pytest.raises(ValueError, match="not an amount"):
        engine.parse_amount("twelve")
    with pytest.raises(ValueError, match="two decimals"):
        engine.parse_amount("1.005")


def test_money_is_written_with_currency_and_thousands_separators() -> None:
    assert engine.format_money(123456789, "USD") == "$1,234,567.89"
    assert engine.format_money(-5, "EUR") == "−€0.05"
    assert engine.format_money(400000, "USD", signed=True) == "+$4,000.00"
    assert engine.format_money(120000, "CHF") == "CHF 1,200.00"


def test_a_quarter_line_spreads_over_its_months_to_the_cent() -> None:
    spread = engine.spread_over_months(100_000_01, engine.parse_period("2026-Q4"))
    assert spread == {"2026-10": 33_333_33, "2026-11": 33_333_33, "2026-12": 33_333_35}
    assert sum(spread.values()) == 100_000_01


def test_rounding_is_half_up_away_from_zero() -> None:
    assert engine.round_half_up(Fraction(5, 2)) == 3
    assert engine.round_half_up(Fraction(-5, 2)) == -3
    assert engine.round_half_up(Fraction(7, 3)) == 2


def test_run_rate_forecast_burn_rate_and_alert_worked_by_hand() -> None:
    # Q4 2026 has 92 days; on 15 November 46 days have passed; a team planned $90,000 and spent $50,000.
    q4 = engine.parse_period("2026-Q4")
    today = dt.date(2026, 11, 15)
    plan = [PlanAmount("Growth", "contractors", "2026-Q4", 90_000_00)]
    spend = [
        SpendAmount("Growth", "contractors", dt.date(2026, 10, 3), 30_000_00),
        SpendAmount("Growth", "contractors", dt.date(2026, 11, 10), 20_000_00),
        SpendAmount("Growth", "contractors", dt.date(2026, 11, 20), 9_999_00),  # after today: not counted
    ]
    result = engine.plan_vs_actual(q4, plan, spend, today, threshold_percent=10)
    row = result.rows[0]
    assert result.elapsed_days == 46
    assert (row.planned, row.actual, row.variance) == (90_000_00, 50_000_00, -40_000_00)
    assert row.forecast == 100_000_00  # 50,000 × 92 / 46
    assert row.burn_rate_monthly == engine.round_half_up(
        Fraction(50_000_00 * 92, 46 * 3)
    )  # $33,333.33 a month
    assert row.burn_rate_monthly == 33_333_33
    assert row.forecast_percent == Fraction(1, 9)  # 11.1 % over
    assert row.alert is True
    calm = engine.plan_vs_actual(q4, plan, spend, today, threshold_percent=12)
    assert calm.rows[0].alert is False and calm.alerts == []


def test_month_report_reads_a_third_of_a_quarter_line_and_totals_by_team() -> None:
    plan = [
        PlanAmount("Core", "people", "2026-Q4", 300_00),
        PlanAmount("Core", "tools", "2026-11", 50_00),
        PlanAmount("Growth", "tools", "2026-12", 70_00),
    ]
    spend = [
        SpendAmount("Core", "tools", dt.date(2026, 11, 30), 60_00),
        SpendAmount("Growth", "other", dt.date(2026, 11, 2), 5_00),
    ]
    result = engine.plan_vs_actual(engine.parse_period("2026-11"), plan, spend, dt.date(2027, 1, 5))
    by_key = {(r.team, r.category): r for r in result.rows}
    assert by_key[("Core", "people")].planned == 100_00
    assert by_key[("Core", "tools")].planned == 50_00 and by_key[("Core", "tools")].forecast == 60_00
    assert by_key[("Core", "tools")].note == "closed"
    assert by_key[("Growth", "other")].alert is True  # spend without a plan
    assert ("Growth", "tools") not in by_key  # December's line is not in November
    assert [(t.team, t.planned, t.actual) for t in result.teams] == [
        ("Core", 150_00, 60_00),
        ("Growth", 0, 5_00),
    ]
    assert result.total is not None and (result.total.planned, result.total.actual) == (150_00, 65_00)
    assert result.monthly[("Core", "2026-11")] == (150_00, 60_00)


def test_a_period_not_started_forecasts_nothing() -> None:
    plan = [PlanAmount("Core", "people", "2027-Q1", 300_00)]
    result = engine.plan_vs_actual(engine.parse_period("2027-Q1"), plan, [], dt.date(2026, 11, 1))
    assert result.elapsed_days == 0
    assert (result.rows[0].forecast, result.rows[0].note, result.rows[0].alert) == (0, "not started", False)


def test_forecast_is_run_rate_plus_commitments_still_to_come() -> None:
    q4 = engine.parse_period("2026-Q4")
    plan = [engine.PlanAmount("Core", "contractors", "2026-Q4", 30_000_00)]
    spent = [engine.SpendAmount("Core", "contractors", dt.date(2026, 10, 10), 9_200_00)]
    committed = [
        engine.SpendAmount("Core", "contractors", dt.date(2026, 12, 1), 5_000_00),  # still to come: counts
        engine.SpendAmount("Core", "contractors", dt.date(2026, 10, 20), 7_000_00),  # due already: invoiced
        engine.SpendAmount("Core", "contractors", dt.date(2027, 1, 5), 9_000_00),  # next quarter: not here
        engine.SpendAmount("Core", "tools", dt.date(2026, 11, 30), 100_00),  # a category without a plan
    ]
    today = dt.date(2026, 11, 15)  # 46 of 92 days: the run rate doubles the spend
    result = engine.plan_vs_actual(q4, plan, spent, today, 10, committed)
    rows = {(r.team, r.category): r for r in result.rows}
    assert (rows[("Core", "contractors")].committed, rows[("Core", "contractors")].forecast) == (
        5_000_00,
        18_400_00 + 5_000_00,
    )
    assert (
        rows[("Core", "tools")].forecast == 100_00 and rows[("Core", "tools")].alert
    )  # spend without a plan
    assert result.total is not None and result.total.committed == 5_100_00
    # a commitment can tip a team into the alert: 23,500 + 10,000 is more than 10 % over 30,000
    more = [*committed, engine.SpendAmount("Core", "contractors", dt.date(2026, 12, 20), 10_000_00)]
    tipped = engine.plan_vs_actual(q4, plan, spent, today, 10, more)
    assert not result.teams[0].alert  # 23,500 against 30,000
    assert tipped.teams[0].alert and tipped.teams[0].forecast == 18_400_00 + 15_100_00
    # before the period starts every commitment due in it counts; after it ends none does
    early = engine.plan_vs_actual(q4, plan, [], dt.date(2026, 9, 1), 10, committed)
    assert early.total is not None and early.total.forecast == 5_000_00 + 7_000_00 + 100_00
    late = engine.plan_vs_actual(q4, plan, spent, dt.date(2027, 2, 1), 10, committed)
    assert late.total is not None and late.total.committed == 0


def test_people_cost_counts_working_days_times_people_times_the_day_rate() -> None:
    monday = dt.date(2026, 11, 2)
    work = [
        engine.ScheduledWork("7", "1", 0, 2, 2),  # Nov 2-13: 10 working days × 2 people
        engine.ScheduledWork("8", "2", 4, 5, 1),  # Nov 30 (Mon) and Dec 1-4: 1 day in November, 4 in December
        engine.ScheduledWork("9", "3", 0, 4, 3),  # a team without a rate costs nothing here
    ]
    rates = {
        "1": engine.CostRate("person_day", 500_00),
        "2": engine.CostRate("person_month", 13_000_00),  # × 12 / 260 = $600.00 a day
    }
    found = {
        (c.team, c.idea, c.month): (c.person_days, c.amount) for c in engine.people_cost(work, rates, monday)
    }
    assert found == {
        ("1", "7", "2026-11"): (20, 10_000_00),
        ("2", "8", "2026-11"): (1, 600_00),
        ("2", "8", "2026-12"): (4, 2_400_00),
    }
    december = engine.people_cost(work, rates, monday, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert [(c.month, c.amount) for c in december] == [("2026-12", 2_400_00)]
    up_to = engine.people_cost(work, rates, monday, None, dt.date(2026, 11, 4))  # Mon-Wed of week 0
    assert [(c.idea, c.person_days) for c in up_to] == [("7", 6)]
    odd = engine.CostRate("person_month", 1_000_01)  # $10,000.01 a month: 3 days round once, half up
    assert engine.people_cost(
        [engine.ScheduledWork("1", "1", 0, 1, 1)], {"1": odd}, monday, None, monday + dt.timedelta(days=2)
    )[0].amount == round_half_up(Fraction(1_000_01 * 12 * 3, 260))


def test_estimate_history_gives_ratios_per_team_and_a_bootstrap_multiplier() -> None:
    import numpy as np

    outcomes = [
        engine.EstimateOutcome("1", "7", 10, 15, 100_00, 150_00),  # 1.5× effort and cost
        engine.EstimateOutcome("2", "7", 10, 12, 100_00, 90_00),  # 1.2×, 0.9×
        engine.EstimateOutcome("3", "8", 20, 10, 0, 50_00),  # 0.5× effort; no planned cost: no cost ratio
        engine.EstimateOutcome("4", "8", None, 10, 10_00, 10_00),  # no estimate: no effort ratio
    ]
    found = engine.estimate_history(outcomes)
    assert found.effort["7"].ratios == (1.5, 1.2) and found.effort["7"].median == pytest.approx(1.35)
    assert found.effort["7"].mean_absolute_error_percent == 35.0  # |0.5| and |0.2| → 35 %
    assert found.all_effort.ratios == (1.5, 1.2, 0.5)
    assert found.all_effort.p10 == pytest.approx(np.percentile([1.5, 1.2, 0.5], 10))
    assert found.cost["7"].ratios == (1.5, 0.9) and found.cost["8"].ratios == (1.0,)
    # team 7 has two: its own ratios; team 8 has one and team 9 none: all teams' ratios
    assert found.effort_ratios("7") == (1.5, 1.2) and found.effort_ratios("8") == found.effort_ratios(
        "9"
    ) == (1.5, 1.2, 0.5)
    draws = found.multiplier("7", np.random.default_rng(1), 1000)
    assert set(np.unique(draws)) == {1.2, 1.5} and 0.4 < float(np.mean(draws == 1.5)) < 0.6
    empty = engine.estimate_history([])
    assert list(empty.multiplier("7", np.random.default_rng(1), 3)) == [1.0, 1.0, 1.0]
    assert engine.realized_roi(300, 200) == Fraction(1, 2) and engine.realized_roi(None, 200) is None
    assert engine.realized_roi(300, 0) is None


def test_burn_up_accumulates_plan_and_actual_and_ends_the_band_around_the_forecast() -> None:
    q4 = engine.parse_period("2026-Q4")
    monthly = {"2026-10": (100_00, 80_00), "2026-11": (100_00, 120_00), "2026-12": (100_00, 0)}
    today = dt.date(2026, 12, 1)
    points = engine.burn_up(q4, monthly, today, forecast_total=330_00, committed=30_00)
    by_day = {p.day: p for p in points}
    assert by_day[dt.date(2026, 10, 31)].actual == 80_00 and by_day[dt.date(2026, 11, 30)].plan == 200_00
    assert by_day[dt.date(2026, 11, 30)].actual == 200_00
    end = by_day[dt.date(2026, 12, 31)]
    assert (end.plan, end.actual, end.forecast) == (300_00, None, 330_00)
    # the run-rate part (330 − 200 − 30 = 100) spread by the slowest and fastest month against their mean (100)
    assert (end.low, end.high) == (200_00 + 30_00 + 80_00, 200_00 + 30_00 + 120_00)
    closed = engine.burn_up(q4, monthly, dt.date(2027, 1, 10), 200_00, 0)
    assert closed[-1].actual == 200_00 and closed[-1].forecast is None
