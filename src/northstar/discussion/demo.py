"""Demo content of discussion (called by ``northstar demo``): short conversations, each with an @mention, on the
three most-asked ideas and on the demo's plan, so that their pages, the bell and /activity are not empty."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import User
from northstar.core.permissions import Actor, Role
from northstar.decisions.models import Plan
from northstar.discussion import service
from northstar.discussion.schemas import CommentCreate
from northstar.ideas.models import Idea

#: (author's e-mail, text); {title} is the object's name. Handles: demo (Dana), pm (Priya), support (Sam), admin.
IDEA_THREADS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        (
            "support@example.com",
            "Three more tickets this week asking for this, two from enterprise accounts.",
        ),
        (
            "pm@example.com",
            "@demo this keeps coming up. Shall we size it for next quarter?\nI can draft the scope.",
        ),
        ("demo@example.com", "Yes, please do @pm. Bring a rough effort estimate to Thursday's review."),
    ),
    (
        (
            "pm@example.com",
            "Interviewed four customers about {title}: all want it, none agree on the details.",
        ),
        (
            "demo@example.com",
            "@support can you tag the tickets that describe the workflow? That settles the details.",
        ),
    ),
    (("admin@example.com", "Security review needed before we commit to {title}. @demo FYI."),),
)
PLAN_THREAD: tuple[tuple[str, str], ...] = (
    (
        "demo@example.com",
        "@pm the budget line for contractors is the constraint here; try the scenario without it.",
    ),
    ("pm@example.com", "Done: the scenario funds two more ideas and ships the top one a month earlier."),
)
_ROLES = {
    "demo@example.com": Role.OWNER,
    "admin@example.com": Role.ADMIN,
    "pm@example.com": Role.PRODUCT_MANAGER,
}


def _actors(session: Session, context: Any) -> dict[str, Actor]:
    names = dict(
        session.execute(select(User.id, User.name).where(User.id.in_(context.user_ids.values()))).all()
    )
    return {
        email: Actor(
            user_id=user_id,
            workspace_id=context.workspace_id,
            role=_ROLES.get(email, Role.CONTRIBUTOR),
            user_name=names.get(user_id, ""),
        )
        for email, user_id in context.user_ids.items()
    }


def _post(
    session: Session, actors: dict[str, Actor], object_type: str, object_id: int, name: str, thread: Any
) -> None:
    for email, text in thread:
        if email in actors:
            body = CommentCreate(body=text.format(title=name))
            service.create_comment(session, actors[email], object_type, object_id, body)


def seed_demo(session: Session, actor: Actor, context: Any) -> None:
    """Post the threads on the three ideas with the most feedback and on the first plan."""
    actors = _actors(session, context)
    top = session.execute(
        select(Idea.id, Idea.title)
        .where(Idea.workspace_id == context.workspace_id)
        .order_by(Idea.feedback_count.desc(), Idea.id)
        .limit(len(IDEA_THREADS))
    ).all()
    for (idea_id, title), thread in zip(top, IDEA_THREADS, strict=False):
        _post(session, actors, "idea", idea_id, title, thread)
    plan = session.execute(
        select(Plan.id, Plan.name)
        .where(Plan.workspace_id == context.workspace_id, Plan.parent_id.is_(None))
        .order_by(Plan.id)
        .limit(1)
    ).first()
    if plan is not None:
        _post(session, actors, "plan", plan.id, plan.name, PLAN_THREAD)
