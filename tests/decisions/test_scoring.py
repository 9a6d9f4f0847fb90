"""Scoring frameworks: published definitions on hand examples and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.decisions.solve.common import PlanningInputError
from northstar.decisions.solve.scoring import (
    KANO_ANSWERS,
    cost_of_delay,
    ice,
    kano,
    kano_category,
    normalize,
    rice,
    rice_value,
    value_effort,
    weighted_scores,
    wsjf,
)

positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
unit = st.floats(min_value=0, max_value=1, allow_nan=False)
one_to_ten = st.floats(min_value=1, max_value=10, allow_nan=False)


def test_rice_matches_the_intercom_example_arithmetic() -> None:
    score = rice(reach=500, impact=2, confidence=0.8, effort=4)
    assert score.value == 200
    assert score.arithmetic == "(500 × 2 × 0.8) / 4 = 200"


@given(positive, positive, unit, positive, st.floats(min_value=1.1, max_value=10))
def test_rice_halves_when_effort_doubles_and_scales_with_reach(
    reach, impact, confidence, effort, factor
) -> None:
    base = rice(reach, impact, confidence, effort).value
    assert rice(reach, impact, confidence, effort * 2).value == pytest.approx(base / 2)
    assert rice(reach * factor, impact, confidence, effort).value == pytest.approx(base * factor)


@given(positive, positive, unit, positive)
def test_rice_value_times_one_over_effort_is_rice(reach, impact, confidence, effort) -> None:
    undivided = rice_value(reach, impact, confidence).value
    assert rice(reach, impact, confidence, effort).value == pytest.approx(undivided / effort)


@given(one_to_ten, one_to_ten, one_to_ten)
def test_ice_mean_stays_on_the_one_to_ten_scale(i, c, e) -> None:
    value = ice(i, c, e).value
    assert min(i, c, e) - 1e-9 <= value <= max(i, c, e) + 1e-9
    assert 1 <= ice(i, c, e, combine="product").value <= 1000 + 1e-6


def test_ice_rejects_scores_outside_one_to_ten() -> None:
    with pytest.raises(PlanningInputError, match="impact must be in"):
        ice(11, 5, 5)


def test_wsjf_is_cost_of_delay_over_job_size() -> None:
    assert cost_of_delay(8, 5, 3).value == 16
    score = wsjf(8, 5, 3, job_size=4)
    assert score.value == 4
    assert score.arithmetic == "(8 + 5 + 3) / 4 = 4"


@given(positive, positive, positive, positive)
def test_wsjf_orders_like_cost_of_delay_per_size(b, t, r, size) -> None:
    assert wsjf(b, t, r, size).value * size == pytest.approx(cost_of_delay(b, t, r).value)


def test_zero_effort_is_a_clear_error() -> None:
    with pytest.raises(PlanningInputError, match="effort must be greater than 0"):
        value_effort(10, 0)


@pytest.mark.parametrize(
    ("functional", "dysfunctional", "category"),
    [
        ("like", "dislike", "O"),
        ("like", "neutral", "A"),
        ("expect", "dislike", "M"),
        ("neutral", "neutral", "I"),
        ("dislike", "like", "R"),
        ("like", "like", "Q"),
        ("dislike", "dislike", "Q"),
    ],
)
def test_kano_table_cells_follow_berger(functional, dysfunctional, category) -> None:
    assert kano_category(functional, dysfunctional) == category


def test_kano_coefficients_on_a_hand_counted_survey() -> None:
    answers = [("like", "dislike")] * 3 + [("like", "neutral")] * 5 + [("neutral", "dislike")] * 2
    result = kano(answers)
    assert result.category == "A"
    assert result.satisfaction == pytest.approx(8 / 10)
    assert result.dissatisfaction == pytest.approx(-5 / 10)


@given(
    st.lists(st.tuples(st.sampled_from(KANO_ANSWERS), st.sampled_from(KANO_ANSWERS)), min_size=1, max_size=60)
)
def test_kano_coefficients_are_bounded(answers) -> None:
    result = kano(answers)
    assert sum(result.counts.values()) == len(answers)
    if result.satisfaction is not None:
        assert 0 <= result.satisfaction <= 1
        assert -1 <= result.dissatisfaction <= 0


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=30))
def test_min_max_normalization_lands_in_zero_one_and_keeps_order(values) -> None:
    scaled = normalize(values, "min_max")
    assert all(0 <= v <= 1 for v in scaled)
    for a, b, x, y in zip(values, values[1:], scaled, scaled[1:], strict=False):
        if a < b:
            assert x <= y


def test_weighted_score_shows_its_arithmetic_and_weights_sum_to_one() -> None:
    scores = weighted_scores({"value": [10, 20, 30], "ease": [3, 2, 1]}, {"value": 3, "ease": 1})
    assert scores[2].value == pytest.approx(0.75)
    assert scores[0].value == pytest.approx(0.25)
    assert "0.75 × 1 (value)" in scores[2].arithmetic


def test_kano_survey_import_classifies_each_feature_from_worded_answers() -> None:
    from northstar.decisions.solve.scoring import kano_survey

    rows = [
        {"feature": "Dark mode", "functional": "I like it", "dysfunctional": "I am neutral"},
        {"feature": "Dark mode", "functional": "I like it", "dysfunctional": "I can live with it"},
        {"feature": "Export", "functional": "I expect it", "dysfunctional": "I dislike it"},
        {"feature": "Export", "functional": "neutral", "dysfunctional": "5"},
    ]
    results = kano_survey(rows)
    assert results["Dark mode"].category_name == "attractive"
    assert results["Export"].category_name == "must-be"


def test_kano_survey_reports_every_unreadable_row() -> None:
    from northstar.decisions.solve.scoring import kano_survey

    rows = [
        {"feature": "A", "functional": "love it", "dysfunctional": "dislike"},
        {"feature": "A", "functional": "like"},
    ]
    with pytest.raises(
        PlanningInputError, match="row 1: unknown Kano answer 'love it'; row 2: missing column"
    ):
        kano_survey(rows)
