"""Database engine, sessions and the declarative base shared by every module's tables."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base class of every table; one metadata with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class IdMixin:
    """An integer primary key."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class TimestampMixin:
    """Creation and update times, kept by the database layer."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout so threads can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20)
    ping_idle_connections(engine)
    return engine


#: a pooled connection idle longer than this is pinged before use (a busy one was just proven alive)
PING_AFTER_IDLE_SECONDS = 10.0


def ping_idle_connections(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Check a pooled connection with a round trip only when it sat idle for ``idle_seconds``.

    ``pool_pre_ping`` pings on every checkout: one extra round trip per request, which on a busy server cost
    about as much as one of the page's queries. A connection returned a moment ago worked a moment ago; one
    that sat idle may have been closed by a database restart or a firewall, so only those are pinged. A failed
    ping raises ``DisconnectionError``, on which the pool discards the connection and checks out another
    (SQLAlchemy's documented "pessimistic" disconnect handling).
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # new (just connected) or recently used
        try:
            engine.dialect.do_ping(dbapi_connection)  # outside any transaction, as pool_pre_ping does
        except Exception as error:
            raise exc.DisconnectionError(f"pooled connection failed its ping: {error}") from error


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def create_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that only read (GET, HEAD): on PostgreSQL they run in autocommit mode.

    PostgreSQL's default isolation, READ COMMITTED, gives every statement its own snapshot, so a read-only
    request sees the same data with or without a surrounding transaction; without one it saves the BEGIN and
    COMMIT round trips (2 of about 10 per inbox page). A write that a read request makes anyway (a token's
    last-used time, a lazily created key, a cached vector) commits as its own single statement. SQLite keeps
    its transactions: they cost no round trip there, and a transaction gives its reads one snapshot.
    """
    if engine.dialect.name != "postgresql":
        return create_session_factory(engine)
    return sessionmaker(bind=engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
