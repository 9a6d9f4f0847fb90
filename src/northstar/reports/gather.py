"""Read what a report needs from the other modules, through their service functions only.

Each function returns the plain values the pure engine (``reports.engine``) assembles; a module with nothing to
say (no plan solved yet, no event store) gives an empty section, never an error.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from northstar.core.listing import ListParams
from northstar.core.permissions import Actor
from northstar.core.settings import Settings
from northstar.reports import engine
from northstar.reports.schemas import (
    BudgetLineSummary,
    BudgetSummary,
    DueLine,
    ExperimentLine,
    KeyResultLine,
    MetricTrend,
    ObjectiveLine,
    PortfolioSummary,
    ShippedLine,
    ThemeLine,
)

log = logging.getLogger(__name__)
ROADMAP_STATUSES = ("planned", "in_progress")


def objectives(session: Session, actor: Actor, today: dt.date) -> list[ObjectiveLine]:
    """Every objective with its key results' progress, pace and latest confidence."""
    from northstar.strategy import service as strategy

    lines = []
    for objective in strategy.list_objectives(session, actor):
        detail = strategy.objective_detail(session, actor, objective.id, today)
        krs = []
        for kr in detail.key_results:
            latest = max(kr.check_ins, key=lambda c: (c.day, c.id), default=None)
            krs.append(
                KeyResultLine(
                    title=kr.title,
                    progress=kr.progress,
                    current=kr.current,
                    target=kr.target,
                    unit=kr.unit,
                    pace=kr.pace,
                    confidence=latest.confidence if latest else None,
                )
            )
        lines.append(
            ObjectiveLine(title=detail.title, period=detail.period, progress=detail.progress, key_results=krs)
        )
    return lines


def team_names(session: Session, actor: Actor) -> dict[int, str]:
    from northstar.teams import service as teams

    return {team.id: team.name for team in teams.list_teams(session, actor)}


def ideas_with_status(session: Session, actor: Actor, statuses: tuple[str, ...]) -> list[Any]:
    from northstar.ideas import service as ideas

    found = []
    for status in statuses:
        params = ListParams(None, "title", 1, 500, {"status": status})
        found += ideas.list_ideas(session, actor, params).items
    return found


def current_plan(session: Session, actor: Actor) -> Any | None:
    """The plan the roadmap comes from: the newest top-level plan with a forecast (a scenario only if none)."""
    from northstar.decisions import service as decisions

    plans = [plan for plan in decisions.list_plans(session, actor) if plan.forecast]
    roots = [plan for plan in plans if plan.parent_id is None]
    chosen = (roots or plans)[-1:] if plans else []
    return chosen[0] if chosen else None


def roadmap_ideas(session: Session, actor: Actor, statuses: tuple[str, ...] = ROADMAP_STATUSES) -> list[Any]:
    names = team_names(session, actor)
    rows = ideas_with_status(session, actor, statuses)
    return [
        (idea.id, idea.title, idea.status, names.get(idea.team_id, "") if idea.team_id else "")
        for idea in rows
    ]


def portfolio(session: Session, actor: Actor, plan: Any | None, currency: str) -> PortfolioSummary | None:
    if plan is None or not plan.portfolio:
        return None
    data = plan.portfolio
    used, limit = (data.get("usage", {}).get("budget") or [None, None])[:2]
    return PortfolioSummary(
        plan=plan.name,
        status=str(data.get("status", "")),
        value=data.get("value"),
        budget_used=used,
        budget_limit=limit,
        selected=len(data.get("selected", [])),
        currency=currency,
    )


def budget(session: Session, actor: Actor, period: str, today: dt.date) -> BudgetSummary | None:
    """Plan against actual of ``period`` per team (None when nothing is planned or spent)."""
    from northstar.budget import service as budget_service

    report = budget_service.report(session, actor, period, today)
    if not report.teams and not report.total.planned_cents and not report.total.actual_cents:
        return None
    return BudgetSummary(
        period=report.period,
        currency=report.currency,
        planned_cents=report.total.planned_cents,
        actual_cents=report.total.actual_cents,
        forecast_cents=report.total.forecast_cents,
        teams=[
            BudgetLineSummary(
                team=row.team,
                planned_cents=row.planned_cents,
                actual_cents=row.actual_cents,
                variance_cents=row.variance_cents,
                forecast_cents=row.forecast_cents,
                alert=row.alert,
            )
            for row in report.teams
        ],
    )


def currency(session: Session, actor: Actor) -> str:
    from northstar.budget import service as budget_service

    return budget_service.currency(session, actor)


def themes(session: Session, actor: Actor, limit: int = 5, rising_only: bool = False) -> list[ThemeLine]:
    """The top themes by the ARR of the customers behind them (only rising ones when asked)."""
    from northstar.feedback.themes import service as theme_service

    ranked = theme_service.list_themes(session, actor, "top", "arr", 1, 500).items
    lines = [
        ThemeLine(
            name=summary.theme.name,
            items=summary.demand.items,
            customers=summary.demand.customers,
            arr=summary.demand.arr,
            direction=summary.demand.trend.direction,
        )
        for summary in ranked
        if not rising_only or summary.demand.trend.direction == "rising"
    ]
    return lines[:limit]


def metrics(
    session: Session, actor: Actor, settings: Settings | None, period: engine.Period, today: dt.date
) -> list[MetricTrend]:
    """Each product metric at the end of the month before the period and of each month in it (up to today)."""
    if settings is None:
        return []
    from northstar.analytics import service as analytics

    trends = []
    days = engine.month_ends(period, min(today, period.ends_on))
    try:
        for metric in analytics.list_metrics(session, actor):
            points = [
                (day, analytics.metric_value(session, actor, settings, metric.id, day).value) for day in days
            ]
            trends.append(engine.metric_trend(metric.name, metric.math, points))
    except Exception as error:  # an unreadable event store leaves the section empty, the report still issues
        log.warning("reports: product metrics left out: %s", error)
        return []
    return trends


def shipped_between(
    session: Session, actor: Actor, starts_on: dt.date, ends_on: dt.date
) -> list[ShippedLine]:
    """Ideas marked shipped whose last change falls in the window."""
    names = team_names(session, actor)
    return [
        ShippedLine(
            idea_id=idea.id, title=idea.title, team=names.get(idea.team_id, "") if idea.team_id else ""
        )
        for idea in ideas_with_status(session, actor, ("shipped",))
        if starts_on <= idea.updated_at.date() <= ends_on
    ]


def experiments_concluded(
    session: Session, actor: Actor, starts_on: dt.date, ends_on: dt.date
) -> list[ExperimentLine]:
    from northstar.experiments import service as experiments

    found = []
    for status in ("concluded", "stopped"):
        params = ListParams(None, None, 1, 500, {"status": status})
        for experiment in experiments.list_experiments(session, actor, params).items:
            ended = experiment.ended_at.date() if experiment.ended_at else None
            if ended is not None and starts_on <= ended <= ends_on:
                found.append(
                    ExperimentLine(name=experiment.name, ended_on=ended, hypothesis=experiment.hypothesis)
                )
    return found


def head_of_product_dues(session: Session, actor: Actor, today: dt.date) -> list[DueLine]:
    """The author's own 1:1s due within a week and their unanswered review requests."""
    from northstar.people import reviews_service
    from northstar.people import service as people

    dues = [
        DueLine(what=f"1:1 with {item.other_person}", due=item.next_due, overdue=item.overdue)
        for item in people.my_check_ins(session, actor, today)
        if item.next_due <= today + dt.timedelta(days=7)
    ]
    dues += [
        DueLine(what=f"360 review of {pending.subject_name} ({pending.cycle.name})", due=None, overdue=False)
        for pending in reviews_service.my_requests(session, actor)
    ]
    return dues
