"""Pages of the integrations: the list of connections, an add form per service, and a page per connection with
its runs, its webhook address, its linked issues and the buttons to test and sync it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from northstar.core.errors import NorthstarError, NotFound, ValidationFailed
from northstar.integrations import service
from northstar.integrations.api import server_secret
from northstar.integrations.connectors import SERVICES
from northstar.integrations.schemas import ConnectionCreate, IssueLinkCreate
from northstar.web.deps import DB, CurrentUser, check_csrf
from northstar.web.forms import field_messages, see_other
from northstar.web.templating import render

router = APIRouter(include_in_schema=False)


def _spec(name: str) -> Any:
    if name not in SERVICES:
        raise NotFound(f"no service {name!r}; choose one of {', '.join(SERVICES)}")
    return SERVICES[name]


@router.get("/integrations")
def integrations_page(request: Request, session: DB, user: CurrentUser) -> Response:
    connections = service.list_connections(session, user.actor)
    last_runs = {c.id: next(iter(service.list_runs(session, user.actor, c.id, 1)), None) for c in connections}
    return render(
        request,
        "integrations.html",
        user=user,
        connections=connections,
        last_runs=last_runs,
        services=list(SERVICES.values()),
        can_manage=user.actor.can(service.PERMISSION),
    )


def _add_form(
    request: Request, user: CurrentUser, spec: Any, values: dict[str, str], errors: dict[str, str]
) -> Response:
    return render(
        request,
        "integration_add.html",
        status_code=422 if errors else 200,
        user=user,
        spec=spec,
        values=values,
        errors=errors,
    )


@router.get("/integrations/new/{service_name}")
def add_page(request: Request, user: CurrentUser, service_name: str) -> Response:
    spec = _spec(service_name)
    defaults = {f.name: f.default for f in spec.settings if f.default}
    return _add_form(request, user, spec, {"name": f"{spec.label}", **defaults}, {})


@router.post("/integrations/new/{service_name}")
async def add_connection(request: Request, session: DB, user: CurrentUser, service_name: str) -> Response:
    spec = _spec(service_name)
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_csrf(user, form.get("csrf_token"))
    config = {f.name: form.get(f.name, "") for f in spec.settings}
    credentials = {f.name: form.get(f.name, "") for f in spec.credentials}
    kept = {"name": form.get("name", ""), **config}  # credentials are never echoed back into the form
    try:
        data = ConnectionCreate(
            service=spec.name,
            name=form.get("name", "").strip() or spec.label,
            config=config,
            credentials=credentials,
        )
        connection = service.add_connection(session, user.actor, data, server_secret(request))
    except ValidationFailed as failure:
        errors = {k.split(".", 1)[-1]: v for k, v in field_messages(failure).items()}
        raw = {e.field.split(".")[-1]: e.message for e in failure.errors}
        return _add_form(request, user, spec, kept, {**errors, **raw})
    return see_other(f"/integrations/{connection.id}", added=1)


@router.get("/integrations/{connection_id}")
def connection_page(request: Request, session: DB, user: CurrentUser, connection_id: int) -> Response:
    return _connection_page(request, session, user, connection_id)


def _connection_page(
    request: Request,
    session: DB,
    user: CurrentUser,
    connection_id: int,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    from northstar.ideas import service as ideas

    connection = service.get_connection(session, user.actor, connection_id)
    spec = SERVICES[connection.service]
    links = [
        service.link_read(session, link) for link in service.list_links(session, user.actor, connection_id)
    ]
    return render(
        request,
        "integration.html",
        status_code=status_code,
        user=user,
        connection=connection,
        read=service.to_read(connection),
        spec=spec,
        runs=service.list_runs(session, user.actor, connection_id),
        links=links,
        idea_titles=dict(ideas.idea_choices(session, user.actor, 500)),
        deliveries=service.delivery_count(session, user.actor, connection_id),
        can_manage=user.actor.can(service.PERMISSION),
        errors=errors or {},
        webhook_url=str(request.base_url).rstrip("/") + service.to_read(connection).webhook_path,
    )


@router.post("/integrations/{connection_id}/test")
async def test_connection(request: Request, session: DB, user: CurrentUser, connection_id: int) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    result = service.test_connection(session, user.actor, connection_id, server_secret(request))
    return see_other(f"/integrations/{connection_id}", tested="ok" if result.ok else "failed")


@router.post("/integrations/{connection_id}/sync")
async def sync_connection(request: Request, session: DB, user: CurrentUser, connection_id: int) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    server_secret(request)
    try:
        service.check_can_sync(session, user.actor, connection_id)
    except NorthstarError as exc:
        return _connection_page(request, session, user, connection_id, {"sync": exc.detail}, exc.status)
    full = form.get("mode") == "full"
    job = request.app.state.jobs.submit(
        session, user.actor, "integrations.sync", {"connection_id": connection_id, "full": full}
    )
    return see_other(f"/jobs/{job.id}")


@router.post("/integrations/{connection_id}/links")
async def link_issue(request: Request, session: DB, user: CurrentUser, connection_id: int) -> Response:
    form = await request.form()
    check_csrf(user, str(form.get("csrf_token", "")))
    try:
        idea_id = int(str(form.get("idea_id") or "0"))
        issue = str(form.get("issue") or "").strip() or None
        service.link_issue(
            session,
            user.actor,
            connection_id,
            IssueLinkCreate(idea_id=idea_id, issue=issue),
            server_secret(request),
        )
    except ValueError:
        return _connection_page(request, session, user, connection_id, {"idea_id": "choose an idea"}, 422)
    except NorthstarError as exc:
        session.rollback()
        return _connection_page(request, session, user, connection_id, {"issue": exc.detail}, exc.status)
    return see_other(f"/integrations/{connection_id}", linked=1)
