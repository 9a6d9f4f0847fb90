"""The pure assembly of reports, on hand-made inputs: quarters and ISO weeks, when a brief is due, the roadmap read
from a plan's schedule and forecast, slipped 85 % dates, risks and metric trends."""

from __future__ import annotations

import datetime as dt

import pytest

from northstar.reports import engine
from northstar.reports.schemas import BudgetLineSummary, BudgetSummary, KeyResultLine, ObjectiveLine

D = dt.date


def test_quarter_accepts_quarters_only_and_previous_quarter_is_the_last_one_ended() -> None:
    assert engine.quarter("2026-q3").label == "2026-Q3"
    with pytest.raises(engine.PeriodError, match="covers a quarter"):
        engine.quarter("2026-11")
    with pytest.raises(engine.PeriodError):
        engine.quarter("soon")
    assert engine.previous_quarter(D(2026, 12, 8)) == "2026-Q3"
    assert engine.previous_quarter(D(2027, 1, 1)) == "2026-Q4"


def test_iso_week_runs_monday_to_sunday_across_a_year_end() -> None:
    week = engine.iso_week(D(2027, 1, 1))  # a Friday in ISO week 53 of 2026
    assert (week.label, week.starts_on, week.ends_on) == ("2026-W53", D(2026, 12, 28), D(2027, 1, 3))
    assert engine.iso_week(D(2026, 12, 8)).label == "2026-W50"


def test_a_brief_is_due_once_per_iso_week() -> None:
    tuesday = D(2026, 12, 8)
    assert engine.brief_due([], tuesday)
    assert engine.brief_due(["2026-W49"], tuesday)
    assert not engine.brief_due(["2026-W49", "2026-W50"], tuesday)
    assert engine.brief_due(["2026-W50"], D(2026, 12, 14))  # next Monday starts a new week


FORECAST = {
    "start_date": "2026-10-05",
    "items": [
        {
            "id": "1",
            "dates": {"P50": "2026-11-01", "P85": "2026-11-09"},
            "deadline": "2026-11-02",
            "deadline_probability": 0.3,
        },
        {
            "id": "2",
            "dates": {"P50": "2026-10-20", "P85": "2026-10-26"},
            "deadline": None,
            "deadline_probability": None,
        },
    ],
}
SCHEDULE = {"items": [{"id": "1", "start": 2, "end": 5}, {"id": "2", "start": 0, "end": 3}]}


def test_roadmap_dates_come_from_the_schedule_weeks_and_the_forecast_percentiles() -> None:
    lines = engine.roadmap(
        [
            (1, "SSO", "planned", "Core"),
            (2, "Dark mode", "in_progress", "Web"),
            (3, "Unfunded", "planned", ""),
        ],
        SCHEDULE,
        FORECAST,
    )
    assert [line.title for line in lines] == ["Dark mode", "SSO", "Unfunded"]
    sso = lines[1]
    assert sso.starts_on == D(2026, 10, 19)  # two weeks after the forecast's start
    assert (sso.p50, sso.p85, sso.deadline, sso.deadline_probability) == (
        D(2026, 11, 1),
        D(2026, 11, 9),
        D(2026, 11, 2),
        0.3,
    )
    assert lines[2].p85 is None and lines[2].starts_on is None
    assert engine.forecast_dates(FORECAST) == {"1": D(2026, 11, 9), "2": D(2026, 10, 26)}
    assert engine.forecast_dates(None) == {}


def test_slips_are_p85_dates_that_moved_later_largest_first() -> None:
    previous = {"1": D(2026, 11, 2), "2": D(2026, 10, 26), "3": D(2026, 12, 1)}
    current = {"1": D(2026, 11, 9), "2": D(2026, 10, 20), "3": D(2026, 12, 22), "4": D(2027, 1, 1)}
    titles = {"1": "SSO", "2": "Dark mode", "3": "Audit log", "4": "New"}
    found = engine.slips(previous, current, titles)
    assert [(s.title, s.days) for s in found] == [("Audit log", 21), ("SSO", 7)]


def test_risks_name_key_results_overspend_and_unlikely_deadlines() -> None:
    objectives = [
        ObjectiveLine(
            title="Grow",
            period="2026-H2",
            progress=0.4,
            key_results=[
                KeyResultLine(title="NRR", progress=0.2, current=104, target=115, unit="%", pace="at_risk"),
                KeyResultLine(
                    title="Activation",
                    progress=0.9,
                    current=45,
                    target=50,
                    unit="%",
                    pace="on_track",
                    confidence=0.3,
                ),
                KeyResultLine(
                    title="Fine", progress=0.9, current=9, target=10, unit="", pace="on_track", confidence=0.8
                ),
            ],
        )
    ]
    budget = BudgetSummary(
        period="2026-Q4",
        currency="USD",
        planned_cents=100_00,
        actual_cents=90_00,
        forecast_cents=150_00,
        teams=[
            BudgetLineSummary(
                team="Core",
                planned_cents=100_00,
                actual_cents=90_00,
                variance_cents=-10_00,
                forecast_cents=150_00,
                alert=True,
            )
        ],
    )
    lines = engine.roadmap([(1, "SSO", "planned", "Core")], SCHEDULE, FORECAST)
    found = engine.risks(objectives, budget, lines)
    assert [(r.kind, r.title) for r in found] == [
        ("key_result", "NRR"),
        ("key_result", "Activation"),
        ("overspend", "Core is forecast to overspend"),
        ("slipped", "SSO"),
    ]
    assert "104 % of 115 %" in found[0].detail and "at risk" in found[0].detail
    assert "confidence 30%" in found[1].detail
    assert "$150.00" in found[2].detail and "+$50.00" in found[2].detail
    assert "30% chance" in found[3].detail


def test_metric_trend_change_is_last_against_first() -> None:
    trend = engine.metric_trend("WAU", "total", [(D(2026, 10, 31), 120.0), (D(2026, 9, 30), 100.0)])
    assert trend.change == 0.2 and trend.points[0][0] == D(2026, 9, 30)
    assert (
        engine.metric_trend("Zero", "total", [(D(2026, 9, 30), 0.0), (D(2026, 10, 31), 5.0)]).change is None
    )
    assert engine.month_ends(engine.quarter("2026-Q4"), D(2026, 11, 15)) == [
        D(2026, 9, 30),
        D(2026, 10, 31),
        D(2026, 11, 15),
    ]
