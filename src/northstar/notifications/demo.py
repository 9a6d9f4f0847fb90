"""Demo content of notifications (called by ``northstar demo``): what the team was told lately.

The budget demo's import of actual spend already raised the real overspend alert to the leaders. Here the demo's
product manager, Priya, is the one who moved the most recent ideas along the workflow, so Dana (Head of Product) and
Avery (admin) got the same notifications that ``ideas.service.update_idea`` writes; the oldest one is read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.permissions import Actor
from northstar.notifications import service
from northstar.notifications.models import Notification

#: the workflow step that led to each status (the demo's ideas were created in their status)
_PREVIOUS = {
    "under_review": "new",
    "planned": "under_review",
    "in_progress": "planned",
    "shipped": "in_progress",
}


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    company = context.company
    leaders = service.leaders(session, context.workspace_id)
    mover = "Priya Product"
    moved = sorted(
        (idea for idea in company.ideas if idea.status in _PREVIOUS and idea.key in context.idea_ids),
        key=lambda idea: idea.created_at,
    )[-5:]
    for idea in moved:
        before, after = _PREVIOUS[idea.status].replace("_", " "), idea.status.replace("_", " ")
        service.notify(
            session,
            context.workspace_id,
            "idea_status_change",
            leaders,
            f"{idea.title}: {before} → {after}",
            f"{mover} moved the idea from {before} to {after}.",
            f"/ideas/{context.idea_ids[idea.key]}",
            key=f"demo:idea:{idea.key}:{idea.status}",
        )
    oldest = session.scalars(
        select(Notification)
        .where(Notification.workspace_id == context.workspace_id, Notification.user_id == actor.user_id)
        .order_by(Notification.id)
        .limit(1)
    ).first()
    if oldest is not None:
        service.mark_read(session, actor, oldest.id)
