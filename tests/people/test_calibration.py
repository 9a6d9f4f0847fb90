"""Rating distributions per team and the 9-box, on hand-worked examples."""

from __future__ import annotations

import pytest

from northstar.people.engine.calibration import box_number, nine_box, performance_step, rating_distribution


def test_distribution_counts_shares_and_means_per_team() -> None:
    ratings = [("core", 3), ("core", 4), ("core", 5), ("growth", 2), ("growth", 2), ("growth", 3)]
    dist = rating_distribution(ratings)
    core = dist.teams[0]
    assert core.team == "core" and core.counts[4] == 1 and core.mean == 4.0
    assert dist.overall_counts == {1: 0, 2: 2, 3: 2, 4: 1, 5: 1}
    assert dist.overall_shares[2] == round(2 / 6, 4)
    # core (mean 4) vs growth (mean 2.33): both differ from the rest by more than 0.75
    assert [t.skewed for t in dist.teams] == [True, True]


def test_distribution_with_similar_teams_flags_no_skew() -> None:
    dist = rating_distribution([("a", 3), ("a", 4), ("b", 3), ("b", 4)])
    assert not any(t.skewed for t in dist.teams)


def test_rating_off_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="not on the scale"):
        rating_distribution([("a", 7)])


def test_box_numbers_run_from_bottom_left_to_top_right() -> None:
    assert box_number("developing", "developing") == 1
    assert box_number("exceeding", "developing") == 3
    assert box_number("developing", "exceeding") == 7
    assert box_number("exceeding", "exceeding") == 9
    assert box_number("performing", "growing") == 5


def test_nine_box_places_people_and_lists_outliers() -> None:
    grid = nine_box(
        [
            ("p1", "exceeding", "exceeding"),
            ("p2", "performing", "growing"),
            ("p3", "developing", "developing"),
        ]
    )
    assert grid.grid[9] == ("p1",) and grid.grid[5] == ("p2",) and grid.grid[1] == ("p3",)
    assert grid.outliers == ("p1", "p3")
    assert sum(len(v) for v in grid.grid.values()) == 3


def test_unknown_nine_box_step_is_refused() -> None:
    with pytest.raises(ValueError, match="Performance must be one of"):
        box_number("stellar", "growing")


def test_performance_step_splits_the_scale_in_thirds() -> None:
    assert performance_step(1.0) == "developing"
    assert performance_step(2.9) == "performing"
    assert performance_step(4.5) == "exceeding"
