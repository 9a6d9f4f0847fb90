"""Use cases for teams (capacity per period) and persons."""

from __future__ import annotations

import datetime as dt
import math
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import ListParams, Page, apply_changes, get_owned, paginate
from northstar.core.permissions import READ, Actor
from northstar.teams.models import Person, Team
from northstar.teams.schemas import (
    CapacityRow,
    CapacityUpdate,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    TeamCreate,
    TeamDetail,
    TeamIdea,
    TeamRead,
    TeamUpdate,
)

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
#: how many quarters a team page shows from the current one on (more when later ones have capacity)
QUARTERS_AHEAD = 4
#: the most person-weeks a team can have in one quarter (a typo guard: 1,000 people for 13 weeks)
MAX_PERSON_WEEKS = 13_000.0


def quarter_of(day: dt.date) -> str:
    """The calendar quarter containing ``day``, as a label: 2026-Q4."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarters_from(day: dt.date, count: int) -> list[str]:
    """``count`` quarter labels starting with the one containing ``day``."""
    year, quarter = day.year, (day.month - 1) // 3
    labels = []
    for _ in range(count):
        labels.append(f"{year}-Q{quarter + 1}")
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return labels


def _quarter_key(label: str) -> tuple[int, int]:
    match = _QUARTER.match(label)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _check_capacity(capacity: dict[str, float] | None) -> None:
    errors = []
    for period, amount in (capacity or {}).items():
        if amount is None:
            continue
        if not math.isfinite(amount):
            errors.append(FieldError(f"capacity.{period}", "enter a number of person-weeks, like 60"))
        elif amount < 0:
            errors.append(
                FieldError(f"capacity.{period}", f"must be 0 or more person-weeks (was {amount:g})")
            )
        elif amount > MAX_PERSON_WEEKS:
            errors.append(
                FieldError(f"capacity.{period}", f"must be at most {MAX_PERSON_WEEKS:,.0f} person-weeks")
            )
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


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


def search_persons(session: Session, actor: Actor, params: ListParams) -> Page[Person]:
    """People of the workspace whose name or job title holds every word of ``params.q``, by name.

    Names and titles are what every member already reads on the team pages; what a profile holds is the
    people module's to guard (``people.service.visible_profiles``).
    """
    actor.require(READ)
    query = select(Person).where(Person.workspace_id == actor.workspace_id)
    return paginate(
        session,
        query,
        params,
        search=(Person.name, Person.title),
        sortable={"name": Person.name, "id": Person.id},
        default_sort="name",
    )


# --- a team's page and its capacity --------------------------------------------------------------------------


def set_capacity(session: Session, actor: Actor, team_id: int, data: CapacityUpdate) -> Team:
    """Set person-weeks for the quarters named (``None`` removes a quarter); other quarters are kept.

    Quarters are labelled ``YYYY-Qn``; amounts are non-negative. Nothing is saved when any value is refused.
    """
    actor.require("teams.write")
    team = get_owned(session, Team, team_id, actor.workspace_id, "team")
    bad = [
        FieldError(f"capacity.{label}", "a quarter is written like 2026-Q4")
        for label in data.capacity
        if not _QUARTER.match(label)
    ]
    if bad:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in bad), bad)
    _check_capacity({k: v for k, v in data.capacity.items() if v is not None})
    capacity = dict(team.capacity or {})
    for label, amount in data.capacity.items():
        if amount is None:
            capacity.pop(label, None)
        else:
            capacity[label] = round(float(amount), 2)
    ordered = dict(sorted(capacity.items(), key=lambda item: _quarter_key(item[0])))
    changed = apply_changes(team, {"capacity": ordered})
    if changed:
        audit.record(session, actor, "update", "team", team.id, team.name, changed)
    session.flush()
    return team


def team_detail(session: Session, actor: Actor, team_id: int, today: dt.date | None = None) -> TeamDetail:
    """Members, ideas owned and capacity per quarter from the current quarter on (and earlier ones, apart)."""
    from northstar.ideas.models import Idea

    team = get_team(session, actor, team_id)
    today = today or dt.date.today()
    current = quarter_of(today)
    stored = {str(k): float(v) for k, v in (team.capacity or {}).items()}
    ahead = quarters_from(today, QUARTERS_AHEAD)
    later = [q for q in stored if _quarter_key(q) > _quarter_key(ahead[-1])]
    shown = ahead + sorted(later, key=_quarter_key)
    earlier = sorted((q for q in stored if _quarter_key(q) < _quarter_key(current)), key=_quarter_key)
    ideas = session.scalars(
        select(Idea)
        .where(Idea.workspace_id == actor.workspace_id, Idea.team_id == team.id)
        .order_by(Idea.title)
    )
    return TeamDetail(
        team=TeamRead.model_validate(team),
        members=[PersonRead.model_validate(p) for p in list_persons(session, actor, team.id)],
        ideas=[TeamIdea(id=i.id, title=i.title, status=i.status) for i in ideas],
        capacity=[CapacityRow(quarter=q, person_weeks=stored.get(q), current=q == current) for q in shown],
        earlier_capacity=[CapacityRow(quarter=q, person_weeks=stored[q], current=False) for q in earlier],
    )
