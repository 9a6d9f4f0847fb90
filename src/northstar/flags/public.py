"""The flag endpoints the PostHog SDKs call, mounted at the web root.

* ``POST /flags`` (``?v=4``, posthog-python 7) and the legacy ``POST /decide`` (``?v=3``): the flags of one distinct id,
  authenticated by the project key in the body (``api_key`` / ``token``) or an ``Authorization: Bearer`` header.
  The answer carries both shapes the SDKs read: ``flags`` (v4: key, enabled, variant, reason, metadata) and
  ``featureFlags`` / ``featureFlagPayloads`` (v3).
* ``GET /flags/definitions?token=<project key>`` (posthog-python 7) and ``GET /api/feature_flag/local_evaluation``
  (older SDKs): every flag's definition for local evaluation, authenticated like PostHog's personal API key: an
  ``Authorization: Bearer nsk_…`` Northstar API token of the same workspace. ``If-None-Match`` with the last
  ``ETag`` answers 304.

The web app's capture router leaves ``/flags`` and ``/decide`` to this module (``build_router(serve_flags=False)``);
the stand-alone capture server still answers them with an empty flag set.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from northstar.accounts import service as accounts
from northstar.analytics import service as analytics
from northstar.analytics.ingest.decoding import decode_body
from northstar.analytics.ingest.errors import IngestError
from northstar.core.errors import NorthstarError
from northstar.flags import service

router = APIRouter(include_in_schema=False)
BODY_LIMIT = 2 * 1024 * 1024


def _problem(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"type": "validation_error", "code": code, "detail": detail}, status_code=status)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return (header[7:].strip() or None) if header.lower().startswith("bearer ") else None


def _flag_entry(flag: Any, result: Any) -> dict[str, Any]:
    payloads = (flag.filters or {}).get("payloads") or {}
    payload = payloads.get(str(result.value)) if result.enabled else None
    return {
        "key": flag.key,
        "enabled": result.enabled,
        "variant": result.variant,
        "reason": {
            "code": result.reason,
            "condition_index": result.condition_index,
            "description": result.description(),
        },
        "metadata": {
            "id": flag.id,
            "version": flag.version,
            "payload": payload,
            "description": flag.description,
        },
    }


async def sdk_flags(request: Request) -> Response:
    try:
        payload = decode_body(
            await request.body(),
            BODY_LIMIT,
            request.headers.get("content-encoding"),
            request.headers.get("content-type"),
            request.query_params.get("compression"),
        )
    except IngestError as error:
        return JSONResponse(error.body(), status_code=error.status)
    if not isinstance(payload, dict):
        return _problem(400, "invalid_payload", "the body must be a JSON object")
    key = payload.get("api_key") or payload.get("token") or _bearer(request)
    if not isinstance(key, str) or not key:
        return _problem(401, "invalid_api_key", "missing project API key")
    distinct_id = payload.get("distinct_id")
    if distinct_id is None or str(distinct_id) == "":
        return _problem(400, "missing_distinct_id", "the body needs a distinct_id")
    properties = payload.get("person_properties") or {}
    keys = payload.get("flag_keys_to_evaluate")

    def evaluate() -> dict[str, Any] | None:  # database work off the event loop
        with request.app.state.read_session_factory() as session:
            workspace_id = analytics.workspace_for_key(session, key, "posthog")
            if workspace_id is None:
                return None
            evaluated = service.evaluate_for_sdk(
                session,
                workspace_id,
                str(distinct_id)[:400],
                properties if isinstance(properties, dict) else {},
                [str(k) for k in keys] if isinstance(keys, list) and keys else None,
            )
            return {flag.key: _flag_entry(flag, result) for flag, result in evaluated}

    flags = await run_in_threadpool(evaluate)
    if flags is None:
        return _problem(401, "invalid_api_key", "unknown project API key")
    legacy = {key: entry["variant"] or entry["enabled"] for key, entry in flags.items()}
    legacy_payloads = {
        k: e["metadata"]["payload"] for k, e in flags.items() if e["metadata"]["payload"] is not None
    }
    body = {
        "flags": flags,
        "errorsWhileComputingFlags": False,
        "requestId": str(uuid.uuid4()),
        "featureFlags": legacy,
        "featureFlagPayloads": legacy_payloads,
    }
    return JSONResponse(body, status_code=200)


def local_evaluation(request: Request) -> Response:
    secret = _bearer(request)
    if secret is None:
        return _problem(
            401, "authentication_required", "send an API token as 'Authorization: Bearer nsk_...'"
        )
    project_key = request.query_params.get("token") or ""
    with request.app.state.read_session_factory() as session:
        try:
            actor = accounts.actor_for_token(session, secret)
            workspace_id = (
                analytics.workspace_for_key(session, project_key, "posthog") if project_key else None
            )
            body, etag = service.local_definitions(
                session, actor, workspace_id if project_key else actor.workspace_id
            )
        except NorthstarError as error:
            return _problem(error.status, error.type_slug, error.detail)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return JSONResponse(body, status_code=200, headers={"ETag": etag})


for _path in ("/flags", "/decide"):
    for _variant in (_path, _path + "/"):
        router.add_api_route(_variant, sdk_flags, methods=["POST"])
for _path in ("/flags/definitions", "/api/feature_flag/local_evaluation"):
    for _variant in (_path, _path + "/"):
        router.add_api_route(_variant, local_evaluation, methods=["GET"])
