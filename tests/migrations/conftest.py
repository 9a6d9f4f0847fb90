"""Fresh, never-migrated databases for restores and migration walks, one per test, on either backend."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import IN_CI, POSTGRES_URL


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
