"""Who may see what about a person: the person themself, their direct manager, and people leaders.

Role permissions (``people.read``, ``people.write``, ``reviews.manage``) come from core; on top of them
the people module checks the *relationship* between the viewer and the person, because a product
manager may read their own profile but not a peer's.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.errors import PermissionDenied
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.teams.models import Person


class Relation(StrEnum):
    SELF = "self"
    MANAGER = "manager"
    LEADER = "leader"
    OTHER = "other"


def viewer_person(session: Session, actor: Actor) -> Person | None:
    """The staff record of the acting user in this workspace, if there is one."""
    return session.scalar(
        select(Person)
        .where(Person.workspace_id == actor.workspace_id, Person.user_id == actor.user_id)
        .limit(1)
    )


def relation_to(session: Session, actor: Actor, person: Person) -> Relation:
    me = viewer_person(session, actor)
    if me is not None and me.id == person.id:
        return Relation.SELF
    if me is not None and person.manager_id == me.id:
        return Relation.MANAGER
    if actor.can("people.write"):
        return Relation.LEADER
    return Relation.OTHER


def person_for_viewer(session: Session, actor: Actor, person_id: int) -> tuple[Person, Relation]:
    """The person and the viewer's relation to them; refuse anyone who is not self, manager or leader."""
    actor.require(READ)
    person = get_owned(session, Person, person_id, actor.workspace_id, "person")
    relation = relation_to(session, actor, person)
    if relation is Relation.OTHER:
        raise PermissionDenied("only the person, their manager and people leaders can see this profile")
    return person, relation


def require_manager_or_leader(session: Session, actor: Actor, person: Person) -> Relation:
    relation = relation_to(session, actor, person)
    if relation not in (Relation.MANAGER, Relation.LEADER):
        raise PermissionDenied("only the person's manager or a people leader can do this")
    return relation
