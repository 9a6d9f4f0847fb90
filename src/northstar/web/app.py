"""The application factory: ``create_app(settings)`` wires storage, jobs, routes, pages and errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from northstar import __version__, modules
from northstar.core.database import (
    create_database_engine,
    create_read_session_factory,
    create_session_factory,
)
from northstar.core.jobs import JobRunner, JobSubmitter
from northstar.core.settings import Settings
from northstar.web import api_core, pages_core
from northstar.web.concurrency import ConcurrencyCap
from northstar.web.errors import install_error_handlers
from northstar.web.load_board import LoadBoard
from northstar.web.templating import build_templates

if TYPE_CHECKING:
    from northstar.core.queue import EmbeddedWorker

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Northstar web application for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    database_url = settings.resolved_database_url()
    modules.load_models()
    modules.load_jobs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.upgrade_on_start:
            from northstar.core import migrate  # Alembic only when this process migrates (see web/serve.py)

            migrate.upgrade_once(database_url, settings.resolved_home() / "run" / "migrate.lock")
        embedded = _embedded_worker(settings, database_url, app)
        yield
        if embedded is not None:
            embedded.stop()
        app.state.jobs.shutdown()
        for _spec, module in modules.parts("runtime"):
            close_all = modules.attr(module, "close_all")
            if close_all is not None:
                close_all()  # a module's long-lived resources (event-store loaders, open files)
        app.state.engine.dispose()

    app = FastAPI(
        title="Northstar",
        version=__version__,
        description="The JSON API of Northstar, an operating system for a Head of Product.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    engine = create_database_engine(database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.read_session_factory = create_read_session_factory(engine)
    app.state.jobs = _job_submitter(settings, app.state.session_factory)
    app.state.templates = build_templates()
    app.state.secret_key = settings.resolved_secret_key()

    install_error_handlers(app)
    board = LoadBoard(settings.resolved_home() / "run" / "web-load.board")
    app.add_middleware(ConcurrencyCap, limit=settings.web_concurrency, board=board)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # each router straight onto the app: FastAPI rebuilds every route it includes, and going through an
    # intermediate "/api/v1" router rebuilt the 500-odd API routes twice (1.1 s of every server's start-up)
    app.include_router(api_core.router, prefix=API_PREFIX)
    for _spec, module in modules.parts("api"):
        router = modules.attr(module, "router")
        if router is not None:
            app.include_router(router, prefix=API_PREFIX)

    app.include_router(pages_core.router)
    for _spec, module in modules.parts("pages"):
        router = modules.attr(module, "router")
        if router is not None:
            app.include_router(router)
    for _spec, module in modules.parts("public"):
        router = modules.attr(module, "router")
        if router is not None:
            app.include_router(router)
    return app


def _job_submitter(settings: Settings, factory: sessionmaker[Session]) -> JobSubmitter:
    """The in-process runner, or (``NORTHSTAR_JOB_QUEUE=postgres``) the queue that worker processes share."""
    if settings.resolved_job_queue() == "postgres":
        from northstar.core.queue import QueueRunner, conninfo

        conninfo(settings.resolved_database_url())  # a clear error at start-up for a queue on SQLite
        return QueueRunner(factory)
    return JobRunner(factory, settings.job_workers)


def _embedded_worker(settings: Settings, database_url: str, app: FastAPI) -> EmbeddedWorker | None:
    """A worker inside this server process when the postgres queue is asked to run one here."""
    if settings.resolved_job_queue() != "postgres" or not settings.job_embedded_worker:
        return None
    from northstar.core.queue import EmbeddedWorker

    worker = EmbeddedWorker(
        database_url,
        app.state.session_factory,
        concurrency=settings.job_workers,
        heartbeat_seconds=settings.worker_heartbeat_seconds,
        stalled_seconds=settings.worker_stalled_seconds,
    )
    worker.start()
    return worker
