"""JSON API of feature flags (``/api/v1/flags``): define, change, roll out, evaluate and count exposures.

The SDKs do not use this API: they call ``/flags`` and ``/flags/definitions`` at the root (``public.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from northstar.core.settings import Settings
from northstar.flags import service
from northstar.flags.schemas import (
    EvaluateRequest,
    ExposureCount,
    FlagCreate,
    FlagEvaluation,
    FlagRead,
    FlagUpdate,
    RolloutChange,
)
from northstar.web.deps import DB, ApiActor, get_settings

router = APIRouter(prefix="/flags", tags=["flags"])
AppSettings = Annotated[Settings, Depends(get_settings)]


@router.get("")
def list_flags(session: DB, actor: ApiActor) -> list[FlagRead]:
    return [service.read_flag(f) for f in service.list_flags(session, actor)]


@router.post("", status_code=201)
def create_flag(body: FlagCreate, session: DB, actor: ApiActor) -> FlagRead:
    """A boolean flag (no ``variants``) or a multivariate one (variants adding up to 100 %)."""
    return service.read_flag(service.create_flag(session, actor, body))


@router.get("/{flag_id}")
def get_flag(flag_id: int, session: DB, actor: ApiActor) -> FlagRead:
    return service.read_flag(service.get_flag(session, actor, flag_id))


@router.patch("/{flag_id}")
def update_flag(flag_id: int, body: FlagUpdate, session: DB, actor: ApiActor) -> FlagRead:
    return service.read_flag(service.update_flag(session, actor, flag_id, body))


@router.put("/{flag_id}/rollout")
def set_rollout(flag_id: int, body: RolloutChange, session: DB, actor: ApiActor) -> FlagRead:
    """Set every release condition's rollout percentage."""
    return service.read_flag(service.set_rollout(session, actor, flag_id, body))


@router.delete("/{flag_id}", status_code=204)
def delete_flag(flag_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_flag(session, actor, flag_id)


@router.post("/{flag_id}/evaluate")
def evaluate_flag(flag_id: int, body: EvaluateRequest, session: DB, actor: ApiActor) -> FlagEvaluation:
    """What one distinct id, with these person properties, gets."""
    return service.evaluate_flag(session, actor, flag_id, body)


@router.get("/{flag_id}/exposures")
def exposures(
    flag_id: int,
    session: DB,
    actor: ApiActor,
    settings: AppSettings,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> list[ExposureCount]:
    """Persons and ``$feature_flag_called`` events per value, over the last ``days``."""
    return service.exposures(session, actor, settings, flag_id, days)
