"""Keep each idea's count of linked feedback right when links change outside ``ideas.service`` (merges, unmerges,
deletions of feedback)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.ideas.models import Idea, IdeaFeedbackLink


def refresh_idea_counts(session: Session, idea_ids: Iterable[int]) -> None:
    """Recount ``Idea.feedback_count`` (its linked items) after links changed outside ``ideas.service``."""
    for idea in session.scalars(select(Idea).where(Idea.id.in_(sorted(set(idea_ids))))):
        idea.feedback_count = (
            session.scalar(
                select(func.count()).select_from(IdeaFeedbackLink).where(IdeaFeedbackLink.idea_id == idea.id)
            )
            or 0
        )
