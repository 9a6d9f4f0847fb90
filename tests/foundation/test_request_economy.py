"""What keeps a busy server's requests cheap, and still correct: remembered capped counts, read-only requests
without transactions on PostgreSQL, pings only for idle pooled connections, and the idea picker's search."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from tests.factories import PASSWORD, make_feedback, make_idea, make_world

from northstar.core import listing
from northstar.core.database import (
    create_database_engine,
    create_read_session_factory,
    create_session_factory,
    ping_idle_connections,
)
from northstar.core.listing import ListParams, capped_listings
from northstar.feedback import service
from northstar.feedback.models import Feedback
from northstar.ideas import service as ideas_service


def test_a_listing_over_its_cap_reads_capped_for_a_while_without_counting(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    world = make_world(session)
    for n in range(8):
        make_feedback(session, world, f"Export number {n} fails", source="support" if n < 6 else "sales")
    actor = world.actor()

    first = service.list_feedback(session, actor, ListParams(per_page=2))
    assert (first.total, first.total_capped, len(first.items)) == (5, True, 2)
    assert first.pages == 3  # capped: one page beyond the current one is offered

    # thousands deleted at once (here: six) are not seen while the listing is remembered as capped ...
    session.execute(delete(Feedback).where(Feedback.source == "support"))
    session.commit()
    remembered = service.list_feedback(session, actor, ListParams(per_page=2))
    assert (remembered.total, remembered.total_capped) == (5, True)
    assert len(remembered.items) == 2  # ... the rows themselves are always read fresh

    # another filter is another listing, counted exactly; an exact total is never remembered
    sales = service.list_feedback(session, actor, ListParams(per_page=2, filters={"source": "sales"}))
    assert (sales.total, sales.total_capped) == (2, False)
    make_feedback(session, world, "A third one from sales", source="sales")
    sales = service.list_feedback(session, actor, ListParams(per_page=2, filters={"source": "sales"}))
    assert (sales.total, sales.total_capped) == (3, False)

    # once the memory has expired, the listing is counted again
    monkeypatch.setattr(capped_listings(session), "seconds", 0.0)
    recounted = service.list_feedback(session, actor, ListParams(per_page=2))
    assert (recounted.total, recounted.total_capped) == (3, False)


def test_capped_listings_forget_everything_when_full() -> None:
    memory = listing.CappedListings(seconds=60, size=3)
    for key in ("a", "b", "c"):
        memory.remember(key)
    assert all(memory.recently_capped(k) for k in ("a", "b", "c"))
    memory.remember("d")
    assert memory.recently_capped("d") and not memory.recently_capped("a")


def test_read_sessions_run_without_a_transaction_on_postgresql_only(
    session_factory: sessionmaker[Session], backend: str
) -> None:
    engine = session_factory.kw["bind"]
    reads = create_read_session_factory(engine)
    with reads() as session:
        session.execute(select(1)).all()
        dbapi_connection = session.connection().connection.dbapi_connection
        if backend == "postgresql":
            assert dbapi_connection.autocommit is True
            # nothing open: no BEGIN was sent, so there is no COMMIT to send
            assert dbapi_connection.info.transaction_status.name == "IDLE"
        else:
            assert session.in_transaction()


def test_a_write_made_by_a_read_request_is_kept(client: TestClient, session: Session) -> None:
    """GET with a bearer token records the token's last use: in autocommit it commits on its own."""
    from northstar.accounts import service as accounts
    from northstar.accounts.models import ApiToken
    from northstar.accounts.schemas import TokenCreate

    world = make_world(session)
    token, secret = accounts.create_token(session, world.actor(), TokenCreate(name="reader", scope="read"))
    session.commit()
    assert token.last_used_at is None
    response = client.get("/api/v1/feedback", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    session.expire_all()
    assert session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id)) is not None


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(database_url: str, pid: int) -> None:
    """Kill a server backend from a separate connection, as a restart or a firewall would."""
    admin = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    time.sleep(0.05)


# PostgreSQL only (SQLite has no server to lose the connection): this overrides the backend fixture's parameters
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)])
def test_an_idle_pooled_connection_that_died_is_replaced_not_an_error(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        first_pid = _backend_pid(engine)
        _terminate(database_url, first_pid)
        # returned a moment ago, so not pinged: the dead connection fails its statement ...
        with pytest.raises(OperationalError, match="terminat"):
            _backend_pid(engine)
        # ... which invalidates the pool, and the next checkout connects anew
        assert _backend_pid(engine) != first_pid
    finally:
        engine.dispose()

    pinged = create_database_engine(database_url)
    ping_idle_connections(pinged, idle_seconds=0.0)  # every connection counts as idle
    try:
        victim = _backend_pid(pinged)
        _terminate(database_url, victim)
        assert _backend_pid(pinged) != victim  # the ping found it dead; the pool connected anew
    finally:
        pinged.dispose()


def test_busy_connections_are_not_pinged_idle_ones_are(
    database_url: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_database_engine(database_url)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi: pings.append(dbapi) or real_ping(dbapi))
    factory = create_session_factory(engine)

    def request() -> None:
        with factory() as session:
            session.execute(select(1)).all()

    for _ in range(3):
        request()
    expected_busy_pings = 0
    assert len(pings) == expected_busy_pings  # a connection returned a moment ago is used as it is
    if backend == "postgresql":
        for record in engine.pool._pool.queue:  # type: ignore[attr-defined]
            record.info["returned_at"] -= 3600  # as if idle for an hour
        request()
        assert len(pings) == 1
    engine.dispose()


def test_the_idea_picker_lists_the_newest_ideas_and_the_api_finds_the_rest(
    client: TestClient, session: Session
) -> None:
    world = make_world(session)
    for n in range(35):
        make_idea(session, world, f"Idea number {n:02d}")
    choices = ideas_service.idea_choices(session, world.actor())
    assert len(choices) == 30
    assert choices[0][1] == "Idea number 34" and choices[-1][1] == "Idea number 05"

    response = client.post("/login", data={"email": world.email(), "password": PASSWORD})
    assert response.status_code in (200, 303)
    page = client.get("/feedback")
    assert "Idea number 34" in page.text and "Idea number 00" not in page.text
    assert "data-idea-search" in page.text
    # what the search box asks (static/app.js): an older idea is found by its title
    found = client.get("/api/v1/ideas", params={"q": "number 00", "per_page": 30, "sort": "title"})
    assert [item["title"] for item in found.json()["items"]] == ["Idea number 00"]


def test_serve_starts_one_process_per_core_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    from northstar.core import settings as settings_module
    from northstar.core.settings import Settings

    monkeypatch.delenv("NORTHSTAR_WEB_WORKERS", raising=False)
    for cores, expected in ((1, 1), (2, 1), (3, 3), (4, 4), (32, 4)):
        # up to 2 cores one process: a second one's start-up competes with a busy laptop (issue 17);
        # above, at most 4: the database and the jobs need cores too
        monkeypatch.setattr(settings_module, "available_cores", lambda cores=cores: cores)
        assert Settings().resolved_web_workers() == expected, cores
    monkeypatch.setenv("NORTHSTAR_WEB_WORKERS", "3")
    assert Settings().resolved_web_workers() == 3


def test_available_cores_follow_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    from northstar.core.settings import available_cores

    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert available_cores() == 2
    monkeypatch.delattr("os.sched_getaffinity", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert available_cores() == 1


def test_live_items_are_indexed_apart_on_postgresql(session: Session, backend: str) -> None:
    """``not_merged`` is ``merged_into_id IS NULL`` on PostgreSQL, served by partial indexes; SQLite keeps NOT IN."""
    from northstar.feedback.service import not_merged

    condition = str(not_merged(session).compile(session.get_bind()))
    if backend == "postgresql":
        assert condition == "feedback.merged_into_id IS NULL"
        rows = session.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'feedback' AND indexname LIKE 'ix_feedback_live%'"
            )
        ).all()
        assert {name for name, _ in rows} == {
            "ix_feedback_live_workspace_received",
            "ix_feedback_live_workspace_customer",
        }
        assert all("WHERE (merged_into_id IS NULL)" in definition for _, definition in rows)
    else:
        assert "NOT IN" in condition

    world = make_world(session)
    kept, merged = make_feedback(session, world, "Export to CSV"), make_feedback(session, world, "CSV export")
    merged.merged_into_id = kept.id
    session.commit()
    listed = service.list_feedback(session, world.actor(), ListParams())
    assert [f.id for f in listed.items] == [kept.id] and listed.total == 1
