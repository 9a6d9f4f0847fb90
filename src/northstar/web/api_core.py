"""Core API routes: health, the current principal, workspaces, members, tokens, jobs and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from northstar.accounts import service as accounts
from northstar.accounts.schemas import (
    MemberAdd,
    MemberRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    WorkspaceRead,
)
from northstar.core import audit, jobs
from northstar.core.jobs_schemas import JobRead, JobStart
from northstar.core.permissions import READ
from northstar.web.deps import DB, ApiActor

router = APIRouter()


class Health(BaseModel):
    status: str
    version: str
    database: str


class Me(BaseModel):
    user_id: int
    name: str
    role: str
    scope: str | None
    workspace: WorkspaceRead


class AuditRead(BaseModel):
    id: int
    user_id: int | None
    action: str
    object_type: str
    object_id: int | None
    summary: str
    changes: dict[str, Any]
    created_at: datetime


@router.get(
    "/health",
    tags=["system"],
    response_model=Health,
    responses={503: {"model": Health, "description": "The database cannot be reached."}},
)
def health(request: Request) -> Health | JSONResponse:
    """Readiness check; needs no authentication. 200 once this server process has started and its database
    answers a query, 503 (with the reason in ``database``) while the database cannot be reached.
    ``northstar serve`` and ``northstar demo`` say "ready" only after this answers 200."""
    from northstar import __version__

    try:
        session = request.app.state.read_session_factory()
        try:
            session.execute(text("SELECT 1"))
        finally:
            session.close()
    except Exception as exc:  # any database failure means "not ready", never a 500
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        body = Health(status="unavailable", version=__version__, database=reason)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", version=__version__, database="ok")


@router.get("/me", tags=["accounts"])
def me(session: DB, actor: ApiActor) -> Me:
    """Who the credentials stand for, and in which workspace."""
    actor.require(READ)
    workspace = accounts.get_workspace(session, actor)
    return Me(
        user_id=actor.user_id,
        name=actor.user_name,
        role=actor.role.value,
        scope=actor.scope.value if actor.scope else None,
        workspace=WorkspaceRead.model_validate(workspace),
    )


@router.get("/members", tags=["accounts"])
def list_members(session: DB, actor: ApiActor) -> list[MemberRead]:
    actor.require(READ)
    return accounts.list_members(session, actor)


@router.post("/members", status_code=201, tags=["accounts"])
def add_member(body: MemberAdd, session: DB, actor: ApiActor) -> MemberRead:
    return accounts.add_member(session, actor, str(body.email), body.role)


@router.get("/tokens", tags=["accounts"])
def list_tokens(session: DB, actor: ApiActor) -> list[TokenRead]:
    return [TokenRead.model_validate(t) for t in accounts.list_tokens(session, actor)]


@router.post("/tokens", status_code=201, tags=["accounts"])
def create_token(body: TokenCreate, session: DB, actor: ApiActor) -> TokenCreated:
    """Create an API token; the secret is in the response and never shown again."""
    token, secret = accounts.create_token(session, actor, body)
    return TokenCreated(**TokenRead.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204, tags=["accounts"])
def revoke_token(token_id: int, session: DB, actor: ApiActor) -> None:
    accounts.revoke_token(session, actor, token_id)


@router.get("/jobs", tags=["jobs"])
def list_jobs(session: DB, actor: ApiActor) -> list[JobRead]:
    actor.require(READ)
    return [JobRead.model_validate(j) for j in jobs.list_jobs(session, actor)]


@router.post("/jobs", status_code=202, tags=["jobs"])
def start_job(body: JobStart, request: Request, session: DB, actor: ApiActor) -> JobRead:
    """Start a background job of a registered kind; poll ``GET /jobs/{id}`` for progress."""
    job = request.app.state.jobs.submit(session, actor, body.kind, body.params)
    return JobRead.model_validate(job)


@router.get("/jobs/{job_id}", tags=["jobs"])
def get_job(job_id: int, session: DB, actor: ApiActor) -> JobRead:
    actor.require(READ)
    return JobRead.model_validate(jobs.get_job(session, actor, job_id))


@router.post("/jobs/{job_id}/cancel", tags=["jobs"])
def cancel_job(job_id: int, session: DB, actor: ApiActor) -> JobRead:
    return JobRead.model_validate(jobs.cancel_job(session, actor, job_id))


@router.get("/audit", tags=["system"])
def audit_log(session: DB, actor: ApiActor, limit: int = 100) -> list[AuditRead]:
    return [
        AuditRead(
            id=e.id,
            user_id=e.user_id,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            summary=e.summary,
            changes=e.changes,
            created_at=e.created_at,
        )
        for e in audit.list_events(session, actor, max(1, min(limit, 1000)))
    ]
