"""Demo content of the budget (called by ``northstar demo``): a year of plan lines and monthly actual spend.

The year is the twelve months ending with the current quarter. Every team plans people, tools and (for two teams)
contractors each month; actual spend arrives as a finance export imported through the same service as a user's
file, one row per vendor and month, up to the demo's day. Data Platform's contractors run about twice their plan from
the previous quarter on, so its forecast overspends and the budget page raises an alert. Everything is drawn from
``random.Random(seed)``, so the same seed gives the same budget.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import random
from typing import Any

from sqlalchemy.orm import Session

from northstar.budget import costs, engine, initiatives, service
from northstar.budget.models import BudgetFunding
from northstar.budget.schemas import BudgetLineCreate, CommitmentCreate, CostRateSet, OutcomeSet
from northstar.core.database import utcnow
from northstar.core.permissions import Actor

#: monthly plan per team and category, in whole currency units
_PLAN = {
    "insights": {"people": 96_000, "tools": 4_500},
    "data_platform": {"people": 118_000, "tools": 9_000, "contractors": 24_000},
    "trust_admin": {"people": 64_000, "tools": 3_000},
    "growth_mobile": {"people": 82_000, "tools": 5_500, "contractors": 12_000},
}
_VENDORS = {
    "people": ("Payroll",),
    "tools": ("Figma", "Datadog", "GitHub", "Linear"),
    "contractors": ("Northwind Consulting", "Blue Harbor Dev"),
}
OVERSPENDING_TEAM = "data_platform"
#: cost of one person a month per team (salary, benefits, overhead), in whole currency units
_RATES = {"insights": 14_500, "data_platform": 16_000, "trust_admin": 13_500, "growth_mobile": 15_000}
#: signed, not yet invoiced: (team, category, amount, vendor, reference, days after the demo's day)
_COMMITMENTS = (
    ("growth_mobile", "contractors", 1_500, "Blue Harbor Dev", "PO-2291", 12),
    ("insights", "people", 4_200, "Hireright Recruiting", "Placement fee", 20),
    ("data_platform", "contractors", 9_500, "Northwind Consulting", "SOW-14", 9),
)


def demo_months(today: dt.date) -> list[str]:
    """The twelve months ending with the last month of the quarter containing ``today``."""
    last = engine.parse_period(engine.quarter_of(today)).ends_on
    year, month = last.year, last.month
    months = []
    for _ in range(12):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def spend_rows(
    rand: random.Random,
    today: dt.date,
    team_names: dict[str, str],
    initiatives_by_team: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """Finance-export rows of spend for each month up to ``today`` (the current month up to today's day)."""
    months = demo_months(today)
    previous_quarter_start = engine.parse_period(engine.quarter_of(today)).starts_on - dt.timedelta(days=1)
    overspend_from = engine.parse_period(engine.quarter_of(previous_quarter_start)).starts_on
    rows = []
    for label in months:
        period = engine.parse_period(label)
        if period.starts_on > today:
            break
        days = calendar.monthrange(period.starts_on.year, period.starts_on.month)[1]
        share = min(1.0, (today - period.starts_on).days / days) if period.ends_on > today else 1.0
        for key, plan in _PLAN.items():
            for category, monthly in plan.items():
                factor = rand.uniform(0.9, 1.05)
                if (
                    key == OVERSPENDING_TEAM
                    and category == "contractors"
                    and period.starts_on >= overspend_from
                ):
                    factor = rand.uniform(1.95, 2.05)
                amount = round(monthly * factor * share, 2)
                vendors = _VENDORS[category]
                pieces = len(vendors) if category != "people" else 1
                for index, vendor in enumerate(vendors[:pieces]):
                    part = round(amount / pieces, 2)
                    if part <= 0:
                        continue
                    day = period.starts_on + dt.timedelta(days=min(days - 1, 2 + 6 * index))
                    if day > today:
                        day = period.starts_on
                    rows.append(
                        {
                            "Posting date": day.isoformat(),
                            "Net amount": f"{part:,.2f}",
                            "Cost centre": team_names[key],
                            "Category": category,
                            "Supplier": vendor,
                            "Description": f"{vendor} {dt.date.fromisoformat(label + '-01'):%B %Y}",
                            "Document": f"FIN-{label}-{key}-{category}-{index}",
                            "Project": (initiatives_by_team or {}).get(key, "")
                            if category == "contractors" and period.starts_on >= overspend_from
                            else "",
                        }
                    )
    return rows


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Plan lines for the year and the spend so far, imported as a finance export with a saved column mapping."""
    today = context.company.as_of.date()
    team_names = {t.key: t.name for t in context.company.teams}
    team_ids = context.team_ids
    for label in demo_months(today):
        for key, plan in _PLAN.items():
            if key not in team_ids:
                continue
            for category, monthly in plan.items():
                service.create_line(
                    session,
                    actor,
                    BudgetLineCreate(
                        team_id=team_ids[key], period=label, category=category, amount=str(monthly)
                    ),
                )
    for key, monthly_rate in _RATES.items():
        if key in team_ids:
            costs.set_cost_rate(
                session,
                actor,
                CostRateSet(team_id=team_ids[key], unit="person_month", amount=str(monthly_rate)),
            )
    funded = _follow_plan(session, actor, team_ids)
    rows = spend_rows(random.Random(context.company.seed * 1_000 + 14), today, team_names, funded)
    for key, category, amount, vendor, reference, days in _COMMITMENTS:
        if key in team_ids:
            service.create_commitment(
                session,
                actor,
                CommitmentCreate(
                    team_id=team_ids[key],
                    category=category,
                    amount=str(amount),
                    due_on=today + dt.timedelta(days=days),
                    vendor=vendor,
                    reference=reference,
                ),
            )
    _shipped_history(session, actor, context, random.Random(context.company.seed * 1_000 + 15))
    if not rows:
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    mapping = {
        "date": "Posting date",
        "amount": "Net amount",
        "team": "Cost centre",
        "category": "Category",
        "vendor": "Supplier",
        "memo": "Description",
        "row_key": "Document",
        "idea": "Project",
    }
    service.import_actuals_csv(session, actor, out.getvalue().encode(), mapping, "finance-export.csv")


def _follow_plan(session: Session, actor: Actor, team_ids: dict[str, int]) -> dict[str, str]:
    """Follow the decisions demo's main plan (when there is one) and return team key → one funded idea's title,
    the initiative its contractor invoices are tagged with."""
    from northstar.decisions import service as decisions
    from northstar.ideas.models import Idea

    plans = [p for p in decisions.list_plans(session, actor) if p.schedule and p.parent_id is None]
    if not plans:
        return {}
    initiatives.follow_plan(session, actor, plans[0].id)
    keys = {team_id: key for key, team_id in team_ids.items()}
    tagged: dict[str, str] = {}
    for funding in initiatives.list_fundings(session, actor):
        idea = session.get(Idea, funding.idea_id)
        key = keys.get(funding.team_id or 0)
        if idea is not None and key and key not in tagged:
            tagged[key] = idea.title
    return tagged


def _shipped_history(session: Session, actor: Actor, context: Any, rand: random.Random) -> None:
    """Shipped demo ideas as if last year's plan funded them: a funding snapshot, the effort they really took
    (0.9 to 1.8 times the estimate, so the estimate history has something to show) and the invoices of their
    contractors tagged with them, early in the year."""
    from northstar.ideas.models import Idea

    idea_ids = getattr(context, "idea_ids", {})
    shipped = [i for i in context.company.ideas if i.status == "shipped" and i.key in idea_ids]
    early = demo_months(context.company.as_of.date())[:3]
    rows = []
    for number, idea in enumerate(shipped[:8]):
        row = session.get(Idea, idea_ids[idea.key])
        if row is None or row.team_id is None:
            continue
        ratio = round(rand.uniform(0.9, 1.8), 2)
        rate = _RATES.get(idea.team_key, 15_000) * 100
        people = round(idea.effort_person_weeks * rate * 12 / 52)
        session.add(
            BudgetFunding(
                workspace_id=actor.workspace_id,
                idea_id=row.id,
                plan_id=None,
                plan_name="Last year's plan (before Northstar)",
                funded_at=utcnow() - dt.timedelta(days=330),
                team_id=row.team_id,
                planned_cost_cents=round(idea.one_off_cost * 100),
                planned_people_cents=people,
                effort_person_weeks=idea.effort_person_weeks,
                business_case={
                    "npv_cents": round((idea.benefit_per_quarter * 8 - idea.one_off_cost) * 100 * 0.85),
                    "roi": round(
                        (idea.benefit_per_quarter * 8 - idea.one_off_cost) / max(1.0, idea.one_off_cost), 3
                    ),
                },
            )
        )
        session.flush()
        initiatives.record_outcome(
            session,
            actor,
            row.id,
            OutcomeSet(actual_effort_person_weeks=round(idea.effort_person_weeks * ratio, 1)),
        )
        cost = round(idea.one_off_cost * ratio + people * ratio / 100, 2)
        team = service._teams(session, actor).get(row.team_id, "")
        rows.append(f"{early[number % 3]}-15,{cost:.2f},{team},people,Payroll,{row.id},SHIP-{row.id}")
    if rows:
        body = "date,amount,team,category,vendor,initiative,reference\n" + "\n".join(rows) + "\n"
        service.import_actuals(session, actor, body.encode(), {}, "shipped-initiatives.csv")
