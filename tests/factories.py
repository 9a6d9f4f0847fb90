"""Test factories: workspaces with users in each role, customers, feedback and ideas."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session

from northstar.accounts import service as accounts
from northstar.accounts.models import Membership, User, Workspace
from northstar.accounts.schemas import UserCreate, WorkspaceCreate
from northstar.core.permissions import Actor, Role
from northstar.customers import service as customers
from northstar.customers.models import Customer
from northstar.customers.schemas import CustomerCreate
from northstar.feedback import service as feedback
from northstar.feedback.models import Feedback
from northstar.feedback.schemas import FeedbackCreate
from northstar.ideas import service as ideas
from northstar.ideas.models import Idea
from northstar.ideas.schemas import IdeaCreate

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@dataclass
class World:
    """A workspace with one user per role; ``actor(role)`` acts as that user."""

    workspace: Workspace
    users: dict[Role, User]

    def actor(self, role: Role = Role.OWNER) -> Actor:
        return Actor(
            user_id=self.users[role].id,
            workspace_id=self.workspace.id,
            role=role,
            user_name=self.users[role].name,
        )

    def email(self, role: Role = Role.OWNER) -> str:
        return self.users[role].email


def make_world(session: Session, name: str | None = None) -> World:
    """A new workspace with a user in every role (committed)."""
    n = next(_counter)
    name = name or f"Company {n}"
    users: dict[Role, User] = {}
    owner = accounts.create_user(
        session, UserCreate(email=f"owner{n}@example.com", name=f"Owner {n}", password=PASSWORD)
    )
    workspace = accounts.create_workspace(session, owner, WorkspaceCreate(name=name))
    users[Role.OWNER] = owner
    for role in Role:
        if role == Role.OWNER:
            continue
        user = accounts.create_user(
            session,
            UserCreate(email=f"{role.value}{n}@example.com", name=f"{role.value} {n}", password=PASSWORD),
        )
        session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=role.value))
        users[role] = user
    session.commit()
    return World(workspace=workspace, users=users)


def make_customer(
    session: Session,
    world: World,
    name: str = "Acme",
    arr: float = 1000.0,
    segment: str = "smb",
    external_id: str | None = None,
    domain: str | None = None,
) -> Customer:
    customer = customers.create_customer(
        session,
        world.actor(),
        CustomerCreate(name=name, arr=arr, segment=segment, external_id=external_id, domain=domain),
    )
    session.commit()
    return customer


def make_feedback(
    session: Session,
    world: World,
    text: str = "Please add dark mode",
    customer: Customer | None = None,
    source: str = "support",
) -> Feedback:
    item = feedback.create_feedback(
        session,
        world.actor(),
        FeedbackCreate(text=text, customer_id=customer.id if customer else None, source=source),
    )
    session.commit()
    return item


def make_idea(session: Session, world: World, title: str = "Dark mode") -> Idea:
    idea = ideas.create_idea(session, world.actor(), IdeaCreate(title=title))
    session.commit()
    return idea
