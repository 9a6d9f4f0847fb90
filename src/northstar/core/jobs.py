"""Background jobs: long work (imports, analyses, solves) with progress, cancellation and a stored result.

A module registers a handler with ``@job_handler("kind")``; the handler receives a ``JobContext`` and the
job's parameters and returns a JSON-able result. ``JobRunner`` runs jobs on in-process threads (the
default); on PostgreSQL ``northstar.core.queue`` carries "run job N" to worker processes instead. Every
state change is stored in the ``jobs`` table, so the API, the CLI and the web all read the same progress
whichever process runs the job.

A module also registers its periodic work with ``schedule("kind", cron=...)``: the worker enqueues one job of
that kind per target (by default every workspace, run as its owner) at each tick of the cron expression.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from northstar.core.database import Base, IdMixin, session_scope, utcnow
from northstar.core.errors import Conflict, NorthstarError, NotFound, ValidationFailed
from northstar.core.permissions import Actor, Role, TokenScope

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class Job(IdMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_workspace_created", "workspace_id", "created_at"),)

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column(nullable=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return 1.0 if self.status == "succeeded" else None
        return min(1.0, self.done / self.total)


class JobCancelled(Exception):
    """Raised inside a handler when the user asked to cancel the job."""


ProgressCallback = Callable[[int, int | None, str], None]


class JobContext:
    """What a running handler gets: the actor, sessions, and ways to report progress and notice cancellation."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        job_id: int,
        actor: Actor,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.factory = factory
        self.job_id = job_id
        self.actor = actor
        self._on_progress = on_progress
        self._last_write = 0.0

    def session(self) -> Session:
        """A new database session for the handler's own work (the handler commits it)."""
        return self.factory()

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report progress; stored at most five times a second, and checks for cancellation."""
        if self._on_progress:
            self._on_progress(done, total, message)
        now = time.monotonic()
        final = total is not None and done >= total
        if now - self._last_write < 0.2 and not final:
            return
        self._last_write = now
        with session_scope(self.factory) as session:
            job = session.get(Job, self.job_id)
            if job is None:
                return
            job.done, job.total, job.message = done, total, message[:500]
            if job.cancel_requested:
                raise JobCancelled()

    def check_cancelled(self) -> None:
        with session_scope(self.factory) as session:
            job = session.get(Job, self.job_id)
            if job is not None and job.cancel_requested:
                raise JobCancelled()


Handler = Callable[[JobContext, dict[str, Any]], dict[str, Any]]
_HANDLERS: dict[str, tuple[Handler, str]] = {}


def job_handler(kind: str, permission: str = "jobs.run") -> Callable[[Handler], Handler]:
    """Register ``func`` as the handler of jobs of ``kind``; starting one requires ``permission``."""

    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = (func, permission)
        return func

    return register


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


@dataclass(frozen=True)
class ScheduledRun:
    """One job a schedule starts at a tick: in which workspace, as whom (None: the workspace's owner), with what."""

    workspace_id: int
    user_id: int | None = None
    params: dict[str, Any] | None = None


Targets = Callable[[Session], list[ScheduledRun]]


@dataclass(frozen=True)
class Schedule:
    """Periodic work: a job ``kind`` started for each of ``targets`` at every tick of ``cron``.

    ``cron`` has five fields (minute hour day month weekday) or six, the sixth being seconds."""

    kind: str
    cron: str
    targets: Targets | None = None


_SCHEDULES: dict[str, Schedule] = {}


def schedule(kind: str, cron: str, targets: Targets | None = None) -> None:
    """Run jobs of ``kind`` periodically (registered by the module that owns the kind, in its ``jobs.py``)."""
    _SCHEDULES[kind] = Schedule(kind, cron, targets)


def registered_schedules() -> list[Schedule]:
    return [_SCHEDULES[kind] for kind in sorted(_SCHEDULES)]


def unschedule(kind: str) -> None:
    """Forget the schedule of ``kind`` (tests that register their own)."""
    _SCHEDULES.pop(kind, None)


def every_workspace(session: Session) -> list[ScheduledRun]:
    """The default targets: one run per workspace, as its owner."""
    from northstar.accounts.models import Workspace  # accounts builds on core, not the other way round

    return [
        ScheduledRun(workspace_id)
        for workspace_id in session.scalars(select(Workspace.id).order_by(Workspace.id))
    ]


def create_scheduled_jobs(session: Session, item: Schedule, tick: int | None = None) -> list[Job]:
    """Store the queued jobs of one tick of ``item``, one per target whose actor may start it; each job's params
    name the tick (``"tick"``, seconds since the epoch) so that an operator sees which period it ran for."""
    from northstar.accounts.models import Membership  # accounts builds on core, not the other way round
    from northstar.accounts.service import actor_for

    created = []
    for run in (item.targets or every_workspace)(session):
        user_id = run.user_id
        if user_id is None:
            user_id = session.scalar(
                select(Membership.user_id)
                .where(Membership.workspace_id == run.workspace_id, Membership.role == Role.OWNER.value)
                .order_by(Membership.id)
                .limit(1)
            )
        if user_id is None:
            continue
        try:
            actor = actor_for(session, user_id, run.workspace_id)
            params = {**(run.params or {}), **({"tick": tick} if tick is not None else {})}
            created.append(create_job(session, actor, item.kind, params))
        except NorthstarError as exc:  # an owner who lost the right: skip that workspace, keep the others
            log.warning("schedule %s skipped workspace %s: %s", item.kind, run.workspace_id, exc)
    return created


class JobSubmitter(Protocol):
    """What the web app keeps as ``app.state.jobs``: the in-process runner or the PostgreSQL queue."""

    def submit(self, session: Session, actor: Actor, kind: str, params: dict[str, Any]) -> Job: ...

    def shutdown(self, wait: bool = False) -> None: ...


def create_job(session: Session, actor: Actor, kind: str, params: dict[str, Any]) -> Job:
    """Store a queued job after checking the kind exists and the actor may start it."""
    if kind not in _HANDLERS:
        raise ValidationFailed(f"unknown job kind {kind!r}; known: {', '.join(registered_kinds()) or 'none'}")
    actor.require(_HANDLERS[kind][1])
    job = Job(workspace_id=actor.workspace_id, created_by=actor.user_id, kind=kind, params=params)
    session.add(job)
    session.flush()
    return job


def execute_job(
    factory: sessionmaker[Session], job_id: int, on_progress: ProgressCallback | None = None
) -> Job:
    """Run a stored job to completion in this thread, recording its outcome. Returns the final row."""
    with session_scope(factory) as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        if job.status in ("succeeded", "failed", "cancelled"):
            session.expunge(job)
            return job  # delivered again (a worker died between our commit and the queue's): nothing to redo
        if job.cancel_requested:
            job.status, job.finished_at = "cancelled", utcnow()
            return job
        job.status, job.started_at = "running", utcnow()
        kind, params = job.kind, dict(job.params)
        actor = _job_actor(session, job)
    handler = _HANDLERS[kind][0]
    context = JobContext(factory, job_id, actor, on_progress)
    status, result, error = "succeeded", None, None
    try:
        result = handler(context, params)
    except JobCancelled:
        status = "cancelled"
    except NorthstarError as exc:
        status, error = "failed", str(exc)
    except Exception as exc:  # a job must never take the runner down; the trace is kept for the operator
        log.exception("job %s (%s) failed", job_id, kind)
        status, error = "failed", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
    with session_scope(factory) as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.status, job.result, job.error, job.finished_at = status, result, error, utcnow()
        if status == "succeeded" and job.total:
            job.done = job.total
        session.flush()
        session.expunge(job)
    return job


def _job_actor(session: Session, job: Job) -> Actor:
    from northstar.accounts.service import actor_for  # accounts builds on core, not the other way round

    if job.created_by is None:
        return Actor(user_id=0, workspace_id=job.workspace_id, role=Role.VIEWER, scope=TokenScope.READ)
    return actor_for(session, job.created_by, job.workspace_id)


class JobRunner:
    """Runs jobs on a small in-process thread pool."""

    def __init__(self, factory: sessionmaker[Session], workers: int = 2) -> None:
        self.factory = factory
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="northstar-job")
        self._lock = threading.Lock()

    def submit(self, session: Session, actor: Actor, kind: str, params: dict[str, Any]) -> Job:
        """Queue a job and start it once the caller's transaction is committed."""
        job = create_job(session, actor, kind, params)
        session.commit()
        self._pool.submit(execute_job, self.factory, job.id)
        return job

    def shutdown(self, wait: bool = False) -> None:
        """Cancel queued jobs; with ``wait``, also wait for running ones to end (a test must, before it empties
        the database under them: a job mid-transaction and a TRUNCATE wait on each other forever)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)


def get_job(session: Session, actor: Actor, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.workspace_id != actor.workspace_id:
        raise NotFound(f"no job {job_id}")
    return job


def list_jobs(session: Session, actor: Actor, limit: int = 50) -> list[Job]:
    query = (
        select(Job)
        .where(Job.workspace_id == actor.workspace_id)
        .order_by(Job.id.desc())
        .limit(min(limit, 500))
    )
    return list(session.scalars(query))


def cancel_job(session: Session, actor: Actor, job_id: int) -> Job:
    """Ask a job to stop; a queued job is cancelled at once, a running one at its next progress report."""
    actor.require("jobs.run")
    job = get_job(session, actor, job_id)
    if job.status in ("succeeded", "failed", "cancelled"):
        raise Conflict(f"job {job_id} has already {job.status}")
    job.cancel_requested = True
    if job.status == "queued":
        job.status, job.finished_at = "cancelled", utcnow()
    return job
