"""The PostgreSQL job queue: "run job N" messages that every ``northstar worker`` process (on any server) shares.

The ``jobs`` table stays the record of each job (progress, result, cancel); the queue only carries its id. The
queue is procrastinate's (its tables are created by the foundation migration ``foundation_0004``), so fetching a
job once, worker heartbeats and periodic deferral are the library's, not hand-written locking:

* ``QueueRunner.submit`` stores the job row and its queue entry in the same transaction, so a job is never
  queued without its row nor stored without being queued.
* ``run_worker`` runs procrastinate's worker; a job whose worker stops sending heartbeats (killed, machine
  lost) is put back in the queue by any live worker and run again. Handlers are idempotent, and a job whose row
  has already ended is not run twice (``execute_job``).
* each ``schedule(...)`` a module registers becomes a procrastinate periodic task: procrastinate defers one per
  tick whatever the number of workers, and that task stores and enqueues the tick's jobs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
from typing import Any

import procrastinate
from procrastinate import exceptions as procrastinate_exceptions
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.database import session_scope
from northstar.core.errors import ValidationFailed
from northstar.core.jobs import (
    Job,
    Schedule,
    create_job,
    create_scheduled_jobs,
    execute_job,
    registered_schedules,
)
from northstar.core.permissions import Actor

log = logging.getLogger(__name__)

QUEUE = "northstar"
RUN_TASK = "northstar.run_job"

# procrastinate's own deferral function, called inside the caller's transaction (queries.sql "defer_jobs")
_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, CAST(:args AS jsonb), NULL)"
    "::procrastinate_job_to_defer_v1])"
)


#: Table-name prefix of procrastinate's own tables: the queue's entries, not data (``jobs`` is the record).
QUEUE_TABLE_PREFIX = "procrastinate"


def drop_queue_schema(connection: Any) -> None:
    """Remove procrastinate's tables, functions and types from a PostgreSQL database (the migration's downgrade,
    and a restore, which rebuilds the schema by migrating)."""
    for (name,) in connection.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%' AND schemaname = current_schema()"
        )
    ).all():
        connection.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    functions = connection.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE p.proname LIKE 'procrastinate%' AND n.nspname = current_schema()"
        )
    ).all()
    for (signature,) in functions:
        connection.execute(text(f"DROP FUNCTION IF EXISTS {signature} CASCADE"))
    for (name,) in connection.execute(
        text("SELECT typname FROM pg_type WHERE typname LIKE 'procrastinate%' AND typtype IN ('e', 'c')")
    ).all():
        connection.execute(text(f'DROP TYPE IF EXISTS "{name}" CASCADE'))


def conninfo(database_url: str) -> str:
    """The libpq address of a SQLAlchemy PostgreSQL URL (procrastinate speaks psycopg directly)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValidationFailed(
            f"the postgres job queue needs a PostgreSQL database, not {url.get_backend_name()} "
            "(set NORTHSTAR_JOB_QUEUE=inprocess)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def enqueue(session: Session, job_id: int) -> None:
    """Queue "run job ``job_id``" in ``session``'s transaction (it is visible to workers once that commits)."""
    session.execute(_DEFER, {"queue": QUEUE, "task": RUN_TASK, "args": json.dumps({"job_id": job_id})})


class QueueRunner:
    """``app.state.jobs`` on PostgreSQL: stores and enqueues jobs; worker processes run them."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def submit(self, session: Session, actor: Actor, kind: str, params: dict[str, Any]) -> Job:
        job = create_job(session, actor, kind, params)
        enqueue(session, job.id)
        session.commit()
        return job

    def shutdown(self, wait: bool = False) -> None:
        """Nothing runs here; the workers finish their own jobs."""


def build_app(database_url: str, factory: sessionmaker[Session]) -> procrastinate.App:
    """A procrastinate app whose task runs Northstar jobs through ``factory``, with every registered schedule."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))

    @app.task(name=RUN_TASK, queue=QUEUE)
    def run_job(job_id: int) -> None:
        execute_job(factory, job_id)

    for item in registered_schedules():
        _add_periodic(app, factory, item)
    return app


def _add_periodic(app: procrastinate.App, factory: sessionmaker[Session], item: Schedule) -> None:
    def tick(timestamp: int) -> int:
        with session_scope(factory) as session:
            jobs = create_scheduled_jobs(session, item, timestamp)
            for job in jobs:
                enqueue(session, job.id)
        log.info("schedule %s at %s: %d job(s)", item.kind, timestamp, len(jobs))
        return len(jobs)

    task = app.task(name=f"northstar.schedule.{item.kind}", queue=QUEUE)(tick)
    app.periodic(cron=item.cron, periodic_id=item.kind)(task)


async def retry_stalled(app: procrastinate.App, stalled_seconds: float) -> int:
    """Put back in the queue the jobs of workers silent for ``stalled_seconds``; returns how many."""
    retried = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
        try:
            await app.job_manager.retry_job(job)
            retried += 1
            log.warning("job %s of a stalled worker is queued again", job.id)
        except procrastinate_exceptions.ConnectorException:  # another worker retried it first
            continue
    return retried


async def run_worker(
    database_url: str,
    factory: sessionmaker[Session],
    *,
    concurrency: int = 1,
    heartbeat_seconds: float = 10.0,
    stalled_seconds: float = 30.0,
    name: str | None = None,
    install_signal_handlers: bool = True,
) -> None:
    """Run one worker until it is stopped (SIGINT/SIGTERM or cancellation): jobs, schedules, stalled retries."""
    app = build_app(database_url, factory)
    async with app.open_async():
        worker = asyncio.create_task(
            app.run_worker_async(
                queues=[QUEUE],
                name=name or f"{socket.gethostname()}-{os.getpid()}",
                concurrency=concurrency,
                update_heartbeat_interval=heartbeat_seconds,
                stalled_worker_timeout=stalled_seconds,
                install_signal_handlers=install_signal_handlers,
                delete_jobs="successful",
            )
        )
        try:
            while not worker.done():
                await asyncio.wait({worker}, timeout=max(0.5, heartbeat_seconds))
                if not worker.done():
                    await retry_stalled(app, stalled_seconds)
        finally:
            if not worker.done():
                worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        worker.result()


class EmbeddedWorker:
    """A worker on a thread of a server process (``NORTHSTAR_JOB_EMBEDDED_WORKER``): one command for small installs."""

    def __init__(self, database_url: str, factory: sessionmaker[Session], **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(database_url, factory, options), name="northstar-worker", daemon=True
        )

    def _run(self, database_url: str, factory: sessionmaker[Session], options: dict[str, Any]) -> None:
        asyncio.set_event_loop(self._loop)
        coroutine = run_worker(database_url, factory, install_signal_handlers=False, **options)
        self._task = self._loop.create_task(coroutine)
        self._ready.set()
        try:
            self._loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("the embedded worker stopped")
        finally:
            self._loop.close()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> None:
        if self._task is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=timeout)
