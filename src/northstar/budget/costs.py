"""Use cases of people cost: each team's cost rate, and the cost of the time a decisions plan's schedule gives each
initiative (rate × people × working days), per team, initiative and month.

The plan followed is the one chosen in the budget settings, else the latest plan with a schedule. Week 0 of that
schedule is the plan's start date, else the date its forecast started on, else the Monday of the week it was solved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.budget import engine
from northstar.budget.models import BudgetCostRate
from northstar.budget.schemas import CostRateRead, CostRateSet, PeopleCostReport, PeopleCostRow
from northstar.budget.service import _check_refs, _period, _teams, currency, get_settings
from northstar.core import audit
from northstar.core.errors import NotFound
from northstar.core.permissions import READ, Actor


def list_cost_rates(session: Session, actor: Actor) -> list[CostRateRead]:
    actor.require(READ)
    teams, code = _teams(session, actor), currency(session, actor)
    rows = session.scalars(select(BudgetCostRate).where(BudgetCostRate.workspace_id == actor.workspace_id))
    found = [
        CostRateRead(
            team_id=r.team_id,
            team=teams.get(r.team_id, ""),
            unit=r.unit,
            amount_cents=r.amount_cents,
            currency=code,
        )  # type: ignore[arg-type]
        for r in rows
    ]
    return sorted(found, key=lambda r: r.team.lower())


def set_cost_rate(session: Session, actor: Actor, data: CostRateSet) -> CostRateRead:
    """Set (or replace) a team's cost per person-month or person-day; the audit log keeps the old rate."""
    actor.require("budget.write")
    _check_refs(session, actor, data.team_id, None)
    row = session.scalar(
        select(BudgetCostRate).where(
            BudgetCostRate.workspace_id == actor.workspace_id, BudgetCostRate.team_id == data.team_id
        )
    )
    was = f"{row.amount_cents} per {row.unit}" if row else None
    if row is None:
        row = BudgetCostRate(workspace_id=actor.workspace_id, team_id=data.team_id)
        session.add(row)
    row.unit, row.amount_cents = data.unit, data.amount_cents
    session.flush()
    team = _teams(session, actor).get(data.team_id, "")
    money = engine.format_money(row.amount_cents, currency(session, actor))
    audit.record(
        session,
        actor,
        "update",
        "budget_cost_rate",
        row.id,
        f"{team}: {money} per {row.unit.replace('_', '-')}",
        {"amount_cents": row.amount_cents, "unit": row.unit, "was": was},
    )
    return next(r for r in list_cost_rates(session, actor) if r.team_id == data.team_id)


def _rates(session: Session, actor: Actor) -> dict[str, engine.CostRate]:
    rows = session.scalars(select(BudgetCostRate).where(BudgetCostRate.workspace_id == actor.workspace_id))
    return {str(r.team_id): engine.CostRate(r.unit, r.amount_cents) for r in rows}


def followed_plan(session: Session, actor: Actor) -> Any | None:
    """The decisions plan the budget follows: the chosen one, else the latest with a schedule (None without)."""
    from northstar.decisions import service as decisions

    chosen = get_settings(session, actor).plan_id
    if chosen is not None:
        try:
            return decisions.get_plan(session, actor, chosen)
        except NotFound:
            pass
    scheduled = [p for p in decisions.list_plans(session, actor) if p.schedule and p.schedule.get("items")]
    return max(scheduled, key=lambda p: (p.solved_at or p.created_at, p.id)) if scheduled else None


def week_zero(plan: Any) -> dt.date:
    """The date week 0 of ``plan``'s schedule starts on."""
    given = (plan.assumptions or {}).get("start_date") or (plan.forecast or {}).get("start_date")
    if given:
        try:
            return dt.date.fromisoformat(str(given)[:10])
        except ValueError:
            pass
    solved = (plan.solved_at or plan.created_at).date()
    return solved - dt.timedelta(days=solved.weekday())


def scheduled_work(plan: Any) -> list[engine.ScheduledWork]:
    """The plan's scheduled initiatives as (idea, team, weeks, people)."""
    schedule = plan.schedule or {}
    teams, people = schedule.get("teams", {}), schedule.get("people", {})
    return [
        engine.ScheduledWork(
            str(item["id"]),
            str(teams.get(item["id"], "")),
            int(item["start"]),
            int(item["end"]),
            int(people.get(item["id"], 1)),
        )
        for item in schedule.get("items", [])
        if item["id"] in teams
    ]


def people_cost(
    session: Session, actor: Actor, period: str, until: dt.date | None = None, plan: Any | None = None
) -> PeopleCostReport:
    """People cost of the followed plan's schedule in ``period`` (up to ``until`` when given)."""
    actor.require(READ)
    chosen = _period(period)
    code = currency(session, actor)
    plan = plan or followed_plan(session, actor)
    empty = {"period": chosen.label, "currency": code, "rows": [], "by_team": {}, "total_cents": 0}
    if plan is None:
        reason = "no plan has a schedule yet: solve and schedule a plan under Plans"
        return PeopleCostReport(plan_id=None, plan_name=None, week_zero=None, reason=reason, **empty)
    teams = _teams(session, actor)
    rates = _rates(session, actor)
    work = scheduled_work(plan)
    start = week_zero(plan)
    ends_on = min(chosen.ends_on, until) if until else chosen.ends_on
    costs = engine.people_cost(work, rates, start, chosen.starts_on, ends_on)
    titles = (plan.portfolio or {}).get("titles", {})
    rows = [
        PeopleCostRow(
            team=teams.get(int(c.team), c.team) if c.team.isdigit() else c.team,
            idea_id=int(c.idea),
            idea=str(titles.get(c.idea, f"idea {c.idea}")),
            month=c.month,
            person_days=c.person_days,
            amount_cents=c.amount,
        )
        for c in costs
    ]
    by_team: dict[str, int] = {}
    for row in rows:
        by_team[row.team] = by_team.get(row.team, 0) + row.amount_cents
    missing = sorted(
        {teams.get(int(w.team), w.team) for w in work if w.team not in rates and w.team.isdigit()},
        key=str.lower,
    )
    return PeopleCostReport(
        period=chosen.label,
        plan_id=plan.id,
        plan_name=plan.name,
        week_zero=start,
        currency=code,
        rows=rows,
        by_team=dict(sorted(by_team.items(), key=lambda kv: kv[0].lower())),
        total_cents=sum(by_team.values()),
        teams_without_rate=missing,
        reason="" if rows else "the plan's schedule gives no costed time in this period",
    )
