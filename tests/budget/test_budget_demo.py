"""The budget demo on its own (without the minute-long full demo seed): a year of plan lines for every team,
monthly spend imported as a finance export up to the demo's day, the same for the same seed, Data Platform
forecast to overspend, and the maturity evidence reading the budget as tracked."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.budget import demo, engine, service
from northstar.budget.models import BudgetActual
from northstar.demo.company import generate_company
from northstar.maturity import service as maturity
from northstar.teams.models import Team
from tests.factories import make_world

AS_OF = datetime(2026, 11, 18, 12, tzinfo=UTC)


def _seed(session: Session) -> tuple[object, dt.date]:
    world = make_world(session)
    company = generate_company(7, as_of=AS_OF)
    ids = {}
    for team in company.teams:
        row = Team(workspace_id=world.workspace.id, name=team.name)
        session.add(row)
        session.flush()
        ids[team.key] = row.id
    demo.seed_demo(session, world.actor(), SimpleNamespace(company=company, team_ids=ids))
    session.commit()
    return world, AS_OF.date()


def test_demo_budget_has_a_year_of_lines_spend_to_date_and_one_overspending_team(session: Session) -> None:
    world, today = _seed(session)
    actor = world.actor()  # type: ignore[attr-defined]
    months = demo.demo_months(today)
    assert months[0] == "2026-01" and months[-1] == "2026-12"
    lines = service.list_lines(session, actor)
    assert len(lines) == 12 * sum(len(p) for p in demo._PLAN.values())
    latest = session.scalar(
        select(func.max(BudgetActual.spent_on)).where(BudgetActual.workspace_id == world.workspace.id)
    )  # type: ignore[attr-defined]
    assert latest is not None and latest <= today
    report = service.report(session, actor, engine.quarter_of(today), today)
    alerting = {a.team for a in report.alerts}
    assert alerting == {"Data Platform"}
    platform = next(t for t in report.teams if t.team == "Data Platform")
    assert (
        platform.alert and platform.forecast_over_percent is not None and platform.forecast_over_percent > 10
    )
    assert all(not t.alert for t in report.teams if t.team != "Data Platform")
    assert service.get_settings(session, actor).column_mapping["team"] == "Cost centre"


def test_demo_spend_is_the_same_for_the_same_seed() -> None:
    import random

    names = {
        "insights": "Insights",
        "data_platform": "Data Platform",
        "trust_admin": "Trust",
        "growth_mobile": "Growth",
    }
    first = demo.spend_rows(random.Random(7014), dt.date(2026, 11, 18), names)
    again = demo.spend_rows(random.Random(7014), dt.date(2026, 11, 18), names)
    assert first == again and len(first) > 100


def test_maturity_evidence_reads_the_budget_as_tracked(session: Session) -> None:
    world, today = _seed(session)
    finding = maturity.evidence(session, world.actor(), today)["budget_tracked"]  # type: ignore[attr-defined]
    assert finding.answer == "yes"
    assert "budget lines with actuals" in finding.summary and "No budget lines" not in finding.summary
