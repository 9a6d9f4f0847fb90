"""The Cochran–Armitage trend test: checked by hand, by symmetry, and on clear rising/falling themes."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.feedback.engine.trends import cochran_armitage, trend, week_range, weekly_counts


def test_statistic_matches_a_hand_computation() -> None:
    # shares 1/10, 2/10, 3/10: p̂ = 0.2, numerator = Σ t(x − n p̂) = 0·(1−2) + 1·(2−2) + 2·(3−2) = 2,
    # Σ n t² − (Σ n t)² / N = 50 − 30² / 30 = 20, variance = 0.2 · 0.8 · 20 = 3.2, z = 2 / √3.2.
    z, p = cochran_armitage([1, 2, 3], [10, 10, 10])
    assert z == pytest.approx(2 / math.sqrt(3.2))
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)))


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), min_size=2, max_size=12))
def test_reversing_the_weeks_flips_the_sign(weeks: list[tuple[int, int]]) -> None:
    hits = [min(a, b) for a, b in weeks]
    totals = [max(a, b) for a, b in weeks]
    z, p = cochran_armitage(hits, totals)
    z_reversed, p_reversed = cochran_armitage(hits[::-1], totals[::-1])
    assert z == pytest.approx(-z_reversed, abs=1e-9)
    assert p == pytest.approx(p_reversed, abs=1e-9)
    assert 0.0 <= p <= 1.0


def test_constant_share_is_stable_and_growth_is_rising() -> None:
    assert trend([5, 10, 20, 40], [50, 100, 200, 400]).direction == "stable"
    assert trend([2, 5, 10, 20, 30], [100] * 5).direction == "rising"
    assert trend([30, 20, 10, 5, 2], [100] * 5).direction == "falling"
    assert trend([1, 2, 3], [10, 10, 10]).direction == "too little data"


def test_counts_by_week_start_on_monday() -> None:
    weeks = week_range(date(2026, 1, 5), date(2026, 1, 20))
    assert weeks == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]
    assert weekly_counts([date(2026, 1, 11), date(2026, 1, 12), date(2026, 1, 26)], weeks) == [1, 1, 0]


def test_impossible_counts_are_rejected() -> None:
    with pytest.raises(ValueError):
        cochran_armitage([5], [3])
