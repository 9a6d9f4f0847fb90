"""The numbers on the workspace home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.core.database import utcnow
from northstar.core.permissions import READ, Actor
from northstar.customers.models import Customer
from northstar.feedback.models import Feedback
from northstar.feedback.service import not_merged
from northstar.ideas.models import Idea
from northstar.strategy.models import Objective


@dataclass(frozen=True)
class HomeItem:
    """One line on a home panel: what, where to go, and whether it is overdue."""

    label: str
    href: str
    note: str = ""
    urgent: bool = False


@dataclass(frozen=True)
class HomePanel:
    """A module's panel on the home page (for example the viewer's due 1:1s)."""

    title: str
    items: list[HomeItem]
    empty: str = "Nothing here."


def module_panels(session: Session, actor: Actor) -> list[HomePanel]:
    """Panels contributed by modules through ``<module>/home.py: home_panels(session, actor)``."""
    from northstar import modules

    panels: list[HomePanel] = []
    for _spec, module in modules.parts("home"):
        provider = modules.attr(module, "home_panels")
        if provider is not None:
            panels.extend(provider(session, actor))
    return panels


@dataclass(frozen=True)
class Overview:
    customers: int
    total_arr: float
    feedback: int
    feedback_last_30_days: int
    ideas: int
    objectives: int
    ideas_by_status: dict[str, int]
    feedback_by_week: list[tuple[str, int]]
    top_ideas: list[tuple[int, str, int]]


def _count(session: Session, model: Any, workspace_id: int) -> int:
    query = select(func.count()).select_from(model).where(model.workspace_id == workspace_id)
    return int(session.scalar(query) or 0)


def workspace_overview(session: Session, actor: Actor, weeks: int = 12) -> Overview:
    """Counts, ARR, feedback per ISO week for the last ``weeks`` weeks, ideas by status, most-asked ideas."""
    actor.require(READ)
    ws = actor.workspace_id
    now = utcnow()
    since = now - timedelta(weeks=weeks)
    received = session.scalars(
        select(Feedback.received_at).where(
            Feedback.workspace_id == ws, Feedback.received_at >= since, not_merged(session)
        )
    ).all()
    per_week: dict[str, int] = {}
    for index in range(weeks, -1, -1):
        moment = now - timedelta(weeks=index)
        year, week, _ = moment.isocalendar()
        per_week[f"{year}-W{week:02d}"] = 0
    for moment in received:
        year, week, _ = moment.isocalendar()
        key = f"{year}-W{week:02d}"
        if key in per_week:
            per_week[key] += 1
    last_30 = (
        session.scalar(
            select(func.count())
            .select_from(Feedback)
            .where(
                Feedback.workspace_id == ws,
                Feedback.received_at >= now - timedelta(days=30),
                not_merged(session),  # merged duplicates are kept as records, not counted
            )
        )
        or 0
    )
    statuses = dict(
        session.execute(
            select(Idea.status, func.count()).where(Idea.workspace_id == ws).group_by(Idea.status)
        ).all()
    )
    top = session.execute(
        select(Idea.id, Idea.title, Idea.feedback_count)
        .where(Idea.workspace_id == ws)
        .order_by(Idea.feedback_count.desc(), Idea.id)
        .limit(5)
    ).all()
    return Overview(
        customers=_count(session, Customer, ws),
        total_arr=float(
            session.scalar(select(func.sum(Customer.arr)).where(Customer.workspace_id == ws)) or 0
        ),
        feedback=int(
            session.scalar(
                select(func.count())
                .select_from(Feedback)
                .where(Feedback.workspace_id == ws, not_merged(session))
            )
            or 0
        ),
        feedback_last_30_days=last_30,
        ideas=_count(session, Idea, ws),
        objectives=_count(session, Objective, ws),
        ideas_by_status={k: int(v) for k, v in statuses.items()},
        feedback_by_week=list(per_week.items()),
        top_ideas=[(int(i), str(t), int(c)) for i, t, c in top],
    )
