"""HTTP routes that unmodified PostHog and Segment SDKs talk to (reference/analytics.md §1).

PostHog: ``/batch``, ``/e``, ``/i/v0/e``, ``/capture``, ``/track`` (with or without the trailing slash) answer exactly
200 ``{"status": 1}``; ``/flags`` and ``/decide`` answer an empty flag set. Segment: ``/v1/batch`` and
``/v1/{track,identify,page,screen,group,alias}`` answer 200 ``{"success": true}``. Errors carry ``code``, ``message``
and ``detail`` so both SDKs can parse them: 400 bad payload, 401 bad key, 413 too large, 415 unknown encoding,
503 (with Retry-After) when the log cannot be written.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from northstar.analytics.ingest.decoding import decode_body, decode_body_sized
from northstar.analytics.ingest.errors import IngestError, too_large
from northstar.analytics.ingest.payloads import parse_posthog, parse_segment, posthog_events
from northstar.analytics.ingest.service import IngestService

POSTHOG_BATCH_LIMIT = 20 * 1024 * 1024
POSTHOG_EVENT_LIMIT = 2 * 1024 * 1024
SEGMENT_BATCH_LIMIT = 512 * 1024
SEGMENT_CALL_LIMIT = 32 * 1024
POSTHOG_CAPTURE_PATHS = ("/e", "/i/v0/e", "/capture", "/track", "/engage")


async def read_capped(request: Request, limit: int) -> bytes:
    """The raw body, refusing to buffer more than ``limit`` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _error(error: IngestError) -> JSONResponse:
    headers = {"Retry-After": "2"} if error.status in (429, 503) else None
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None


def _basic_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.split(":", 1)[0] or None


def _query_sent_at(request: Request) -> datetime | None:
    raw = request.query_params.get("_")
    if raw and raw.isdigit() and int(raw) > 1_577_836_800_000:
        return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    return None


def build_router(get_service: Callable[[Request], IngestService], serve_flags: bool = True) -> APIRouter:
    """The capture routes, bound to the service returned by ``get_service``.

    With ``serve_flags``, ``/flags`` and ``/decide`` answer an empty flag set (the stand-alone capture server); the
    web app passes ``False`` because its flags module answers them with the workspace's flags.
    """
    from northstar.analytics.ingest.compat import (  # compat imports this module
        CaptureRoute,
        add_compat_routes,
    )

    router = APIRouter(include_in_schema=False, route_class=CaptureRoute)

    async def posthog_capture(request: Request) -> Response:
        limit = POSTHOG_BATCH_LIMIT if request.url.path.rstrip("/") == "/batch" else POSTHOG_EVENT_LIMIT
        try:
            if request.method == "GET":
                raw = (request.query_params.get("data") or "").encode()
            else:
                raw = await read_capped(request, limit)
            payload, size = decode_body_sized(
                raw,
                limit,
                request.headers.get("content-encoding"),
                request.headers.get("content-type"),
                request.query_params.get("compression"),
            )
            batch = parse_posthog(payload, datetime.now(UTC), _bearer(request), _query_sent_at(request), size)
            await get_service(request).accept(batch, "posthog")
        except IngestError as error:
            return _error(error)
        return JSONResponse({"status": 1}, status_code=200)

    async def posthog_flags(request: Request) -> Response:
        try:
            payload = decode_body(
                await read_capped(request, POSTHOG_EVENT_LIMIT),
                POSTHOG_EVENT_LIMIT,
                request.headers.get("content-encoding"),
                request.headers.get("content-type"),
                request.query_params.get("compression"),
            )
            _, envelope = posthog_events(payload)
            key = _bearer(request) or envelope.get("api_key") or envelope.get("token")
            if not isinstance(key, str) or not key:
                raise IngestError(401, "invalid_api_key", "missing project API key")
            get_service(request).workspace_for(key, "posthog")
        except IngestError as error:
            return _error(error)
        body = {
            "flags": {},
            "errorsWhileComputingFlags": False,
            "requestId": str(uuid.uuid4()),
            "featureFlags": {},
            "featureFlagPayloads": {},
        }
        return JSONResponse(body, status_code=200)

    async def segment_capture(request: Request) -> Response:
        kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        path_type = None if kind == "batch" else kind
        limit = SEGMENT_BATCH_LIMIT if path_type is None else SEGMENT_CALL_LIMIT
        try:
            try:
                raw = await read_capped(request, limit)
                payload, size = decode_body_sized(raw, limit, request.headers.get("content-encoding"))
            except IngestError as error:
                if error.status == 413:  # Segment answers oversize bodies with 400
                    raise IngestError(400, "payload_too_large", error.message) from error
                raise
            batch = parse_segment(
                payload, datetime.now(UTC), path_type, _basic_user(request), _bearer(request), size
            )
            await get_service(request).accept(batch, "segment")
        except IngestError as error:
            return _error(error)
        return JSONResponse({"success": True}, status_code=200)

    for path in ("/batch", *POSTHOG_CAPTURE_PATHS):
        for variant in (path, path + "/"):
            router.add_api_route(variant, posthog_capture, methods=["POST", "GET"])
    for path in ("/flags", "/decide") if serve_flags else ():
        for variant in (path, path + "/"):
            router.add_api_route(variant, posthog_flags, methods=["POST"])
    for kind in ("batch", "track", "identify", "page", "screen", "group", "alias"):
        for variant in (f"/v1/{kind}", f"/v1/{kind}/"):
            router.add_api_route(variant, segment_capture, methods=["POST"])
    add_compat_routes(router, get_service)  # PostHog v1 capture and CORS preflights
    return router
