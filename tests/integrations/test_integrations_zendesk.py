"""Zendesk against its local fake, on both databases: the first sync brings tickets and satisfaction ratings in
with the requester's organization as customer; a re-run creates nothing twice; an incremental sync takes only
what changed; a 429 is waited out for its Retry-After; a failure or a kill in the middle resumes from the last
committed page without losing or duplicating an item; a malformed page writes nothing; credentials stay sealed."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from northstar.core.errors import NorthstarError, ValidationFailed
from northstar.customers.models import Customer
from northstar.feedback.models import Feedback
from northstar.integrations import service
from northstar.integrations.connectors import base as connector_base
from northstar.integrations.models import Connection, SyncRun
from tests.factories import World
from tests.integrations.conftest import SECRET, connect
from tests.integrations.fakes import ZENDESK_TOKEN, FakeServices, State


def _feedback(session: Session, world: World) -> list[Feedback]:
    session.expire_all()
    query = (
        select(Feedback).where(Feedback.workspace_id == world.workspace.id).order_by(Feedback.external_ref)
    )
    return list(session.scalars(query))


def _five_tickets(fake: State) -> None:
    fake.add_ticket("Export to CSV", "We need to export reports to CSV every week", org="Globex")
    fake.add_ticket(
        "SSO please",
        "Our IT team requires SAML single sign-on",
        org="Initech",
        score="bad",
        comment="Still no SSO after two years",
    )
    fake.add_ticket("Slow dashboard", "The dashboard takes 20 seconds to load", org="Globex", score="good")
    fake.add_ticket("Dark mode", "Please add a dark mode for the night shift")
    fake.add_ticket("Billing", "Invoices should show the VAT number", org="Umbrella")


def test_first_sync_brings_tickets_ratings_and_organizations_and_a_rerun_creates_nothing(
    session: Session, session_factory: sessionmaker[Session], world: World, fakes: FakeServices, fake: State
) -> None:
    _five_tickets(fake)
    connection_id = connect(session, world, fakes, "zendesk")
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert (run.status, run.pages, run.created, run.error_count) == ("succeeded", 3, 6, 0)
    items = _feedback(session, world)
    refs = [i.external_ref for i in items]
    assert refs == [f"zendesk:rating:{77002}"] + [f"zendesk:ticket:{n}" for n in range(1, 6)]
    by_ref = {i.external_ref: i for i in items}
    customers = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.workspace_id == world.workspace.id))
    }
    assert sorted(c.name for c in customers.values()) == ["Globex", "Initech", "Umbrella"]
    assert customers[by_ref["zendesk:ticket:1"].customer_id].name == "Globex"  # type: ignore[index]
    assert by_ref["zendesk:ticket:1"].customer_id == by_ref["zendesk:ticket:3"].customer_id
    assert by_ref["zendesk:ticket:4"].customer_id is None
    assert (by_ref["zendesk:ticket:2"].rating, by_ref["zendesk:ticket:3"].rating) == (1.0, 5.0)
    survey = by_ref["zendesk:rating:77002"]
    assert (survey.source, survey.text, survey.rating) == ("survey", "Still no SSO after two years", 1.0)
    assert (
        by_ref["zendesk:ticket:1"].title == "Export to CSV" and by_ref["zendesk:ticket:1"].source == "support"
    )

    again = service.run_sync(session_factory, world.actor(), connection_id, SECRET, full=True)
    assert (again.status, again.created, again.updated) == ("succeeded", 0, 6)
    assert len(_feedback(session, world)) == 6
    assert fake.zendesk_requests[3] == {"include": "users,organizations", "start_time": "0"}


def test_incremental_sync_starts_at_the_stored_cursor_and_takes_only_new_tickets(
    session: Session, session_factory: sessionmaker[Session], world: World, fakes: FakeServices, fake: State
) -> None:
    _five_tickets(fake)
    connection_id = connect(session, world, fakes, "zendesk")
    service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    asked = len(fake.zendesk_requests)
    fake.add_ticket("Audit log", "We need an audit log export for compliance", org="Initech")
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert (run.mode, run.created, run.updated, run.pages) == ("incremental", 1, 0, 1)
    assert "cursor" in fake.zendesk_requests[asked] and "start_time" not in fake.zendesk_requests[asked]
    assert len(_feedback(session, world)) == 7


def test_a_429_is_waited_out_for_its_retry_after_and_nothing_is_lost(
    session: Session,
    session_factory: sessionmaker[Session],
    world: World,
    fakes: FakeServices,
    fake: State,
    waits: list[float],
) -> None:
    _five_tickets(fake)
    fake.zendesk_faults.plan = {2: (429, "7"), 3: (429, "2")}
    connection_id = connect(session, world, fakes, "zendesk")
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert waits == [7.0, 2.0]
    assert (run.status, run.retries, run.created) == ("succeeded", 2, 6)


def test_a_rate_limit_that_never_ends_fails_the_run_with_the_cursor_kept(
    session: Session,
    session_factory: sessionmaker[Session],
    world: World,
    fakes: FakeServices,
    fake: State,
    waits: list[float],
) -> None:
    _five_tickets(fake)
    fake.zendesk_faults.plan = {n: (429, "600") for n in range(2, 8)}
    connection_id = connect(session, world, fakes, "zendesk")
    with pytest.raises(NorthstarError, match="rate limited"):
        service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert waits == [60.0] * 4  # Retry-After 600 is capped at a minute, four waits between five attempts
    session.expire_all()
    run = session.scalars(select(SyncRun)).one()
    assert (run.status, run.pages, run.created, run.error_count) == (
        "failed",
        1,
        3,
        1,
    )  # page 1: tickets 1, 2 and the rating of 2
    assert len(_feedback(session, world)) == 3


def test_a_failure_in_the_middle_resumes_from_the_last_committed_page_without_duplicates(
    session: Session, session_factory: sessionmaker[Session], world: World, fakes: FakeServices, fake: State
) -> None:
    _five_tickets(fake)
    fake.zendesk_faults.plan = {3: (500, None)}
    connection_id = connect(session, world, fakes, "zendesk")
    with pytest.raises(NorthstarError, match="answered 500"):
        service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert len(_feedback(session, world)) == 5  # pages 1 and 2: tickets 1–4 and the rating of ticket 2
    resumed_at = len(fake.zendesk_requests)
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert "cursor" in fake.zendesk_requests[resumed_at]  # not start_time: it resumed, not restarted
    assert (run.status, run.created, run.updated) == ("succeeded", 1, 0)
    refs = [i.external_ref for i in _feedback(session, world)]
    assert len(refs) == len(set(refs)) == 6


class _Killed(BaseException):
    """Stands for the process dying (kill -9, power loss): nothing of Northstar's code runs after it."""


def test_a_killed_sync_is_marked_interrupted_and_the_next_one_resumes(
    session: Session,
    session_factory: sessionmaker[Session],
    world: World,
    fakes: FakeServices,
    fake: State,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _five_tickets(fake)
    connection_id = connect(session, world, fakes, "zendesk")
    pages: list[int] = []

    def die_after_two(done_pages: int, _items: int) -> None:
        pages.append(done_pages)
        if done_pages == 2:
            raise _Killed()

    with pytest.raises(_Killed):
        service.run_sync(session_factory, world.actor(), connection_id, SECRET, progress=die_after_two)
    session.expire_all()
    killed = session.scalars(select(SyncRun)).one()
    assert (killed.status, killed.pages) == ("running", 2)
    with pytest.raises(NorthstarError, match="is running"):  # its heartbeat is fresh: it might still be alive
        service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    session.execute(update(SyncRun).values(heartbeat_at=killed.heartbeat_at - timedelta(minutes=5)))
    session.commit()
    run = service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    session.expire_all()
    assert session.get(SyncRun, killed.id).status == "interrupted"  # type: ignore[union-attr]
    assert (run.status, run.created, run.pages) == ("succeeded", 1, 1)
    refs = [i.external_ref for i in _feedback(session, world)]
    assert len(refs) == len(set(refs)) == 6


def test_a_malformed_page_writes_nothing_and_names_the_problem(
    session: Session, session_factory: sessionmaker[Session], world: World, fakes: FakeServices, fake: State
) -> None:
    _five_tickets(fake)
    fake.tickets[0]["created_at"] = "last tuesday"
    connection_id = connect(session, world, fakes, "zendesk")
    with pytest.raises(ValidationFailed, match="Zendesk ticket 1: 'last tuesday' is not an ISO 8601 time"):
        service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    assert _feedback(session, world) == []
    session.expire_all()
    assert session.get(Connection, connection_id).cursor is None  # type: ignore[union-attr]


def test_credentials_are_sealed_never_read_back_and_never_logged(
    session: Session,
    session_factory: sessionmaker[Session],
    world: World,
    fakes: FakeServices,
    fake: State,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _five_tickets(fake)
    caplog.set_level(logging.DEBUG)
    connection_id = connect(session, world, fakes, "zendesk")
    assert service.test_connection(session, world.actor(), connection_id, SECRET).ok
    service.run_sync(session_factory, world.actor(), connection_id, SECRET)
    stored = session.get(Connection, connection_id)
    assert stored is not None
    assert ZENDESK_TOKEN not in stored.sealed_credentials and stored.credential_names == [
        "api_token",
        "webhook_secret",
    ]
    assert ZENDESK_TOKEN not in service.to_read(stored).model_dump_json()
    assert ZENDESK_TOKEN not in caplog.text
    assert ZENDESK_TOKEN not in str(stored.config)
    with pytest.raises(NorthstarError, match="secret key changed"):
        service.run_sync(session_factory, world.actor(), connection_id, "another-secret")


def test_wrong_token_fails_the_connection_test_with_a_clear_message(
    session: Session, world: World, fakes: FakeServices
) -> None:
    connection_id = connect(session, world, fakes, "zendesk")
    from northstar.integrations.schemas import CredentialsUpdate

    service.update_credentials(
        session, world.actor(), connection_id, CredentialsUpdate(credentials={"api_token": "nope"}), SECRET
    )
    result = service.test_connection(session, world.actor(), connection_id, SECRET)
    assert (
        not result.ok
        and result.message == "Zendesk answered 401 to GET /api/v2/users/me.json: check the credentials"
    )


def test_settings_are_checked_before_anything_is_stored(session: Session, world: World) -> None:
    from northstar.integrations.schemas import ConnectionCreate

    with pytest.raises(ValidationFailed) as failure:
        service.add_connection(
            session,
            world.actor(),
            ConnectionCreate(
                service="zendesk", name="x", config={"base_url": "http://acme.zendesk.com"}, credentials={}
            ),
            SECRET,
        )
    fields = {e.field: e.message for e in failure.value.errors}
    assert fields == {
        "config.email": "Agent e-mail is required",
        "config.base_url": "use https (plain http only for this machine)",
        "credentials.api_token": "API token is required",
    }
    assert session.scalar(select(func.count()).select_from(Connection)) == 0
    assert (
        "127.0.0.1" in connector_base.LOCAL_HOSTS
    )  # plain http is allowed for this machine only (the fakes)
