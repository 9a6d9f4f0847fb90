"""Capture-route compatibility beyond the v0 bodies: PostHog's v1 capture and browser CORS (reference §1.2, §1.4).

* ``POST /i/v1/analytics/events`` — posthog-python's opt-in v1 protocol (``capture_mode="v1"``): the project key in
  ``Authorization: Bearer``, a ``{"created_at", "batch": […]}`` body whose events carry ``options`` and top-level
  ``session_id`` / ``window_id``, the library in ``PostHog-Sdk-Info``. The answer is ``200 {"results": {}}`` (every
  uuid absent from the map counts as accepted). ``Content-Encoding`` may be gzip or deflate; zstd is refused with 415
  (terminal for the SDK, which then logs it) because no zstd decoder ships with the standard library here.
* CORS, as PostHog's capture does it for posthog-js: a preflight (``OPTIONS`` with ``Origin`` and
  ``Access-Control-Request-Method``) is answered with the origin, method and headers mirrored, and every capture
  response carries ``Access-Control-Allow-Origin`` for the request's origin. An ``OPTIONS`` that is not a
  preflight gets 400, so it never answers anything without a key.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from northstar.analytics.ingest.decoding import decode_body_sized
from northstar.analytics.ingest.errors import IngestError, bad_request, unauthorized
from northstar.analytics.ingest.payloads import parse_posthog
from northstar.analytics.ingest.service import IngestService
from northstar.analytics.ingest.timestamps import parse_timestamp

V1_PATH = "/i/v1/analytics/events"
V1_BATCH_LIMIT = 20 * 1024 * 1024
_TOP_LEVEL_TO_PROPERTIES = (("session_id", "$session_id"), ("window_id", "$window_id"))
_OPTION_TO_PROPERTY = (
    ("process_person_profile", "$process_person_profile"),
    ("cookieless_mode", "$cookieless_mode"),
)


def _cors_headers(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    if not origin:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


class CaptureRoute(APIRoute):
    """A capture route whose responses carry the CORS headers a browser SDK needs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            response = await handler(request)
            response.headers.update(_cors_headers(request))
            return response

        return with_cors


async def preflight(request: Request) -> Response:
    """Answer a CORS preflight; anything else sent with ``OPTIONS`` is a bad request."""
    method = request.headers.get("access-control-request-method")
    if not request.headers.get("origin") or not method:
        error = bad_request("not_a_preflight", "OPTIONS is only answered as a CORS preflight")
        return JSONResponse(error.body(), status_code=400)
    headers = _cors_headers(request) | {
        "Access-Control-Allow-Methods": method.upper() if method.upper() in {"GET", "POST"} else "GET, POST",
        "Access-Control-Max-Age": "3600",
    }
    requested = request.headers.get("access-control-request-headers")
    if requested:
        headers["Access-Control-Allow-Headers"] = requested
    return Response(status_code=200, headers=headers)


def _sdk_library(request: Request) -> tuple[str | None, str | None]:
    """``posthog-python/7.91.1`` → (``posthog-python``, ``7.91.1``)."""
    info = request.headers.get("posthog-sdk-info") or ""
    name, _, version = info.strip().partition("/")
    return (name or None), (version or None)


def v1_body_to_batch(
    payload: Any, library: tuple[str | None, str | None], sent_at: str | None
) -> dict[str, Any]:
    """A v1 body rewritten as a v0 ``{"batch", "sent_at"}`` body: ``session_id`` / ``window_id`` and the
    ``options`` that are person settings move back into ``properties``, ``$lib`` comes from the SDK header."""
    if not isinstance(payload, dict) or not isinstance(payload.get("batch"), list):
        raise bad_request("invalid_payload", "a v1 body is an object with a 'batch' list of events")
    name, version = library
    events = []
    for event in payload["batch"]:
        if not isinstance(event, dict):
            raise bad_request("invalid_payload", "every event must be a JSON object")
        properties = event.get("properties")
        if properties is not None and not isinstance(properties, dict):
            raise bad_request("invalid_payload", "'properties' must be an object")
        properties = dict(properties or {})
        for field, target in _TOP_LEVEL_TO_PROPERTIES:
            if isinstance(event.get(field), str):
                properties.setdefault(target, event[field])
        raw_options = event.get("options")
        options: dict[str, Any] = raw_options if isinstance(raw_options, dict) else {}
        for option, target in _OPTION_TO_PROPERTY:
            if option in options:
                properties.setdefault(target, options[option])
        if name:
            properties.setdefault("$lib", name)
        if version:
            properties.setdefault("$lib_version", version)
        events.append({**event, "properties": properties})
    return {"batch": events, "sent_at": sent_at or payload.get("created_at")}


def add_compat_routes(router: APIRouter, get_service: Callable[[Request], IngestService]) -> None:
    """Add the v1 capture route and a CORS preflight for every capture path of ``router``."""
    from northstar.analytics.ingest.routes import _error, read_capped

    async def posthog_v1(request: Request) -> Response:
        try:
            token = (request.headers.get("authorization") or "")[7:].strip()
            if not (request.headers.get("authorization") or "").lower().startswith("bearer ") or not token:
                raise unauthorized("v1 capture needs 'Authorization: Bearer <project key>'")
            encoding = (request.headers.get("content-encoding") or "").strip().lower()
            if encoding == "zstd":
                raise IngestError(415, "unsupported_encoding", "zstd is not supported: send gzip or deflate")
            raw = await read_capped(request, V1_BATCH_LIMIT)
            payload, size = decode_body_sized(
                raw, V1_BATCH_LIMIT, encoding, request.headers.get("content-type")
            )
            attempt_time = request.headers.get("posthog-request-timestamp")
            sent_at = attempt_time if parse_timestamp(attempt_time) is not None else None
            body = v1_body_to_batch(payload, _sdk_library(request), sent_at)
            batch = parse_posthog(body, datetime.now(UTC), token, None, size)
            await get_service(request).accept(batch, "posthog")
        except IngestError as error:
            return _error(error)
        return JSONResponse({"results": {}}, status_code=200)

    for variant in (V1_PATH, V1_PATH + "/"):
        router.add_api_route(variant, posthog_v1, methods=["POST"])
    paths = sorted({route.path for route in router.routes if isinstance(route, APIRoute)})
    for path in paths:
        router.add_api_route(path, preflight, methods=["OPTIONS"])
