"""JSON API of the integrations: connections (credentials in, never out), tests, syncs as jobs, runs, issue links,
and the webhook address each connection's service calls (authenticated by the service's signature alone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from northstar.integrations import runtime, service
from northstar.integrations.connectors import SERVICES
from northstar.integrations.schemas import (
    ConnectionCreate,
    ConnectionDetail,
    ConnectionRead,
    CredentialsUpdate,
    IssueLinkCreate,
    IssueLinkRead,
    SyncRunRead,
    SyncStarted,
    TestResult,
    WebhookAccepted,
)
from northstar.web.deps import DB, ApiActor

router = APIRouter(prefix="/integrations", tags=["integrations"])


def server_secret(request: Request) -> str:
    """The server's secret (sealing credentials), noted for the background jobs on this database."""
    settings = request.app.state.settings
    return runtime.remember(settings.resolved_database_url(), request.app.state.secret_key)


Secret = Annotated[str, Depends(server_secret)]


@router.get("/services")
def list_services(actor: ApiActor) -> list[dict[str, object]]:
    """The services a connection can be made to, with their settings and credentials (names only)."""
    return [
        {
            "service": spec.name,
            "label": spec.label,
            "brings": spec.brings,
            "write_back": spec.write_back,
            "settings": [f.__dict__ for f in spec.settings],
            "credentials": [f.__dict__ for f in spec.credentials],
        }
        for spec in SERVICES.values()
    ]


@router.get("")
def list_connections(session: DB, actor: ApiActor) -> list[ConnectionRead]:
    return [service.to_read(c) for c in service.list_connections(session, actor)]


@router.post("", status_code=201)
def add_connection(body: ConnectionCreate, session: DB, actor: ApiActor, secret: Secret) -> ConnectionRead:
    """Store a connection; the answer names the credentials that were set, never their values."""
    return service.to_read(service.add_connection(session, actor, body, secret))


@router.get("/{connection_id}")
def get_connection(connection_id: int, session: DB, actor: ApiActor) -> ConnectionDetail:
    connection = service.get_connection(session, actor, connection_id)
    return ConnectionDetail(
        connection=service.to_read(connection),
        runs=[SyncRunRead.model_validate(r) for r in service.list_runs(session, actor, connection_id)],
        links=[
            service.link_read(session, link) for link in service.list_links(session, actor, connection_id)
        ],
        deliveries=service.delivery_count(session, actor, connection_id),
    )


@router.delete("/{connection_id}", status_code=204)
def delete_connection(connection_id: int, session: DB, actor: ApiActor) -> None:
    service.delete_connection(session, actor, connection_id)


@router.put("/{connection_id}/credentials")
def update_credentials(
    connection_id: int, body: CredentialsUpdate, session: DB, actor: ApiActor, secret: Secret
) -> ConnectionRead:
    return service.to_read(service.update_credentials(session, actor, connection_id, body, secret))


@router.post("/{connection_id}/test")
def test_connection(connection_id: int, session: DB, actor: ApiActor, secret: Secret) -> TestResult:
    return service.test_connection(session, actor, connection_id, secret)


@router.post("/{connection_id}/sync", status_code=202)
def start_sync(
    connection_id: int,
    request: Request,
    session: DB,
    actor: ApiActor,
    _secret: Secret,
    full: Annotated[
        bool, Query(description="Start from the beginning instead of the stored cursor.")
    ] = False,
) -> SyncStarted:
    """Queue a sync as a background job; follow it at ``progress_url``."""
    service.check_can_sync(session, actor, connection_id)
    job = request.app.state.jobs.submit(
        session, actor, "integrations.sync", {"connection_id": connection_id, "full": full}
    )
    return SyncStarted(
        job_id=job.id,
        connection_id=connection_id,
        mode="full" if full else "incremental",
        progress_url=f"/api/v1/jobs/{job.id}",
    )


@router.get("/{connection_id}/runs")
def list_runs(
    connection_id: int, session: DB, actor: ApiActor, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[SyncRunRead]:
    return [SyncRunRead.model_validate(r) for r in service.list_runs(session, actor, connection_id, limit)]


@router.post("/{connection_id}/links", status_code=201)
def link_issue(
    connection_id: int, body: IssueLinkCreate, session: DB, actor: ApiActor, secret: Secret
) -> IssueLinkRead:
    """Link an idea to an issue (``issue`` given) or create the issue from the idea (Jira, write-back)."""
    return service.link_read(session, service.link_issue(session, actor, connection_id, body, secret))


@router.post("/webhooks/{webhook_key}", status_code=202)
async def receive_webhook(webhook_key: str, request: Request, session: DB, secret: Secret) -> Response:
    """The address a service calls. Verified by the service's signature, stored, queued, answered at once."""
    from fastapi.responses import JSONResponse

    body = await request.body()
    delivery, actor = service.receive_webhook(session, webhook_key, dict(request.headers), body, secret)
    request.app.state.jobs.submit(session, actor, "integrations.webhook", {"delivery_id": delivery.id})
    accepted = WebhookAccepted(delivery=delivery.id, status=delivery.status)
    return JSONResponse(accepted.model_dump(), status_code=202)
