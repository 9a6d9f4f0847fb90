"""Nomination rules, the response window and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from northstar.people.engine.cycle import (
    Nomination,
    ResponseWindowClosed,
    check_nomination,
    check_response_window,
    reminder_due,
)
from northstar.people.engine.reviews import RaterGroup, ReviewError

OPEN = datetime(2026, 3, 1, tzinfo=UTC)
CLOSE = datetime(2026, 3, 21, tzinfo=UTC)


def test_nominating_oneself_as_a_peer_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ReviewError, match="cannot nominate themselves as a peer"):
        check_nomination("ana", "ana", RaterGroup.PEER, [], manager_id="boss")


def test_only_the_real_manager_can_be_in_the_manager_group() -> None:
    with pytest.raises(ReviewError, match="manager group"):
        check_nomination("ana", "bob", RaterGroup.MANAGER, [], manager_id="boss")
    check_nomination("ana", "boss", RaterGroup.MANAGER, [], manager_id="boss")


def test_the_same_rater_cannot_be_nominated_twice_unless_rejected_before() -> None:
    existing = [Nomination("ana", "bob", RaterGroup.PEER)]
    with pytest.raises(ReviewError, match="already nominated"):
        check_nomination("ana", "bob", RaterGroup.CROSS_FUNCTIONAL, existing, manager_id="boss")
    rejected = [Nomination("ana", "bob", RaterGroup.PEER, status="rejected")]
    check_nomination("ana", "bob", RaterGroup.PEER, rejected, manager_id="boss")


def test_answers_outside_the_window_are_refused_and_say_nothing_was_saved() -> None:
    with pytest.raises(ResponseWindowClosed, match="closed on 2026-03-21"):
        check_response_window(CLOSE + timedelta(seconds=1), OPEN, CLOSE)
    with pytest.raises(ResponseWindowClosed, match="nothing was saved"):
        check_response_window(OPEN - timedelta(days=1), OPEN, CLOSE)
    check_response_window(CLOSE, OPEN, CLOSE)


def test_reminders_respect_the_interval_and_the_final_two_days() -> None:
    now = OPEN + timedelta(days=5)
    assert reminder_due(now, CLOSE, None)
    assert not reminder_due(now, CLOSE, now - timedelta(days=1))
    assert reminder_due(now, CLOSE, now - timedelta(days=3))
    last_day = CLOSE - timedelta(hours=20)
    assert reminder_due(last_day, CLOSE, last_day - timedelta(days=2))
    assert not reminder_due(CLOSE + timedelta(hours=1), CLOSE, None)
