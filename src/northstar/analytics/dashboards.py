"""Dashboards: named boards of saved insights read together (create, add an insight, remove it, delete the board).

Like the rest of the analytics service, each function takes a session and an actor and checks the permission
once; a dashboard and the insights placed on it belong to the actor's workspace.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.analytics.models import Dashboard, DashboardInsight, SavedInsight
from northstar.analytics.schemas import DashboardCreate, DashboardRead, SavedInsightRead
from northstar.core import audit
from northstar.core.errors import Conflict
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor

WRITE = "analytics.write"


def create_dashboard(session: Session, actor: Actor, data: DashboardCreate) -> Dashboard:
    """A new, empty dashboard; names are unique in the workspace."""
    actor.require(WRITE)
    name = data.name.strip()
    taken = session.scalar(
        select(Dashboard.id).where(Dashboard.workspace_id == actor.workspace_id, Dashboard.name == name)
    )
    if taken is not None:
        raise Conflict(f"a dashboard named {name!r} already exists")
    dashboard = Dashboard(workspace_id=actor.workspace_id, name=name, description=data.description.strip())
    session.add(dashboard)
    session.flush()
    audit.record(session, actor, "create", "dashboard", dashboard.id, dashboard.name)
    return dashboard


def list_dashboards(session: Session, actor: Actor) -> list[tuple[Dashboard, int]]:
    """Every dashboard of the workspace by name, with how many insights it holds."""
    actor.require(READ)
    counts = (
        select(DashboardInsight.dashboard_id, func.count().label("n"))
        .where(DashboardInsight.workspace_id == actor.workspace_id)
        .group_by(DashboardInsight.dashboard_id)
        .subquery()
    )
    query = (
        select(Dashboard, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.dashboard_id == Dashboard.id)
        .where(Dashboard.workspace_id == actor.workspace_id)
        .order_by(Dashboard.name)
    )
    return [(dashboard, int(count)) for dashboard, count in session.execute(query)]


def get_dashboard(session: Session, actor: Actor, dashboard_id: int) -> Dashboard:
    actor.require(READ)
    return get_owned(session, Dashboard, dashboard_id, actor.workspace_id, "dashboard")


def dashboard_insights(session: Session, actor: Actor, dashboard_id: int) -> list[SavedInsight]:
    """The saved insights on the dashboard, in their place order."""
    dashboard = get_dashboard(session, actor, dashboard_id)
    query = (
        select(SavedInsight)
        .join(DashboardInsight, DashboardInsight.insight_id == SavedInsight.id)
        .where(DashboardInsight.dashboard_id == dashboard.id)
        .order_by(DashboardInsight.position, DashboardInsight.id)
    )
    return list(session.scalars(query))


def read_dashboard(session: Session, actor: Actor, dashboard_id: int) -> DashboardRead:
    dashboard = get_dashboard(session, actor, dashboard_id)
    insights = dashboard_insights(session, actor, dashboard_id)
    return DashboardRead(
        id=dashboard.id,
        name=dashboard.name,
        description=dashboard.description,
        insights=[SavedInsightRead.model_validate(insight) for insight in insights],
        created_at=dashboard.created_at,
    )


def add_insight(session: Session, actor: Actor, dashboard_id: int, insight_id: int) -> DashboardInsight:
    """Place a saved insight last on the dashboard (placing it twice is refused)."""
    actor.require(WRITE)
    dashboard = get_owned(session, Dashboard, dashboard_id, actor.workspace_id, "dashboard")
    insight = get_owned(session, SavedInsight, insight_id, actor.workspace_id, "saved insight")
    present = session.scalar(
        select(DashboardInsight.id).where(
            DashboardInsight.dashboard_id == dashboard.id, DashboardInsight.insight_id == insight.id
        )
    )
    if present is not None:
        raise Conflict(f"{insight.name!r} is already on {dashboard.name!r}")
    last = session.scalar(
        select(func.max(DashboardInsight.position)).where(DashboardInsight.dashboard_id == dashboard.id)
    )
    placed = DashboardInsight(
        workspace_id=actor.workspace_id,
        dashboard_id=dashboard.id,
        insight_id=insight.id,
        position=0 if last is None else last + 1,
    )
    session.add(placed)
    session.flush()
    audit.record(session, actor, "add", "dashboard", dashboard.id, f"{dashboard.name}: {insight.name}")
    return placed


def remove_insight(session: Session, actor: Actor, dashboard_id: int, insight_id: int) -> None:
    """Take a saved insight off the dashboard (the insight itself stays saved)."""
    actor.require(WRITE)
    dashboard = get_owned(session, Dashboard, dashboard_id, actor.workspace_id, "dashboard")
    placed = session.scalar(
        select(DashboardInsight).where(
            DashboardInsight.dashboard_id == dashboard.id, DashboardInsight.insight_id == insight_id
        )
    )
    if placed is None:
        return
    audit.record(
        session, actor, "remove", "dashboard", dashboard.id, f"{dashboard.name}: insight {insight_id}"
    )
    session.delete(placed)
    session.flush()


def dashboards_of_insight(session: Session, actor: Actor, insight_id: int) -> list[Dashboard]:
    """The dashboards a saved insight is on."""
    actor.require(READ)
    query = (
        select(Dashboard)
        .join(DashboardInsight, DashboardInsight.dashboard_id == Dashboard.id)
        .where(DashboardInsight.insight_id == insight_id, Dashboard.workspace_id == actor.workspace_id)
        .order_by(Dashboard.name)
    )
    return list(session.scalars(query))


def delete_dashboard(session: Session, actor: Actor, dashboard_id: int) -> None:
    """Delete the dashboard (its insights stay saved)."""
    actor.require(WRITE)
    dashboard = get_owned(session, Dashboard, dashboard_id, actor.workspace_id, "dashboard")
    audit.record(session, actor, "delete", "dashboard", dashboard.id, dashboard.name)
    session.delete(dashboard)
    session.flush()
