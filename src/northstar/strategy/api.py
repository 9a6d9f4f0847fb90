"""JSON API for objectives, key results and check-ins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from northstar.core.settings import Settings
from northstar.strategy import service
from northstar.strategy.schemas import (
    BindableMetric,
    CheckInCreate,
    CheckInRead,
    KeyResultCreate,
    KeyResultRead,
    KeyResultUpdate,
    MetricBinding,
    MetricCheckIn,
    ObjectiveCreate,
    ObjectiveDetail,
    ObjectiveRead,
    ObjectiveUpdate,
)
from northstar.web.deps import DB, ApiActor, get_settings

router = APIRouter(tags=["objectives"])
AppSettings = Annotated[Settings, Depends(get_settings)]


@router.get("/objectives/bindable-metrics")
def list_bindable_metrics(session: DB, actor: ApiActor) -> list[BindableMetric]:
    """The analytics metrics a key result can be bound to."""
    return service.bindable_metrics(session, actor)


@router.get("/objectives")
def list_objectives(session: DB, actor: ApiActor) -> list[ObjectiveRead]:
    return service.list_objectives(session, actor)


@router.post("/objectives", status_code=201)
def create_objective(body: ObjectiveCreate, session: DB, actor: ApiActor) -> ObjectiveRead:
    return service.read_objective(session, service.create_objective(session, actor, body))


@router.get("/objectives/{objective_id}")
def get_objective(objective_id: int, session: DB, actor: ApiActor) -> ObjectiveRead:
    return service.read_objective(session, service.get_objective(session, actor, objective_id))


@router.get("/objectives/{objective_id}/detail")
def get_objective_detail(objective_id: int, session: DB, actor: ApiActor) -> ObjectiveDetail:
    """The objective with each key result's pace signal (on track, behind, at risk), history and linked ideas."""
    return service.objective_detail(session, actor, objective_id)


@router.post("/objectives/{objective_id}/update-from-metrics")
def update_from_metrics(
    objective_id: int, session: DB, actor: ApiActor, settings: AppSettings
) -> list[MetricCheckIn]:
    """Check in every metric-bound key result with the metric's value over the objective's period."""
    return service.update_from_metrics(session, actor, settings, objective_id)


@router.patch("/objectives/{objective_id}")
def update_objective(objective_id: int, body: ObjectiveUpdate, session: DB, actor: ApiActor) -> ObjectiveRead:
    return service.read_objective(session, service.update_objective(session, actor, objective_id, body))


@router.delete("/objectives/{objective_id}", status_code=204)
def delete_objective(objective_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_objective(session, actor, objective_id)


@router.post("/objectives/{objective_id}/key-results", status_code=201)
def add_key_result(objective_id: int, body: KeyResultCreate, session: DB, actor: ApiActor) -> KeyResultRead:
    return service.add_key_result(session, actor, objective_id, body)


@router.get("/key-results/{key_result_id}")
def get_key_result(key_result_id: int, session: DB, actor: ApiActor) -> KeyResultRead:
    return service.get_key_result(session, actor, key_result_id)


@router.patch("/key-results/{key_result_id}")
def update_key_result(
    key_result_id: int, body: KeyResultUpdate, session: DB, actor: ApiActor
) -> KeyResultRead:
    return service.update_key_result(session, actor, key_result_id, body)


@router.put("/key-results/{key_result_id}/metric")
def bind_metric(key_result_id: int, body: MetricBinding, session: DB, actor: ApiActor) -> KeyResultRead:
    """Bind the key result to an analytics metric by key (``null`` makes it manual again)."""
    return service.bind_metric(session, actor, key_result_id, body.metric)


@router.delete("/key-results/{key_result_id}", status_code=204)
def delete_key_result(key_result_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_key_result(session, actor, key_result_id)


@router.get("/key-results/{key_result_id}/check-ins")
def list_check_ins(key_result_id: int, session: DB, actor: ApiActor) -> list[CheckInRead]:
    return [CheckInRead.model_validate(c) for c in service.list_check_ins(session, actor, key_result_id)]


@router.post("/key-results/{key_result_id}/check-ins", status_code=201)
def add_check_in(key_result_id: int, body: CheckInCreate, session: DB, actor: ApiActor) -> CheckInRead:
    return CheckInRead.model_validate(service.add_check_in(session, actor, key_result_id, body))
