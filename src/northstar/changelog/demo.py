"""Demo content of the changelog (called by ``northstar demo``): the most-asked shipped idea published, so its
customers' contacts are in the outbox and the idea shows who was told, and the next shipped idea as a draft."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.changelog import service
from northstar.core.permissions import Actor
from northstar.core.settings import Settings
from northstar.feedback.models import Feedback
from northstar.ideas.models import Idea, IdeaFeedbackLink


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Publish the most-asked shipped idea's entry (links signed with the app's key) and draft the next one."""
    settings: Settings = context.settings or Settings(secret_key="demo-without-settings")
    links = service.Links(settings.resolved_public_url(), settings.resolved_secret_key())
    asked = (
        select(Idea.id, func.count(Feedback.contact_id))
        .join(IdeaFeedbackLink, IdeaFeedbackLink.idea_id == Idea.id)
        .join(Feedback, Feedback.id == IdeaFeedbackLink.feedback_id)
        .where(Idea.workspace_id == context.workspace_id, Idea.status == "shipped")
        .group_by(Idea.id)
        .order_by(func.count(Feedback.contact_id).desc(), Idea.id)
        .limit(2)
    )
    shipped = [idea_id for idea_id, _count in session.execute(asked)]
    for index, idea_id in enumerate(shipped):
        entry = service.draft_from_idea(session, actor, idea_id)
        if index == 0:
            service.publish(session, actor, entry.id, links)
