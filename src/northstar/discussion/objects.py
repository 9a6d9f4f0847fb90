"""The objects people discuss: for each type, its table, the column that names it, its page and its owner.

Discussion reads these tables only to check that an object exists in the workspace, to name it and to find its
owner (who follows it by default); it never changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core.errors import FieldError, NotFound, ValidationFailed
from northstar.decisions.models import Plan
from northstar.experiments.models import Experiment
from northstar.feedback.models import FeedbackTheme
from northstar.ideas.models import Idea
from northstar.strategy.models import Objective
from northstar.teams.models import Person


@dataclass(frozen=True)
class Kind:
    """One discussable type: its words, table, naming column, page path and owner column (a person)."""

    words: str
    model: Any
    name_column: str
    path: str
    owner_column: str | None = None


#: object type (as the audit log names it) -> what discussion needs to know about it
KINDS: dict[str, Kind] = {
    "idea": Kind("idea", Idea, "title", "/ideas/{id}", "owner_id"),
    "feedback_theme": Kind("theme", FeedbackTheme, "name", "/feedback/themes/{id}"),
    "plan": Kind("plan", Plan, "name", "/plans/{id}"),
    "objective": Kind("objective", Objective, "title", "/objectives/{id}", "owner_id"),
    "experiment": Kind("experiment", Experiment, "name", "/experiments/{id}"),
}


@dataclass(frozen=True)
class Target:
    """An object found in the workspace: its type and id, name, page and the user who owns it (if any)."""

    object_type: str
    object_id: int
    name: str
    path: str
    owner_user_id: int | None


def kind_of(object_type: str) -> Kind:
    try:
        return KINDS[object_type]
    except KeyError:
        known = ", ".join(KINDS)
        raise ValidationFailed(
            f"object_type: {object_type!r} cannot be discussed; choose one of {known}",
            [FieldError("object_type", f"unknown object type; choose one of {known}")],
        )


def find(session: Session, workspace_id: int, object_type: str, object_id: int) -> Target:
    """The object, or NotFound when it is not in this workspace (another workspace's id says the same)."""
    kind = kind_of(object_type)
    row = session.get(kind.model, object_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"no {kind.words} {object_id}")
    owner_user = None
    if kind.owner_column and getattr(row, kind.owner_column) is not None:
        owner_user = session.scalar(
            select(Person.user_id).where(Person.id == getattr(row, kind.owner_column))
        )
    return Target(
        object_type,
        object_id,
        str(getattr(row, kind.name_column)),
        kind.path.format(id=object_id),
        owner_user,
    )


def names(session: Session, workspace_id: int, pairs: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Names of many objects at once (one query per type), for the workspace feed; gone ones are left out."""
    found: dict[tuple[str, int], str] = {}
    for object_type, kind in KINDS.items():
        ids = {object_id for t, object_id in pairs if t == object_type}
        if not ids:
            continue
        column = getattr(kind.model, kind.name_column)
        rows = session.execute(
            select(kind.model.id, column).where(
                kind.model.workspace_id == workspace_id, kind.model.id.in_(ids)
            )
        )
        found.update({(object_type, int(i)): str(n) for i, n in rows})
    return found
