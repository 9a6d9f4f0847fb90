"""Use cases for ideas: CRUD with a status workflow, linking feedback, and the demand behind an idea."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, NotFound, ValidationFailed
from northstar.core.listing import ListParams, Page, apply_changes, get_owned, paginate
from northstar.core.permissions import READ, Actor
from northstar.customers.models import Customer
from northstar.feedback.models import Feedback
from northstar.ideas.models import TRANSITIONS, Idea, IdeaFeedbackLink
from northstar.ideas.schemas import (
    MONEY_INPUTS,
    IdeaCreate,
    IdeaDemand,
    IdeaEdit,
    IdeaRead,
    IdeaScores,
    IdeaUpdate,
    LinkedFeedback,
    LinkRequest,
    LinkResult,
    ReachSuggestion,
)
from northstar.notifications import service as notifications
from northstar.strategy.models import Objective
from northstar.teams.models import Person, Team

SORTABLE = {
    "title": Idea.title,
    "status": Idea.status,
    "created_at": Idea.created_at,
    "updated_at": Idea.updated_at,
    "feedback_count": Idea.feedback_count,
    "id": Idea.id,
}


def _check_references(session: Session, actor: Actor, values: dict[str, object]) -> None:
    for key, model, label in (
        ("owner_id", Person, "person"),
        ("team_id", Team, "team"),
        ("objective_id", Objective, "objective"),
    ):
        value = values.get(key)
        if value is not None:
            try:
                get_owned(session, model, int(str(value)), actor.workspace_id, label)
            except NotFound:
                raise ValidationFailed(
                    f"{key}: no {label} {value} in this workspace",
                    [FieldError(key, f"no {label} {value} in this workspace")],
                )


def create_idea(session: Session, actor: Actor, data: IdeaCreate) -> Idea:
    actor.require("ideas.write")
    values = data.model_dump()
    _check_references(session, actor, values)
    idea = Idea(workspace_id=actor.workspace_id, **values)
    session.add(idea)
    session.flush()
    audit.record(session, actor, "create", "idea", idea.id, idea.title)
    return idea


def get_idea(session: Session, actor: Actor, idea_id: int) -> Idea:
    actor.require(READ)
    return get_owned(session, Idea, idea_id, actor.workspace_id, "idea")


def update_idea(session: Session, actor: Actor, idea_id: int, data: IdeaUpdate) -> Idea:
    """Change an idea; a status change must follow the workflow in ``TRANSITIONS``."""
    actor.require("ideas.write")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    changes = data.model_dump(exclude_unset=True)
    for key in ("title", "description", "status", "inputs"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    _check_references(session, actor, changes)
    new_status = changes.get("status")
    if new_status and new_status != idea.status and new_status not in TRANSITIONS[idea.status]:
        allowed = ", ".join(sorted(TRANSITIONS[idea.status]))
        raise ValidationFailed(
            f"an idea cannot move from {idea.status} to {new_status}; from {idea.status} it can move to {allowed}",
            [FieldError("status", "transition not allowed")],
        )
    old_status = idea.status
    changed = apply_changes(idea, changes)
    if changed:
        audit.record(session, actor, "update", "idea", idea.id, idea.title, changed)
    if "status" in changed:
        _notify_status(session, actor, idea, old_status)
    if "owner_id" in changed:
        _notify_owner(session, actor, idea)
    return idea


def _notify_owner(session: Session, actor: Actor, idea: Idea) -> None:
    """Tell an idea's new owner (when they have a login and are not the one who chose them) with ``assignment``."""
    user_id = (
        session.scalar(select(Person.user_id).where(Person.id == idea.owner_id)) if idea.owner_id else None
    )
    if user_id is not None and user_id != actor.user_id:
        who = actor.user_name or "Someone"
        notifications.notify(
            session,
            actor.workspace_id,
            "assignment",
            [user_id],
            f"You own {idea.title}",
            f"{who} made you the owner of the idea.",
            f"/ideas/{idea.id}",
        )


def _notify_status(session: Session, actor: Actor, idea: Idea, old_status: str) -> None:
    """Tell the idea's owner and the workspace's leaders (not the person who moved it) about a status change."""
    users = set(notifications.leaders(session, actor.workspace_id))
    if idea.owner_id is not None:
        owner_user = session.scalar(select(Person.user_id).where(Person.id == idea.owner_id))
        if owner_user is not None:
            users.add(owner_user)
    users.discard(actor.user_id)
    words = {status: status.replace("_", " ") for status in TRANSITIONS}
    notifications.notify(
        session,
        actor.workspace_id,
        "idea_status_change",
        users,
        f"{idea.title}: {words[old_status]} → {words[idea.status]}",
        f"{actor.user_name or 'Someone'} moved the idea from {words[old_status]} to {words[idea.status]}.",
        f"/ideas/{idea.id}",
    )


def _merged_inputs(inputs: dict[str, Any] | None, values: dict[str, float | None]) -> dict[str, Any]:
    """``inputs`` with ``values`` set; a None value removes its key (the idea then lacks that input)."""
    merged = dict(inputs or {})
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = int(value) if float(value).is_integer() else value
    return merged


def edit_idea(session: Session, actor: Actor, idea_id: int, data: IdeaEdit) -> Idea:
    """Change what a person edits on an idea's page: title, description, team, owner, cost and benefit.

    Cost and benefit live in the idea's inputs next to its scores; the other inputs are kept as they are.
    """
    actor.require("ideas.write")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    values: dict[str, Any] = data.model_dump()
    money = {key: values.pop(key) for key, _name in MONEY_INPUTS}
    _check_references(session, actor, values)
    values["inputs"] = _merged_inputs(idea.inputs, money)
    changed = apply_changes(idea, values)
    if changed:
        audit.record(session, actor, "update", "idea", idea.id, idea.title, changed)
    if "owner_id" in changed:
        _notify_owner(session, actor, idea)
    return idea


def set_scores(session: Session, actor: Actor, idea_id: int, data: IdeaScores) -> Idea:
    """Set an idea's reach, impact, confidence and effort (a missing one is cleared); other inputs are kept."""
    actor.require("ideas.write")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    changed = apply_changes(idea, {"inputs": _merged_inputs(idea.inputs, data.model_dump())})
    if changed:
        audit.record(session, actor, "score", "idea", idea.id, idea.title, data.model_dump())
    return idea


def reach_suggestions(session: Session, actor: Actor, idea_ids: Iterable[int]) -> dict[int, ReachSuggestion]:
    """For each idea, the customers behind its linked feedback and their ARR: a reach to start from.

    Items merged into a linked item count their customer too; each customer is counted once per idea.
    """
    actor.require(READ)
    wanted = sorted(set(idea_ids))
    if not wanted:
        return {}
    linked = select(IdeaFeedbackLink.idea_id, IdeaFeedbackLink.feedback_id).where(
        IdeaFeedbackLink.workspace_id == actor.workspace_id, IdeaFeedbackLink.idea_id.in_(wanted)
    )
    customers: dict[int, set[int]] = defaultdict(set)
    anonymous: dict[int, int] = defaultdict(int)
    items: dict[int, int] = defaultdict(int)
    for idea_id, customer_id in session.execute(
        select(IdeaFeedbackLink.idea_id, Feedback.customer_id)
        .join(Feedback, Feedback.id == IdeaFeedbackLink.feedback_id)
        .where(IdeaFeedbackLink.workspace_id == actor.workspace_id, IdeaFeedbackLink.idea_id.in_(wanted))
    ):
        items[idea_id] += 1
        if customer_id is None:
            anonymous[idea_id] += 1
        else:
            customers[idea_id].add(customer_id)
    links = linked.subquery()
    for idea_id, customer_id in session.execute(
        select(links.c.idea_id, Feedback.customer_id)
        .join(Feedback, Feedback.merged_into_id == links.c.feedback_id)
        .where(Feedback.customer_id.is_not(None))
    ):
        customers[idea_id].add(customer_id)
    everyone = set().union(*customers.values()) if customers else set()
    arr = {
        int(row.id): float(row.arr or 0)
        for row in session.execute(select(Customer.id, Customer.arr).where(Customer.id.in_(everyone)))
    }
    return {
        idea_id: ReachSuggestion(
            idea_id=idea_id,
            feedback_items=items[idea_id],
            customers=len(customers[idea_id]),
            arr=round(sum(arr.get(c, 0.0) for c in customers[idea_id]), 2),
            reach=len(customers[idea_id]) + anonymous[idea_id],
        )
        for idea_id in wanted
    }


def delete_idea(session: Session, actor: Actor, idea_id: int) -> None:
    actor.require("ideas.write")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    audit.record(session, actor, "delete", "idea", idea.id, idea.title)
    session.delete(idea)


def list_ideas(session: Session, actor: Actor, params: ListParams) -> Page[Idea]:
    """Ideas of the workspace; filters: status, team_id, owner_id, objective_id."""
    actor.require(READ)
    query = select(Idea).where(Idea.workspace_id == actor.workspace_id)
    for key in ("status", "team_id", "owner_id", "objective_id"):
        value = params.filters.get(key)
        if value not in (None, ""):
            query = query.where(getattr(Idea, key) == value)
    return paginate(
        session,
        query,
        params,
        search=(Idea.title, Idea.description),
        sortable=SORTABLE,
        default_sort="-feedback_count",
    )


def idea_choices(session: Session, actor: Actor, limit: int = 30) -> list[tuple[int, str]]:
    """(id, title) of the ``limit`` newest ideas, for pickers (no count, no full rows).

    A workspace can hold thousands of ideas; a picker lists the newest (the ones being worked on) and its search
    box finds any other through ``GET /api/v1/ideas?q=`` (``static/app.js``).
    """
    actor.require(READ)
    rows = session.execute(
        select(Idea.id, Idea.title)
        .where(Idea.workspace_id == actor.workspace_id)
        .order_by(Idea.id.desc())
        .limit(limit)
    )
    return [(int(row.id), str(row.title)) for row in rows]


def _refresh_count(session: Session, idea: Idea) -> None:
    idea.feedback_count = (
        session.scalar(
            select(func.count()).select_from(IdeaFeedbackLink).where(IdeaFeedbackLink.idea_id == idea.id)
        )
        or 0
    )


def link_feedback(session: Session, actor: Actor, idea_id: int, request: LinkRequest) -> LinkResult:
    """Link feedback items to an idea with an importance 1–3 (re-linking updates the importance)."""
    actor.require("ideas.link")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    wanted = set(request.feedback_ids)
    rows = session.execute(
        select(Feedback.id, Feedback.merged_into_id).where(
            Feedback.workspace_id == actor.workspace_id, Feedback.id.in_(wanted)
        )
    ).all()
    found = {row[0] for row in rows}
    missing = sorted(wanted - found)
    if missing:
        raise ValidationFailed(
            f"no feedback item(s) {', '.join(map(str, missing[:10]))} in this workspace; nothing was linked",
            [FieldError("feedback_ids", f"unknown id {m}") for m in missing[:100]],
        )
    merged = sorted((row[0], row[1]) for row in rows if row[1] is not None)
    if merged:
        raise ValidationFailed(
            "merged item(s) cannot be linked; link the item they were merged into: "
            + ", ".join(f"#{item} → #{into}" for item, into in merged[:10])
            + "; nothing was linked",
            [FieldError("feedback_ids", f"#{item} was merged into #{into}") for item, into in merged[:100]],
        )
    existing = {
        link.feedback_id: link
        for link in session.scalars(
            select(IdeaFeedbackLink).where(
                IdeaFeedbackLink.idea_id == idea.id, IdeaFeedbackLink.feedback_id.in_(found)
            )
        )
    }
    for feedback_id in sorted(found):
        if feedback_id in existing:
            existing[feedback_id].importance = request.importance
        else:
            session.add(
                IdeaFeedbackLink(
                    workspace_id=actor.workspace_id,
                    idea_id=idea.id,
                    feedback_id=feedback_id,
                    importance=request.importance,
                )
            )
    session.flush()
    _refresh_count(session, idea)
    linked = len(found) - len(existing)
    audit.record(session, actor, "link", "idea", idea.id, f"{linked} feedback item(s) linked to {idea.title}")
    return LinkResult(linked=linked, already_linked=len(existing))


def unlink_feedback(session: Session, actor: Actor, idea_id: int, feedback_id: int) -> None:
    actor.require("ideas.link")
    idea = get_owned(session, Idea, idea_id, actor.workspace_id, "idea")
    result = session.execute(
        delete(IdeaFeedbackLink).where(
            IdeaFeedbackLink.idea_id == idea.id, IdeaFeedbackLink.feedback_id == feedback_id
        )
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound(f"feedback {feedback_id} is not linked to idea {idea_id}")
    _refresh_count(session, idea)
    audit.record(session, actor, "unlink", "idea", idea.id, f"feedback {feedback_id}")


def idea_demand(session: Session, actor: Actor, idea_id: int, limit: int = 500) -> IdeaDemand:
    """The feedback behind an idea with its customers, and the ARR of the unique customers who asked."""
    idea = get_idea(session, actor, idea_id)
    rows = session.execute(
        select(IdeaFeedbackLink.importance, Feedback, Customer)
        .join(Feedback, Feedback.id == IdeaFeedbackLink.feedback_id)
        .outerjoin(Customer, Customer.id == Feedback.customer_id)
        .where(IdeaFeedbackLink.idea_id == idea.id)
        .order_by(IdeaFeedbackLink.importance.desc(), Feedback.received_at.desc())
    ).all()
    by_customer: dict[int, Customer] = {}
    linked: list[LinkedFeedback] = []
    for importance, item, customer in rows:
        if customer is not None:
            by_customer[customer.id] = customer
        if len(linked) < limit:
            linked.append(
                LinkedFeedback(
                    feedback_id=item.id,
                    text=item.text[:2000],
                    source=item.source,
                    received_at=item.received_at,
                    importance=importance,
                    customer_id=customer.id if customer else None,
                    customer_name=customer.name if customer else None,
                    customer_segment=customer.segment if customer else None,
                    customer_arr=float(customer.arr) if customer else None,
                )
            )
    # items merged into a linked item (feedback.duplicates_service) asked too: their customers count, once each
    for customer in session.scalars(
        select(Customer)
        .join(Feedback, Feedback.customer_id == Customer.id)
        .where(
            Feedback.merged_into_id.in_(
                select(IdeaFeedbackLink.feedback_id).where(IdeaFeedbackLink.idea_id == idea.id)
            )
        )
    ):
        by_customer[customer.id] = customer
    by_segment: dict[str, float] = defaultdict(float)
    for customer in by_customer.values():
        by_segment[customer.segment or "unknown"] += float(customer.arr or 0)
    return IdeaDemand(
        idea=IdeaRead.model_validate(idea),
        feedback=linked,
        customers=len(by_customer),
        total_arr=round(sum(by_segment.values()), 2),
        arr_by_segment=dict(sorted(by_segment.items(), key=lambda kv: -kv[1])),
    )
