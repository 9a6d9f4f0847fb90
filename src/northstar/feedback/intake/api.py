"""The intake API: ``POST /api/v1/feedback/intake`` (one item) and ``/intake/batch`` (up to 500), for a token with
the ``ingest`` scope (or any actor allowed ``feedback.ingest``).

Limits, each with a clear problem response: a body of at most 1 MB (one item) or 10 MB (a batch) → 413; at most
``RATE_LIMIT`` requests a minute per token → 429 with ``Retry-After``; invalid items → 422 naming each field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ValidationError
from starlette.responses import JSONResponse

from northstar.core.errors import FieldError, NorthstarError, ValidationFailed
from northstar.core.permissions import Actor
from northstar.feedback.importers.limits import limiter, read_body
from northstar.feedback.intake import service as intake_service
from northstar.feedback.intake.schemas import (
    MAX_BATCH,
    IntakeBatch,
    IntakeBatchResult,
    IntakeItem,
    IntakeResult,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/intake", tags=["feedback intake"])
MAX_ITEM_BYTES = 1024 * 1024
MAX_BATCH_BYTES = 10 * 1024 * 1024
RATE_LIMIT = 120
RATE_WINDOW = 60.0


class RateLimited(NorthstarError):
    status = 429
    type_slug = "rate-limited"
    title = "Too many requests"


def _item_schema() -> dict[str, Any]:
    return IntakeItem.model_json_schema()


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_BATCH_SCHEMA = {
    "type": "object",
    "required": ["items"],
    "additionalProperties": False,
    "properties": {"items": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": _item_schema()}},
}


def _limited(request: Request, actor: Actor) -> JSONResponse | None:
    """A 429 problem response when this token has used up its requests for the minute, else None."""
    key = f"{actor.workspace_id}:{actor.user_id}:{actor.scope or 'login'}"
    wait = limiter(request.app, "feedback_intake", RATE_LIMIT, RATE_WINDOW).hit(key)
    if wait is None:
        return None
    error = RateLimited(f"more than {RATE_LIMIT} intake requests a minute; retry in {wait:.0f} s")
    return JSONResponse(
        error.problem(request.url.path),
        status_code=429,
        media_type="application/problem+json",
        headers={"Retry-After": str(int(wait + 0.999))},
    )


def _parse(model: type[BaseModel], body: bytes) -> Any:
    try:
        return model.model_validate_json(body or b"null")
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()[:100]
        ]
        raise ValidationFailed(f"invalid intake: {errors[0].field}: {errors[0].message}", errors) from None


@router.post(
    "", status_code=201, openapi_extra=_body(_item_schema()), responses={200: {"model": IntakeResult}}
)
async def intake_one(request: Request, response: Response, session: DB, actor: ApiActor) -> IntakeResult:
    """Store one piece of feedback. 201 when created; 200 when an item with the same source and ``external_id``
    was updated (or was already identical)."""
    actor.require(intake_service.PERMISSION)
    limited = _limited(request, actor)
    if limited is not None:
        return limited  # type: ignore[return-value]
    item = _parse(IntakeItem, await read_body(request, MAX_ITEM_BYTES))
    result = intake_service.ingest(session, actor, [item], batch=False).items[0]
    response.status_code = 201 if result.status == "created" else 200
    return result


@router.post("/batch", openapi_extra=_body(_BATCH_SCHEMA))
async def intake_batch(request: Request, session: DB, actor: ApiActor) -> IntakeBatchResult:
    """Store up to 500 items at once; all-or-nothing (one invalid item refuses the batch, naming it)."""
    actor.require(intake_service.PERMISSION)
    limited = _limited(request, actor)
    if limited is not None:
        return limited  # type: ignore[return-value]
    batch = _parse(IntakeBatch, await read_body(request, MAX_BATCH_BYTES))
    return intake_service.ingest(session, actor, batch.items)
