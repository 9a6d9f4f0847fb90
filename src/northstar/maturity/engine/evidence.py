"""Evidence rules: pre-answer maturity questions from facts Northstar already holds.

Each rule is a pure function from :class:`WorkspaceFacts` (plain numbers and dates gathered by the
service layer) to an :class:`EvidenceFinding`: a suggested answer (yes / partial / no) and a one-line
explanation with the numbers behind it. The user can always override a finding with a note.
Thresholds are stated in each rule's docstring and in docs/maturity.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

LOOKBACK_WEEKS = 8


@dataclass(frozen=True)
class OneOnOnePair:
    """Dates of the 1:1s held by one manager–report pair, with the agreed cadence in days."""

    cadence_days: int
    meeting_dates: Sequence[date]
    action_items_total: int = 0
    action_items_closed_or_carried: int = 0


@dataclass(frozen=True)
class WorkspaceFacts:
    """Plain facts about a workspace. Every field has a neutral default, so a rule with missing facts
    answers *no* and says why instead of failing."""

    today: date
    feedback_dates: Sequence[date] = ()
    themes_reviewed_dates: Sequence[date] = ()
    shipped_ideas: int = 0
    shipped_ideas_requesters_notified: int = 0
    open_ideas: int = 0
    open_ideas_scored: int = 0
    candidate_ideas: int = 0
    candidate_ideas_costed: int = 0
    portfolio_solve_dates: Sequence[date] = ()
    budget_lines: int = 0
    budget_lines_with_actuals: int = 0
    metrics_defined: int = 0
    key_results: int = 0
    key_results_bound: int = 0
    team_objectives: int = 0
    team_objectives_linked: int = 0
    brief_dates: Sequence[date] = ()
    ladder_behaviours: int = 0
    people: int = 0
    people_assessed_recently: int = 0
    people_with_growth_plan: int = 0
    one_on_one_pairs: Sequence[OneOnOnePair] = ()
    review_cycles_completed: Sequence[date] = ()
    calibration_dates: Sequence[date] = ()
    pulse_dates: Sequence[date] = ()
    maturity_assessment_dates: Sequence[date] = field(default_factory=tuple)


@dataclass(frozen=True)
class EvidenceFinding:
    rule: str
    answer: str  # "yes", "partial" or "no"
    summary: str


def _weeks_with(dates: Sequence[date], today: date, weeks: int = LOOKBACK_WEEKS) -> int:
    """Number of the last ``weeks`` seven-day windows (ending today) that contain at least one date."""
    hit = set()
    for d in dates:
        age = (today - d).days
        if 0 <= age < weeks * 7:
            hit.add(age // 7)
    return len(hit)


def _share_rule(rule: str, part: int, whole: int, yes_at: float, noun: str) -> EvidenceFinding:
    if whole <= 0:
        return EvidenceFinding(rule, "no", f"No {noun} recorded yet.")
    share = part / whole
    answer = "yes" if share >= yes_at else "partial" if part > 0 else "no"
    return EvidenceFinding(rule, answer, f"{part} of {whole} {noun} ({share:.0%}); yes from {yes_at:.0%}.")


def _recent_rule(rule: str, dates: Sequence[date], today: date, days: int, noun: str) -> EvidenceFinding:
    recent = [d for d in dates if 0 <= (today - d).days <= days]
    if recent:
        return EvidenceFinding(rule, "yes", f"Last {noun} on {max(recent).isoformat()} (within {days} days).")
    if any(d <= today for d in dates):
        last = max(d for d in dates if d <= today)
        return EvidenceFinding(
            rule, "partial", f"Last {noun} on {last.isoformat()}, more than {days} days ago."
        )
    return EvidenceFinding(rule, "no", f"No {noun} recorded.")


def feedback_weekly(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when feedback arrived in each of the last 8 weeks; partial from 4 of 8 weeks."""
    weeks = _weeks_with(f.feedback_dates, f.today)
    answer = "yes" if weeks == LOOKBACK_WEEKS else "partial" if weeks >= LOOKBACK_WEEKS // 2 else "no"
    return EvidenceFinding(
        "feedback_weekly", answer, f"Feedback arrived in {weeks} of the last {LOOKBACK_WEEKS} weeks."
    )


def themes_reviewed(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when feedback themes were reviewed (analysed or edited) within the last 31 days."""
    return _recent_rule("themes_reviewed", f.themes_reviewed_dates, f.today, 31, "theme review")


def loop_closed(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of shipped ideas notified the customers who asked."""
    return _share_rule(
        "loop_closed",
        f.shipped_ideas_requesters_notified,
        f.shipped_ideas,
        0.8,
        "shipped ideas told requesters",
    )


def ideas_scored(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of open ideas carry a score from a framework."""
    return _share_rule("ideas_scored", f.open_ideas_scored, f.open_ideas, 0.8, "open ideas scored")


def ideas_costed(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 50 % of roadmap candidates have cost and benefit cash flows."""
    return _share_rule(
        "ideas_costed", f.candidate_ideas_costed, f.candidate_ideas, 0.5, "roadmap candidates with cash flows"
    )


def portfolio_solved(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when a portfolio was solved against budget and capacity within the last 92 days."""
    return _recent_rule("portfolio_solved", f.portfolio_solve_dates, f.today, 92, "portfolio solve")


def budget_tracked(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of budget lines have actual spend recorded."""
    return _share_rule(
        "budget_tracked", f.budget_lines_with_actuals, f.budget_lines, 0.8, "budget lines with actuals"
    )


def metrics_defined(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes with at least 3 metric definitions, partial with 1 or 2."""
    n = f.metrics_defined
    answer = "yes" if n >= 3 else "partial" if n >= 1 else "no"
    return EvidenceFinding("metrics_defined", answer, f"{n} metric definitions.")


def key_results_bound(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least half of the key results are bound to a metric."""
    return _share_rule(
        "key_results_bound", f.key_results_bound, f.key_results, 0.5, "key results bound to metrics"
    )


def objectives_cascaded(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of team objectives link to a company objective."""
    return _share_rule(
        "objectives_cascaded",
        f.team_objectives_linked,
        f.team_objectives,
        0.8,
        "team objectives linked upward",
    )


def brief_shared(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when a product brief went out in at least 6 of the last 8 weeks, partial from 2."""
    weeks = _weeks_with(f.brief_dates, f.today)
    answer = "yes" if weeks >= 6 else "partial" if weeks >= 2 else "no"
    return EvidenceFinding(
        "brief_shared", answer, f"A product brief went out in {weeks} of the last 8 weeks."
    )


def ladder_defined(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when the workspace has a career ladder with behaviours."""
    if f.ladder_behaviours > 0:
        return EvidenceFinding(
            "ladder_defined", "yes", f"A ladder with {f.ladder_behaviours} behaviours is in use."
        )
    return EvidenceFinding("ladder_defined", "no", "No career ladder is set up.")


def ladder_assessed(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of people had a ladder assessment in the last six months."""
    return _share_rule(
        "ladder_assessed", f.people_assessed_recently, f.people, 0.8, "people assessed in 6 months"
    )


def growth_plans(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of people have a growth plan."""
    return _share_rule("growth_plans", f.people_with_growth_plan, f.people, 0.8, "people with a growth plan")


def _pair_is_regular(pair: OneOnOnePair, today: date) -> bool:
    """Regular: at least half of the cadence periods of the last 8 weeks had a 1:1 (a week off is fine)."""
    if pair.cadence_days <= 0:
        return False
    periods = max(LOOKBACK_WEEKS * 7 // pair.cadence_days, 1)
    start = today - timedelta(weeks=LOOKBACK_WEEKS)
    held = {(d - start).days // pair.cadence_days for d in pair.meeting_dates if start < d <= today}
    return len(held) * 2 >= periods


def regular_one_on_ones(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of manager–report pairs met regularly over the last 8 weeks."""
    regular = sum(_pair_is_regular(p, f.today) for p in f.one_on_one_pairs)
    return _share_rule(
        "regular_one_on_ones", regular, len(f.one_on_one_pairs), 0.8, "pairs meeting regularly"
    )


def action_items_tracked(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when at least 80 % of 1:1 action items were closed or carried forward."""
    total = sum(p.action_items_total for p in f.one_on_one_pairs)
    handled = sum(p.action_items_closed_or_carried for p in f.one_on_one_pairs)
    return _share_rule("action_items_tracked", handled, total, 0.8, "1:1 action items closed or carried")


def review_cycle_completed(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when a 360-degree review cycle was completed within the last 12 months."""
    return _recent_rule(
        "review_cycle_completed", f.review_cycles_completed, f.today, 366, "completed 360 cycle"
    )


def calibration_done(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when ratings were calibrated within the last 12 months."""
    return _recent_rule("calibration_done", f.calibration_dates, f.today, 366, "calibration")


def pulse_tracked(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes when pulse answers exist in at least 6 of the last 8 weeks, partial from 2."""
    weeks = _weeks_with(f.pulse_dates, f.today)
    answer = "yes" if weeks >= 6 else "partial" if weeks >= 2 else "no"
    return EvidenceFinding("pulse_tracked", answer, f"Pulse answers in {weeks} of the last 8 weeks.")


def maturity_reassessed(f: WorkspaceFacts) -> EvidenceFinding:
    """Yes with two or more assessments, the latest within 12 months; partial with a single one."""
    past = sorted(d for d in f.maturity_assessment_dates if d <= f.today)
    if len(past) >= 2 and (f.today - past[-1]).days <= 366:
        return EvidenceFinding(
            "maturity_reassessed", "yes", f"{len(past)} assessments, the latest on {past[-1].isoformat()}."
        )
    if past:
        return EvidenceFinding("maturity_reassessed", "partial", f"{len(past)} assessment(s) on record.")
    return EvidenceFinding("maturity_reassessed", "no", "No earlier maturity assessment.")


RULES: dict[str, Callable[[WorkspaceFacts], EvidenceFinding]] = {
    rule.__name__: rule
    for rule in (
        feedback_weekly,
        themes_reviewed,
        loop_closed,
        ideas_scored,
        ideas_costed,
        portfolio_solved,
        budget_tracked,
        metrics_defined,
        key_results_bound,
        objectives_cascaded,
        brief_shared,
        ladder_defined,
        ladder_assessed,
        growth_plans,
        regular_one_on_ones,
        action_items_tracked,
        review_cycle_completed,
        calibration_done,
        pulse_tracked,
        maturity_reassessed,
    )
}


def evaluate_all(facts: WorkspaceFacts) -> dict[str, EvidenceFinding]:
    """Every rule's finding, keyed by rule name."""
    return {name: rule(facts) for name, rule in RULES.items()}
