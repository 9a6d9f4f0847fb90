"""Use cases of the changelog: draft an entry from a shipped idea, edit it, publish it (the public page and feed,
an e-mail to every contact whose feedback asked for it, the feedback marked answered), and the public reading.

Publishing is one transaction: the entry's state, every answered feedback item and every e-mail in the outbox are
written together, so a failure leaves the entry a draft with nobody told, and a retry cannot tell anyone twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.accounts.models import Workspace
from northstar.changelog import engine
from northstar.changelog.models import ChangelogEntry, FeedbackAnswer
from northstar.changelog.schemas import EntryRead, EntryUpdate, PublishResult, ToldContact
from northstar.core import audit
from northstar.core.database import utcnow
from northstar.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.customers.models import Contact, Customer
from northstar.feedback.models import Feedback
from northstar.feedback.themes import service as themes_service
from northstar.ideas import service as ideas_service
from northstar.ideas.models import Idea, IdeaFeedbackLink
from northstar.notifications import engine as notification_engine
from northstar.notifications import service as notifications
from northstar.notifications.models import OutboxMessage

PUBLIC_LIMIT = 100


def _read(session: Session, entries: list[ChangelogEntry]) -> list[EntryRead]:
    ids = {e.idea_id for e in entries if e.idea_id}
    titles = dict(session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(ids))).all()) if ids else {}
    return [
        EntryRead.model_validate(e).model_copy(update={"idea_title": titles.get(e.idea_id or 0)})
        for e in entries
    ]


def list_entries(session: Session, actor: Actor) -> list[EntryRead]:
    """Every entry of the workspace, drafts first, then the published ones newest first."""
    actor.require(READ)
    rows = list(
        session.scalars(select(ChangelogEntry).where(ChangelogEntry.workspace_id == actor.workspace_id))
    )
    rows.sort(key=lambda e: (e.status != "draft", -(e.published_at or e.created_at).timestamp(), -e.id))
    return _read(session, rows)


def get_entry(session: Session, actor: Actor, entry_id: int) -> EntryRead:
    actor.require(READ)
    return _read(
        session, [get_owned(session, ChangelogEntry, entry_id, actor.workspace_id, "changelog entry")]
    )[0]


def shipped_ideas(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """Shipped ideas without an entry yet: what the "draft from a shipped idea" picker offers."""
    actor.require(READ)
    drafted = select(ChangelogEntry.idea_id).where(
        ChangelogEntry.workspace_id == actor.workspace_id, ChangelogEntry.idea_id.is_not(None)
    )
    rows = session.execute(
        select(Idea.id, Idea.title)
        .where(Idea.workspace_id == actor.workspace_id, Idea.status == "shipped", Idea.id.not_in(drafted))
        .order_by(Idea.title)
    )
    return [(int(i), str(t)) for i, t in rows]


def draft_from_idea(session: Session, actor: Actor, idea_id: int) -> EntryRead:
    """A draft entry for a shipped idea from its description and the themes of the feedback behind it."""
    actor.require("changelog.write")
    try:
        idea = ideas_service.get_idea(session, actor, idea_id)
    except NotFound:
        raise ValidationFailed(
            f"idea_id: no idea {idea_id} in this workspace", [FieldError("idea_id", "no such idea")]
        )
    if idea.status != "shipped":
        raise ValidationFailed(
            f"idea {idea_id} is {idea.status.replace('_', ' ')}; only a shipped idea gets a changelog entry",
            [FieldError("idea_id", "the idea has not shipped")],
        )
    existing = session.scalar(
        select(ChangelogEntry.id).where(
            ChangelogEntry.workspace_id == actor.workspace_id, ChangelogEntry.idea_id == idea_id
        )
    )
    if existing is not None:
        raise Conflict(f"idea {idea_id} already has changelog entry {existing}; edit that one")
    themes = [t.name for t in themes_service.idea_themes(session, actor, idea_id)]
    title, body = engine.draft(idea.title, idea.description or "", themes)
    entry = ChangelogEntry(workspace_id=actor.workspace_id, idea_id=idea_id, title=title, body=body)
    session.add(entry)
    session.flush()
    audit.record(session, actor, "create", "changelog_entry", entry.id, entry.title)
    return _read(session, [entry])[0]


def update_entry(session: Session, actor: Actor, entry_id: int, data: EntryUpdate) -> EntryRead:
    """Edit an entry's title and text (a published one too: the page and feed show the correction)."""
    actor.require("changelog.write")
    entry = get_owned(session, ChangelogEntry, entry_id, actor.workspace_id, "changelog entry")
    if data.title is not None and not data.title.strip():
        raise ValidationFailed("title: write a title", [FieldError("title", "write a title")])
    changes = {}
    if data.title is not None and data.title.strip() != entry.title:
        entry.title = changes["title"] = data.title.strip()
    if data.body is not None and data.body.strip() != entry.body:
        entry.body = changes["body"] = data.body.strip()
    if changes:
        entry.updated_at = utcnow()
        session.flush()
        audit.record(
            session, actor, "update", "changelog_entry", entry.id, entry.title, {"fields": sorted(changes)}
        )
    return _read(session, [entry])[0]


@dataclass(frozen=True)
class Links:
    """Where the public pages live, and the key that signs unsubscribe links (from the app's settings)."""

    public_url: str
    secret: str


def entry_url(links: Links, slug: str, entry_id: int) -> str:
    return f"{links.public_url}/updates/{slug}/{entry_id}"


def publish(session: Session, actor: Actor, entry_id: int, links: Links) -> PublishResult:
    """Publish an entry; for a shipped idea, e-mail each contact whose linked feedback asked for it, once, and
    mark every linked feedback item answered. Unsubscribed contacts are recorded as such and get nothing."""
    actor.require("changelog.write")
    entry = get_owned(session, ChangelogEntry, entry_id, actor.workspace_id, "changelog entry")
    if entry.status == "published":
        raise Conflict(f"changelog entry {entry_id} is already published")
    workspace = session.get(Workspace, actor.workspace_id)
    assert workspace is not None
    entry.status, entry.published_at, entry.published_by = "published", utcnow(), actor.user_id
    url = entry_url(links, workspace.slug, entry.id)
    counts = {"told": 0, "unsubscribed": 0, "no_email": 0, "already_told": 0}
    answered = 0
    if entry.idea_id is not None:
        rows = session.execute(
            select(Feedback.id, Feedback.text, Contact.id, Contact.name, Contact.email)
            .select_from(IdeaFeedbackLink)
            .join(Feedback, Feedback.id == IdeaFeedbackLink.feedback_id)
            .outerjoin(Contact, Contact.id == Feedback.contact_id)
            .where(
                IdeaFeedbackLink.idea_id == entry.idea_id, IdeaFeedbackLink.workspace_id == actor.workspace_id
            )
            .order_by(Feedback.id)
        ).all()
        done = set(
            session.scalars(
                select(FeedbackAnswer.feedback_id).where(FeedbackAnswer.feedback_id.in_([r[0] for r in rows]))
            )
        )
        asked: dict[int, list[str]] = defaultdict(list)
        for _fid, text, contact_id, _name, email in rows:
            if contact_id is not None and email:
                asked[contact_id].append(text)
        messages: dict[int, int | None] = {}
        for feedback_id, _text, contact_id, name, email in rows:
            if feedback_id in done:
                continue
            outcome, message_id = "no_email", None
            if contact_id is not None and email:
                if contact_id in messages:
                    outcome, message_id = "already_told", messages[contact_id]
                elif notifications.is_suppressed(session, actor.workspace_id, email):
                    outcome = "unsubscribed"
                else:
                    token = notification_engine.sign_unsubscribe(links.secret, actor.workspace_id, email)
                    unsubscribe = f"{links.public_url}/unsubscribe/{token}"
                    subject, body = engine.shipped_email(
                        name or "",
                        workspace.name,
                        entry.title,
                        entry.body,
                        asked[contact_id],
                        url,
                        unsubscribe,
                    )
                    message = notifications.queue_email(
                        session,
                        actor.workspace_id,
                        "changelog_shipped",
                        email,
                        subject,
                        body,
                        key=f"changelog:{entry.id}:contact:{contact_id}",
                        headers={
                            "List-Unsubscribe": f"<{unsubscribe}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                        },
                    )
                    outcome = "told" if message is not None else "unsubscribed"
                    message_id = message.id if message is not None else None
                    messages[contact_id] = message_id
            counts[outcome] += 1
            answered += 1
            session.add(
                FeedbackAnswer(
                    feedback_id=feedback_id,
                    workspace_id=actor.workspace_id,
                    entry_id=entry.id,
                    contact_id=contact_id,
                    email=email,
                    outcome=outcome,
                    outbox_message_id=message_id,
                )
            )
    session.flush()
    told = len({m for m in messages.values() if m is not None}) if entry.idea_id is not None else 0
    audit.record(
        session,
        actor,
        "publish",
        "changelog_entry",
        entry.id,
        entry.title,
        {"answered": answered, "told": told, "unsubscribed": counts["unsubscribed"]},
    )
    return PublishResult(
        entry=_read(session, [entry])[0],
        answered=answered,
        told=told,
        unsubscribed=counts["unsubscribed"],
        without_email=counts["no_email"],
        public_url=url,
    )


def told_for_idea(session: Session, actor: Actor, idea_id: int) -> list[ToldContact]:
    """Who was told that an idea shipped: each answered feedback item, its contact and the e-mail's state."""
    ideas_service.get_idea(session, actor, idea_id)  # NotFound for another workspace's idea
    rows = session.execute(
        select(FeedbackAnswer, Contact.name, Customer.name, OutboxMessage.status)
        .join(ChangelogEntry, ChangelogEntry.id == FeedbackAnswer.entry_id)
        .outerjoin(Contact, Contact.id == FeedbackAnswer.contact_id)
        .outerjoin(Customer, Customer.id == Contact.customer_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == FeedbackAnswer.outbox_message_id)
        .where(ChangelogEntry.workspace_id == actor.workspace_id, ChangelogEntry.idea_id == idea_id)
        .order_by(FeedbackAnswer.feedback_id)
    ).all()
    return [
        ToldContact(
            feedback_id=answer.feedback_id,
            entry_id=answer.entry_id,
            contact_name=contact,
            email=answer.email,
            customer=customer,
            outcome=answer.outcome,
            delivery=status,
            answered_at=answer.answered_at,
        )
        for answer, contact, customer, status in rows
    ]


def answered_feedback(session: Session, actor: Actor, feedback_ids: list[int]) -> dict[int, int]:
    """{feedback id: entry id} for the given items that a published entry answered."""
    actor.require(READ)
    if not feedback_ids:
        return {}
    return dict(
        session.execute(
            select(FeedbackAnswer.feedback_id, FeedbackAnswer.entry_id).where(
                FeedbackAnswer.workspace_id == actor.workspace_id,
                FeedbackAnswer.feedback_id.in_(feedback_ids),
            )
        ).all()
    )


# --- the public side (no login) ------------------------------------------------------------------------------


def public_workspace(session: Session, slug: str) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise NotFound("no such changelog")
    return workspace


def public_entries(session: Session, slug: str) -> tuple[Workspace, list[EntryRead]]:
    """The workspace's published entries, newest first (at most 100); NotFound for an unknown workspace."""
    workspace = public_workspace(session, slug)
    rows = session.scalars(
        select(ChangelogEntry)
        .where(ChangelogEntry.workspace_id == workspace.id, ChangelogEntry.status == "published")
        .order_by(ChangelogEntry.published_at.desc(), ChangelogEntry.id.desc())
        .limit(PUBLIC_LIMIT)
    )
    return workspace, _read(session, list(rows))


def public_entry(session: Session, slug: str, entry_id: int) -> tuple[Workspace, EntryRead]:
    workspace = public_workspace(session, slug)
    entry = session.get(ChangelogEntry, entry_id)
    if entry is None or entry.workspace_id != workspace.id or entry.status != "published":
        raise NotFound("no such changelog entry")
    return workspace, _read(session, [entry])[0]


def feed(session: Session, slug: str, public_url: str) -> bytes:
    """The Atom feed of a workspace's public changelog."""
    workspace, entries = public_entries(session, slug)
    page = f"{public_url}/updates/{slug}"
    items = [
        engine.FeedEntry(
            e.id,
            e.title,
            e.body,
            f"{page}/{e.id}",
            _aware(e.published_at or e.created_at),
            max(_aware(e.updated_at), _aware(e.published_at or e.updated_at)),
        )
        for e in entries
    ]
    return engine.atom_feed(workspace.name, page, f"{page}/feed.atom", items, utcnow())


def _aware(value: datetime) -> datetime:
    """SQLite gives times back without their zone; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
