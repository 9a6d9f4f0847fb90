"""A small product team on top of ``tests.factories.make_world`` for the people service tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.models import Membership
from northstar.accounts.schemas import UserCreate
from northstar.core.permissions import Actor, Role
from northstar.people import reviews_service
from northstar.people.schemas import CycleCreate, NominationCreate, QuestionIn
from northstar.teams.models import Person, Team
from tests.factories import PASSWORD, World, make_world


@dataclass
class ProductTeam:
    """lead (head of product) → manager → ana (the reviewee) and four peers; admin has no staff record."""

    world: World
    persons: dict[str, Person] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)

    def actor(self, key: str) -> Actor:
        return self.actors[key]


def make_team(session: Session) -> ProductTeam:
    world = make_world(session)
    team = ProductTeam(world)
    core = Team(workspace_id=world.workspace.id, name="Core")
    session.add(core)
    session.flush()
    ws = world.workspace.id
    lead_user = world.users[Role.HEAD_OF_PRODUCT]
    specs = [("lead", None, lead_user.id, Role.HEAD_OF_PRODUCT)]
    specs += [("manager", "lead", None, Role.PRODUCT_MANAGER), ("ana", "manager", None, Role.PRODUCT_MANAGER)]
    specs += [(f"peer{i}", "manager", None, Role.PRODUCT_MANAGER) for i in range(1, 5)]
    for key, manager_key, user_id, role in specs:
        if user_id is None:
            email = f"{key}.{ws}@example.com"
            user = accounts.create_user(session, UserCreate(email=email, name=key.title(), password=PASSWORD))
            session.add(Membership(workspace_id=ws, user_id=user.id, role=role.value))
            user_id = user.id
            team.emails[key] = email
        else:
            team.emails[key] = lead_user.email
        person = Person(
            workspace_id=ws,
            name=key.title(),
            email=team.emails[key],
            team_id=core.id,
            manager_id=team.persons[manager_key].id if manager_key else None,
            user_id=user_id,
        )
        session.add(person)
        session.flush()
        team.persons[key] = person
        team.actors[key] = Actor(user_id=user_id, workspace_id=ws, role=role)
    team.actors["admin"] = world.actor(Role.ADMIN)
    team.emails["admin"] = world.email(Role.ADMIN)
    session.commit()
    return team


QUESTIONS = [
    QuestionIn(id="clarity", text="Explains the plan clearly", competency_id="storytelling"),
    QuestionIn(id="data", text="Uses data to decide", competency_id="metrics"),
    QuestionIn(id="keep", text="What should they keep doing?", kind="comment"),
]


def open_cycle(session: Session, team: ProductTeam, peers: int = 3) -> tuple[int, int]:
    """A cycle owned by the lead, open now, with ana reviewed by the manager and ``peers`` approved peers."""
    lead = team.actor("lead")
    now = datetime.now(UTC)
    cycle = reviews_service.create_cycle(
        session,
        lead,
        CycleCreate(
            name="Spring 360",
            questions=QUESTIONS,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=14),
        ),
    )
    participant = reviews_service.add_participant(session, lead, cycle.id, team.persons["ana"].id)
    for i in range(1, peers + 1):
        request = reviews_service.nominate(
            session,
            team.actor("ana"),
            participant.id,
            NominationCreate(rater_person_id=team.persons[f"peer{i}"].id, rater_group="peer"),
        )
        reviews_service.decide_nomination(session, team.actor("manager"), request.id, approve=True)
    session.commit()
    return cycle.id, participant.id
