"""The SDK capture routes mounted at the web root (``/batch/``, ``/e/``, ``/v1/batch``, ...).

They authenticate with the workspace's PostHog project key or Segment write key (see ``service.get_keys``), not
with a login or an API token, and answer exactly what the SDKs expect (see ``ingest/routes.py``).
"""

from __future__ import annotations

import threading
import time

from fastapi import Request

from northstar.analytics import runtime, service
from northstar.analytics.ingest.routes import build_router
from northstar.analytics.ingest.service import IngestService, KeyKind

_CACHE_SECONDS = 30.0
_lock = threading.Lock()


def _service(request: Request) -> IngestService:
    app = request.app
    existing = getattr(app.state, "analytics_ingest", None)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    with _lock:
        if getattr(app.state, "analytics_ingest", None) is None:
            factory = app.state.session_factory
            cache: dict[tuple[str, str], tuple[float, str | None]] = {}

            def resolve(key: str, kind: KeyKind) -> str | None:
                hit = cache.get((key, kind))
                if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
                    return hit[1]
                with factory() as session:
                    workspace_id = service.workspace_for_key(session, key, kind)
                value = None if workspace_id is None else str(workspace_id)
                cache[(key, kind)] = (time.monotonic(), value)
                return value

            ingest = runtime.ingest_service(app.state.settings, resolve)
            ingest.resolve_key = (
                resolve  # the service outlives apps (tests build several): use this app's database
            )
            app.state.analytics_ingest = ingest
    return app.state.analytics_ingest  # type: ignore[no-any-return]


router = build_router(_service, serve_flags=False)  # northstar.flags.public answers /flags and /decide
