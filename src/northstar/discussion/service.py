"""Use cases of discussion: comment on an object (mentions and followers told through notifications), edit and
delete comments, follow and unfollow, and the activity feeds built from the audit log.

Every write is audited on the discussed object (action ``comment``, ``comment_edit``, ``comment_delete``), so the
object's activity feed and the workspace's ``/activity`` read one log. Notifications are written by
``notifications.service.notify`` in the same transaction as the comment.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.accounts.models import Membership, User
from northstar.core import audit
from northstar.core.audit import AuditEvent
from northstar.core.database import utcnow
from northstar.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import READ, Actor
from northstar.discussion import engine, objects
from northstar.discussion.models import Comment, Follower, Mention
from northstar.discussion.schemas import (
    ActivityEntry,
    ActivityPage,
    CommentCreate,
    CommentRead,
    CommentUpdate,
    FollowState,
    Member,
    Thread,
)
from northstar.notifications import service as notifications

WRITE = "comments.write"
MODERATE = "comments.moderate"
THREAD_ACTIVITY = 30
FEED_PAGE = 50


def _body(text: str) -> str:
    try:
        return engine.clean_body(text)
    except engine.CommentError as error:
        raise ValidationFailed(f"body: {error}", [FieldError("body", str(error))])


# --- members and their handles -------------------------------------------------------------------------------


def _member_rows(session: Session, workspace_id: int) -> list[tuple[int, str, str]]:
    return [
        (int(user_id), email, name)
        for user_id, email, name in session.execute(
            select(User.id, User.email, User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace_id, User.is_active)
            .order_by(Membership.id)
        )
    ]


def members(session: Session, actor: Actor) -> list[Member]:
    """Every active member with their handle (the part of the e-mail before @, numbered when two share it)."""
    actor.require(READ)
    rows = _member_rows(session, actor.workspace_id)
    handles = engine.assign_handles([(user_id, email) for user_id, email, _name in rows])
    return [Member(user_id=user_id, handle=handles[user_id], name=name) for user_id, _email, name in rows]


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return {int(i): n for i, n in session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))}


# --- comments ------------------------------------------------------------------------------------------------


def _read(comment: Comment, actor: Actor, names: dict[int, str], mentioned: list[str]) -> CommentRead:
    own = comment.author_id == actor.user_id
    return CommentRead(
        id=comment.id,
        object_type=comment.object_type,
        object_id=comment.object_id,
        author_id=comment.author_id,
        author_name=names.get(comment.author_id or 0, "A former member"),
        body=comment.body,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        mentions=mentioned,
        can_edit=own and actor.can(WRITE),
        can_delete=(own and actor.can(WRITE)) or actor.can(MODERATE),
    )


def list_comments(session: Session, actor: Actor, object_type: str, object_id: int) -> list[CommentRead]:
    """The object's comments, oldest first (a conversation reads top to bottom)."""
    actor.require(READ)
    objects.find(session, actor.workspace_id, object_type, object_id)
    rows = list(
        session.scalars(
            select(Comment)
            .where(
                Comment.workspace_id == actor.workspace_id,
                Comment.object_type == object_type,
                Comment.object_id == object_id,
            )
            .order_by(Comment.id)
        )
    )
    names = _names(session, {r.author_id for r in rows if r.author_id})
    handles = {m.user_id: m.handle for m in members(session, actor)}
    mentioned: dict[int, list[str]] = {}
    if rows:
        for comment_id, user_id in session.execute(
            select(Mention.comment_id, Mention.user_id).where(Mention.comment_id.in_([r.id for r in rows]))
        ):
            mentioned.setdefault(comment_id, []).append(handles.get(user_id, ""))
    return [_read(r, actor, names, sorted(h for h in mentioned.get(r.id, []) if h)) for r in rows]


def _resolve_mentions(session: Session, actor: Actor, body: str) -> dict[int, str]:
    """user id -> handle of each member the body mentions (unknown handles are plain text)."""
    by_handle = {m.handle: m.user_id for m in members(session, actor)}
    return {by_handle[h]: h for h in engine.mentioned_handles(body) if h in by_handle}


def _set_follow(session: Session, actor: Actor, target: objects.Target, user_id: int, force: bool) -> None:
    """Make ``user_id`` follow; ``force`` false keeps an earlier unfollow (being mentioned does not undo it)."""
    row = session.get(Follower, (actor.workspace_id, target.object_type, target.object_id, user_id))
    if row is None:
        session.add(
            Follower(
                workspace_id=actor.workspace_id,
                object_type=target.object_type,
                object_id=target.object_id,
                user_id=user_id,
                following=True,
            )
        )
    elif force:
        row.following = True
    session.flush()


def create_comment(
    session: Session, actor: Actor, object_type: str, object_id: int, data: CommentCreate
) -> CommentRead:
    """Post a comment; the author follows the object, each mentioned member is told (``mention``) and follows
    it, and the other followers are told (``comment``)."""
    actor.require(WRITE)
    target = objects.find(session, actor.workspace_id, object_type, object_id)
    body = _body(data.body)
    comment = Comment(
        workspace_id=actor.workspace_id,
        object_type=object_type,
        object_id=object_id,
        author_id=actor.user_id,
        body=body,
    )
    session.add(comment)
    session.flush()
    mentioned = _resolve_mentions(session, actor, body)
    for user_id in mentioned:
        session.add(Mention(comment_id=comment.id, user_id=user_id))
    already_following = followers(session, actor.workspace_id, target)
    _set_follow(session, actor, target, actor.user_id, force=True)
    for user_id in mentioned:
        _set_follow(session, actor, target, user_id, force=False)
    audit.record(
        session, actor, "comment", object_type, object_id, engine.excerpt(body), {"comment_id": comment.id}
    )
    _tell(session, actor, target, comment, set(mentioned), already_following)
    names = _names(session, {actor.user_id})
    return _read(comment, actor, names, sorted(mentioned.values()))


def _tell(
    session: Session,
    actor: Actor,
    target: objects.Target,
    comment: Comment,
    mentioned: set[int],
    following: set[int],
) -> None:
    who = actor.user_name or "Someone"
    link = f"{target.path}#comment-{comment.id}"
    text = engine.excerpt(comment.body, 300)
    mention_to = mentioned - {actor.user_id}
    if mention_to:
        notifications.notify(
            session,
            actor.workspace_id,
            "mention",
            mention_to,
            f"{who} mentioned you on {target.name}",
            text,
            link,
            key=f"mention:{comment.id}",
        )
    comment_to = following - mentioned - {actor.user_id}
    if comment_to:
        notifications.notify(
            session,
            actor.workspace_id,
            "comment",
            comment_to,
            f"{who} commented on {target.name}",
            text,
            link,
            key=f"comment:{comment.id}",
        )


def _own_comment(session: Session, actor: Actor, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.workspace_id != actor.workspace_id:
        raise NotFound(f"no comment {comment_id}")
    return comment


def edit_comment(session: Session, actor: Actor, comment_id: int, data: CommentUpdate) -> CommentRead:
    """Change one's own comment; members mentioned for the first time by the edit are told."""
    actor.require(WRITE)
    comment = _own_comment(session, actor, comment_id)
    if comment.author_id != actor.user_id:
        raise PermissionDenied("only its author may edit a comment")
    body = _body(data.body)
    target = objects.find(session, actor.workspace_id, comment.object_type, comment.object_id)
    before = set(session.scalars(select(Mention.user_id).where(Mention.comment_id == comment.id)))
    comment.body = body
    comment.edited_at = utcnow()
    mentioned = _resolve_mentions(session, actor, body)
    for user_id in set(mentioned) - before:
        session.add(Mention(comment_id=comment.id, user_id=user_id))
        _set_follow(session, actor, target, user_id, force=False)
    session.flush()
    audit.record(
        session,
        actor,
        "comment_edit",
        comment.object_type,
        comment.object_id,
        engine.excerpt(body),
        {"comment_id": comment.id},
    )
    _tell(session, actor, target, comment, set(mentioned) - before, set())
    return _read(comment, actor, _names(session, {actor.user_id}), sorted(mentioned.values()))


def delete_comment(session: Session, actor: Actor, comment_id: int) -> None:
    """Delete one's own comment, or anyone's with ``comments.moderate`` (admins)."""
    comment = _own_comment(session, actor, comment_id)
    own = comment.author_id == actor.user_id and actor.can(WRITE)
    if not own and not actor.can(MODERATE):
        raise PermissionDenied("only its author or an admin may delete a comment")
    audit.record(
        session,
        actor,
        "comment_delete",
        comment.object_type,
        comment.object_id,
        "",
        {"comment_id": comment.id, "author_id": comment.author_id},
    )
    session.delete(comment)
    session.flush()


# --- followers -----------------------------------------------------------------------------------------------


def followers(session: Session, workspace_id: int, target: objects.Target) -> set[int]:
    """Who follows the object: those who chose to (by following, commenting or being mentioned) and its owner,
    unless they unfollowed."""
    rows = dict(
        session.execute(
            select(Follower.user_id, Follower.following).where(
                Follower.workspace_id == workspace_id,
                Follower.object_type == target.object_type,
                Follower.object_id == target.object_id,
            )
        ).all()
    )
    found = {int(user_id) for user_id, following in rows.items() if following}
    if target.owner_user_id is not None and rows.get(target.owner_user_id, True):
        found.add(target.owner_user_id)
    return found


def follow_state(session: Session, actor: Actor, object_type: str, object_id: int) -> FollowState:
    actor.require(READ)
    target = objects.find(session, actor.workspace_id, object_type, object_id)
    everyone = followers(session, actor.workspace_id, target)
    return FollowState(
        object_type=object_type,
        object_id=object_id,
        following=actor.user_id in everyone,
        followers=len(everyone),
    )


def set_following(
    session: Session, actor: Actor, object_type: str, object_id: int, following: bool
) -> FollowState:
    """Follow or unfollow an object (anyone who can read it); idempotent, audited."""
    actor.require(READ)
    target = objects.find(session, actor.workspace_id, object_type, object_id)
    row = session.get(Follower, (actor.workspace_id, object_type, object_id, actor.user_id))
    if row is None:
        session.add(
            Follower(
                workspace_id=actor.workspace_id,
                object_type=object_type,
                object_id=object_id,
                user_id=actor.user_id,
                following=following,
            )
        )
    else:
        row.following = following
    session.flush()
    audit.record(session, actor, "follow" if following else "unfollow", object_type, object_id, target.name)
    return follow_state(session, actor, object_type, object_id)


# --- activity ------------------------------------------------------------------------------------------------

#: follows are audited (who did what) but are noise in a feed about the work
_QUIET = ("follow", "unfollow")


def _entries(session: Session, actor: Actor, rows: list[AuditEvent]) -> list[ActivityEntry]:
    now = utcnow()
    names = _names(session, {r.user_id for r in rows if r.user_id})
    pairs = {(r.object_type, r.object_id) for r in rows if r.object_id is not None}
    titles = objects.names(session, actor.workspace_id, pairs)
    comment_ids = [int(r.changes["comment_id"]) for r in rows if r.action == "comment" and r.changes]
    alive = (
        set(session.scalars(select(Comment.id).where(Comment.id.in_(comment_ids)))) if comment_ids else set()
    )
    entries = []
    for r in rows:
        who = names.get(r.user_id or 0, "Someone")
        summary = r.summary
        if r.action == "comment" and int((r.changes or {}).get("comment_id", 0)) not in alive:
            summary = "(a comment since deleted)"
        kind = objects.KINDS[r.object_type]
        name = titles.get((r.object_type, r.object_id or 0), f"a deleted {kind.words}")
        entries.append(
            ActivityEntry(
                id=r.id,
                object_type=r.object_type,
                object_id=r.object_id,
                object_name=name,
                path=kind.path.format(id=r.object_id) if (r.object_type, r.object_id) in titles else "",
                user_id=r.user_id,
                who=who,
                sentence=engine.sentence(who, r.action, summary, r.changes or {}),
                created_at=r.created_at,
                ago=engine.ago(r.created_at, now),
            )
        )
    return entries


def object_activity(
    session: Session, actor: Actor, object_type: str, object_id: int, limit: int = THREAD_ACTIVITY
) -> list[ActivityEntry]:
    """The object's audit records as sentences, newest first."""
    actor.require(READ)
    objects.find(session, actor.workspace_id, object_type, object_id)
    rows = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.workspace_id == actor.workspace_id,
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == object_id,
            AuditEvent.action.not_in(_QUIET),
        )
        .order_by(AuditEvent.id.desc())
        .limit(min(limit, 500))
    )
    return _entries(session, actor, list(rows))


def workspace_activity(
    session: Session,
    actor: Actor,
    object_type: str | None = None,
    user_id: int | None = None,
    page: int = 1,
    size: int = FEED_PAGE,
) -> ActivityPage:
    """What happened to the workspace's ideas, themes, plans, objectives and experiments, newest first; filters
    by object type and person. Other audit records (members, tokens, settings) stay in the admins' audit log."""
    actor.require(READ)
    types = [objects.kind_of(object_type) and object_type] if object_type else list(objects.KINDS)
    size = max(1, min(size, 200))
    page = max(1, page)
    query = select(AuditEvent).where(
        AuditEvent.workspace_id == actor.workspace_id,
        AuditEvent.object_type.in_(types),
        AuditEvent.action.not_in(_QUIET),
    )
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    rows = list(
        session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * size).limit(size + 1))
    )
    return ActivityPage(entries=_entries(session, actor, rows[:size]), page=page, has_next=len(rows) > size)


def thread(session: Session, actor: Actor, object_type: str, object_id: int) -> Thread:
    """Everything an object's page shows at its bottom, in one call."""
    return Thread(
        object_type=object_type,
        object_id=object_id,
        comments=list_comments(session, actor, object_type, object_id),
        follow=follow_state(session, actor, object_type, object_id),
        activity=object_activity(session, actor, object_type, object_id),
        can_comment=actor.can(WRITE),
    )


def comment_count(session: Session, actor: Actor, object_type: str, object_id: int) -> int:
    actor.require(READ)
    return (
        session.scalar(
            select(func.count())
            .select_from(Comment)
            .where(
                Comment.workspace_id == actor.workspace_id,
                Comment.object_type == object_type,
                Comment.object_id == object_id,
            )
        )
        or 0
    )
