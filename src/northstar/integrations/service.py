"""Use cases of the integrations: connect a service, test it, sync it, receive its webhooks, link ideas to issues.

A sync walks the service's pages from the connection's cursor; each page's items and the cursor after it are
committed in one transaction, so a sync that is killed resumes at the first page it had not committed, and items
are upserted on source + external reference, so a page fetched twice creates nothing twice.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from northstar.core import audit
from northstar.core.database import session_scope, utcnow
from northstar.core.errors import Conflict, NorthstarError, NotFound, PayloadTooLarge, ValidationFailed
from northstar.core.listing import get_owned
from northstar.core.permissions import READ, Actor
from northstar.customers import service as customers_service
from northstar.customers.models import Customer
from northstar.customers.schemas import CustomerCreate
from northstar.feedback import service as feedback_service
from northstar.feedback.schemas import MAX_TEXT, FeedbackCreate
from northstar.ideas import service as ideas_service
from northstar.ideas.models import TRANSITIONS, Idea
from northstar.ideas.schemas import IdeaUpdate
from northstar.integrations.connectors import SERVICES, Connector, build
from northstar.integrations.connectors.base import Page
from northstar.integrations.credentials import seal, unseal
from northstar.integrations.engine.records import FeedbackRecord, IssueState, Organization, RecordError
from northstar.integrations.engine.signatures import SignatureRefused
from northstar.integrations.engine.workflow import idea_moves
from northstar.integrations.models import Connection, IssueLink, SyncRun, WebhookDelivery
from northstar.integrations.schemas import (
    ConnectionCreate,
    ConnectionRead,
    CredentialsUpdate,
    IssueLinkCreate,
    IssueLinkRead,
    SyncRunRead,
    TestResult,
)

PERMISSION = "integrations.manage"
#: a "running" run whose heartbeat is older than this was killed (a live sync writes one per page)
STALE_AFTER = timedelta(minutes=2)
#: bound on the pages of one sync (at 100–1000 items a page, far beyond any real backlog)
MAX_PAGES = 5_000
MAX_ERRORS_KEPT = 20
MAX_WEBHOOK_BYTES = 1_000_000
WEBHOOK_PATH = "/api/v1/integrations/webhooks/"
_EMAIL = TypeAdapter(EmailStr)
Progress = Callable[[int, int], None]


class WebhookRefused(NorthstarError):
    """A webhook call that is unsigned, wrongly signed or too old."""

    status = 401
    type_slug = "webhook-refused"
    title = "Webhook refused"


class WebhookReplayed(NorthstarError):
    status = 409
    type_slug = "webhook-replayed"
    title = "Webhook already received"


def to_read(connection: Connection) -> ConnectionRead:
    return ConnectionRead(
        id=connection.id,
        service=connection.service,
        name=connection.name,
        config=dict(connection.config),
        credential_names=sorted(connection.credential_names),
        webhook_path=WEBHOOK_PATH + connection.webhook_key,
        last_sync_at=connection.last_sync_at,
        last_test_ok=connection.last_test_ok,
        last_test_message=connection.last_test_message,
        created_at=connection.created_at,
    )


def _connection(session: Session, actor: Actor, connection_id: int) -> Connection:
    return get_owned(session, Connection, connection_id, actor.workspace_id, "connection")


def _connector(connection: Connection, secret_key: str) -> Connector:
    if connection.config.get("demo") == "true":
        raise Conflict(
            "this is a demo connection: it shows past runs but reaches no service; add a connection of your own "
            "to sync"
        )
    return build(
        connection.service, dict(connection.config), unseal(secret_key, connection.sealed_credentials)
    )


def add_connection(session: Session, actor: Actor, data: ConnectionCreate, secret_key: str) -> Connection:
    """Store a connection; its credentials are sealed and only their names are kept readable."""
    actor.require(PERMISSION)
    spec = SERVICES[data.service]
    errors = []
    config: dict[str, str] = {}
    credentials: dict[str, str] = {}
    try:
        config = spec.clean_settings(data.config)
    except ValidationFailed as exc:
        errors += exc.errors
    try:
        credentials = spec.clean_credentials(data.credentials)
    except ValidationFailed as exc:
        errors += exc.errors
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    connection = Connection(
        workspace_id=actor.workspace_id,
        service=data.service,
        name=data.name.strip(),
        config=config,
        sealed_credentials=seal(secret_key, credentials),
        credential_names=sorted(credentials),
        webhook_key=secrets.token_urlsafe(24),
        created_by=actor.user_id or None,
    )
    session.add(connection)
    session.flush()
    audit.record(session, actor, "create", "integration", connection.id, f"{spec.label}: {connection.name}")
    return connection


def update_credentials(
    session: Session, actor: Actor, connection_id: int, data: CredentialsUpdate, secret_key: str
) -> Connection:
    """Replace some credentials (a rotated token); the ones not given keep their value."""
    actor.require(PERMISSION)
    connection = _connection(session, actor, connection_id)
    spec = SERVICES[connection.service]
    try:
        current = unseal(secret_key, connection.sealed_credentials)
    except Conflict:
        current = {}  # the server's secret changed: whatever is typed now replaces the unreadable set
    merged = spec.clean_credentials({**current, **data.credentials})
    connection.sealed_credentials = seal(secret_key, merged)
    connection.credential_names = sorted(merged)
    audit.record(
        session,
        actor,
        "update",
        "integration",
        connection.id,
        f"credentials {', '.join(sorted(data.credentials))}",
    )
    return connection


def list_connections(session: Session, actor: Actor) -> list[Connection]:
    actor.require(READ)
    query = select(Connection).where(Connection.workspace_id == actor.workspace_id).order_by(Connection.name)
    return list(session.scalars(query))


def get_connection(session: Session, actor: Actor, connection_id: int) -> Connection:
    actor.require(READ)
    return _connection(session, actor, connection_id)


def delete_connection(session: Session, actor: Actor, connection_id: int) -> None:
    """Remove a connection with its runs, links and deliveries; the feedback it brought in stays."""
    actor.require(PERMISSION)
    connection = _connection(session, actor, connection_id)
    audit.record(session, actor, "delete", "integration", connection.id, connection.name)
    for model in (SyncRun, IssueLink, WebhookDelivery):
        session.execute(delete(model).where(model.connection_id == connection.id))
    session.delete(connection)
    session.flush()


def test_connection(session: Session, actor: Actor, connection_id: int, secret_key: str) -> TestResult:
    """Ask the service who the stored credentials sign in as; the answer is kept on the connection."""
    actor.require(PERMISSION)
    connection = _connection(session, actor, connection_id)
    try:
        connector = _connector(connection, secret_key)
    except Conflict as exc:
        result = TestResult(ok=False, message=exc.detail)
    else:
        try:
            result = TestResult(ok=True, message=connector.test())
        except NorthstarError as exc:
            result = TestResult(ok=False, message=exc.detail)
        finally:
            connector.close()
    connection.last_test_ok, connection.last_test_message = result.ok, result.message[:500]
    return result


def list_runs(session: Session, actor: Actor, connection_id: int, limit: int = 50) -> list[SyncRun]:
    actor.require(READ)
    _connection(session, actor, connection_id)
    query = (
        select(SyncRun)
        .where(SyncRun.connection_id == connection_id)
        .order_by(SyncRun.id.desc())
        .limit(min(limit, 500))
    )
    return list(session.scalars(query))


def delivery_count(session: Session, actor: Actor, connection_id: int) -> int:
    query = (
        select(func.count())
        .select_from(WebhookDelivery)
        .where(WebhookDelivery.connection_id == connection_id)
    )
    return int(session.scalar(query) or 0)


def _running(session: Session, connection_id: int) -> list[SyncRun]:
    query = select(SyncRun).where(SyncRun.connection_id == connection_id, SyncRun.status == "running")
    return list(session.scalars(query))


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_can_sync(
    session: Session, actor: Actor, connection_id: int, now: datetime | None = None
) -> Connection:
    """The connection, unless a sync of it is running now (``Conflict``); killed runs are marked interrupted."""
    actor.require(PERMISSION)
    connection = _connection(session, actor, connection_id)
    if connection.config.get("demo") == "true":
        raise Conflict(
            "this is a demo connection: it shows past runs but reaches no service; add your own to sync"
        )
    now = now or utcnow()
    for run in _running(session, connection.id):
        if now - _aware(run.heartbeat_at) < STALE_AFTER:
            raise Conflict(f"a sync of {connection.name} is running (run {run.id}); wait for it to finish")
        run.status, run.finished_at = "interrupted", now
        run.errors = [
            *run.errors,
            "stopped without finishing (the process was killed); the next sync resumed",
        ]
    return connection


# ---- applying what a service sent ------------------------------------------------------------------------


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    ideas_moved: int = 0
    errors: list[str] | None = None

    def error(self, message: str) -> None:
        self.errors = [*(self.errors or []), message]


def _customer_id(
    session: Session, actor: Actor, org: Organization | None, cache: dict[str, int]
) -> int | None:
    """The customer of an organization: by external id, then name, then domain; created when none matches."""
    if org is None:
        return None
    key = org.external_id or org.name.casefold()
    if key in cache:
        return cache[key]
    where = Customer.workspace_id == actor.workspace_id
    found = None
    if org.external_id:
        found = session.scalar(select(Customer.id).where(where, Customer.external_id == org.external_id))
    if found is None:
        found = session.scalar(
            select(Customer.id).where(where, func.lower(Customer.name) == org.name.casefold()).limit(1)
        )
    if found is None and org.domain:
        found = session.scalar(select(Customer.id).where(where, Customer.domain == org.domain).limit(1))
    if found is None:
        found = customers_service.create_customer(
            session,
            actor,
            CustomerCreate(name=org.name[:300], external_id=org.external_id, domain=org.domain),
        ).id
    cache[key] = found
    return found


def _email(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(_EMAIL.validate_python(value))
    except ValidationError:
        return None


def _feedback(
    session: Session,
    actor: Actor,
    connection: Connection,
    record: FeedbackRecord,
    cache: dict[str, int],
    counts: _Counts,
) -> None:
    try:
        with session.begin_nested():
            data = FeedbackCreate(
                text=record.text[:MAX_TEXT].replace("\x00", ""),
                title=record.title,
                source=record.source,
                external_ref=record.external_ref,
                customer_id=_customer_id(session, actor, record.organization, cache),
                contact_email=_email(record.contact_email),
                rating=record.rating,
                received_at=record.received_at,
                metadata={**record.metadata, "connection_id": connection.id},
            )
            _item, created = feedback_service.upsert_feedback(session, actor, data, audit_each=False)
    except (ValidationError, NorthstarError) as exc:
        counts.error(f"{record.external_ref}: {exc}"[:300])
        return
    if created:
        counts.created += 1
    else:
        counts.updated += 1


def _apply_states(
    session: Session, actor: Actor, connection: Connection, states: list[IssueState], counts: _Counts
) -> None:
    if not states:
        return
    by_key = {state.key: state for state in states}
    links = session.scalars(
        select(IssueLink).where(
            IssueLink.connection_id == connection.id, IssueLink.issue_key.in_(list(by_key))
        )
    )
    for link in links:
        apply_state(session, actor, link, by_key[link.issue_key], counts)


def apply_state(
    session: Session, actor: Actor, link: IssueLink, state: IssueState, counts: _Counts | None = None
) -> None:
    """Bring a linked idea up to its issue: status moves along the idea workflow, fix versions into its inputs."""
    link.issue_status, link.fix_versions = state.status[:100], list(state.fix_versions)
    if state.url:
        link.issue_url = state.url[:500]
    idea = session.get(Idea, link.idea_id)
    if idea is None:
        return
    for step in idea_moves(idea.status, state.category, TRANSITIONS):
        ideas_service.update_idea(session, actor, idea.id, IdeaUpdate(status=step))  # type: ignore[arg-type]
        if counts is not None:
            counts.ideas_moved += 1
    if state.fix_versions:
        version = ", ".join(state.fix_versions)
        if (idea.inputs or {}).get("fix_version") != version:
            ideas_service.update_idea(
                session, actor, idea.id, IdeaUpdate(inputs={**(idea.inputs or {}), "fix_version": version})
            )


def _apply_page(session: Session, actor: Actor, connection: Connection, page: Page) -> _Counts:
    counts = _Counts()
    cache: dict[str, int] = {}
    for record in page.records:
        _feedback(session, actor, connection, record, cache, counts)
    _apply_states(session, actor, connection, page.states, counts)
    return counts


# ---- sync ----------------------------------------------------------------------------------------------


def _finish(
    factory: sessionmaker[Session], run_id: int, status: str, started: float, retries: int, error: str | None
) -> SyncRunRead:
    with session_scope(factory) as session:
        run = session.get(SyncRun, run_id)
        assert run is not None
        run.status, run.finished_at = status, utcnow()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.retries = retries
        if error:
            run.error_count += 1
            run.errors = [*run.errors, error[:300]][-MAX_ERRORS_KEPT:]
        if status == "succeeded":
            connection = session.get(Connection, run.connection_id)
            if connection is not None:
                connection.last_sync_at = run.finished_at
        return SyncRunRead.model_validate(run)


def run_sync(
    factory: sessionmaker[Session],
    actor: Actor,
    connection_id: int,
    secret_key: str,
    full: bool = False,
    job_id: int | None = None,
    progress: Progress | None = None,
    mode: str | None = None,
) -> SyncRunRead:
    """Sync a connection page by page: from the start (``full``) or from its cursor, committing each page.

    Returns the run; a sync that fails records its run as failed (with the error and the pages it committed)
    and raises, so the job fails too. Only a crash of the process itself leaves a run "running"; the next
    sync marks it interrupted and continues from the committed cursor.
    """
    with session_scope(factory) as session:
        connection = check_can_sync(session, actor, connection_id)
        if full:
            connection.cursor = None
        cursor = connection.cursor
        run = SyncRun(
            workspace_id=actor.workspace_id,
            connection_id=connection.id,
            job_id=job_id,
            mode=mode or ("full" if full else "incremental"),
        )
        session.add(run)
        session.flush()
        run_id = run.id
        try:
            connector = _connector(connection, secret_key)
        except Conflict as exc:
            connector = None
            failure = exc
    started = time.monotonic()
    if connector is None:
        _finish(factory, run_id, "failed", started, 0, failure.detail)
        raise failure
    items = 0
    try:
        for pages in range(1, MAX_PAGES + 1):
            page = connector.fetch_page(cursor)
            with session_scope(factory) as session:
                current = session.get(Connection, connection_id)
                page_run = session.get(SyncRun, run_id)
                assert current is not None and page_run is not None
                counts = _apply_page(session, actor, current, page)
                current.cursor = page.cursor
                page_run.pages += 1
                page_run.items_in += len(page.records) + len(page.states)
                page_run.created += counts.created
                page_run.updated += counts.updated
                page_run.ideas_moved += counts.ideas_moved
                page_run.heartbeat_at = utcnow()
                if counts.errors:
                    page_run.error_count += len(counts.errors)
                    page_run.errors = [*page_run.errors, *counts.errors][-MAX_ERRORS_KEPT:]
                items = page_run.items_in
            cursor = page.cursor
            if progress is not None:
                progress(pages, items)
            if page.done:
                break
    except Exception as exc:
        from northstar.core.jobs import JobCancelled

        cancelled = isinstance(exc, JobCancelled)
        message = "cancelled" if cancelled else (exc.detail if isinstance(exc, NorthstarError) else str(exc))
        _finish(
            factory, run_id, "interrupted" if cancelled else "failed", started, connector.retries, message
        )
        if isinstance(exc, NorthstarError | JobCancelled):
            raise
        if isinstance(exc, RecordError):
            raise ValidationFailed(f"the service sent a page Northstar cannot read: {exc}")
        raise
    finally:
        connector.close()
    return _finish(factory, run_id, "succeeded", started, connector.retries, None)


# ---- webhooks ------------------------------------------------------------------------------------------


def receive_webhook(
    session: Session,
    webhook_key: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_key: str,
    now: datetime | None = None,
) -> tuple[WebhookDelivery, Actor]:
    """Verify a webhook call and queue it; returns the stored delivery and the actor its job runs as.

    Refused: an unknown address (404), a body over 1 MB (413), an unsigned, wrongly signed or stale call (401),
    a delivery id seen before (409), a body that is not a JSON object (422).
    """
    from northstar.accounts import service as accounts

    connection = session.scalar(select(Connection).where(Connection.webhook_key == webhook_key))
    if connection is None:
        raise NotFound("no connection has this webhook address")
    if len(body) > MAX_WEBHOOK_BYTES:
        raise PayloadTooLarge("the webhook body is larger than 1 MB")
    lowered = {k.lower(): v for k, v in headers.items()}
    connector = _connector(connection, secret_key)
    try:
        call = connector.verify_webhook(lowered, body, now or utcnow())
    except SignatureRefused as exc:
        raise WebhookRefused(exc.reason)
    finally:
        connector.close()
    import json

    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise ValidationFailed("the webhook body is not a JSON object")
    seen = session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.connection_id == connection.id, WebhookDelivery.delivery_id == call.delivery_id
        )
    )
    if seen is not None:
        raise WebhookReplayed(
            f"delivery {call.delivery_id} was already received at {seen.received_at:%Y-%m-%d %H:%M:%S}"
        )
    if connection.created_by is None:
        raise Conflict("the connection's creator no longer exists; add the connection again")
    actor = accounts.actor_for(session, connection.created_by, connection.workspace_id)
    delivery = WebhookDelivery(
        workspace_id=connection.workspace_id,
        connection_id=connection.id,
        delivery_id=call.delivery_id,
        event=call.event,
        payload=payload,
    )
    try:
        with session.begin_nested():
            session.add(delivery)
            session.flush()
    except IntegrityError:
        raise WebhookReplayed(f"delivery {call.delivery_id} was already received")
    return delivery, actor


def process_delivery(
    factory: sessionmaker[Session], actor: Actor, delivery_id: int, secret_key: str, job_id: int | None = None
) -> dict[str, Any]:
    """Do what a queued webhook asks: upsert the items and issue states it carries, or run an incremental sync."""
    with session_scope(factory) as session:
        delivery = get_owned(session, WebhookDelivery, delivery_id, actor.workspace_id, "webhook delivery")
        connection = _connection(session, actor, delivery.connection_id)
        connection_id, event, payload = connection.id, delivery.event, dict(delivery.payload)
        connector = _connector(connection, secret_key)
    try:
        work = connector.webhook_work(event, payload)
    except RecordError as exc:
        connector.close()
        _mark_delivery(factory, delivery_id, "failed", str(exc))
        raise ValidationFailed(f"the webhook body cannot be read: {exc}")
    connector.close()
    if work.resync:
        synced = run_sync(factory, actor, connection_id, secret_key, job_id=job_id, mode="webhook")
        _mark_delivery(
            factory, delivery_id, "processed", f"synced: {synced.created} new, {synced.updated} updated"
        )
        return {"delivery": delivery_id, "run": synced.id}
    started = time.monotonic()
    with session_scope(factory) as session:
        current = session.get(Connection, connection_id)
        assert current is not None
        counts = _apply_page(session, actor, current, Page(records=work.records, states=work.states))
        run = SyncRun(
            workspace_id=actor.workspace_id,
            connection_id=connection_id,
            job_id=job_id,
            mode="webhook",
            status="succeeded",
            pages=1,
            items_in=len(work.records) + len(work.states),
            created=counts.created,
            updated=counts.updated,
            ideas_moved=counts.ideas_moved,
            error_count=len(counts.errors or []),
            errors=list(counts.errors or []),
            finished_at=utcnow(),
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        session.add(run)
        session.flush()
        run_id = run.id
    _mark_delivery(
        factory,
        delivery_id,
        "processed",
        f"{counts.created} new, {counts.updated} updated, {counts.ideas_moved} idea moves",
    )
    return {"delivery": delivery_id, "run": run_id}


def _mark_delivery(factory: sessionmaker[Session], delivery_id: int, status: str, message: str) -> None:
    with session_scope(factory) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is not None:
            delivery.status, delivery.message = status, message[:500]


# ---- ideas ↔ issues -------------------------------------------------------------------------------------


def link_read(session: Session, link: IssueLink) -> IssueLinkRead:
    idea = session.get(Idea, link.idea_id)
    read = IssueLinkRead.model_validate(link)
    read.idea_status = idea.status if idea is not None else ""
    return read


def link_issue(
    session: Session, actor: Actor, connection_id: int, data: IssueLinkCreate, secret_key: str
) -> IssueLink:
    """Link an idea to an existing issue, or create the issue from the idea; the issue's state applies at once.

    Creating happens in the service first: if Northstar then cannot store the link (the issue is already linked),
    the new issue stays in the service and the error names it.
    """
    actor.require(PERMISSION)
    actor.require("ideas.write")
    connection = _connection(session, actor, connection_id)
    idea = ideas_service.get_idea(session, actor, data.idea_id)
    connector = _connector(connection, secret_key)
    try:
        state = (
            connector.get_issue(data.issue)
            if data.issue
            else connector.create_issue(idea.title, idea.description)
        )
    finally:
        connector.close()
    existing = session.scalar(
        select(IssueLink).where(IssueLink.connection_id == connection.id, IssueLink.issue_key == state.key)
    )
    if existing is not None:
        raise Conflict(f"{state.key} is already linked to idea {existing.idea_id}")
    link = IssueLink(
        workspace_id=actor.workspace_id,
        connection_id=connection.id,
        idea_id=idea.id,
        issue_key=state.key,
        issue_url=state.url[:500],
    )
    session.add(link)
    session.flush()
    apply_state(session, actor, link, state)
    verb = "linked" if data.issue else "created"
    audit.record(
        session, actor, "link", "idea", idea.id, f"{verb} {SERVICES[connection.service].label} {state.key}"
    )
    return link


def list_links(session: Session, actor: Actor, connection_id: int) -> list[IssueLink]:
    actor.require(READ)
    _connection(session, actor, connection_id)
    query = select(IssueLink).where(IssueLink.connection_id == connection_id).order_by(IssueLink.id)
    return list(session.scalars(query))
