"""Discussion on both databases: comments with @mentions tell the mentioned member through the notifications
outbox, followers (the owner by default, commenters, the mentioned) hear of new comments, authors edit and delete
their own comments while admins delete any, bad input changes nothing, and the activity feeds read as sentences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from northstar.core.errors import NotFound, PermissionDenied, ValidationFailed
from northstar.core.permissions import Role
from northstar.discussion import engine, service
from northstar.discussion.models import Comment
from northstar.discussion.schemas import CommentCreate, CommentUpdate
from northstar.ideas import service as ideas
from northstar.ideas.schemas import IdeaEdit, IdeaUpdate
from northstar.notifications.models import Notification, OutboxMessage
from northstar.teams.models import Person
from tests.factories import World, make_idea, make_world


def _handle(world: World, role: Role) -> str:
    return engine.handle_base(world.email(role))


def _told(session: Session, user_id: int, event: str) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.event == event)
        )
    )


def test_handles_are_the_email_local_part_unique_in_the_workspace() -> None:
    handles = engine.assign_handles(
        [(1, "Ana.Lima@a.example"), (2, "ana.lima@b.example"), (3, "+@c.example")]
    )
    assert handles == {1: "ana.lima", 2: "ana.lima2", 3: "member"}
    assert engine.mentioned_handles("Hi @Ana.Lima, see @bo. and mail x@y.com; @ana.lima again") == [
        "ana.lima",
        "bo",
    ]


def test_relative_times_and_sentences_read_as_people_say_them() -> None:
    now = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    assert engine.ago(now - timedelta(seconds=20), now) == "just now"
    assert engine.ago(now - timedelta(hours=2, minutes=5), now) == "2 h ago"
    assert engine.ago(now - timedelta(days=3), now) == "3 days ago"
    assert engine.sentence("Ana", "update", "Dark mode", {"status": "in_progress"}) == (
        "Ana changed the status to In progress"
    )
    assert engine.sentence("Ben", "comment", "Looks good", {}) == "Ben commented: Looks good"


def test_mention_tells_the_member_and_followers_hear_of_replies(session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world, "Offline mode")
    pm, hop = world.actor(Role.PRODUCT_MANAGER), world.actor(Role.HEAD_OF_PRODUCT)
    text = f"Customers keep asking.\n@{_handle(world, Role.HEAD_OF_PRODUCT)} can we plan it for Q1?"
    comment = service.create_comment(session, pm, "idea", idea.id, CommentCreate(body=text))
    session.commit()
    assert comment.body == text and comment.mentions == [_handle(world, Role.HEAD_OF_PRODUCT)]
    [mention] = _told(session, hop.user_id, "mention")
    assert mention.link == f"/ideas/{idea.id}#comment-{comment.id}"
    assert mention.title == f"{pm.user_name} mentioned you on Offline mode"
    outbox = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == hop.user_id)).all()
    assert [m.channel for m in outbox] == ["email"] and outbox[0].event == "mention"
    # the mentioned member and the author now follow; the reply tells the author, not the replier
    assert service.follow_state(session, hop, "idea", idea.id).following
    service.create_comment(session, hop, "idea", idea.id, CommentCreate(body="Yes, after SSO."))
    session.commit()
    assert [n.title for n in _told(session, pm.user_id, "comment")] == [
        f"{hop.user_name} commented on Offline mode"
    ]
    assert _told(session, hop.user_id, "comment") == []
    assert [c.author_name for c in service.list_comments(session, pm, "idea", idea.id)] == [
        pm.user_name,
        hop.user_name,
    ]


def test_the_owner_follows_by_default_until_unfollowing(session: Session) -> None:
    world = make_world(session)
    owner_user = world.users[Role.PRODUCT_MANAGER]
    person = Person(workspace_id=world.workspace.id, name=owner_user.name, user_id=owner_user.id)
    session.add(person)
    session.flush()
    idea = make_idea(session, world, "Audit export")
    ideas.edit_idea(session, world.actor(), idea.id, IdeaEdit(title="Audit export", owner_id=person.id))
    session.commit()
    [assigned] = _told(session, owner_user.id, "assignment")
    assert assigned.title == "You own Audit export"
    pm = world.actor(Role.PRODUCT_MANAGER)
    assert service.follow_state(session, pm, "idea", idea.id).following
    service.create_comment(session, world.actor(Role.CONTRIBUTOR), "idea", idea.id, CommentCreate(body="+1"))
    assert len(_told(session, owner_user.id, "comment")) == 1
    service.set_following(session, pm, "idea", idea.id, False)
    service.create_comment(session, world.actor(Role.VIEWER), "idea", idea.id, CommentCreate(body="+1 too"))
    session.commit()
    assert len(_told(session, owner_user.id, "comment")) == 1
    assert not service.follow_state(session, pm, "idea", idea.id).following


def test_edit_own_delete_own_and_admins_delete_any(session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world)
    pm, other, admin = (
        world.actor(Role.PRODUCT_MANAGER),
        world.actor(Role.CONTRIBUTOR),
        world.actor(Role.ADMIN),
    )
    first = service.create_comment(session, pm, "idea", idea.id, CommentCreate(body="Draft thought"))
    with pytest.raises(PermissionDenied):
        service.edit_comment(session, other, first.id, CommentUpdate(body="hijacked"))
    with pytest.raises(PermissionDenied):
        service.delete_comment(session, other, first.id)
    edited = service.edit_comment(
        session, pm, first.id, CommentUpdate(body=f"Now with @{_handle(world, Role.VIEWER)}")
    )
    assert edited.edited_at is not None
    assert len(_told(session, world.users[Role.VIEWER].id, "mention")) == 1
    service.delete_comment(session, admin, first.id)
    second = service.create_comment(session, other, "idea", idea.id, CommentCreate(body="mine"))
    service.delete_comment(session, other, second.id)
    session.commit()
    assert service.list_comments(session, pm, "idea", idea.id) == []
    sentences = [a.sentence for a in service.object_activity(session, pm, "idea", idea.id)]
    assert sentences[:3] == [
        f"{other.user_name} deleted a comment",
        f"{other.user_name} commented: (a comment since deleted)",
        f"{admin.user_name} deleted a comment",
    ]


def test_bad_input_is_refused_and_nothing_is_written(session: Session) -> None:
    world = make_world(session)
    idea = make_idea(session, world)
    other = make_world(session)
    actor = world.actor(Role.PRODUCT_MANAGER)
    with pytest.raises(ValidationFailed, match="write something"):
        service.create_comment(session, actor, "idea", idea.id, CommentCreate(body="  \n "))
    with pytest.raises(ValidationFailed, match="at most 10,000"):
        service.create_comment(session, actor, "idea", idea.id, CommentCreate(body="x" * 10_001))
    with pytest.raises(ValidationFailed, match="cannot be discussed"):
        service.create_comment(session, actor, "customer", 1, CommentCreate(body="hi"))
    with pytest.raises(NotFound):
        service.create_comment(session, other.actor(), "idea", idea.id, CommentCreate(body="hi"))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Comment)) == 0


def test_workspace_activity_filters_by_type_and_person_and_pages(session: Session) -> None:
    world = make_world(session)
    owner, pm = world.actor(), world.actor(Role.PRODUCT_MANAGER)
    idea = make_idea(session, world, "Usage-based pricing")
    ideas.update_idea(session, pm, idea.id, IdeaUpdate(status="planned"))
    for n in range(3):
        service.create_comment(session, pm, "idea", idea.id, CommentCreate(body=f"note {n}"))
    session.commit()
    feed = service.workspace_activity(session, owner)
    assert [e.sentence for e in feed.entries][:2] == [
        f"{pm.user_name} commented: note 2",
        f"{pm.user_name} commented: note 1",
    ]
    assert f"{pm.user_name} changed the status to Planned" in [e.sentence for e in feed.entries]
    assert all(e.path == f"/ideas/{idea.id}" for e in feed.entries)
    mine = service.workspace_activity(session, owner, user_id=owner.user_id)
    assert [e.sentence for e in mine.entries] == [f"{owner.user_name} created Usage-based pricing"]
    first = service.workspace_activity(session, owner, size=2)
    second = service.workspace_activity(session, owner, page=3, size=2)
    assert first.has_next and not second.has_next and len(second.entries) == 1
    assert service.workspace_activity(session, owner, object_type="plan").entries == []
