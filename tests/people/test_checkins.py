"""1:1 cadence, overdue detection, carried-forward action items and the pulse trend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from northstar.people.engine.checkins import (
    ActionItem,
    carry_forward,
    check_in_status,
    pulse_trend,
    regular_share,
)


def test_next_one_on_one_is_due_one_cadence_after_the_last() -> None:
    status = check_in_status("biweekly", date(2026, 3, 2), date(2026, 1, 1), today=date(2026, 3, 10))
    assert status.next_due == date(2026, 3, 16) and not status.overdue


def test_one_on_one_becomes_overdue_after_the_grace_period() -> None:
    last = date(2026, 3, 2)
    assert not check_in_status("weekly", last, last, today=date(2026, 3, 11)).overdue
    late = check_in_status("weekly", last, last, today=date(2026, 3, 12))
    assert late.overdue and late.days_overdue == 3


def test_unknown_cadence_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown cadence 'daily'"):
        check_in_status("daily", None, date(2026, 1, 1), date(2026, 1, 2))


def test_open_action_items_are_carried_forward_in_order() -> None:
    items = [ActionItem("a", "u1"), ActionItem("b", "u2", done=True), ActionItem("c", "u1")]
    assert [i.text for i in carry_forward(items)] == ["a", "c"]


def test_regular_share_counts_periods_with_a_meeting() -> None:
    today = date(2026, 3, 1)
    weekly = [today - timedelta(days=7 * k + 1) for k in range(8)]
    assert regular_share(weekly, "weekly", today) == 1.0
    assert regular_share(weekly[:4], "weekly", today) == 0.5


def test_pulse_weeks_with_fewer_than_three_answers_are_hidden() -> None:
    monday = date(2026, 3, 2)
    answers = [(monday, 4), (monday, 3), (monday, 5), (monday + timedelta(days=7), 2)]
    trend = pulse_trend(answers)
    assert [(p.week, p.mean, p.answers) for p in trend] == [("2026-W10", 4.0, 3)]


def test_pulse_answer_off_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and 5"):
        pulse_trend([(date(2026, 3, 2), 6)])
