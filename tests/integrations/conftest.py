"""Fixtures of the integration tests: the fake services (one server per test session, fresh state per test)
and a workspace with one connection per service pointing at them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from northstar.integrations import service
from northstar.integrations.connectors import http
from northstar.integrations.schemas import ConnectionCreate
from tests.factories import World, make_world
from tests.integrations.fakes import (
    GITHUB_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    ZENDESK_EMAIL,
    ZENDESK_TOKEN,
    FakeServices,
    State,
    running_fakes,
)

SECRET = "server-secret-for-tests"
HOOK_SECRET = "whsec-7d1f0c2e"


@pytest.fixture(scope="session")
def _fakes() -> Iterator[FakeServices]:
    yield from running_fakes()


@pytest.fixture
def fakes(_fakes: FakeServices) -> FakeServices:
    _fakes.reset()
    return _fakes


@pytest.fixture
def fake(fakes: FakeServices) -> State:
    return fakes.state


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the HTTP client made (recorded, not slept)."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "SLEEP", recorded.append)
    return recorded


def connect(session: Session, world: World, fakes: FakeServices, kind: str, **config: str) -> int:
    settings = {
        "zendesk": {"base_url": fakes.url, "email": ZENDESK_EMAIL},
        "github": {"base_url": fakes.url, "repository": "acme/app", "labels": "feedback, customer"},
        "jira": {"base_url": fakes.url, "email": JIRA_EMAIL, "project": "PROD"},
    }[kind]
    credentials = {
        "zendesk": {"api_token": ZENDESK_TOKEN, "webhook_secret": HOOK_SECRET},
        "github": {"token": GITHUB_TOKEN, "webhook_secret": HOOK_SECRET},
        "jira": {"api_token": JIRA_TOKEN, "webhook_secret": HOOK_SECRET},
    }[kind]
    connection = service.add_connection(
        session,
        world.actor(),
        ConnectionCreate(
            service=kind, name=f"Acme {kind}", config={**settings, **config}, credentials=credentials
        ),  # type: ignore[arg-type]
        SECRET,
    )
    session.commit()
    return connection.id


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session, "Acme")
