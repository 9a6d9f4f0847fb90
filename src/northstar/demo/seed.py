"""Persist the generated demo company into a workspace, for ``northstar demo`` and the benchmarks.

Seeding replaces an earlier demo workspace (slug ``demo``) so ``make demo`` can be run again. Rows are
written in bulk; one audit record says the workspace was seeded. Modules that have demo content of
their own provide ``northstar.<module>.demo.seed_demo(session, actor, context)``; it is called after the
core records exist, with a ``DemoContext`` that maps the generator's keys to database ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from northstar import modules
from northstar.accounts import service as accounts
from northstar.accounts.models import Membership, User, Workspace
from northstar.accounts.schemas import UserCreate, WorkspaceCreate
from northstar.core import audit
from northstar.core.permissions import Actor, Role
from northstar.core.settings import Settings
from northstar.customers.models import Contact, Customer
from northstar.demo.company import DemoCompany, generate_company
from northstar.feedback.models import Feedback
from northstar.ideas.models import Idea, IdeaFeedbackLink
from northstar.strategy.models import CheckIn, KeyResult, Objective
from northstar.teams.models import Person, Team

DEMO_SLUG = "demo"
#: how many of the newest "new" ideas are seeded without effort and confidence (not estimated yet)
UNESTIMATED_IDEAS = 5
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "northstar-demo"
#: further demo accounts, one per role, all with the demo password
DEMO_USERS: tuple[tuple[str, str, Role], ...] = (
    ("admin@example.com", "Avery Admin", Role.ADMIN),
    ("pm@example.com", "Priya Product", Role.PRODUCT_MANAGER),
    ("support@example.com", "Sam Support", Role.CONTRIBUTOR),
    ("viewer@example.com", "Vic Viewer", Role.VIEWER),
)


@dataclass
class DemoContext:
    """The generated company and the database ids its records received."""

    company: DemoCompany
    workspace_id: int
    team_ids: dict[str, int] = field(default_factory=dict)
    person_ids: dict[str, int] = field(default_factory=dict)
    customer_ids: dict[str, int] = field(default_factory=dict)
    feedback_ids: dict[str, int] = field(default_factory=dict)
    idea_ids: dict[str, int] = field(default_factory=dict)
    objective_ids: dict[str, int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    #: where the event stores live (analytics writes the demo's events there); None seeds no events
    settings: Settings | None = None


def _user(session: Session, email: str, name: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = accounts.create_user(session, UserCreate(email=email, name=name, password=DEMO_PASSWORD))
    return user


def _ids(session: Session, model: Any, workspace_id: int, key_column: Any) -> dict[str, int]:
    return {
        str(k): int(i)
        for i, k in session.execute(select(model.id, key_column).where(model.workspace_id == workspace_id))
    }


def seed_demo(
    session: Session,
    seed: int = 7,
    as_of: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    settings: Settings | None = None,
) -> str:
    """Create (or re-create) the demo workspace with the generated company; returns a one-line summary.

    With ``settings``, modules that keep data outside the database (analytics' event stores) write theirs under
    its data directory."""
    say = progress or (lambda message: None)
    company = generate_company(seed, as_of=as_of or datetime.now(UTC))
    old = session.scalar(select(Workspace).where(Workspace.slug == DEMO_SLUG))
    if old is not None:
        say("removing the previous demo workspace")
        session.delete(old)
        session.flush()
    owner = _user(session, DEMO_EMAIL, "Dana Demo (Head of Product)")
    workspace = accounts.create_workspace(session, owner, WorkspaceCreate(name=company.name, slug=DEMO_SLUG))
    ws = workspace.id
    context = DemoContext(
        company=company, workspace_id=ws, user_ids={DEMO_EMAIL: owner.id}, settings=settings
    )
    for email, name, role in DEMO_USERS:
        user = _user(session, email, name)
        session.add(Membership(workspace_id=ws, user_id=user.id, role=role.value))
        context.user_ids[email] = user.id
    say("teams and people")
    session.execute(
        insert(Team),
        [
            {
                "workspace_id": ws,
                "name": t.name,
                "disciplines": list(t.disciplines),
                "capacity": {c.quarter: c.person_weeks for c in t.capacity},
            }
            for t in company.teams
        ],
    )
    names = {t.name: t.key for t in company.teams}
    context.team_ids = {names[n]: i for n, i in _ids(session, Team, ws, Team.name).items()}
    session.execute(
        insert(Person),
        [
            {
                "workspace_id": ws,
                "name": p.name,
                "email": p.email,
                "title": p.title,
                "discipline": p.discipline,
                "team_id": context.team_ids[p.team_key],
                "user_id": context.user_ids.get(p.email),
            }
            for p in company.persons
        ],
    )
    context.person_ids = _ids(session, Person, ws, Person.email)
    say(f"{len(company.customers)} customers")
    session.execute(
        insert(Customer),
        [
            {
                "workspace_id": ws,
                "name": c.name,
                "external_id": c.external_id,
                "domain": c.domain,
                "segment": c.segment,
                "plan": c.plan,
                "arr": round(c.arr, 2),
                "region": c.region,
                "lifecycle_stage": c.lifecycle_stage,
            }
            for c in company.customers
        ],
    )
    context.customer_ids = _ids(session, Customer, ws, Customer.external_id)
    session.execute(
        insert(Contact),
        [
            {
                "workspace_id": ws,
                "customer_id": context.customer_ids[c.external_id],
                "name": contact.name,
                "email": contact.email,
                "role": contact.role,
            }
            for c in company.customers
            for contact in c.contacts
        ],
    )
    contacts = _ids(session, Contact, ws, Contact.email)
    say(f"{len(company.feedback)} feedback items")
    session.execute(
        insert(Feedback),
        [
            {
                "workspace_id": ws,
                "text": f.text,
                "source": f.source,
                "external_ref": f.external_ref,
                "customer_id": context.customer_ids.get(f.customer_external_id or ""),
                "contact_id": contacts.get(f.contact_email or ""),
                "rating": f.rating,
                "received_at": f.created_at,
                "meta": {**dict(f.metadata), "language": f.language},
                "created_by": owner.id,
            }
            for f in company.feedback
        ],
    )
    context.feedback_ids = _ids(session, Feedback, ws, Feedback.external_ref)
    say("objectives and key results")
    for objective in company.objectives:
        objective_row = Objective(
            workspace_id=ws,
            title=objective.title,
            description=objective.description,
            period=objective.period,
            owner_id=context.person_ids.get(objective.owner_email),
        )
        session.add(objective_row)
        session.flush()
        context.objective_ids[objective.key] = objective_row.id
        for kr in objective.key_results:
            kr_row = KeyResult(
                workspace_id=ws,
                objective_id=objective_row.id,
                title=kr.name,
                baseline=kr.baseline,
                target=kr.target,
                current=kr.current,
                unit=kr.unit,
            )
            session.add(kr_row)
            session.flush()
            session.add_all(
                CheckIn(
                    workspace_id=ws,
                    key_result_id=kr_row.id,
                    day=c.checked_on,
                    value=c.value,
                    confidence=c.confidence,
                    note=c.note,
                    author_id=owner.id,
                )
                for c in kr.check_ins
            )
    objective_of_idea = {key: o.key for o in company.objectives for key in o.idea_keys}
    say(f"{len(company.ideas)} ideas with linked feedback")
    # the newest ideas are not estimated yet: Prioritize lists them as needing inputs, to be scored by hand
    newest = sorted((i for i in company.ideas if i.status == "new"), key=lambda i: i.created_at)
    unestimated = {i.key for i in newest[-UNESTIMATED_IDEAS:]}
    for idea in company.ideas:
        inputs = {
            "reach": idea.reach,
            "impact": idea.impact,
            "confidence": idea.confidence,
            "effort": idea.effort_person_weeks,
            "business_value": idea.business_value,
            "time_criticality": idea.time_criticality,
            "risk_reduction": idea.risk_reduction,
            "one_off_cost": idea.one_off_cost,
            "recurring_cost_per_quarter": idea.recurring_cost_per_quarter,
            "benefit_per_quarter": idea.benefit_per_quarter,
            "theme": idea.theme_key,
        }
        if idea.key in unestimated:
            inputs = {k: v for k, v in inputs.items() if k not in ("effort", "confidence")}
        row = Idea(
            workspace_id=ws,
            title=idea.title,
            description=idea.description,
            status=idea.status,
            team_id=context.team_ids.get(idea.team_key),
            owner_id=context.person_ids.get(idea.owner_email),
            objective_id=context.objective_ids.get(objective_of_idea.get(idea.key, "")),
            inputs=inputs,
            feedback_count=len(idea.feedback_links),
            created_at=idea.created_at,
        )
        session.add(row)
        session.flush()
        context.idea_ids[idea.key] = row.id
        links = {link.feedback_external_ref: link.importance for link in idea.feedback_links}
        session.execute(
            insert(IdeaFeedbackLink),
            [
                {
                    "workspace_id": ws,
                    "idea_id": row.id,
                    "feedback_id": context.feedback_ids[ref],
                    "importance": imp,
                }
                for ref, imp in links.items()
            ],
        )
        row.feedback_count = len(links)
    actor = Actor(user_id=owner.id, workspace_id=ws, role=Role.OWNER)
    for spec, module in modules.parts("demo"):
        seeder = modules.attr(module, "seed_demo")
        if seeder is not None:
            say(f"{spec.name} demo content")
            seeder(session, actor, context)
    audit.record(session, actor, "seed", "workspace", ws, f"demo company {company.name} (seed {seed})")
    session.flush()
    return (
        f"Seeded {company.name}: {len(company.customers)} customers, {len(company.feedback)} feedback items, "
        f"{len(company.ideas)} ideas, {len(company.objectives)} objectives, {len(company.teams)} teams."
    )
