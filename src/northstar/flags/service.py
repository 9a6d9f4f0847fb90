"""Use cases of feature flags: define and change flags, evaluate them for the SDKs, serve local-evaluation
definitions, and count the exposure events the SDKs send back.

The SDK endpoints (``public.py``) authenticate with the workspace's PostHog project key (``/flags``) or an API token
plus the project key (local evaluation), so :func:`evaluate_for_sdk` takes a workspace id rather than an actor.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from northstar.core import audit
from northstar.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.core.settings import Settings
from northstar.flags import engine
from northstar.flags.models import FeatureFlag
from northstar.flags.schemas import (
    EvaluateRequest,
    ExposureCount,
    FlagCreate,
    FlagEvaluation,
    FlagRead,
    FlagUpdate,
    FlagVariant,
    ReleaseCondition,
    RolloutChange,
    _check_variants,
)

WRITE = "flags.write"
EXPOSURE_EVENT = "$feature_flag_called"


def _filters(
    conditions: list[ReleaseCondition], variants: list[FlagVariant], payloads: dict[str, Any]
) -> dict[str, Any]:
    return {
        "groups": [c.model_dump(mode="json") for c in conditions],
        "multivariate": {"variants": [v.model_dump(mode="json") for v in variants]} if variants else None,
        "payloads": payloads,
    }


def read_flag(flag: FeatureFlag) -> FlagRead:
    filters = flag.filters or {}
    return FlagRead(
        id=flag.id,
        key=flag.key,
        name=flag.name,
        description=flag.description,
        active=flag.active,
        conditions=[ReleaseCondition.model_validate(g) for g in filters.get("groups") or []],
        variants=[
            FlagVariant.model_validate(v) for v in (filters.get("multivariate") or {}).get("variants") or []
        ],
        payloads=filters.get("payloads") or {},
        version=flag.version,
        created_at=flag.created_at,
        updated_at=flag.updated_at,
    )


def definition(flag: FeatureFlag) -> engine.FlagDefinition:
    return engine.definition_from_filters(flag.key, flag.active, flag.filters or {})


def create_flag(session: Session, actor: Actor, data: FlagCreate) -> FeatureFlag:
    actor.require(WRITE)
    taken = Conflict(f"a flag with key {data.key!r} already exists", [FieldError("key", "taken")])
    exists = session.scalar(
        select(FeatureFlag.id).where(
            FeatureFlag.workspace_id == actor.workspace_id, FeatureFlag.key == data.key
        )
    )
    if exists is not None:
        raise taken
    flag = FeatureFlag(
        workspace_id=actor.workspace_id,
        key=data.key,
        name=data.name,
        description=data.description,
        active=data.active,
        filters=_filters(data.conditions, data.variants, data.payloads),
        version=1,
    )
    session.add(flag)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise taken
    audit.record(session, actor, "create", "feature_flag", flag.id, flag.key)
    return flag


def list_flags(session: Session, actor: Actor) -> list[FeatureFlag]:
    actor.require(READ)
    query = (
        select(FeatureFlag).where(FeatureFlag.workspace_id == actor.workspace_id).order_by(FeatureFlag.key)
    )
    return list(session.scalars(query))


def get_flag(session: Session, actor: Actor, flag_id: int) -> FeatureFlag:
    actor.require(READ)
    return get_owned(session, FeatureFlag, flag_id, actor.workspace_id, "feature flag")


def get_flag_by_key(session: Session, actor: Actor, key: str) -> FeatureFlag:
    actor.require(READ)
    flag = session.scalar(
        select(FeatureFlag).where(FeatureFlag.workspace_id == actor.workspace_id, FeatureFlag.key == key)
    )
    if flag is None:
        raise NotFound(f"no feature flag {key!r} in this workspace")
    return flag


def update_flag(session: Session, actor: Actor, flag_id: int, data: FlagUpdate) -> FeatureFlag:
    """Change a flag; conditions and variants are checked together, and the version goes up by one."""
    actor.require(WRITE)
    flag = get_owned(session, FeatureFlag, flag_id, actor.workspace_id, "feature flag")
    current = read_flag(flag)
    conditions = data.conditions if data.conditions is not None else current.conditions
    variants = data.variants if data.variants is not None else current.variants
    try:
        _check_variants(variants, conditions)
    except ValueError as exc:
        raise ValidationFailed(str(exc), [FieldError("variants", str(exc))]) from exc
    payloads = data.payloads if data.payloads is not None else current.payloads
    changed: dict[str, Any] = {}
    for name in ("name", "description", "active"):
        value = getattr(data, name)
        if value is not None and getattr(flag, name) != value:
            setattr(flag, name, value)
            changed[name] = value
    filters = _filters(conditions, variants, payloads)
    if filters != flag.filters:
        flag.filters = filters
        changed["filters"] = filters
    if changed:
        flag.version += 1
        audit.record(session, actor, "update", "feature_flag", flag.id, flag.key, changed)
    session.flush()
    return flag


def set_rollout(session: Session, actor: Actor, flag_id: int, data: RolloutChange) -> FeatureFlag:
    """Roll every release condition out to one percentage (their property filters stay)."""
    flag = get_flag(session, actor, flag_id)
    conditions = read_flag(flag).conditions or [ReleaseCondition()]
    for condition in conditions:
        condition.rollout_percentage = data.rollout_percentage
    return update_flag(session, actor, flag.id, FlagUpdate(conditions=conditions))


def delete_flag(session: Session, actor: Actor, flag_id: int) -> None:
    actor.require(WRITE)
    flag = get_owned(session, FeatureFlag, flag_id, actor.workspace_id, "feature flag")
    audit.record(session, actor, "delete", "feature_flag", flag.id, flag.key)
    session.delete(flag)
    session.flush()


def _evaluation(result: engine.FlagResult) -> FlagEvaluation:
    return FlagEvaluation(
        key=result.key,
        enabled=result.enabled,
        variant=result.variant,
        value=result.value,
        reason=result.reason,
        condition_index=result.condition_index,
        description=result.description(),
    )


def evaluate_flag(session: Session, actor: Actor, flag_id: int, data: EvaluateRequest) -> FlagEvaluation:
    """What one distinct id (with these person properties) gets from a flag."""
    flag = get_flag(session, actor, flag_id)
    return _evaluation(engine.evaluate(definition(flag), data.distinct_id, data.person_properties))


def rollout_sample(session: Session, actor: Actor, flag_id: int, size: int = 2000) -> engine.RolloutCheck:
    """The flag evaluated for ``size`` made-up ids without properties: the share each value reaches."""
    flag = get_flag(session, actor, flag_id)
    return engine.rollout_check(definition(flag), [f"sample-{n}" for n in range(size)])


def evaluate_for_sdk(
    session: Session,
    workspace_id: int,
    distinct_id: str,
    person_properties: dict[str, Any],
    flag_keys: list[str] | None = None,
) -> list[tuple[FeatureFlag, engine.FlagResult]]:
    """Every active flag of the workspace (or those in ``flag_keys``) for one person, as ``/flags`` answers.

    Switched-off flags are left out, as PostHog leaves them out. The caller has checked the project key.
    """
    query = select(FeatureFlag).where(FeatureFlag.workspace_id == workspace_id, FeatureFlag.active.is_(True))
    if flag_keys:
        query = query.where(FeatureFlag.key.in_(flag_keys))
    flags = list(session.scalars(query.order_by(FeatureFlag.key)))
    return [(flag, engine.evaluate(definition(flag), distinct_id, person_properties)) for flag in flags]


def local_definitions(session: Session, actor: Actor, workspace_id: int | None) -> tuple[dict[str, Any], str]:
    """The flags as the SDKs' local evaluation reads them, and an ETag of that body.

    ``workspace_id`` is the workspace of the project key the SDK sent (``token=``); it must be the API token's.
    """
    actor.require(READ)
    if workspace_id is None or workspace_id != actor.workspace_id:
        raise PermissionDenied("the project key (token=) does not belong to the API token's workspace")
    flags = session.scalars(
        select(FeatureFlag).where(FeatureFlag.workspace_id == workspace_id).order_by(FeatureFlag.id)
    )
    body = {
        "flags": [
            {
                "id": flag.id,
                "team_id": workspace_id,
                "key": flag.key,
                "name": flag.name or flag.description,
                "active": flag.active,
                "deleted": False,
                "ensure_experience_continuity": False,
                "version": flag.version,
                "filters": {**(flag.filters or {}), "aggregation_group_type_index": None},
            }
            for flag in flags
        ],
        "group_type_mapping": {},
        "cohorts": {},
    }
    etag = '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32] + '"'
    return body, etag


def exposures(
    session: Session, actor: Actor, settings: Settings, flag_id: int, days: int = 30
) -> list[ExposureCount]:
    """Persons and ``$feature_flag_called`` events per flag value over the last ``days`` (from the event store)."""
    from northstar.analytics import service as analytics
    from northstar.analytics.queries.engine import literal, property_text
    from northstar.analytics.queries.filters import EventMatcher, event_ids

    flag = get_flag(session, actor, flag_id)
    events = analytics.event_engine(settings, actor)
    ids = event_ids(events, [EventMatcher(EXPOSURE_EVENT)])
    if not ids:
        return []
    since = (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)
    value = property_text("$feature_flag_response")
    rows = events.rows(
        f"SELECT coalesce({value}, '') AS value, count(DISTINCT person_id), count(*) FROM events "
        f"WHERE {EventMatcher(EXPOSURE_EVENT).condition(ids)} "
        f"AND {property_text('$feature_flag')} = {literal(flag.key)} AND timestamp >= {literal(since)} "
        "GROUP BY 1 ORDER BY 1"
    )
    return [ExposureCount(value=str(v), persons=int(p), events=int(e)) for v, p, e in rows]
