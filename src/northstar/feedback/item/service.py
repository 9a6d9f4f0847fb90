"""Use cases of one feedback item: read it with everything said about it, link it to ideas, correct it.

Corrections reuse the mechanisms the inbox and the themes already have, so the analysis and its feedback loop read
them in one place: a corrected kind is a ``KindOverride`` (``inbox.service.set_kind``), a corrected theme is a
``FeedbackThemeLock`` (``themes.service.move_items``, or ``remove_from_theme`` for "in no theme"). Links are
``ideas.service.link_feedback`` / ``unlink_feedback``. Each action is also written to the audit log against the
item (``object_type`` "feedback"), which is where the item's history comes from.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from northstar.accounts.models import User
from northstar.core import audit
from northstar.core.audit import AuditEvent
from northstar.core.permissions import Actor
from northstar.customers.models import Contact, Customer
from northstar.feedback import service as feedback_service
from northstar.feedback.inbox import service as inbox_service
from northstar.feedback.item.schemas import (
    ContactBrief,
    CustomerBrief,
    FeedbackDetail,
    HistoryEntry,
    ItemLinkRequest,
    ItemRef,
    LinkedIdea,
    ThemeBrief,
)
from northstar.feedback.models import Feedback
from northstar.feedback.models.analysis import FeedbackAnalysis, FeedbackTheme
from northstar.feedback.models.curation import DuplicateDismissal
from northstar.feedback.models.themes import FeedbackThemeLock
from northstar.feedback.schemas import FeedbackRead
from northstar.feedback.themes import service as themes_service
from northstar.ideas import service as ideas_service
from northstar.ideas.models import Idea, IdeaFeedbackLink
from northstar.ideas.schemas import LinkRequest, LinkResult

HISTORY_LIMIT = 200
NEAR_DUPLICATES_LIMIT = 20
REF_CHARS = 300


def item_detail(session: Session, actor: Actor, feedback_id: int) -> FeedbackDetail:
    """The item with its customer and contact, kind, sentiment and theme (analysed or corrected by a person),
    category, duplicates and merges, linked ideas and — for roles that read the audit log — its history."""
    item = feedback_service.get_feedback(session, actor, feedback_id)
    fields = FeedbackRead.model_validate(item).model_dump()
    fields["meta"] = fields.pop("metadata")  # the read model takes the item's ``meta`` attribute by that name
    note = inbox_service.annotate(session, actor, [item.id]).get(item.id)
    analysis = session.get(FeedbackAnalysis, item.id)
    detail = FeedbackDetail(
        **fields,
        customer=_customer(session, actor, item.customer_id),
        contact=_contact(session, actor, item.contact_id),
        history_visible=actor.can("audit.read"),
    )
    if note is not None:
        detail.analysed = note.analysed
        detail.kind, detail.kind_confidence = note.kind, note.kind_confidence
        detail.kind_set_by_person = note.kind_set_by_person
        detail.sentiment, detail.sentiment_band, detail.language = (
            note.sentiment,
            note.sentiment_band,
            note.language,
        )
        detail.category_name, detail.category_labelled = note.category_name, note.category_labelled
        detail.category_confidence = note.category_confidence
    if analysis is not None and analysis.workspace_id == actor.workspace_id:
        detail.analysed_kind = analysis.kind if detail.analysed else None
        detail.theme = _theme(session, actor, analysis.theme_id)
        detail.theme_similarity = analysis.theme_similarity if detail.theme else None
        detail.theme_set_by_person = session.get(FeedbackThemeLock, item.id) is not None
        _duplicates(session, actor, item, analysis, detail)
    detail.merged_into = _ref(session, actor, item.merged_into_id)
    merged = session.scalars(
        select(Feedback.id)
        .where(Feedback.workspace_id == actor.workspace_id, Feedback.merged_into_id == item.id)
        .order_by(Feedback.id)
    )
    detail.merged_items = [ref for ref in (_ref(session, actor, i) for i in merged) if ref is not None]
    detail.ideas = linked_ideas(session, actor, item.id)
    if detail.history_visible:
        detail.history = item_history(session, actor, item.id)
    return detail


def _customer(session: Session, actor: Actor, customer_id: int | None) -> CustomerBrief | None:
    customer = session.get(Customer, customer_id) if customer_id else None
    if customer is None or customer.workspace_id != actor.workspace_id:
        return None
    return CustomerBrief(
        id=customer.id,
        name=customer.name,
        segment=customer.segment,
        plan=customer.plan,
        region=customer.region,
        arr=float(customer.arr or 0),
    )


def _contact(session: Session, actor: Actor, contact_id: int | None) -> ContactBrief | None:
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.workspace_id != actor.workspace_id:
        return None
    return ContactBrief(name=contact.name, email=contact.email, role=contact.role)


def _theme(session: Session, actor: Actor, theme_id: int | None) -> ThemeBrief | None:
    theme = session.get(FeedbackTheme, theme_id) if theme_id else None
    if theme is None or theme.workspace_id != actor.workspace_id:
        return None
    parent = session.get(FeedbackTheme, theme.parent_id) if theme.parent_id else None
    return ThemeBrief(
        id=theme.id, name=theme.name, parent_id=theme.parent_id, parent_name=parent.name if parent else None
    )


def _ref(
    session: Session, actor: Actor, feedback_id: int | None, similarity: float | None = None
) -> ItemRef | None:
    row = (
        session.execute(
            select(Feedback.id, Feedback.text, Feedback.received_at, Customer.name)
            .outerjoin(Customer, Customer.id == Feedback.customer_id)
            .where(Feedback.workspace_id == actor.workspace_id, Feedback.id == feedback_id)
        ).first()
        if feedback_id
        else None
    )
    if row is None:
        return None
    return ItemRef(
        feedback_id=row[0],
        text=row[1][:REF_CHARS],
        received_at=row[2],
        customer_name=row[3],
        similarity=similarity,
    )


def _cosine(first: bytes | None, second: bytes | None) -> float | None:
    if first is None or second is None:
        return None
    a = np.frombuffer(first, dtype=np.float16).astype(np.float32)
    b = np.frombuffer(second, dtype=np.float16).astype(np.float32)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return round(float(a @ b) / norm, 4) if norm else None


def _duplicates(
    session: Session, actor: Actor, item: Feedback, analysis: FeedbackAnalysis, detail: FeedbackDetail
) -> None:
    """The earlier item the analysis matched this one with, and later items matched with it — without the pairs a
    person dismissed ("not a duplicate") and without items merged already (those are listed as merged)."""
    dismissed = {
        pair
        for row in session.scalars(
            select(DuplicateDismissal).where(
                DuplicateDismissal.workspace_id == actor.workspace_id,
                or_(DuplicateDismissal.first_id == item.id, DuplicateDismissal.second_id == item.id),
            )
        )
        for pair in ((row.first_id, row.second_id), (row.second_id, row.first_id))
    }
    earlier = analysis.duplicate_of_id
    if earlier and (item.id, earlier) not in dismissed:
        other = session.get(FeedbackAnalysis, earlier)
        detail.duplicate_of = _ref(
            session, actor, earlier, _cosine(analysis.embedding, other.embedding if other else None)
        )
    later = session.execute(
        select(FeedbackAnalysis.feedback_id, FeedbackAnalysis.embedding)
        .join(Feedback, Feedback.id == FeedbackAnalysis.feedback_id)
        .where(
            FeedbackAnalysis.workspace_id == actor.workspace_id,
            FeedbackAnalysis.duplicate_of_id == item.id,
            Feedback.merged_into_id.is_(None),
        )
        .order_by(FeedbackAnalysis.feedback_id)
        .limit(NEAR_DUPLICATES_LIMIT)
    ).all()
    refs = (
        _ref(session, actor, other_id, _cosine(analysis.embedding, embedding))
        for other_id, embedding in later
        if (item.id, other_id) not in dismissed
    )
    detail.near_duplicates = [ref for ref in refs if ref is not None]


def linked_ideas(session: Session, actor: Actor, feedback_id: int) -> list[LinkedIdea]:
    """The ideas an item is linked to, most important first."""
    rows = session.execute(
        select(Idea.id, Idea.title, Idea.status, IdeaFeedbackLink.importance, IdeaFeedbackLink.created_at)
        .join(IdeaFeedbackLink, IdeaFeedbackLink.idea_id == Idea.id)
        .where(
            IdeaFeedbackLink.workspace_id == actor.workspace_id, IdeaFeedbackLink.feedback_id == feedback_id
        )
        .order_by(IdeaFeedbackLink.importance.desc(), Idea.title)
    ).all()
    return [
        LinkedIdea(idea_id=row[0], title=row[1], status=row[2], importance=row[3], linked_at=row[4])
        for row in rows
    ]


def item_history(session: Session, actor: Actor, feedback_id: int) -> list[HistoryEntry]:
    """What was done to the item, newest first: the audit log's records about it (needs ``audit.read``)."""
    actor.require("audit.read")
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.workspace_id == actor.workspace_id,
                AuditEvent.object_type == "feedback",
                AuditEvent.object_id == feedback_id,
            )
            .order_by(AuditEvent.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )
    user_ids = {e.user_id for e in events if e.user_id}
    names = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
    return [
        HistoryEntry(
            at=e.created_at,
            action=e.action,
            who=names.get(e.user_id) if e.user_id else None,
            summary=e.summary,
            changes=dict(e.changes or {}),
        )
        for e in events
    ]


def link_to_idea(session: Session, actor: Actor, feedback_id: int, request: ItemLinkRequest) -> LinkResult:
    """Link the item to an idea (linking again changes the importance)."""
    item = feedback_service.get_feedback(session, actor, feedback_id)
    result = ideas_service.link_feedback(
        session, actor, request.idea_id, LinkRequest(feedback_ids=[item.id], importance=request.importance)
    )
    idea = ideas_service.get_idea(session, actor, request.idea_id)
    verb = "importance changed on the link to" if result.already_linked else "linked to"
    audit.record(
        session,
        actor,
        "feedback.linked",
        "feedback",
        item.id,
        f"{verb} idea “{idea.title}”",
        {"idea_id": idea.id, "importance": request.importance},
    )
    return result


def unlink_from_idea(session: Session, actor: Actor, feedback_id: int, idea_id: int) -> None:
    """Take the item off an idea (404 when it is not linked to it)."""
    item = feedback_service.get_feedback(session, actor, feedback_id)
    idea = ideas_service.get_idea(session, actor, idea_id)
    ideas_service.unlink_feedback(session, actor, idea.id, item.id)
    audit.record(
        session,
        actor,
        "feedback.unlinked",
        "feedback",
        item.id,
        f"unlinked from idea “{idea.title}”",
        {"idea_id": idea.id},
    )


def correct_kind(session: Session, actor: Actor, feedback_id: int, kind: str | None) -> int:
    """Give the item a kind by hand (kept across re-analysis), or ``None`` to go back to the analysed kind.
    Returns 1 when it changed, 0 when it already had that kind."""
    item = feedback_service.get_feedback(session, actor, feedback_id)
    return inbox_service.set_kind(session, actor, [item.id], kind)


def correct_theme(session: Session, actor: Actor, feedback_id: int, theme_id: int | None) -> int:
    """Move the item to another (sub-)theme, or with ``None`` take it out of every theme; re-analysis keeps either.
    Returns 1 when it moved, 0 when it was there already."""
    item = feedback_service.get_feedback(session, actor, feedback_id)
    if theme_id is None:
        return themes_service.remove_from_theme(session, actor, [item.id]).removed
    result = themes_service.move_items(session, actor, theme_id, [item.id])
    if result.moved:
        theme = _theme(session, actor, result.theme_id)
        name = (
            f"{theme.parent_name} › {theme.name}"
            if theme and theme.parent_name
            else (theme.name if theme else "")
        )
        audit.record(
            session,
            actor,
            "feedback.theme_moved",
            "feedback",
            item.id,
            f"moved to theme “{name}”",
            {"theme_id": theme_id},
        )
    return result.moved
