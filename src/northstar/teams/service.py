"""Use cases for teams (capacity per period) and persons."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import apply_changes, get_owned
from northstar.core.permissions import READ, Actor
from northstar.teams.models import Person, Team
from northstar.teams.schemas import PersonCreate, PersonUpdate, TeamCreate, TeamUpdate


def _check_capacity(capacity: dict[str, float] | None) -> None:
    for period, amount in (capacity or {}).items():
        if amount < 0:
            raise ValidationFailed(
                f"capacity for {period} is negative ({amount})",
                [FieldError(f"capacity.{period}", "must be ≥ 0")],
            )


def create_team(session: Session, actor: Actor, data: TeamCreate) -> Team:
    actor.require("teams.write")
    _check_capacity(data.capacity)
    team = Team(workspace_id=actor.workspace_id, **data.model_dump())
    session.add(team)
    session.flush()
    audit.record(session, actor, "create", "team", team.id, team.name)
    return team


def get_team(session: Session, actor: Actor, team_id: int) -> Team:
    actor.require(READ)
    return get_owned(session, Team, team_id, actor.workspace_id, "team")


def update_team(session: Session, actor: Actor, team_id: int, data: TeamUpdate) -> Team:
    actor.require("teams.write")
    team = get_owned(session, Team, team_id, actor.workspace_id, "team")
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    _check_capacity(changes.get("capacity"))
    changed = apply_changes(team, changes)
    if changed:
        audit.record(session, actor, "update", "team", team.id, team.name, changed)
    return team


def delete_team(session: Session, actor: Actor, team_id: int) -> None:
    actor.require("teams.write")
    team = get_owned(session, Team, team_id, actor.workspace_id, "team")
    audit.record(session, actor, "delete", "team", team.id, team.name)
    session.delete(team)


def list_teams(session: Session, actor: Actor) -> list[Team]:
    actor.require(READ)
    return list(
        session.scalars(select(Team).where(Team.workspace_id == actor.workspace_id).order_by(Team.name))
    )


def _check_person_refs(
    session: Session, actor: Actor, values: dict[str, object], self_id: int | None
) -> None:
    if values.get("team_id") is not None:
        get_owned(session, Team, int(str(values["team_id"])), actor.workspace_id, "team")
    if values.get("manager_id") is not None:
        if values["manager_id"] == self_id:
            raise ValidationFailed("a person cannot be their own manager", [FieldError("manager_id", "self")])
        get_owned(session, Person, int(str(values["manager_id"])), actor.workspace_id, "person")


def create_person(session: Session, actor: Actor, data: PersonCreate) -> Person:
    actor.require("teams.write")
    values = data.model_dump()
    _check_person_refs(session, actor, values, None)
    person = Person(workspace_id=actor.workspace_id, **values)
    session.add(person)
    session.flush()
    audit.record(session, actor, "create", "person", person.id, person.name)
    return person


def get_person(session: Session, actor: Actor, person_id: int) -> Person:
    actor.require(READ)
    return get_owned(session, Person, person_id, actor.workspace_id, "person")


def update_person(session: Session, actor: Actor, person_id: int, data: PersonUpdate) -> Person:
    actor.require("teams.write")
    person = get_owned(session, Person, person_id, actor.workspace_id, "person")
    changes = {
        k: v for k, v in data.model_dump(exclude_unset=True).items() if not (v is None and k == "name")
    }
    _check_person_refs(session, actor, changes, person.id)
    changed = apply_changes(person, changes)
    if changed:
        audit.record(session, actor, "update", "person", person.id, person.name, changed)
    return person


def delete_person(session: Session, actor: Actor, person_id: int) -> None:
    actor.require("teams.write")
    person = get_owned(session, Person, person_id, actor.workspace_id, "person")
    audit.record(session, actor, "delete", "person", person.id, person.name)
    session.delete(person)


def list_persons(session: Session, actor: Actor, team_id: int | None = None) -> list[Person]:
    actor.require(READ)
    query = select(Person).where(Person.workspace_id == actor.workspace_id).order_by(Person.name)
    if team_id is not None:
        query = query.where(Person.team_id == team_id)
    return list(session.scalars(query))
