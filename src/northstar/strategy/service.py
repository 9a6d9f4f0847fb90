"""Use cases for objectives, key results and check-ins; progress is computed, never typed in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import FieldError, ValidationFailed
from northstar.core.listing import apply_changes, get_owned
from northstar.core.permissions import READ, Actor
from northstar.core.settings import Settings
from northstar.ideas.models import Idea
from northstar.strategy import pace
from northstar.strategy.models import CheckIn, KeyResult, Objective
from northstar.strategy.schemas import (
    BindableMetric,
    CheckInCreate,
    CheckInRead,
    KeyResultCreate,
    KeyResultDetail,
    KeyResultRead,
    KeyResultUpdate,
    LinkedIdea,
    MetricCheckIn,
    ObjectiveCreate,
    ObjectiveDetail,
    ObjectiveRead,
    ObjectiveUpdate,
)
from northstar.teams.models import Person

#: How far ``current`` has moved from ``baseline`` to ``target`` (works for decreasing targets), in [0, 1].
key_result_progress = pace.progress


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
    values["metric"] = _checked_metric(session, actor, values["metric"])
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
    if "metric" in changes:
        changes["metric"] = _checked_metric(session, actor, changes["metric"])
    changed = apply_changes(kr, changes)
    if changed:
        audit.record(session, actor, "update", "key_result", kr.id, kr.title, changed)
    return _read_key_result(kr)


def delete_key_result(session: Session, actor: Actor, key_result_id: int) -> None:
    actor.require("objectives.write")
    kr = get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result")
    audit.record(session, actor, "delete", "key_result", kr.id, kr.title)
    session.delete(kr)


def add_check_in(
    session: Session, actor: Actor, key_result_id: int, data: CheckInCreate, source: str = "manual"
) -> CheckIn:
    """Record a check-in; the key result's current value becomes the checked-in value.

    ``source`` says where the value came from: "manual" (a person typed it) or "metric" (computed from data).
    """
    actor.require("checkins.write")
    kr = get_owned(session, KeyResult, key_result_id, actor.workspace_id, "key result")
    check_in = CheckIn(
        workspace_id=actor.workspace_id,
        key_result_id=kr.id,
        day=data.day or dt.date.today(),
        value=data.value,
        confidence=data.confidence,
        note=data.note,
        source=source,
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


# --- metrics behind key results -------------------------------------------------------------------------------


def bindable_metrics(session: Session, actor: Actor) -> list[BindableMetric]:
    """The workspace's analytics metrics, which key results can be bound to."""
    from northstar.analytics import service as analytics

    return [
        BindableMetric(key=m.key, name=m.name, event=m.event, math=m.math, window_days=m.window_days)
        for m in analytics.list_metrics(session, actor)
    ]


def _checked_metric(session: Session, actor: Actor, metric: str | None) -> str | None:
    """The metric key to store: None for manual ("" and "manual" too); an unknown key is refused."""
    key = (metric or "").strip()
    if key in ("", "manual"):
        return None
    known = {m.key for m in bindable_metrics(session, actor)}
    if key not in known:
        raise ValidationFailed(
            f"there is no analytics metric with key {key!r}",
            [
                FieldError(
                    "metric", "choose one of the analytics metrics (define it on the Analytics page first)"
                )
            ],
        )
    return key


def bind_metric(session: Session, actor: Actor, key_result_id: int, metric: str | None) -> KeyResultRead:
    """Bind a key result to an analytics metric by its key (None makes it manual again)."""
    return update_key_result(session, actor, key_result_id, KeyResultUpdate(metric=metric or None))


def objective_detail(
    session: Session, actor: Actor, objective_id: int, today: dt.date | None = None
) -> ObjectiveDetail:
    """Everything an objective's page shows: key results with their pace signal and history, and linked ideas."""
    objective = get_objective(session, actor, objective_id)
    today = today or dt.date.today()
    period = pace.parse_period(objective.period)
    metric_names = {m.key: m.name for m in bindable_metrics(session, actor)}
    key_results = list(
        session.scalars(
            select(KeyResult).where(KeyResult.objective_id == objective.id).order_by(KeyResult.id)
        )
    )
    history: dict[int, list[CheckInRead]] = {kr.id: [] for kr in key_results}
    for check_in in session.scalars(
        select(CheckIn)
        .where(CheckIn.key_result_id.in_(list(history) or [0]))
        .order_by(CheckIn.day, CheckIn.id)
    ):
        history[check_in.key_result_id].append(CheckInRead.model_validate(check_in))
    details = []
    for kr in key_results:
        signal = pace.key_result_pace(kr.baseline, kr.target, kr.current, period, today)
        details.append(
            KeyResultDetail(
                **_read_key_result(kr).model_dump(),
                pace=signal.pace.value,
                pace_words=signal.words,
                expected_progress=None
                if signal.expected_progress is None
                else round(signal.expected_progress, 4),
                expected_value=signal.expected_value,
                metric_name=metric_names.get(kr.metric or ""),
                check_ins=history[kr.id],
            )
        )
    ideas = session.scalars(
        select(Idea)
        .where(Idea.workspace_id == actor.workspace_id, Idea.objective_id == objective.id)
        .order_by(Idea.title)
    )
    owner = session.get(Person, objective.owner_id) if objective.owner_id else None
    return ObjectiveDetail(
        id=objective.id,
        title=objective.title,
        description=objective.description,
        period=objective.period,
        starts_on=period.starts_on if period else None,
        ends_on=period.ends_on if period else None,
        elapsed_share=round(period.elapsed_share(today), 4) if period and today >= period.starts_on else None,
        owner_id=objective.owner_id,
        owner_name=owner.name if owner else None,
        progress=round(sum(d.progress for d in details) / len(details), 4) if details else 0.0,
        today=today,
        key_results=details,
        ideas=[LinkedIdea(id=i.id, title=i.title, status=i.status, team_id=i.team_id) for i in ideas],
    )


def update_from_metrics(
    session: Session,
    actor: Actor,
    settings: Settings,
    objective_id: int,
    today: dt.date | None = None,
    key_result_id: int | None = None,
) -> list[MetricCheckIn]:
    """Check in every metric-bound key result of the objective (or just ``key_result_id``) with the metric's
    value over the objective's period (see :func:`northstar.analytics.service.metric_value_in_period`)."""
    from northstar.analytics import service as analytics

    actor.require("checkins.write")
    objective = get_objective(session, actor, objective_id)
    period = pace.parse_period(objective.period)
    starts_on, ends_on = (period.starts_on, period.ends_on) if period else (dt.date.min, dt.date.max)
    today = today or dt.date.today()
    query = select(KeyResult).where(KeyResult.objective_id == objective.id, KeyResult.metric.is_not(None))
    if key_result_id is not None:
        query = query.where(KeyResult.id == key_result_id)
    done = []
    for kr in session.scalars(query.order_by(KeyResult.id)).all():
        metric = str(kr.metric)
        measured = analytics.metric_value_in_period(
            session, actor, settings, metric, starts_on, ends_on, today
        )
        if measured is None:
            reason = "the period has not begun" if today < starts_on else f"no analytics metric {metric!r}"
            done.append(
                MetricCheckIn(
                    key_result_id=kr.id,
                    title=kr.title,
                    metric=metric,
                    value=None,
                    check_in_id=None,
                    reason=reason,
                )
            )
            continue
        value = round(measured.value, 4)
        note = (
            f"From the metric {measured.metric.name}, "
            f"{measured.date_from.isoformat()} to {measured.date_to.isoformat()}"
        )
        made = add_check_in(session, actor, kr.id, CheckInCreate(value=value, note=note, day=today), "metric")
        done.append(
            MetricCheckIn(
                key_result_id=kr.id, title=kr.title, metric=metric, value=value, check_in_id=made.id
            )
        )
    return done


def link_idea(session: Session, actor: Actor, objective_id: int, idea_id: int, linked: bool = True) -> None:
    """Say that an idea serves the objective (``linked=False`` takes it off again)."""
    from northstar.ideas import service as ideas
    from northstar.ideas.schemas import IdeaUpdate

    objective = get_objective(session, actor, objective_id)
    idea = ideas.get_idea(session, actor, idea_id)
    if not linked and idea.objective_id != objective.id:
        return
    ideas.update_idea(session, actor, idea_id, IdeaUpdate(objective_id=objective.id if linked else None))


def linkable_ideas(
    session: Session, actor: Actor, objective_id: int, limit: int = 300
) -> list[tuple[int, str]]:
    """(id, title) of the newest ideas not yet serving the objective, for the picker on its page."""
    from northstar.ideas import service as ideas

    objective = get_objective(session, actor, objective_id)
    linked = set(
        session.scalars(
            select(Idea.id).where(Idea.workspace_id == actor.workspace_id, Idea.objective_id == objective.id)
        )
    )
    return [(i, title) for i, title in ideas.idea_choices(session, actor, limit) if i not in linked]
