"""JSON API of discussion: an object's comments (list, post, edit, delete), following it, its activity, the
workspace's activity and the members' handles that the mention autocomplete reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from northstar.discussion import service
from northstar.discussion.schemas import (
    ActivityEntry,
    ActivityPage,
    CommentCreate,
    CommentRead,
    CommentUpdate,
    FollowState,
    Member,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["discussion"])


@router.get("/discussion/members")
def members(session: DB, actor: ApiActor) -> list[Member]:
    """Every member with the handle to @mention them by."""
    return service.members(session, actor)


@router.get("/discussion/{object_type}/{object_id}/comments")
def list_comments(object_type: str, object_id: int, session: DB, actor: ApiActor) -> list[CommentRead]:
    return service.list_comments(session, actor, object_type, object_id)


@router.post("/discussion/{object_type}/{object_id}/comments", status_code=201)
def create_comment(
    object_type: str, object_id: int, body: CommentCreate, session: DB, actor: ApiActor
) -> CommentRead:
    """Post a comment; @handles tell those members, and the object's followers are told."""
    return service.create_comment(session, actor, object_type, object_id, body)


@router.patch("/discussion/comments/{comment_id}")
def edit_comment(comment_id: int, body: CommentUpdate, session: DB, actor: ApiActor) -> CommentRead:
    return service.edit_comment(session, actor, comment_id, body)


@router.delete("/discussion/comments/{comment_id}", status_code=204)
def delete_comment(comment_id: int, session: DB, actor: ApiActor) -> Response:
    service.delete_comment(session, actor, comment_id)
    return Response(status_code=204)


@router.get("/discussion/{object_type}/{object_id}/follow")
def follow_state(object_type: str, object_id: int, session: DB, actor: ApiActor) -> FollowState:
    return service.follow_state(session, actor, object_type, object_id)


@router.put("/discussion/{object_type}/{object_id}/follow")
def follow(object_type: str, object_id: int, session: DB, actor: ApiActor) -> FollowState:
    return service.set_following(session, actor, object_type, object_id, True)


@router.delete("/discussion/{object_type}/{object_id}/follow")
def unfollow(object_type: str, object_id: int, session: DB, actor: ApiActor) -> FollowState:
    return service.set_following(session, actor, object_type, object_id, False)


@router.get("/discussion/{object_type}/{object_id}/activity")
def object_activity(object_type: str, object_id: int, session: DB, actor: ApiActor) -> list[ActivityEntry]:
    return service.object_activity(session, actor, object_type, object_id)


@router.get("/activity")
def workspace_activity(
    session: DB,
    actor: ApiActor,
    object_type: Annotated[str | None, Query(max_length=32)] = None,
    user_id: Annotated[int | None, Query(ge=1)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ActivityPage:
    """The workspace's activity on discussable objects, newest first."""
    return service.workspace_activity(session, actor, object_type, user_id, page, size)
