"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is reached at ``NORTHSTAR_TEST_POSTGRES`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``);
each test session creates its own database there and drops it at the end. When PostgreSQL is not
reachable the PostgreSQL variants are skipped, except when ``CI=true``, where that is a failure.
Tables are emptied after every test, so each test starts from an empty, migrated database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from northstar import modules
from northstar.core import migrate
from northstar.core.database import Base, create_database_engine, create_session_factory
from northstar.core.listing import forget_capped_listings

pytest_plugins = ["tests.browser_fixtures"]

POSTGRES_URL = os.environ.get("NORTHSTAR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_DATA = Path(
    os.environ.get("NORTHSTAR_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against PostgreSQL")


class _Databases:
    """One migrated database per backend for the whole test session."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.urls: dict[str, str] = {}
        self.engines: dict[str, Engine] = {}
        self._admin_url: str | None = None
        self._pg_name: str | None = None
        self.pg_error: str | None = None

    def url(self, backend: str) -> str:
        if backend in self.urls:
            return self.urls[backend]
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp / 'northstar-test.db'}"
        else:
            url = self._create_postgres()
        modules.load_models()
        migrate.upgrade(url)
        self.urls[backend] = url
        self.engines[backend] = create_database_engine(url)
        return url

    def _create_postgres(self) -> str:
        if self.pg_error:
            raise RuntimeError(self.pg_error)
        name = f"northstar_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:  # unreachable server: recorded, then skipped or failed by the fixture
            self.pg_error = f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc.__class__.__name__}: {exc}"
            raise RuntimeError(self.pg_error)
        finally:
            admin.dispose()
        self._admin_url, self._pg_name = POSTGRES_URL, name
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def clean(self, backend: str) -> None:
        """Empty every table (keeps the schema and the Alembic version)."""
        engine = self.engines[backend]
        with engine.begin() as connection:
            present = set(inspect(connection).get_table_names())
            tables = [t for t in Base.metadata.sorted_tables if t.name in present]
            if backend == "postgresql":
                # TRUNCATE costs ~15 ms per table even when empty; a test writes to a few tables only.
                probe = " UNION ALL ".join(
                    f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
                )
                used = [row[0] for row in connection.execute(text(probe))]
                if used:
                    names = ", ".join(f'"{name}"' for name in used)
                    connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())
                has_sequence = connection.execute(
                    text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
                ).first()
                if has_sequence:
                    connection.execute(text("DELETE FROM sqlite_sequence"))

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        if self._pg_name and self._admin_url:
            admin = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="session")
def _databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Databases]:
    databases = _Databases(tmp_path_factory.mktemp("db"))
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test variant: ``sqlite`` or ``postgresql``."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, _databases: _Databases) -> Iterator[str]:
    """The URL of an empty, migrated database of the chosen backend."""
    try:
        url = _databases.url(backend)
    except RuntimeError as exc:
        if IN_CI:
            pytest.fail(f"{exc} (CI=true: PostgreSQL is required)")
        pytest.skip(str(exc))
    yield url
    _databases.clean(backend)
    forget_capped_listings()  # a listing remembered as over its cap must not outlive its rows


@pytest.fixture
def session_factory(database_url: str, _databases: _Databases, backend: str) -> sessionmaker[Session]:
    return create_session_factory(_databases.engines[backend])


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on an empty database; the test commits when it needs to."""
    with session_factory() as db_session:
        yield db_session


@pytest.fixture
def shared_data() -> Path:
    """The folder of public datasets beside the checkout (``../shared/data``)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def app_settings(database_url: str, tmp_path: Path) -> object:
    from northstar.core.settings import Settings

    return Settings(
        database_url=database_url,
        home=tmp_path / "home",
        upgrade_on_start=False,
        secret_key="test-secret",
        job_queue="inprocess",  # the test app runs its jobs on threads (tests/jobs/ start real workers)
    )


@pytest.fixture
def client(app_settings: object) -> Iterator[object]:
    """A TestClient of the whole application on the chosen backend."""
    from fastapi.testclient import TestClient

    from northstar.web.app import create_app

    app = create_app(app_settings)  # type: ignore[arg-type]
    with TestClient(app) as test_client:
        yield test_client
    app.state.jobs.shutdown(wait=True)  # no job may still write while the database is emptied after the test


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 with its production cost takes ~0.1–1 s per hash; tests use the cheapest valid parameters."""
    from argon2 import PasswordHasher

    from northstar.accounts import service as accounts_service

    original = accounts_service._hasher
    accounts_service._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    accounts_service._hasher = original


@pytest.fixture
def live_server(app_settings: object) -> Iterator[str]:
    """The real application served by uvicorn on a free local port (for browsers and real SDK clients)."""
    import socket
    import threading
    import time

    import uvicorn

    from northstar.web.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(app_settings)  # type: ignore[arg-type]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    # as for ``client``: no job may still write while the database is emptied
    app.state.jobs.shutdown(wait=True)


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """A Typer CliRunner with Northstar initialised on the test database: owner hop@example.com ("Hana") in
    workspace Acme. A test file that needs another first workspace defines its own ``cli``."""
    from typer.testing import CliRunner

    from northstar.cli import app

    monkeypatch.setenv("NORTHSTAR_DATABASE_URL", database_url)
    monkeypatch.setenv("NORTHSTAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NORTHSTAR_WORKSPACE", raising=False)
    runner = CliRunner()
    init = ["init", "--email", "hop@example.com", "--name", "Hana", "--password", "a-long-password"]
    result = runner.invoke(app, [*init, "--workspace", "Acme"])
    assert result.exit_code == 0, result.output
    return runner


# Fresh, never-migrated databases for restores and migration walks (tests/backup, tests/migrations).
def _postgres_database() -> tuple[str, Callable[[], None]]:
    name = f"northstar_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """``make(backend)``: the URL of a new empty database (no tables at all), dropped after the test."""
    drops: list[Callable[[], None]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:8]}.db'}"
        url, drop = _postgres_database()
        drops.append(drop)
        return url

    yield make
    for drop in drops:
        drop()
