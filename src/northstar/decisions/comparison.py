"""Comparing two solved plans (a plan and its scenario): ideas added and dropped, value, budget and capacity use,
delivery dates, and what changed said in words, so the comparison page, the API and the CLI read the same.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.errors import ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.decisions.models import Plan
from northstar.decisions.schemas import (
    Assumptions,
    ComparisonRead,
    ForecastFinish,
    IdeaComparison,
    PlanSummary,
    UsageComparison,
)
from northstar.decisions.service import team_labels
from northstar.decisions.solve import portfolio, scenario
from northstar.ideas.models import Idea
from northstar.teams.models import Team

SOLVED = ("optimal", "feasible")


def money(amount: float) -> str:
    """$1,643,000 · −$412,500: whole dollars with thousands separators."""
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.0f}"


def _value(amount: float, unit: str) -> str:
    return money(amount) if unit == "money" else f"{amount:,.0f} points"


def _weeks(weeks: float) -> str:
    rounded = round(abs(weeks))
    return f"{rounded} week{'s' if rounded != 1 else ''}"


def _ideas_in_both(count: int) -> str:
    return "1 idea in both plans comes" if count == 1 else f"{count} ideas in both plans come"


def _ideas(items: list[str]) -> str:
    return ", ".join(items[:8]) + (f" and {len(items) - 8} more" if len(items) > 8 else "")


def day(value: date) -> str:
    """A date as people read it: 3 Mar 2028."""
    return f"{value.day} {value:%b %Y}"


VALUE_BASIS_WORDS = {
    "npv": "net present value (NPV) of cost and benefit",
    "rice": "reach × impact × confidence",
    "cost_of_delay": "cost of delay",
}


def describe_assumptions(session: Session, actor: Actor, plan: Plan) -> list[str]:
    """A plan's assumptions as sentences for its page: budget, value, teams' capacity, forced ideas, solver time."""
    actor.require(READ)
    given = Assumptions.model_validate(plan.assumptions)
    lines = [
        f"Budget {money(given.budget)} of one-off cost" if given.budget is not None else "No budget limit",
        f"Value counted as {VALUE_BASIS_WORDS[given.value_basis]}"
        + (
            f" over {given.quarters} quarters, discounted at {given.discount_rate:.0%} a year"
            if given.value_basis == "npv"
            else ""
        ),
    ]
    if given.capacity_factor:
        teams = team_labels(session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id)))
        for team_id, factor in sorted(given.capacity_factor.items()):
            name = (
                teams.get(int(team_id), "a team no longer in this workspace")
                if team_id.isdigit()
                else team_id
            )
            lines.append(f"{name} capacity × {factor:g}")
    wanted = set(given.force_in) | set(given.force_out)
    titles = dict(
        session.execute(
            select(Idea.id, Idea.title).where(Idea.workspace_id == actor.workspace_id, Idea.id.in_(wanted))
        ).all()
    )
    if given.force_in:
        lines.append("Forced in: " + ", ".join(titles.get(i, "a deleted idea") for i in given.force_in))
    if given.force_out:
        lines.append("Forced out: " + ", ".join(titles.get(i, "a deleted idea") for i in given.force_out))
    if given.start_date:
        lines.append(f"Work starts {day(date.fromisoformat(given.start_date))}")
    seconds = given.time_limit_seconds
    lines.append(f"Each solve may take up to {seconds:g} second{'' if seconds == 1 else 's'}")
    return lines


def _finish(plan: Plan) -> ForecastFinish | None:
    """The whole plan's finish from its forecast (dates and weeks at P50/P85/P95), or None before a forecast."""
    finish = (plan.forecast or {}).get("finish") or {}
    dates, weeks = finish.get("dates") or {}, finish.get("percentiles") or {}
    if not all(key in dates and key in weeks for key in ("P50", "P85", "P95")):
        return None
    return ForecastFinish(
        p50=date.fromisoformat(dates["P50"]),
        p85=date.fromisoformat(dates["P85"]),
        p95=date.fromisoformat(dates["P95"]),
        p50_weeks=float(weeks["P50"]),
        p85_weeks=float(weeks["P85"]),
        p95_weeks=float(weeks["P95"]),
    )


def _p85_by_idea(plan: Plan) -> dict[str, tuple[date, float]]:
    """Idea id → (P85 date, P85 weeks) from the plan's forecast."""
    found = {}
    for item in (plan.forecast or {}).get("items", []):
        day, weeks = (item.get("dates") or {}).get("P85"), (item.get("percentiles") or {}).get("P85")
        if day is not None and weeks is not None:
            found[str(item["id"])] = (date.fromisoformat(day), float(weeks))
    return found


def _result(plan: Plan) -> portfolio.PortfolioResult:
    data = plan.portfolio or {}
    return portfolio.PortfolioResult(
        status=data["status"],
        selected=list(data["selected"]),
        value=float(data["value"]),
        usage={name: (float(pair[0]), float(pair[1])) for name, pair in (data.get("usage") or {}).items()},
    )


def _usage(diff: scenario.Comparison) -> list[UsageComparison]:
    """Budget first, then each team's capacity rows in their order."""
    rows = []
    for name, pair in diff.usage.items():
        a, b = pair.get("a"), pair.get("b")
        rows.append(
            UsageComparison(
                name=name[0].upper() + name[1:],
                unit="money" if name == "budget" else "person-weeks",
                used_a=a[0] if a else None,
                limit_a=a[1] if a else None,
                used_b=b[0] if b else None,
                limit_b=b[1] if b else None,
            )
        )
    rows.sort(key=lambda row: (row.unit != "money", row.name))
    return rows


def _assumption_changes(session: Session, actor: Actor, a: Plan, b: Plan) -> list[str]:
    """What plan b assumes differently from plan a, in words ("Budget $1,643,000 → $1,232,000")."""
    old, new = Assumptions.model_validate(a.assumptions), Assumptions.model_validate(b.assumptions)
    changes = []
    if old.budget != new.budget:
        before = money(old.budget) if old.budget is not None else "none"
        after = money(new.budget) if new.budget is not None else "none"
        changes.append(f"Budget {before} → {after}")
    teams = team_labels(session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id)))
    for team_id in sorted(set(old.capacity_factor) | set(new.capacity_factor)):
        was, now = old.capacity_factor.get(team_id, 1.0), new.capacity_factor.get(team_id, 1.0)
        if was != now:
            name = (
                teams.get(int(team_id), "a team no longer in this workspace")
                if team_id.isdigit()
                else team_id
            )
            changes.append(f"{name} capacity × {now:g} (was × {was:g})")
    forced = set(old.force_in) ^ set(new.force_in) | set(old.force_out) ^ set(new.force_out)
    titles = dict(
        session.execute(
            select(Idea.id, Idea.title).where(Idea.workspace_id == actor.workspace_id, Idea.id.in_(forced))
        ).all()
    )
    for idea_id in sorted(set(new.force_in) - set(old.force_in)):
        changes.append(f"{titles.get(idea_id, 'a deleted idea')} forced in")
    for idea_id in sorted(set(new.force_out) - set(old.force_out)):
        changes.append(f"{titles.get(idea_id, 'a deleted idea')} forced out")
    if old.value_basis != new.value_basis:
        changes.append(
            f"Value counted as {new.value_basis.replace('_', ' ')} (was {old.value_basis.replace('_', ' ')})"
        )
    if old.discount_rate != new.discount_rate:
        changes.append(f"Discount rate {new.discount_rate:.0%} a year (was {old.discount_rate:.0%})")
    return changes


def _summary(a: Plan, b: Plan, c: ComparisonRead, moved: list[IdeaComparison]) -> list[str]:
    """What changed from plan a to plan b, one sentence per kind of change."""
    lines = []
    if c.only_in_a or c.only_in_b:
        lines.append(
            f"{b.name} funds {len(c.only_in_b) + len(c.in_both)} ideas, {a.name} {len(c.only_in_a) + len(c.in_both)}."
        )
        if c.only_in_a:
            lines.append(f"Dropped ({len(c.only_in_a)}): {_ideas(c.only_in_a)}.")
        if c.only_in_b:
            lines.append(f"Added ({len(c.only_in_b)}): {_ideas(c.only_in_b)}.")
    else:
        lines.append(f"Both fund the same {len(c.in_both)} ideas.")
    if c.value_change:
        ratio = c.value_change / c.value_a if c.value_a else 0.0
        share = f" ({ratio:+.{0 if abs(ratio) >= 0.01 else 1}%})".replace("-", "−") if c.value_a else ""
        direction = "more" if c.value_change > 0 else "less"
        lines.append(
            f"{_value(abs(c.value_change), c.value_unit)} {direction} value{share}: "
            f"{_value(c.value_a, c.value_unit)} → {_value(c.value_b, c.value_unit)}."
        )
    else:
        lines.append(f"The same value: {_value(c.value_a, c.value_unit)}.")
    if c.finish_a and c.finish_b:
        shift = c.finish_b.p85_weeks - c.finish_a.p85_weeks
        when = (
            f"{_weeks(shift)} {'earlier' if shift < 0 else 'later'} than"
            if round(abs(shift))
            else "in the same week as"
        )
        lines.append(
            f"With 85% confidence {b.name} is done by {day(c.finish_b.p85)}, "
            f"{when} {a.name} ({day(c.finish_a.p85)})."
        )
    else:
        missing = [p.name for p, f in ((a, c.finish_a), (b, c.finish_b)) if f is None]
        lines.append(
            f"No delivery forecast yet for {' and '.join(missing)}: forecast it on its page to compare dates."
        )
    earlier = [i for i in moved if i.moved_weeks is not None and round(i.moved_weeks) < 0]
    later = [i for i in moved if i.moved_weeks is not None and round(i.moved_weeks) > 0]
    if earlier:
        most = min(i.moved_weeks or 0.0 for i in earlier)
        lines.append(f"{_ideas_in_both(len(earlier))} earlier, by up to {_weeks(most)}.")
    if later:
        most = max(i.moved_weeks or 0.0 for i in later)
        lines.append(f"{_ideas_in_both(len(later))} later, by up to {_weeks(most)}.")
    return lines


def compare_plans(session: Session, actor: Actor, a_id: int, b_id: int) -> ComparisonRead:
    """Two solved plans side by side: value, ideas added and dropped, budget and capacity use, delivery dates."""
    actor.require(READ)
    a = get_owned(session, Plan, a_id, actor.workspace_id, "plan")
    b = get_owned(session, Plan, b_id, actor.workspace_id, "plan")
    unsolved = [p.name for p in (a, b) if not p.portfolio or p.portfolio.get("status") not in SOLVED]
    if unsolved:
        raise ValidationFailed(f"solve the portfolio of {' and '.join(unsolved)} first")
    diff = scenario.compare("a", _result(a), "b", _result(b))  # not the names: two plans may share one
    titles: dict[str, Any] = {
        **(a.portfolio or {}).get("titles", {}),
        **(b.portfolio or {}).get("titles", {}),
    }
    dates_a, dates_b = _p85_by_idea(a), _p85_by_idea(b)
    ideas = []
    for idea_id in [*diff.in_both, *diff.only_in_a, *diff.only_in_b]:
        in_a, in_b = idea_id not in diff.only_in_b, idea_id not in diff.only_in_a
        pa, pb = dates_a.get(idea_id), dates_b.get(idea_id)
        ideas.append(
            IdeaComparison(
                idea_id=int(idea_id),
                title=str(titles.get(idea_id, "an idea no longer in this workspace")),
                in_a=in_a,
                in_b=in_b,
                p85_a=pa[0] if pa else None,
                p85_b=pb[0] if pb else None,
                moved_weeks=round(pb[1] - pa[1], 1) if pa and pb else None,
            )
        )
    ideas.sort(key=lambda i: (not (i.in_a and i.in_b), i.p85_b or i.p85_a or date.max, i.title))
    value_basis = Assumptions.model_validate(b.assumptions).value_basis
    comparison = ComparisonRead(
        a=PlanSummary.model_validate(a),
        b=PlanSummary.model_validate(b),
        value_unit="money" if value_basis == "npv" else "points",
        value_a=diff.value_a,
        value_b=diff.value_b,
        value_change=diff.value_change,
        only_in_a=[str(titles.get(i, i)) for i in diff.only_in_a],
        only_in_b=[str(titles.get(i, i)) for i in diff.only_in_b],
        in_both=[str(titles.get(i, i)) for i in diff.in_both],
        ideas=ideas,
        usage=_usage(diff),
        finish_a=_finish(a),
        finish_b=_finish(b),
        assumption_changes=_assumption_changes(session, actor, a, b),
    )
    comparison.summary = _summary(a, b, comparison, [i for i in ideas if i.in_a and i.in_b])
    return comparison
