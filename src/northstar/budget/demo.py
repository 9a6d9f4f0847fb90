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

from northstar.budget import engine, service
from northstar.budget.schemas import BudgetLineCreate
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


def demo_months(today: dt.date) -> list[str]:
    """The twelve months ending with the last month of the quarter containing ``today``."""
    last = engine.parse_period(engine.quarter_of(today)).ends_on
    year, month = last.year, last.month
    months = []
    for _ in range(12):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def spend_rows(rand: random.Random, today: dt.date, team_names: dict[str, str]) -> list[dict[str, str]]:
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
    rows = spend_rows(random.Random(context.company.seed * 1_000 + 14), today, team_names)
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
    }
    service.import_actuals_csv(session, actor, out.getvalue().encode(), mapping, "finance-export.csv")
