"""Input and output of discussion's use cases: comments, members with handles, follow state, activity entries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CommentCreate(BaseModel):
    body: str = Field(max_length=20_000)


class CommentUpdate(BaseModel):
    body: str = Field(max_length=20_000)


class CommentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    object_type: str
    object_id: int
    author_id: int | None
    author_name: str = ""
    body: str
    created_at: datetime
    edited_at: datetime | None = None
    mentions: list[str] = []
    can_edit: bool = False
    can_delete: bool = False


class Member(BaseModel):
    """A member as the mention autocomplete lists them."""

    user_id: int
    handle: str
    name: str


class FollowState(BaseModel):
    object_type: str
    object_id: int
    following: bool
    followers: int


class ActivityEntry(BaseModel):
    """One line of an activity feed: a sentence about an audit record, on which object, by whom, when."""

    id: int
    object_type: str
    object_id: int | None
    object_name: str
    path: str
    user_id: int | None
    who: str
    sentence: str
    created_at: datetime
    ago: str


class ActivityPage(BaseModel):
    entries: list[ActivityEntry]
    page: int
    has_next: bool


class Thread(BaseModel):
    """What an object's page shows at its bottom: the comments, the follow state and the object's activity."""

    object_type: str
    object_id: int
    comments: list[CommentRead]
    follow: FollowState
    activity: list[ActivityEntry]
    can_comment: bool
