"""A stand-alone capture server (``uvicorn --factory northstar.analytics.ingest.app:create_app_from_env``).

Keys come from ``NORTHSTAR_INGEST_KEYS`` (``key=workspace,key2=workspace``) and data goes under
``NORTHSTAR_INGEST_DIR``. The Northstar web app mounts the same routes with keys from the workspace settings; this
server exists for deployments that separate capture from the app, and for the SDK and crash tests.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from northstar.analytics.ingest.routes import build_router
from northstar.analytics.ingest.service import IngestService, KeyKind


def create_ingest_app(data_dir: Path, keys: dict[str, str], load: bool = True) -> FastAPI:
    """A FastAPI app serving only the capture routes; ``keys`` maps project/write keys to workspaces."""

    def resolve(key: str, _kind: KeyKind) -> str | None:
        return keys.get(key)

    service = IngestService(data_dir, resolve)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if load:
            service.start_loading()
        yield
        service.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.ingest = service
    app.include_router(build_router(lambda _request: service))
    return app


def create_app_from_env() -> FastAPI:
    """The app configured from environment variables (for ``uvicorn --factory``)."""
    pairs = [
        item.split("=", 1) for item in os.environ.get("NORTHSTAR_INGEST_KEYS", "").split(",") if "=" in item
    ]
    data_dir = Path(os.environ.get("NORTHSTAR_INGEST_DIR", "northstar-ingest"))
    load = os.environ.get("NORTHSTAR_INGEST_LOAD", "1") != "0"
    return create_ingest_app(data_dir, {key: workspace for key, workspace in pairs}, load=load)
