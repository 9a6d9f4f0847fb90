"""Scoring rules against a tiny hand-worked model (see tests/maturity/models.py for its shape)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.maturity.engine.model import ModelError, load_default_model
from northstar.maturity.engine.scoring import compare_results, score_assessment
from tests.maturity.models import tiny_model

MODEL = tiny_model()
ALL_YES = {c.id: "yes" for c in MODEL.capabilities()}


def test_everything_met_reaches_the_maximum_level_with_full_coverage() -> None:
    result = score_assessment(MODEL, ALL_YES)
    assert result.overall_level == 8
    assert all(a.level == 8 and a.coverage == 1.0 for a in result.areas)
    assert result.gaps == ()


def test_first_unmet_capability_sets_the_strict_level() -> None:
    answers = ALL_YES | {"alpha.B": "no", "alpha.C": "yes"}
    result = score_assessment(MODEL, answers)
    alpha = result.area("alpha")
    # B sits at level 3 and blocks: level 3 − 1 = 2, even though C (level 5) is met
    assert alpha.level == 2 and alpha.blocking_capability == "alpha.B"
    assert alpha.coverage == round(2 / 3, 4)
    assert result.overall_level == 2
    assert {f.function_id: f.level for f in result.functions} == {"process": 2, "people": 8}


def test_partial_counts_half_for_coverage_but_blocks_the_level() -> None:
    result = score_assessment(MODEL, ALL_YES | {"gamma.C": "partial"})
    gamma = result.area("gamma")
    assert gamma.level == 5  # C at 6 is not fully met
    assert gamma.coverage == (3 + 0.5) / 4


def test_unanswered_questions_count_as_unmet_and_stay_in_the_denominator() -> None:
    result = score_assessment(MODEL, {"alpha.A": "yes"})
    alpha = result.area("alpha")
    assert alpha.level == 2 and alpha.unanswered == 2 and alpha.coverage == round(1 / 3, 4)
    assert result.area("gamma").level == 0


def test_not_applicable_is_skipped_by_level_and_coverage() -> None:
    result = score_assessment(MODEL, ALL_YES | {"gamma.B": "na", "gamma.C": "no"})
    gamma = result.area("gamma")
    assert gamma.level == 5  # B skipped, C at 6 blocks
    assert gamma.applicable == 3 and gamma.not_applicable == 1
    assert gamma.coverage == round(2 / 3, 4)


def test_an_area_with_nothing_applicable_does_not_block_and_has_no_coverage() -> None:
    answers = ALL_YES | {"beta.A": "na", "beta.B": "na"}
    beta = score_assessment(MODEL, answers).area("beta")
    assert beta.level == 8 and beta.coverage is None


def test_stage_filter_marks_capabilities_outside_the_stage_not_applicable() -> None:
    answers = ALL_YES | {"beta.B": "no"}
    assert score_assessment(MODEL, answers, stage="scale-up").area("beta").level == 3
    startup = score_assessment(MODEL, answers, stage="startup")
    assert startup.area("beta").level == 8 and startup.area("beta").not_applicable == 1
    assert startup.target_level == 2


def test_gaps_are_ordered_by_level_with_the_first_per_area_blocking() -> None:
    answers = {"alpha.A": "yes", "alpha.B": "no", "beta.A": "partial", "gamma.A": "yes", "gamma.B": "yes"}
    result = score_assessment(MODEL, answers, stage="scale-up")
    assert [(g.capability.id, g.blocking) for g in result.gaps] == [
        ("beta.A", True),
        ("alpha.B", True),
        ("beta.B", False),
        ("alpha.C", False),
        ("gamma.C", True),
        ("gamma.D", False),
    ]
    assert [g.within_target for g in result.gaps] == [True, True, True, True, False, False]
    assert [g.capability.id for g in result.next_steps(2)] == ["beta.A", "alpha.B"]
    assert result.gaps[0].capability.recommendation == "Do A."


def test_overall_coverage_pools_all_applicable_capabilities() -> None:
    result = score_assessment(MODEL, {"alpha.A": "yes", "gamma.A": "partial"})
    assert result.overall_coverage == round(1.5 / 9, 4)


def test_comparison_between_two_dates_reports_level_changes() -> None:
    before = score_assessment(MODEL, {"alpha.A": "yes"})
    after = score_assessment(MODEL, ALL_YES | {"gamma.D": "no"})
    changes = {c.area_id: c for c in compare_results(before, after)}
    assert changes["alpha"].level_change == 8 - 2
    assert changes["gamma"].level_before == 0 and changes["gamma"].level_after == 7


def test_bad_answer_value_is_refused_with_the_capability_named() -> None:
    with pytest.raises(ModelError, match=r"'maybe' for 'alpha\.A'"):
        score_assessment(MODEL, {"alpha.A": "maybe"})


def test_answer_for_unknown_capability_is_refused() -> None:
    with pytest.raises(ModelError, match=r"unknown capability 'omega\.A'"):
        score_assessment(MODEL, {"omega.A": "yes"})


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ModelError, match="Unknown company stage"):
        score_assessment(MODEL, {}, stage="seed")


ANSWER = st.sampled_from(["yes", "partial", "no", "na", None])
DEFAULT = load_default_model()
DEFAULT_IDS = [c.id for c in DEFAULT.capabilities()]


@settings(max_examples=60, deadline=None)
@given(
    answers=st.fixed_dictionaries({cid: ANSWER for cid in DEFAULT_IDS}),
    stage=st.sampled_from([None, "startup", "scale-up", "enterprise"]),
    improved=st.sets(st.sampled_from(DEFAULT_IDS)),
)
def test_answering_yes_to_more_never_lowers_a_level(
    answers: dict[str, str | None], stage: str | None, improved: set[str]
) -> None:
    before = score_assessment(DEFAULT, answers, stage)
    after = score_assessment(DEFAULT, answers | dict.fromkeys(improved, "yes"), stage)
    assert after.overall_level >= before.overall_level
    for a, b in zip(before.areas, after.areas, strict=True):
        assert b.level >= a.level
    assert before.overall_level == min(a.level for a in before.areas)
    assert all(a.coverage is None or 0 <= a.coverage <= 1 for a in before.areas)


@settings(max_examples=60, deadline=None)
@given(answers=st.fixed_dictionaries({cid: ANSWER for cid in DEFAULT_IDS}))
def test_strict_level_means_every_applicable_capability_up_to_it_is_met(
    answers: dict[str, str | None],
) -> None:
    result = score_assessment(DEFAULT, answers)
    for area in result.areas:
        caps = next(a for a in DEFAULT.areas() if a.id == area.area_id).capabilities
        for c in caps:
            if c.level <= area.level and answers[c.id] != "na":
                assert answers[c.id] == "yes"
        if area.level < DEFAULT.max_level:
            blocker = DEFAULT.capability(area.blocking_capability or "")
            assert blocker.level == area.level + 1 and answers[blocker.id] != "yes"
