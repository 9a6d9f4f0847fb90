"""Evidence rules over seeded plain facts, and how evidence combines with the user's answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from northstar.maturity.engine.answers import ManualAnswer, answer_map, resolve_answers
from northstar.maturity.engine.evidence import (
    RULES,
    OneOnOnePair,
    WorkspaceFacts,
    evaluate_all,
    feedback_weekly,
    ideas_scored,
    key_results_bound,
    maturity_reassessed,
    portfolio_solved,
    regular_one_on_ones,
    review_cycle_completed,
)
from northstar.maturity.engine.model import ModelError, load_default_model
from northstar.maturity.engine.scoring import score_assessment

TODAY = date(2026, 11, 26)


def weeks_ago(*weeks: int) -> list[date]:
    return [TODAY - timedelta(days=7 * w + 2) for w in weeks]


def test_feedback_in_each_of_the_last_eight_weeks_is_yes() -> None:
    facts = WorkspaceFacts(today=TODAY, feedback_dates=weeks_ago(*range(8)) * 3)
    finding = feedback_weekly(facts)
    assert finding.answer == "yes" and "8 of the last 8" in finding.summary


def test_feedback_in_five_weeks_is_partial_and_in_three_is_no() -> None:
    assert feedback_weekly(WorkspaceFacts(TODAY, feedback_dates=weeks_ago(0, 1, 2, 5, 7))).answer == "partial"
    assert feedback_weekly(WorkspaceFacts(TODAY, feedback_dates=weeks_ago(0, 1, 9, 12))).answer == "no"


def test_ideas_scored_uses_the_share_of_open_ideas() -> None:
    assert ideas_scored(WorkspaceFacts(TODAY, open_ideas=10, open_ideas_scored=8)).answer == "yes"
    assert ideas_scored(WorkspaceFacts(TODAY, open_ideas=10, open_ideas_scored=3)).answer == "partial"
    nothing = ideas_scored(WorkspaceFacts(TODAY))
    assert nothing.answer == "no" and "No open ideas" in nothing.summary


def test_portfolio_solved_recently_is_yes_and_long_ago_is_partial() -> None:
    assert (
        portfolio_solved(WorkspaceFacts(TODAY, portfolio_solve_dates=[TODAY - timedelta(days=30)])).answer
        == "yes"
    )
    assert (
        portfolio_solved(WorkspaceFacts(TODAY, portfolio_solve_dates=[TODAY - timedelta(days=200)])).answer
        == "partial"
    )
    assert portfolio_solved(WorkspaceFacts(TODAY)).answer == "no"


def test_key_results_bound_to_metrics_needs_half() -> None:
    assert key_results_bound(WorkspaceFacts(TODAY, key_results=6, key_results_bound=3)).answer == "yes"
    assert key_results_bound(WorkspaceFacts(TODAY, key_results=6, key_results_bound=2)).answer == "partial"


def test_regular_one_on_ones_counts_pairs_meeting_at_their_cadence() -> None:
    regular = OneOnOnePair(14, weeks_ago(0, 2, 4, 6))
    lapsed = OneOnOnePair(7, weeks_ago(6))
    assert regular_one_on_ones(WorkspaceFacts(TODAY, one_on_one_pairs=[regular] * 4)).answer == "yes"
    mixed = regular_one_on_ones(WorkspaceFacts(TODAY, one_on_one_pairs=[regular, lapsed]))
    assert mixed.answer == "partial" and "1 of 2" in mixed.summary


def test_a_360_cycle_completed_this_year_is_yes() -> None:
    facts = WorkspaceFacts(TODAY, review_cycles_completed=[TODAY - timedelta(days=90)])
    assert review_cycle_completed(facts).answer == "yes"


def test_maturity_reassessment_needs_two_assessments() -> None:
    one = WorkspaceFacts(TODAY, maturity_assessment_dates=[TODAY - timedelta(days=10)])
    two = WorkspaceFacts(
        TODAY, maturity_assessment_dates=[TODAY - timedelta(days=200), TODAY - timedelta(days=10)]
    )
    assert maturity_reassessed(one).answer == "partial"
    assert maturity_reassessed(two).answer == "yes"


def test_every_rule_answers_no_on_an_empty_workspace() -> None:
    assert {f.answer for f in evaluate_all(WorkspaceFacts(TODAY)).values()} == {"no"}
    assert set(evaluate_all(WorkspaceFacts(TODAY))) == set(RULES)


def test_evidence_pre_answers_and_the_user_can_override_with_a_note() -> None:
    model = load_default_model()
    findings = evaluate_all(WorkspaceFacts(TODAY, feedback_dates=weeks_ago(*range(8))))
    resolved = resolve_answers(model, findings, {"feedback_mechanisms.A": ManualAnswer("yes")})
    assert resolved["feedback_mechanisms.B"].answer == "yes"
    assert resolved["feedback_mechanisms.B"].source == "evidence"
    assert resolved["feedback_mechanisms.A"].source == "manual"
    assert resolved["market_analysis.A"].source == "none"
    with pytest.raises(ModelError, match="a note is needed"):
        resolve_answers(model, findings, {"feedback_mechanisms.B": ManualAnswer("no")})
    overridden = resolve_answers(
        model,
        findings,
        {
            "feedback_mechanisms.A": ManualAnswer("yes"),
            "feedback_mechanisms.B": ManualAnswer("no", "imports are a test account"),
        },
    )
    entry = overridden["feedback_mechanisms.B"]
    assert (entry.answer, entry.source, entry.note) == ("no", "override", "imports are a test account")
    assert "8 of the last 8" in entry.evidence
    result = score_assessment(model, answer_map(overridden))
    assert result.area("feedback_mechanisms").level == 2


def test_bad_manual_answer_is_refused() -> None:
    with pytest.raises(ModelError, match="must be one of yes, partial, no, na"):
        resolve_answers(load_default_model(), {}, {"feedback_mechanisms.A": ManualAnswer("sometimes")})
