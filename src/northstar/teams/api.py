"""JSON API for teams and persons."""

from __future__ import annotations

from fastapi import APIRouter

from northstar.teams import service
from northstar.teams.schemas import (
    CapacityUpdate,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    TeamCreate,
    TeamDetail,
    TeamRead,
    TeamUpdate,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(tags=["teams"])


@router.get("/teams")
def list_teams(session: DB, actor: ApiActor) -> list[TeamRead]:
    return [TeamRead.model_validate(t) for t in service.list_teams(session, actor)]


@router.post("/teams", status_code=201)
def create_team(body: TeamCreate, session: DB, actor: ApiActor) -> TeamRead:
    return TeamRead.model_validate(service.create_team(session, actor, body))


@router.get("/teams/{team_id}")
def get_team(team_id: int, session: DB, actor: ApiActor) -> TeamRead:
    return TeamRead.model_validate(service.get_team(session, actor, team_id))


@router.get("/teams/{team_id}/detail")
def get_team_detail(team_id: int, session: DB, actor: ApiActor) -> TeamDetail:
    """Members, ideas owned and capacity per quarter from the current quarter on."""
    return service.team_detail(session, actor, team_id)


@router.patch("/teams/{team_id}/capacity")
def set_capacity(team_id: int, body: CapacityUpdate, session: DB, actor: ApiActor) -> TeamRead:
    """Set person-weeks for the quarters named (``null`` removes one); other quarters are kept."""
    return TeamRead.model_validate(service.set_capacity(session, actor, team_id, body))


@router.patch("/teams/{team_id}")
def update_team(team_id: int, body: TeamUpdate, session: DB, actor: ApiActor) -> TeamRead:
    return TeamRead.model_validate(service.update_team(session, actor, team_id, body))


@router.delete("/teams/{team_id}", status_code=204)
def delete_team(team_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_team(session, actor, team_id)


@router.get("/persons")
def list_persons(session: DB, actor: ApiActor, team_id: int | None = None) -> list[PersonRead]:
    return [PersonRead.model_validate(p) for p in service.list_persons(session, actor, team_id)]


@router.post("/persons", status_code=201)
def create_person(body: PersonCreate, session: DB, actor: ApiActor) -> PersonRead:
    return PersonRead.model_validate(service.create_person(session, actor, body))


@router.get("/persons/{person_id}")
def get_person(person_id: int, session: DB, actor: ApiActor) -> PersonRead:
    return PersonRead.model_validate(service.get_person(session, actor, person_id))


@router.patch("/persons/{person_id}")
def update_person(person_id: int, body: PersonUpdate, session: DB, actor: ApiActor) -> PersonRead:
    return PersonRead.model_validate(service.update_person(session, actor, person_id, body))


@router.delete("/persons/{person_id}", status_code=204)
def delete_person(person_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_person(session, actor, person_id)
