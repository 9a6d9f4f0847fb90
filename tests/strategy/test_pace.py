"""The pace signal, checked on cases computed by hand.

2026-Q4 runs from 1 October to 31 December: 92 days. At the end of 15 November 46 of them are gone, exactly half,
so a key result from 0 to 100 is expected at 50: on track from 45 (90 %), behind from 30 (60 %), at risk below.
"""

from __future__ import annotations

import datetime as dt

import pytest

from northstar.strategy.pace import Pace, Period, key_result_pace, parse_period, progress

Q4 = parse_period("2026-Q4")
MID_Q4 = dt.date(2026, 11, 15)


def test_periods_parse_to_their_first_and_last_day() -> None:
    assert parse_period("2026-Q4") == Period("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert parse_period("2026-Q1") == Period("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert parse_period("2026-H2") == Period("2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    assert parse_period("2027") == Period("2027", dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert parse_period("2026 q2") == Period("2026 q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))


@pytest.mark.parametrize("label", [None, "", "next quarter", "2026-Q5", "2026-H3", "26-Q1"])
def test_labels_that_are_no_period_give_none(label: str | None) -> None:
    assert parse_period(label) is None


def test_half_of_the_quarter_is_gone_in_mid_november() -> None:
    assert Q4 is not None
    assert Q4.elapsed_share(MID_Q4) == pytest.approx(0.5)
    assert Q4.elapsed_share(dt.date(2026, 10, 1)) == pytest.approx(1 / 92)
    assert Q4.elapsed_share(dt.date(2026, 12, 31)) == 1.0
    assert Q4.elapsed_share(dt.date(2027, 2, 1)) == 1.0


@pytest.mark.parametrize(
    ("current", "pace"),
    [
        (45.0, Pace.ON_TRACK),
        (60.0, Pace.ON_TRACK),
        (44.9, Pace.BEHIND),
        (30.0, Pace.BEHIND),
        (29.9, Pace.AT_RISK),
    ],
)
def test_increasing_key_result_thresholds_at_90_and_60_percent_of_expected(
    current: float, pace: Pace
) -> None:
    result = key_result_pace(0.0, 100.0, current, Q4, MID_Q4)
    assert result.pace == pace
    assert result.expected_progress == pytest.approx(0.5)
    assert result.expected_value == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("current", "pace"),
    [(4.1, Pace.ON_TRACK), (4.38, Pace.BEHIND), (4.5, Pace.AT_RISK), (5.2, Pace.AT_RISK), (3.0, Pace.DONE)],
)
def test_decreasing_target_churn_from_5_to_3_percent(current: float, pace: Pace) -> None:
    # expected by mid-November: halfway from 5 % to 3 %, i.e. 4 %; 4.1 % is 45 % of the way (90 % of expected)
    result = key_result_pace(5.0, 3.0, current, Q4, MID_Q4)
    assert result.pace == pace
    assert result.expected_value == pytest.approx(4.0)


def test_reaching_or_passing_the_target_is_done_even_before_the_period() -> None:
    assert key_result_pace(0.0, 100.0, 100.0, Q4, MID_Q4).pace == Pace.DONE
    assert key_result_pace(5.0, 3.0, 2.5, Q4, MID_Q4).pace == Pace.DONE
    assert key_result_pace(0.0, 100.0, 120.0, Q4, dt.date(2026, 9, 1)).pace == Pace.DONE


def test_before_the_period_it_is_not_started_and_nothing_is_expected() -> None:
    result = key_result_pace(0.0, 100.0, 0.0, Q4, dt.date(2026, 9, 30))
    assert result.pace == Pace.NOT_STARTED
    assert result.expected_progress == 0.0
    assert result.words == "Not started"


def test_after_the_period_the_whole_way_is_expected() -> None:
    late = dt.date(2027, 1, 15)
    assert key_result_pace(0.0, 100.0, 90.0, Q4, late).pace == Pace.ON_TRACK
    assert key_result_pace(0.0, 100.0, 89.0, Q4, late).pace == Pace.BEHIND
    assert key_result_pace(0.0, 100.0, 59.0, Q4, late).pace == Pace.AT_RISK


def test_on_the_first_day_a_key_result_at_its_baseline_is_already_at_risk_by_a_hair() -> None:
    # one day of 92 is gone: 1.1 % expected; staying at the baseline is 0 % of that
    assert key_result_pace(0.0, 100.0, 0.0, Q4, dt.date(2026, 10, 1)).pace == Pace.AT_RISK
    assert key_result_pace(0.0, 100.0, 1.0, Q4, dt.date(2026, 10, 1)).pace == Pace.ON_TRACK


def test_without_a_period_there_is_no_pace_but_done_still_counts() -> None:
    assert key_result_pace(0.0, 10.0, 4.0, None, MID_Q4).pace == Pace.NO_PERIOD
    assert key_result_pace(0.0, 10.0, 10.0, None, MID_Q4).pace == Pace.DONE


def test_progress_is_clamped_and_handles_decreasing_targets() -> None:
    assert progress(0, 10, 5) == 0.5
    assert progress(0, 10, -5) == 0.0
    assert progress(0, 10, 15) == 1.0
    assert progress(5, 3, 4) == 0.5
    assert progress(3, 3, 3) == 1.0
