"""Use cases for objectives, key results and check-ins; progress is computed, never typed in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.listing import apply_changes, get_owned
from northstar.core.permissions import READ, Actor
from northstar.strategy.models import CheckIn, KeyResult, Objective
from northstar.strategy.schemas import (
    CheckInCreate,
    KeyResultCreate,
    KeyResultRead,
    KeyResultUpdate,
    ObjectiveCreate,
    ObjectiveRead,
    ObjectiveUpdate,
)
from northstar.teams.models import Person


def key_result_progress(baseline: float, target: float, current: float) -> float:
    """How far ``current`` has moved from ``baseline`` to ``target`` (works for decreasing targets), in [0, 1]."""
    span = target - baseline
    if span == 0:
        return 1.0 if current == target else 0.0
    return max(0.0, min(1.0, (current - baseline) / span))


def _read_key_result(kr: KeyResult) -> KeyResultRead:
    return KeyResultRead(
        id=kr.id,
        objective_id=kr.objective_id,
        title=kr.title,
        baseline=kr.baseline,
        target=kr.target,
        current=kr.current,
        unit=kr.unit,
        metric=kr.metric,
        progress=round(key_result_progress(kr.baseline, kr.target, kr.current), 4),
    )


def read_objective(session: Session, objective: Objective) -> ObjectiveRead:
    """An objective with its key results and their mean progress."""
    krs = [
        _read_key_result(kr)
        for kr in session.scalars(
            select(KeyResult).where(KeyResult.objective_id == objective.id).order_by(KeyResult.id)
        )
    ]
    progress = sum(kr.progress for kr in krs) / len(krs) if krs else 0.0
    return ObjectiveRead(
        id=objective.id,
        title=objective.title,
        description=objective.description,
        period=objective.period,
        owner_id=objective.owner_id,
        progress=round(progress, 4),
        key_results=krs,
    )


def create_objective(session: Session, actor: Actor, data: ObjectiveCreate) -> Objective:
    actor.require("objectives.write")
    if data.owner_id is not None:
        get_owned(session, Person, data.owner_id, actor.workspace_id, "person")
    objective = Objective(workspace_id=actor.workspace_id, **data.model_dump())
    session.add(objective)
    session.flush()
    audit.record(session, actor, "create", "objective", objective.id, objective.title)
    return objective


def get_objective(session: Session, actor: Actor, objective_id: int) -> Objective:
    actor.require(READ)
    return get_owned(session, Objective, objective_id, actor.workspace_id, "objective")


def update_objective(session: Session, actor: Actor, objective_id: int, data: ObjectiveUpdate) -> Objective:
    actor.require("objectives.write")
    objective = get_owned(session, Objective, objective_id, actor.workspace_id, "objective")
    changes = {
        k: v
        for k, v in data.model_dump(exclude_unset=True).items()
        if not (v is None and k in ("title", "description"))
    }
    if changes.get("owner_id") is not None:
        get_owned(session, Person, changes["owner_id"], actor.workspace_id, "person")
    changed = apply_changes(objective, changes)
    if changed:
        audit.record(session, actor, "update", "objective", objective.id, objective.title, changed)
    return objective


def delete_objective(session: Session, actor: Actor, objective_id: int) -> None:
    actor.require("objectives.write")
    objective = get_owned(session, Objective, objective_id, actor.workspace_id, "objective")
    audit.record(session, actor, "delete", "objective", objective.id, objective.title)
    session.delete(objective)


def list_objectives(session: Session, actor: Actor) -> list[ObjectiveRead]:
    actor.require(READ)
    objectives = session.scalars(
        select(Objective).where(Objective.workspace_id == actor.workspace_id).order_by(Objective.id)
    )
    return [read_objective(session, objective) for objective in objectives]


def add_key_result(session: Session, actor: Actor, objective_id: int, data: KeyResultCreate) -> KeyResultRead:
    actor.require("objectives.write")
    objective = get_owned(session, Objective, objective_id, actor.workspace_id, "objective")
    values = data.model_dump()
    if values["current"] is None:
        values["current"] = values["baseline"]
    kr = KeyResult(workspace_id=actor.workspace_id, objective_id=objective.id, **values)
    session.add(kr)
    session.flush()
    audit.record(session, actor, "create", "key_result", kr.id, kr.title)
    return _read_key_result(kr)


def get_key_result(session: Session, actor: Actor, key_result_id: int) -> KeyResultRead:
    actor.require(READ)
    return _read_key_result(get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result"))


def update_key_result(
    session: Session, actor: Actor, key_result_id: int, data: KeyResultUpdate
) -> KeyResultRead:
    actor.require("objectives.write")
    kr = get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result")
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None or k == "metric"}
    baseline, target = changes.get("baseline", kr.baseline), changes.get("target", kr.target)
    if baseline == target:
        raise ValidationFailed("target must differ from baseline")
    changed = apply_changes(kr, changes)
    if changed:
        audit.record(session, actor, "update", "key_result", kr.id, kr.title, changed)
    return _read_key_result(kr)


def delete_key_result(session: Session, actor: Actor, key_result_id: int) -> None:
    actor.require("objectives.write")
    kr = get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result")
    audit.record(session, actor, "delete", "key_result", kr.id, kr.title)
    session.delete(kr)


def add_check_in(session: Session, actor: Actor, key_result_id: int, data: CheckInCreate) -> CheckIn:
    """Record a check-in; the key result's current value becomes the checked-in value."""
    actor.require("checkins.write")
    kr = get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result")
    check_in = CheckIn(
        workspace_id=actor.workspace_id,
        key_result_id=kr.id,
        day=data.day or dt.date.today(),
        value=data.value,
        confidence=data.confidence,
        note=data.note,
        author_id=actor.user_id or None,
    )
    kr.current = data.value
    session.add(check_in)
    session.flush()
    audit.record(session, actor, "check_in", "key_result", kr.id, f"{kr.title}: {data.value}")
    return check_in


def list_check_ins(session: Session, actor: Actor, key_result_id: int) -> list[CheckIn]:
    actor.require(READ)
    kr = get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result")
    return list(
        session.scalars(
            select(CheckIn).where(CheckIn.key_result_id == kr.id).order_by(CheckIn.day, CheckIn.id)
        )
    )
